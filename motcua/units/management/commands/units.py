"""motcua units: load the administrative divisions and look units up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.core.commands import DomainCommand
from motcua.units.models import Unit
from motcua.units.selectors import unit_find, unit_subtree
from motcua.units.services import units_load_divisions


class Command(DomainCommand):
    help = "Đơn vị hành chính: nạp tỉnh, xã sau 01/7/2025 từ gói vietnam-provinces; tra cứu."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="nạp tỉnh và xã (mặc định: cả nước)")
        load.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="CODE",
            help="mã tỉnh 2 số (ví dụ 42 là Hà Tĩnh); có thể lặp lại",
        )
        load.add_argument(
            "--no-service-centres",
            action="store_true",
            help="không tạo Trung tâm Phục vụ hành chính công cho mỗi tỉnh, xã",
        )
        show = sub.add_parser("list", help="liệt kê đơn vị")
        show.add_argument("--under", help="chỉ các đơn vị thuộc đơn vị này (mã)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            codes: list[int] | None = None
            if options["province"]:
                try:
                    codes = [int(code) for code in options["province"]]
                except ValueError as exc:
                    raise CommandError("--province phải là mã tỉnh bằng số, ví dụ 42.") from exc
            counts = units_load_divisions(
                province_codes=codes, service_centres=not options["no_service_centres"]
            )
            self.stdout.write(
                f"Đã tạo {counts['created']} đơn vị; {counts['existing']} đơn vị đã có."
            )
            return
        units = (
            unit_subtree(unit=unit_find(code=options["under"]))
            if options["under"]
            else Unit.objects.all()
        )
        for unit in units.order_by("path"):
            indent = "  " * unit.depth
            closed = f" (hết hiệu lực {unit.valid_to:%d/%m/%Y})" if unit.valid_to else ""
            self.stdout.write(
                f"{indent}{unit.name}\t{unit.area_code or '-'}\t{unit.identifier or '-'}{closed}"
            )
