"""Reads of dossiers, always scoped to the actor: an officer sees the dossiers of the units they
may see (receiving, resolving or consulted), nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.core.errors import NotFound
from motcua.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent
from motcua.units.models import Unit
from motcua.units.selectors import unit_subtree


def dossiers_visible_to(*, user: User) -> QuerySet[Dossier]:
    base = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_unit", "resolving_unit", "assignee"
    )
    if user.is_superuser:
        return base
    units = units_visible_to(user=user)
    return base.filter(pk__in=Dossier.objects.filter(involved_units__in=units).values("pk"))


def dossier_get_for_officer(*, user: User, code: str) -> Dossier:
    """A dossier by its code (or its number before receipt, "#12"), if the officer may see it."""
    dossiers = dossiers_visible_to(user=user)
    lookup = Q(pk=int(code[1:])) if code.startswith("#") and code[1:].isdigit() else Q(code=code)
    dossier = dossiers.filter(lookup).first()
    if dossier is None:
        raise NotFound(
            f"Không tìm thấy hồ sơ {code} trong phạm vi được xem.", code="dossier_not_found"
        )
    return dossier


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return (
        DossierEvent.objects.filter(dossier=dossier).select_related("actor", "unit").order_by("seq")
    )


def open_dossiers_spanning(*, dates: Sequence[dt.date], province: Unit | None) -> QuerySet[Dossier]:
    """Open dossiers whose counting period may include one of ``dates``: received on or before the
    last date, not due before the first (and, for a province's own days, received there)."""
    if not dates:
        return Dossier.objects.none()
    first, last = min(dates), max(dates)
    dossiers = (
        Dossier.objects.filter(status__in=OPEN_STATUSES, received_at__isnull=False)
        .filter(received_at__date__lte=last + dt.timedelta(days=1))
        .filter(Q(due_date__isnull=True) | Q(due_date__gte=first))
    )
    if province is not None:
        dossiers = dossiers.filter(receiving_unit__in=unit_subtree(unit=province))
    return dossiers
