"""motcua notices-freeze: freeze every notice already issued but never printed (receipts,
supplement requests, refusals, apologies, stop notices), so that each is kept as issued."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from motcua.core import clock
from motcua.core.commands import DomainCommand
from motcua.core.parsing import parse_date
from motcua.documents.services import notices_freeze
from motcua.dossiers.models import Dossier


class Command(DomainCommand):
    help = (
        "Lưu (đóng băng) các giấy tờ đã ban hành mà chưa in: giấy tiếp nhận, phiếu yêu cầu bổ "
        "sung, phiếu từ chối, văn bản xin lỗi, thông báo dừng. Chạy định kỳ (ví dụ mỗi 5 phút) để "
        "mỗi giấy tờ được lưu sát lúc ban hành. Ví dụ: motcua notices-freeze --since 2026-01-01"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", help="chỉ các hồ sơ có sự kiện từ ngày này (mặc định: mọi hồ sơ)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        dossiers = Dossier.objects.order_by("pk")
        if options["since"]:
            since = parse_date(options["since"], field="--since")
            dossiers = dossiers.filter(events__at__date__gte=since).distinct()
        frozen = 0
        for dossier in dossiers.iterator(chunk_size=500):
            frozen += notices_freeze(dossier=dossier, now=now)
        self.stdout.write(f"Đã lưu {frozen} giấy tờ.")
