"""motcua deadline: the lawful due instant of a dossier, with its explanation."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from motcua.calendars.selectors import deadline_for_request
from motcua.calendars.workdays import DueTimePolicy, LimitUnit
from motcua.core.commands import DomainCommand


class Command(DomainCommand):
    help = (
        "Tính hạn trả kết quả theo lịch làm việc (ngày nghỉ lễ, nghỉ bù, làm bù, giờ làm việc). "
        'Ví dụ: motcua deadline --received "2026-02-13 09:00" --limit 3 --unit working_day '
        "--explain"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--received",
            required=True,
            help='thời điểm tiếp nhận, giờ Việt Nam: "2026-02-13 09:00"',
        )
        parser.add_argument("--limit", required=True, help="thời hạn (số), ví dụ 3 hoặc 1.5")
        parser.add_argument(
            "--unit",
            required=True,
            choices=[u.value for u in LimitUnit],
            dest="limit_unit",
            help="đơn vị của thời hạn",
        )
        parser.add_argument(
            "--province",
            help="mã tỉnh (mã hành chính hoặc mã định danh): "
            "áp dụng ngày nghỉ riêng và giờ làm việc của tỉnh",
        )
        parser.add_argument("--office", help="mã đơn vị tiếp nhận: áp dụng giờ làm việc của đơn vị")
        parser.add_argument(
            "--pause",
            action="append",
            default=[],
            metavar="FROM/TO",
            help='khoảng tạm dừng tính thời hạn, "2026-01-06 14:00/2026-01-12 10:00"; '
            "có thể lặp lại",
        )
        parser.add_argument(
            "--due-time",
            choices=[p.value for p in DueTimePolicy],
            default=None,
            help="giờ hẹn trả: cuối giờ làm việc của ngày hẹn (end_of_day) hoặc "
            "cùng giờ tiếp nhận (receipt_time); mặc định theo cấu hình",
        )
        parser.add_argument("--explain", action="store_true", help="in từng ngày được tính, bỏ qua")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        result, unit = deadline_for_request(
            received=options["received"],
            limit=options["limit"],
            unit=options["limit_unit"],
            province=options["province"] or "",
            office=options["office"] or "",
            pauses=options["pause"],
            due_time=options["due_time"],
            field_prefix="--",
        )
        if options["json"]:
            payload = result.as_dict()
            if unit is not None:
                payload["unit"] = {
                    "name": unit.name,
                    "identifier": unit.identifier,
                    "area_code": unit.area_code,
                }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if options["explain"]:
            for step in result.trace:
                self.stdout.write(f"  {step.message}")
        self.stdout.write(result.due_at.isoformat())
