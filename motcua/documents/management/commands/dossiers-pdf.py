"""motcua dossiers-pdf: one official form of a dossier as a PDF file, numbered as in the form set
of the dossier's date of receipt; a notice exactly as it was issued."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.audit.models import Access
from motcua.audit.services import access_record, accessor_for_command
from motcua.core import clock
from motcua.core.commands import DomainCommand
from motcua.documents.formats import stamp
from motcua.documents.formsets import TT_01_2018, TT_03_2025
from motcua.documents.management.files import write_pdf
from motcua.documents.selectors import dossier_find, issued_notices
from motcua.documents.services import dossier_form, render_dossier_form


def _numbers(form_set: Any) -> str:
    return "; ".join(f"{form.number}: {form.title}" for form in form_set.forms)


class Command(DomainCommand):
    help = (
        "Xuất một biểu mẫu của hồ sơ ra tệp PDF, theo bộ mẫu áp dụng vào ngày tiếp nhận hồ sơ. "
        f"Hồ sơ tiếp nhận trước {TT_03_2025.applies_from:%d/%m/%Y} ({TT_01_2018.circular}): "
        f"{_numbers(TT_01_2018)}. Từ ngày đó ({TT_03_2025.circular}): {_numbers(TT_03_2025)}. "
        "Giấy tờ đã ban hành được in lại đúng như bản đã ban hành. "
        "Ví dụ: motcua dossiers-pdf 000.12.34.H99-250424-0007 --form 01"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="mã hồ sơ (hoặc #số với hồ sơ chưa được cấp mã)")
        parser.add_argument("--form", help="số hiệu mẫu trong bộ mẫu của hồ sơ: 01, 02 …")
        parser.add_argument(
            "--event",
            type=int,
            help="số thứ tự sự kiện đã ban hành giấy tờ (mặc định: lần ban hành gần nhất)",
        )
        parser.add_argument("--output", help="tệp PDF ghi ra; mặc định <mã hồ sơ>_mau<số>.pdf")
        parser.add_argument(
            "--list", action="store_true", help="liệt kê các giấy tờ đã ban hành và lưu của hồ sơ"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dossier = dossier_find(code=options["code"])
        name = dossier.code or f"ho-so-{dossier.pk}"
        if options["list"]:
            self._list(dossier, name)
            return
        if not options["form"]:
            raise CommandError("Cần --form (số hiệu mẫu) hoặc --list.")
        now = clock.now()
        form = dossier_form(dossier=dossier, form=options["form"], now=now)
        data = render_dossier_form(
            form=form.number, dossier=dossier, now=now, event=options["event"]
        )
        access_record(
            by=accessor_for_command("dossiers-pdf"),
            action=Access.PRINTED,
            dossiers=[dossier],
            what=f"mau-{form.number}",
        )
        suffix = f"_su-kien{options['event']}" if options["event"] else ""
        output = options["output"] or f"{name}_mau{form.number}{suffix}.pdf"
        write_pdf(output, data)
        self.stdout.write(f"Đã ghi Mẫu {form.number} ({form.title}) của hồ sơ {name} vào {output}.")

    def _list(self, dossier: Any, name: str) -> None:
        notices = issued_notices(dossier=dossier)
        if not notices:
            self.stdout.write(f"Hồ sơ {name} chưa có giấy tờ nào được lưu.")
            return
        for notice in notices:
            self.stdout.write(
                f"Mẫu {notice.form} ({notice.form_set}), sự kiện {notice.event_seq}, ban hành "
                f"{stamp(notice.issued_at)}, lưu {stamp(notice.frozen_at)}, "
                f"SHA-256 {notice.sha256}"
            )
