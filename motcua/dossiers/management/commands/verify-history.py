"""motcua verify-history: check every dossier's hash chain and the fields derived from it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Prefetch

from motcua.core.commands import DomainCommand
from motcua.dossiers.events import history_problems
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.units.selectors import unit_find, unit_subtree

BATCH = 1000


class Command(DomainCommand):
    help = "Kiểm tra tính toàn vẹn lịch sử hồ sơ (chuỗi băm sự kiện) và các trường suy ra từ nó."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", help="chỉ kiểm tra một hồ sơ")
        parser.add_argument("--unit", help="chỉ hồ sơ của đơn vị này (và cấp dưới)")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.order_by("pk")
        if options["code"]:
            dossiers = dossiers.filter(code=options["code"])
            if not dossiers.exists():
                raise CommandError(f"Không có hồ sơ mã {options['code']}.")
        if options["unit"]:
            dossiers = dossiers.filter(
                involved_units__in=unit_subtree(unit=unit_find(code=options["unit"]))
            ).distinct()
        checked = events_checked = 0
        broken = 0
        last_pk = 0
        while True:
            batch = list(
                dossiers.filter(pk__gt=last_pk).prefetch_related(
                    Prefetch("events", queryset=DossierEvent.objects.order_by("seq"))
                )[:BATCH]
            )
            if not batch:
                break
            for dossier in batch:
                events = list(dossier.events.all())
                problems = history_problems(dossier, events)
                if problems:
                    broken += 1
                    self.stdout.write(f"{dossier} (#{dossier.pk}): LỊCH SỬ BỊ THAY ĐỔI")
                    for problem in problems:
                        self.stdout.write(f"  - {problem}")
                checked += 1
                events_checked += len(events)
            last_pk = batch[-1].pk
        if broken:
            raise CommandError(
                f"{broken}/{checked} hồ sơ có lịch sử bị thay đổi "
                f"({events_checked} sự kiện đã kiểm tra)."
            )
        self.stdout.write(f"Đã kiểm tra {checked} hồ sơ, {events_checked} sự kiện: toàn vẹn.")
