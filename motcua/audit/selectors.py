"""Reading the access log, scoped to the reader: an inspector sees the accesses to the dossiers
they may see (``dossiers_visible_to``: their subtree), and the searches and exports of the
officers of the units they may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from motcua.accounts.models import Membership, User
from motcua.accounts.selectors import units_visible_to
from motcua.audit.models import AccessRecord
from motcua.core import clock
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_visible_to


def access_records_visible_to(*, user: User) -> QuerySet[AccessRecord]:
    records = AccessRecord.objects.select_related("dossier")
    if user.is_superuser:
        return records
    officers = Membership.objects.filter(unit__in=units_visible_to(user=user)).values("user_id")
    return records.filter(
        Q(dossier__in=dossiers_visible_to(user=user).values("pk"))
        | Q(dossier__isnull=True, user__in=officers)
    )


def access_records_search(
    *,
    user: User,
    officer: str = "",
    dossier_code: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessRecord]:
    """The inspector's page: by officer (user name), dossier code, local dates."""
    records = access_records_visible_to(user=user)
    if officer.strip():
        records = records.filter(username__iexact=officer.strip())
    if dossier_code.strip():
        records = records.filter(dossier__code=dossier_code.strip())
    zone = clock.authority_tz()
    if date_from is not None:
        records = records.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone))
    if date_to is not None:
        after = date_to + dt.timedelta(days=1)
        records = records.filter(at__lt=dt.datetime.combine(after, dt.time.min, tzinfo=zone))
    return records


def dossier_accesses(*, dossier: Dossier, limit: int = 50) -> list[AccessRecord]:
    """The latest accesses to one dossier (its page, for inspectors)."""
    return list(AccessRecord.objects.filter(dossier=dossier)[:limit])
