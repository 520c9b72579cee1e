"""motcua register-pdf: a unit's register of dossiers (Sổ theo dõi hồ sơ: Mẫu 06 of TT 01/2018,
Mẫu 07 of TT 03/2025) as PDF, each dossier with its number in the unit's book of the year."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from motcua.audit.models import Access
from motcua.audit.services import access_record, accessor_for_command
from motcua.core import clock
from motcua.core.commands import DomainCommand
from motcua.core.parsing import parse_date
from motcua.documents.management.files import write_pdf
from motcua.documents.selectors import register_dossiers
from motcua.documents.services import render_register
from motcua.units.selectors import unit_find


class Command(DomainCommand):
    help = (
        "Xuất Sổ theo dõi hồ sơ (Mẫu 06 của TT 01/2018/TT-VPCP; Mẫu 07 của TT 03/2025/TT-VPCP) "
        "của một đơn vị tiếp nhận trong một khoảng ngày ra tệp PDF; số thứ tự của mỗi hồ sơ trong "
        "sổ của năm được cấp một lần, không đổi. Ví dụ: motcua register-pdf --unit 000.12.34.H99 "
        "--from 2025-04-01 --to 2025-04-30"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit", required=True, help="mã định danh điện tử (hoặc mã hành chính) của đơn vị"
        )
        parser.add_argument("--from", dest="start", required=True, help="từ ngày: 2025-04-01")
        parser.add_argument("--to", dest="end", required=True, help="đến ngày: 2025-04-30")
        parser.add_argument("--output", help="tệp PDF ghi ra; mặc định so-theo-doi_<đơn vị>_….pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        start = parse_date(options["start"], field="--from")
        end = parse_date(options["end"], field="--to")
        unit = unit_find(code=options["unit"], on=end)
        data = render_register(unit=unit, start=start, end=end, now=clock.now(), actor=None)
        access_record(
            by=accessor_for_command("register-pdf"),
            action=Access.PRINTED,
            dossiers=register_dossiers(unit=unit, start=start, end=end, actor=None).values_list(
                "pk", flat=True
            ),
            what="so-theo-doi",
        )
        label = unit.identifier or unit.area_code or str(unit.pk)
        output = options["output"] or f"so-theo-doi_{label}_{start:%Y%m%d}-{end:%Y%m%d}.pdf"
        write_pdf(output, data)
        self.stdout.write(
            f"Đã ghi Sổ theo dõi hồ sơ của {unit} ({start:%d/%m/%Y}–{end:%d/%m/%Y}) vào {output}."
        )
