"""motcua demo: demo data for trying motcua on a laptop."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from motcua.core.commands import DomainCommand
from motcua.demo.services import DEMO_PASSWORD, DEMO_PROVINCE, demo_load


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

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load(province_code=options["province"])
        self.stdout.write(f"Dữ liệu mẫu: {report.province.name}, {report.procedures} thủ tục.")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for login in report.logins:
            self.stdout.write(f"  {login.username:<24} {login.role} — {login.unit}")
