"""motcua calendar: load, fill and confirm the calendar data the working-day clock runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.calendars.selectors import calendar_days
from motcua.calendars.services import (
    calendar_import_file,
    calendar_sync_package,
    calendar_year_confirm,
)
from motcua.core import clock
from motcua.core.commands import DomainCommand
from motcua.units.selectors import unit_find


class Command(DomainCommand):
    help = "Dữ liệu lịch nghỉ lễ, nghỉ bù, hoán đổi và làm bù."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="nhập tệp lịch (.json motcua-calendar/1 hoặc .csv)")
        load.add_argument("file")
        load.add_argument("--province", help="mã tỉnh: tệp là lịch riêng của tỉnh")
        sync = sub.add_parser(
            "sync-package",
            help="lấp các năm chưa có lịch chính thức bằng gói holidays (tạm tính); liệt kê ngày "
            "chỉ gói có trong năm chính thức (chờ xác nhận)",
        )
        sync.add_argument(
            "--years",
            nargs="+",
            type=int,
            help="các năm; mặc định: năm trước, năm nay và hai năm sau",
        )
        confirm = sub.add_parser(
            "confirm-year", help="xác nhận lịch tạm tính của một năm là chính thức"
        )
        confirm.add_argument("year", type=int)
        confirm.add_argument("--source", required=True, help="văn bản quyết định lịch nghỉ của năm")
        show = sub.add_parser("list", help="liệt kê ngày nghỉ, ngày làm bù của một năm")
        show.add_argument("--year", type=int, default=None)
        show.add_argument("--province")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"Không tìm thấy tệp {path}.")
            province = unit_find(code=options["province"]) if options["province"] else None
            parsed, change = calendar_import_file(
                content=path.read_bytes(), filename=path.name, province=province
            )
            changed = len(change.changed_dates) if change else 0
            self.stdout.write(
                f"Đã nhập {len(parsed.rows)} ngày; {changed} ngày thay đổi cách tính."
            )
        elif action == "sync-package":
            this_year = clock.today().year
            years = options["years"] or list(range(this_year - 1, this_year + 3))
            report = calendar_sync_package(years=years)
            if report.provisional_years:
                self.stdout.write(
                    "Lịch tạm tính từ gói holidays: "
                    + ", ".join(map(str, report.provisional_years))
                )
            for announced in report.announced:
                self.stdout.write(f"Chờ xác nhận (chỉ gói holidays có): {announced:%d/%m/%Y}")
            if not report.provisional_years and not report.announced:
                self.stdout.write("Không có thay đổi.")
        elif action == "confirm-year":
            calendar_year_confirm(year=options["year"], actor=None, source=options["source"])
            self.stdout.write(f"Đã xác nhận lịch năm {options['year']}.")
        else:
            year = options["year"] or clock.today().year
            province = unit_find(code=options["province"]) if options["province"] else None
            for day in calendar_days(year=year, province=province):
                scope = day.province.area_code if day.province else "toàn quốc"
                self.stdout.write(
                    f"{day.date:%d/%m/%Y}\t{day.get_kind_display()}\t{day.get_status_display()}\t"
                    f"{scope}\t{day.name}\t{day.legal_basis}"
                )
