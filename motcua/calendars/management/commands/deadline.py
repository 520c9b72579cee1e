"""motcua deadline: the lawful due instant of a dossier, with its explanation."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandParser

from motcua.calendars.selectors import deadline_explain
from motcua.calendars.workdays import CalendarError, DueTimePolicy, LimitUnit, Pause, TimeLimit
from motcua.core.commands import DomainCommand
from motcua.core.errors import InvalidInput
from motcua.core.parsing import parse_instant, parse_interval
from motcua.units.selectors import unit_find


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
        received = parse_instant(options["received"], field="--received")
        try:
            value = Decimal(options["limit"].replace(",", "."))
        except InvalidOperation as exc:
            raise InvalidInput(f"--limit {options['limit']!r} không phải là số.") from exc
        try:
            limit = TimeLimit(value, LimitUnit(options["limit_unit"]))
            pauses = [Pause(*parse_interval(text, field="--pause")) for text in options["pause"]]
        except CalendarError as exc:
            raise InvalidInput(str(exc)) from exc
        unit = None
        if options["office"]:
            unit = unit_find(code=options["office"], on=received.date())
        elif options["province"]:
            unit = unit_find(code=options["province"], on=received.date())
        policy = DueTimePolicy(options["due_time"]) if options["due_time"] else None
        result = deadline_explain(
            received_at=received, limit=limit, unit=unit, pauses=pauses, policy=policy
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
