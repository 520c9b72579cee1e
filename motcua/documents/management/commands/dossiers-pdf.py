"""motcua dossiers-pdf: one official form of a dossier (Mẫu 01–05) as a PDF file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from motcua.core import clock
from motcua.core.commands import DomainCommand
from motcua.documents.management.files import write_pdf
from motcua.documents.selectors import dossier_find
from motcua.documents.services import FORMS, render_dossier_form


class Command(DomainCommand):
    help = (
        "Xuất một biểu mẫu của hồ sơ ra tệp PDF (TT 01/2018/TT-VPCP): "
        + "; ".join(f"{number}: {title}" for number, title in FORMS.items())
        + ". Ví dụ: motcua dossiers-pdf 000.12.34.H99-250424-0007 --form 01"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="mã hồ sơ (hoặc #số với hồ sơ chưa được cấp mã)")
        parser.add_argument("--form", required=True, help="số hiệu mẫu: 01, 02, 03, 04 hoặc 05")
        parser.add_argument("--output", help="tệp PDF ghi ra; mặc định <mã hồ sơ>_mau<số>.pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        form = options["form"].strip()
        dossier = dossier_find(code=options["code"])
        data = render_dossier_form(form=form, dossier=dossier, now=clock.now())
        name = dossier.code or f"ho-so-{dossier.pk}"
        output = options["output"] or f"{name}_mau{form}.pdf"
        write_pdf(output, data)
        self.stdout.write(f"Đã ghi Mẫu {form} ({FORMS[form]}) của hồ sơ {name} vào {output}.")
