"""What the forms read: a dossier with its events and the units they name; a unit's register;
the notices a dossier was issued."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import InvalidInput, NotFound
from motcua.documents.forms import DossierFacts, RegisterEntry
from motcua.documents.models import IssuedNotice
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import EventType
from motcua.dossiers.selectors import dossiers_visible_to
from motcua.units.models import Unit

# The keys of event data that name a unit by its id.
_UNIT_KEYS = ("unit", "from_unit", "to_unit")


def dossier_facts(*, dossier: Dossier, now: dt.datetime) -> DossierFacts:
    """The dossier fresh from the database, its events oldest first, the units they name."""
    fresh = (
        Dossier.objects.select_related("procedure_version__procedure").filter(pk=dossier.pk).first()
    )
    if fresh is None:
        raise NotFound(f"Không tìm thấy hồ sơ {dossier}.", code="dossier_not_found")
    events = list(
        DossierEvent.objects.filter(dossier=fresh).select_related("actor").order_by("seq")
    )
    ids: set[object] = {fresh.receiving_unit_id, fresh.resolving_unit_id}
    for event in events:
        ids.add(event.unit_id)
        ids.update(event.data.get(key) for key in _UNIT_KEYS)
    wanted = [pk for pk in ids if isinstance(pk, int)]
    units = Unit.objects.select_related("parent").in_bulk(wanted)
    # One query for every unit instead of a join per relation.
    fresh.receiving_unit = units[fresh.receiving_unit_id]
    fresh.resolving_unit = units[fresh.resolving_unit_id]
    return DossierFacts(dossier=fresh, events=events, units=units, now=now)


def register_dossiers(
    *, unit: Unit, start: dt.date, end: dt.date, actor: User | None
) -> QuerySet[Dossier]:
    """The dossiers the register of ``unit`` lists for ``actor`` over ``start``–``end`` (local
    dates; None, the system: all of them)."""
    zone = clock.authority_tz()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    dossiers = Dossier.objects.all() if actor is None else dossiers_visible_to(user=actor)
    return dossiers.filter(receiving_unit=unit, received_at__gte=first, received_at__lt=after)


def register_entries(
    *, unit: Unit, start: dt.date, end: dt.date, actor: User | None
) -> list[RegisterEntry]:
    """Dossiers received at ``unit`` on the local dates ``start``–``end`` that ``actor`` may see
    (dossiers_visible_to: postal staff see what goes by post; None, the system: all), in order
    of receipt, with their numbers in the unit's book of the year (services.register_enter)."""
    check_period(start, end)
    # "Ngày chuyển hồ sơ": the desk's hand-over to the resolving body, else the first assignment
    # or transfer (histories recorded before forwarding was an event of its own).
    forwarded = (
        DossierEvent.objects.filter(
            dossier=OuterRef("pk"),
            type__in=[EventType.FORWARDED, EventType.ASSIGNED, EventType.TRANSFERRED],
        )
        .order_by("seq")
        .values("at")[:1]
    )
    rows = (
        register_dossiers(unit=unit, start=start, end=end, actor=actor)
        .annotate(forwarded_at=Subquery(forwarded))
        .order_by("received_at", "code")
        .values_list(
            "register_entry__number",
            "register_entry__year",
            "code",
            "procedure_version__name",
            "applicant_name",
            "applicant_address",
            "applicant_phone",
            "resolving_unit__name",
            "received_at",
            "due_date",
            "forwarded_at",
            "ended_at",
            "returned_at",
            "status",
            "outcome",
            "timeliness",
            "appointment_at",
            "delivery",
            "postal_tracking",
            "clock_paused",
        )
    )
    return [RegisterEntry(*row) for row in rows]


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput(
            f"Ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}.",
            code="invalid_period",
        )


def issued_notices(*, dossier: Dossier) -> list[IssuedNotice]:
    """The notices of the dossier frozen so far, in the order of the events that issued them
    (without their PDF bytes)."""
    return list(
        IssuedNotice.objects.filter(dossier=dossier).defer("pdf", "content").order_by("event_seq")
    )


def dossier_find(*, code: str) -> Dossier:
    """A dossier by its code, or by its number ("#12") before a code was issued."""
    code = code.strip()
    dossiers = Dossier.objects.all()
    if code.startswith("#") and code[1:].isdigit():
        dossier = dossiers.filter(pk=int(code[1:])).first()
    else:
        dossier = dossiers.filter(code=code).first()
    if dossier is None:
        raise NotFound(f"Không có hồ sơ mã {code}.", code="dossier_not_found")
    return dossier
