"""motcua notifications deliver: send what is waiting in the outbox, retrying failures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from motcua.core.commands import DomainCommand
from motcua.notifications.services import deliver_pending


class Command(DomainCommand):
    help = "Gửi các thông báo đang chờ trong hộp thư đi (thư điện tử, SMS) và gửi lại thư lỗi."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="gửi thông báo đang chờ")
        deliver.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = deliver_pending(limit=options["limit"])
        self.stdout.write(f"Đã gửi {sent} thông báo; {failed} lỗi (sẽ gửi lại).")
