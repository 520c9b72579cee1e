"""motcua demo: demo data for trying motcua on a laptop."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser

from motcua.calendars.selectors import calendar_changes_shipped
from motcua.core import clock
from motcua.core.commands import DomainCommand
from motcua.core.parsing import parse_date
from motcua.demo.generate import demo_generate
from motcua.demo.services import DEMO_PASSWORD, DEMO_PROVINCE, demo_load
from motcua.dossiers.models import Dossier
from motcua.dossiers.tasks import recompute_due_dates


class Command(DomainCommand):
    help = (
        "Dữ liệu mẫu: một tỉnh thật với các xã, cán bộ đủ vai trò, danh mục thủ tục kèm phần mềm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="nạp dữ liệu mẫu (chạy lại không nhân đôi)")
        load.add_argument(
            "--province",
            type=int,
            default=DEMO_PROVINCE,
            help=f"mã tỉnh (mặc định {DEMO_PROVINCE}: Hà Tĩnh)",
        )
        load.add_argument(
            "--dossiers",
            type=int,
            default=3000,
            help="số hồ sơ mẫu trong 6 tháng gần nhất (mặc định 3000; 0: không tạo)",
        )
        generate = sub.add_parser("generate", help="tạo lịch sử hồ sơ mẫu (nhanh, tới hàng triệu)")
        generate.add_argument("--province", required=True, help="mã tỉnh (ví dụ 42)")
        generate.add_argument("--dossiers", type=int, required=True, help="số hồ sơ")
        generate.add_argument("--from", dest="start", required=True, help="từ ngày (YYYY-MM-DD)")
        generate.add_argument("--to", dest="end", required=True, help="đến ngày (YYYY-MM-DD)")
        generate.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            made = demo_generate(
                province_code=options["province"],
                count=options["dossiers"],
                start=parse_date(options["start"], field="--from"),
                end=parse_date(options["end"], field="--to"),
                seed=options["seed"],
            )
            self.stdout.write(f"Đã tạo {made} hồ sơ mẫu.")
            return
        report = demo_load(province_code=options["province"])
        if options["dossiers"] and not Dossier.objects.exists():
            today = clock.today()
            start = today - dt.timedelta(days=182)
            # The law arrived while the demo's dossiers were open (24/11/2026, NQ 28/2026/QH16):
            # they were received under the calendar before it, and the change recomputes them.
            changes = calendar_changes_shipped(start=start, end=today)
            made = demo_generate(
                province_code=f"{options['province']:02d}",
                count=options["dossiers"],
                start=start,
                end=today,
                unknown_days={day for change in changes for day in change.dates},
            )
            self.stdout.write(f"Đã tạo {made} hồ sơ mẫu (6 tháng gần nhất).")
            for change in changes:
                moved = recompute_due_dates.call(change.pk)
                self.stdout.write(f"{change.summary}: tính lại hạn trả của {moved} hồ sơ.")
        self.stdout.write(f"Dữ liệu mẫu: {report.province.name}, {report.procedures} thủ tục.")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for login in report.logins:
            self.stdout.write(f"  {login.username:<24} {login.role} — {login.unit}")
