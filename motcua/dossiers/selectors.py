"""Reads of dossiers, always scoped to the actor: an officer sees the dossiers of the units they
may see (receiving, resolving or consulted), nothing else."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from motcua.accounts.models import SUBTREE_ROLES, Membership, Role, User
from motcua.accounts.selectors import memberships_active, user_has_role
from motcua.calendars.selectors import schedule_for
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.core.text import fold, mask_identifier, record_number
from motcua.dossiers.models import (
    OPEN_STATUSES,
    Channel,
    Delivery,
    Dossier,
    DossierEvent,
    Status,
)
from motcua.dossiers.projection import EventType
from motcua.units.models import Unit
from motcua.units.selectors import unit_province, unit_subtree


def dossiers_visible_to(*, user: User) -> QuerySet[Dossier]:
    """Dossiers of the units the officer works in (whole subtrees for administrators and
    inspectors); postal staff, who work for the postal operator, see only what goes by post."""
    base = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_unit", "resolving_unit", "assignee"
    )
    if user.is_superuser:
        return base
    condition = Q(pk__in=[])
    for membership in memberships_active(user=user):
        if membership.role in SUBTREE_ROLES:
            scope = Q(involved_units__path__startswith=membership.unit.path)
        else:
            scope = Q(involved_units=membership.unit)
        if membership.role == Role.POSTAL:
            scope &= Q(channel=Channel.POSTAL) | Q(delivery=Delivery.POST)
        condition |= scope
    return base.filter(pk__in=Dossier.objects.filter(condition).values("pk"))


# The roles that see an applicant's ID and tax numbers whole at the units that receive or resolve
# the dossier (from above for the subtree roles); consulted units and postal staff see them masked.
IDENTITY_ROLES = frozenset(role for role in Role if role != Role.POSTAL)


def applicant_identity_visible_to(*, user: User, dossier: Dossier) -> bool:
    """Whether the officer sees the applicant's ID and tax numbers whole (IDENTITY_ROLES)."""
    if user.is_superuser:
        return True
    return any(
        user_has_role(user=user, unit=unit, roles=IDENTITY_ROLES)
        for unit in (dossier.receiving_unit, dossier.resolving_unit)
    )


def identities_visible_to(*, user: User) -> Q:
    """The dossiers whose applicant's numbers ``user`` sees whole, as a condition: the same rule
    as ``applicant_identity_visible_to``, for searches (someone shown a masked number must not
    confirm the whole number by searching it)."""
    if user.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for membership in memberships_active(user=user).filter(role__in=IDENTITY_ROLES):
        for side in ("receiving_unit", "resolving_unit"):
            if membership.role in SUBTREE_ROLES:
                condition |= Q(**{f"{side}__path__startswith": membership.unit.path})
            else:
                condition |= Q(**{side: membership.unit})
    return condition


@dataclass(frozen=True)
class ApplicantIdentifiers:
    """The applicant's ID number and tax code as an officer is shown them (page and API alike)."""

    id_number: str
    tax_code: str


def applicant_identifiers_for(*, user: User, dossier: Dossier) -> ApplicantIdentifiers:
    """The applicant's ID number and tax code, whole for the officers who may see them whole
    (applicant_identity_visible_to), else masked; an individual's tax code is their personal
    number, so both follow the one rule."""
    if applicant_identity_visible_to(user=user, dossier=dossier):
        return ApplicantIdentifiers(dossier.applicant_id_number, dossier.applicant_tax_code)
    return ApplicantIdentifiers(
        mask_identifier(dossier.applicant_id_number), mask_identifier(dossier.applicant_tax_code)
    )


def dossier_get_for_officer(*, user: User, code: str) -> Dossier:
    """A dossier by its code (or its number before receipt, "#12"), if the officer may see it."""
    dossiers = dossiers_visible_to(user=user)
    number = record_number(code[1:]) if code.startswith("#") else None
    lookup = Q(pk=number) if number is not None else Q(code=code)
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


# ---------------------------------------------------------------------------------------------
# Work lists of the officers' screens (backoffice): each scoped to what the officer may see and to
# the units where they hold the role the list is for; rows carry their procedure, units and
# assignee (select_related) so a list costs one query.
# ---------------------------------------------------------------------------------------------

WAITING_FOR_APPLICANT = (Status.SUPPLEMENT, Status.PAYMENT)
# Dossiers whose statutory clock runs, on which overdue and early warnings are judged: received or
# in processing, and those waiting for the applicant under a wait that does not stop the clock (a
# late supplement request, decision 13; a payment wait the procedure does not stop, decision 11).
# A wait that stops it lists the dossier as waiting, not as late.
CLOCK_RUNNING = Q(status__in=OPEN_STATUSES, clock_paused=False)  # as Dossier.clock_runs


def units_with_role(*, user: User, roles: Iterable[str]) -> QuerySet[Unit] | None:
    """Units where the user holds one of ``roles`` today; None means every unit (superuser)."""
    if user.is_superuser:
        return None
    return Unit.objects.filter(
        pk__in=memberships_active(user=user).filter(role__in=list(roles)).values("unit")
    )


def _in_units(
    dossiers: QuerySet[Dossier], field: str, units: QuerySet[Unit] | None
) -> QuerySet[Dossier]:
    return dossiers if units is None else dossiers.filter(**{f"{field}__in": units})


def next_working_day(*, on: dt.date, unit: Unit | None = None) -> dt.date:
    """The first working day after ``on`` in the calendar of ``unit``'s province (national if
    None)."""
    return schedule_for(unit=unit).calendar.next_working_day(on)


def dossiers_with_changed_due(*, user: User, since: dt.datetime) -> QuerySet[Dossier]:
    """Open dossiers the officer may see whose lawful due date moved since ``since``: a calendar
    change recomputed it, or another of the procedure's limits was applied (decision 8: the
    officers are told which ones moved)."""
    # Few events, found by their own partial index (migration 0008).
    moved = DossierEvent.objects.filter(
        type__in=[EventType.DUE_RECOMPUTED, EventType.LIMIT_CASE_CHANGED], at__gte=since
    ).values("dossier")
    return (
        dossiers_visible_to(user=user)
        .filter(status__in=OPEN_STATUSES, pk__in=moved)
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def dossiers_to_forward(*, user: User) -> QuerySet[Dossier]:
    """Paper dossiers the officer's desks received and have not yet handed to the resolving body
    (ND 118/2025 Điều 18 khoản 2), oldest first."""
    # Asked of each of the desk's open paper dossiers through its own events (the (dossier, seq)
    # index), never of the whole event table.
    forwarded = DossierEvent.objects.filter(dossier=OuterRef("pk"), type=EventType.FORWARDED)
    return (
        _in_units(
            dossiers_visible_to(user=user),
            "receiving_unit",
            units_with_role(user=user, roles=[Role.RECEPTION]),
        )
        .filter(status__in=OPEN_STATUSES, channel__in=[Channel.DIRECT, Channel.POSTAL])
        .exclude(resolving_unit=F("receiving_unit"))
        .exclude(Exists(forwarded))
        .order_by("received_at", "pk")
    )


def dossiers_assigned_to(*, user: User) -> QuerySet[Dossier]:
    """Open dossiers whose current step is assigned to the user, most urgent first."""
    return (
        dossiers_visible_to(user=user)
        .filter(assignee=user, status__in=OPEN_STATUSES)
        .order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")
    )


@dataclass
class Urgency:
    """Open dossiers sorted into the groups of the specialist's screen."""

    overdue: list[Dossier] = field(default_factory=list)
    due_today: list[Dossier] = field(default_factory=list)
    due_next_day: list[Dossier] = field(default_factory=list)
    waiting: list[Dossier] = field(default_factory=list)
    later: list[Dossier] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(group)
            for group in (
                self.overdue,
                self.due_today,
                self.due_next_day,
                self.waiting,
                self.later,
            )
        )


def group_by_urgency(*, dossiers: Iterable[Dossier], on: dt.date) -> Urgency:
    """Quá hạn, đến hạn hôm nay, đến hạn trong 01 ngày làm việc, chờ công dân, còn hạn.

    "Within one working day" is the next working day in the calendar of the dossier's receiving
    unit (the one its clock runs on); each distinct unit's calendar is read once.
    """
    groups = Urgency()
    next_days: dict[int, dt.date] = {}
    for dossier in dossiers:
        if dossier.is_open and not dossier.clock_runs:
            groups.waiting.append(dossier)
            continue
        if dossier.due_date is None:
            groups.later.append(dossier)
            continue
        unit_id = dossier.receiving_unit_id
        if unit_id not in next_days:
            next_days[unit_id] = next_working_day(on=on, unit=dossier.receiving_unit)
        if dossier.due_date < on:
            groups.overdue.append(dossier)
        elif dossier.due_date == on:
            groups.due_today.append(dossier)
        elif dossier.due_date <= next_days[unit_id]:
            groups.due_next_day.append(dossier)
        else:
            groups.later.append(dossier)
    return groups


def dossiers_awaiting_reception(*, user: User) -> QuerySet[Dossier]:
    """Online and postal dossiers submitted to the user's one-stop desks, not yet received."""
    units = units_with_role(user=user, roles=[Role.RECEPTION])
    return _in_units(
        dossiers_visible_to(user=user).filter(status=Status.SUBMITTED),
        "receiving_unit",
        units,
    ).order_by("submitted_at", "pk")


def dossiers_waiting_for_applicant(*, user: User) -> QuerySet[Dossier]:
    """Dossiers of the user's desks waiting for a supplement or a financial obligation."""
    units = units_with_role(user=user, roles=[Role.RECEPTION])
    return _in_units(
        dossiers_visible_to(user=user).filter(status__in=WAITING_FOR_APPLICANT),
        "receiving_unit",
        units,
    ).order_by("received_at", "pk")


def dossiers_to_return(*, user: User) -> QuerySet[Dossier]:
    """Resolved dossiers whose result the user's desks (reception, postal staff) hand over."""
    units = units_with_role(user=user, roles=[Role.RECEPTION, Role.POSTAL])
    return _in_units(
        dossiers_visible_to(user=user).filter(status=Status.RESOLVED),
        "receiving_unit",
        units,
    ).order_by("ended_at", "pk")


def dossiers_to_assign(*, user: User) -> QuerySet[Dossier]:
    """Dossiers of the leader's units waiting for a handler: received and never assigned, or back
    in processing (after a supplement before any assignment) with nobody on them."""
    units = units_with_role(user=user, roles=[Role.LEADER])
    waiting = Q(status=Status.RECEIVED) | Q(status=Status.PROCESSING, current_step__isnull=True)
    return _in_units(
        dossiers_visible_to(user=user).filter(waiting, assignee__isnull=True),
        "resolving_unit",
        units,
    ).order_by(F("due_at").asc(nulls_last=True), "pk")


def dossiers_to_approve(*, user: User) -> QuerySet[Dossier]:
    """Dossiers of the leader's units whose assigned step is completed: to approve, refuse, or
    assign the next step."""
    units = units_with_role(user=user, roles=[Role.LEADER])
    return _in_units(
        dossiers_visible_to(user=user).filter(
            status=Status.PROCESSING, assignee__isnull=True, current_step__isnull=False
        ),
        "resolving_unit",
        units,
    ).order_by(F("due_at").asc(nulls_last=True), "pk")


def apologies_to_sign(*, user: User) -> QuerySet[Dossier]:
    """Open dossiers of the leader's units with an apology proposed and not yet issued; each row
    carries the proposal (``proposal_reason``, ``proposal_data``, ``proposal_at``)."""
    units = units_with_role(user=user, roles=[Role.LEADER])
    events = DossierEvent.objects.filter(dossier=OuterRef("pk"))
    proposal = events.filter(type=EventType.APOLOGY_PROPOSED).order_by("-seq")
    dossiers = (
        dossiers_visible_to(user=user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Exists(proposal))
        .exclude(Exists(events.filter(type=EventType.APOLOGY_ISSUED)))
        .annotate(
            proposal_reason=Subquery(proposal.values("reason")[:1]),
            proposal_data=Subquery(proposal.values("data")[:1], output_field=JSONField()),
            proposal_at=Subquery(proposal.values("at")[:1]),
        )
    )
    return _in_units(dossiers, "resolving_unit", units).order_by(
        F("due_at").asc(nulls_last=True), "pk"
    )


def dossiers_overdue(*, user: User, on: dt.date) -> QuerySet[Dossier]:
    """Dossiers whose clock runs and whose lawful due date is before ``on``."""
    return (
        dossiers_visible_to(user=user)
        .filter(CLOCK_RUNNING, due_date__lt=on)
        .order_by("due_date", "pk")
    )


def dossiers_due_soon(*, user: User, on: dt.date, unit: Unit | None = None) -> QuerySet[Dossier]:
    """Early warning: open dossiers that will be late unless resolved within one working day (due
    on ``on`` or on the next working day of ``unit``'s calendar, national when None)."""
    limit = next_working_day(on=on, unit=unit)
    return (
        dossiers_visible_to(user=user)
        .filter(CLOCK_RUNNING, due_date__gte=on, due_date__lte=limit)
        .order_by("due_at", "pk")
    )


_NUMBER_LIKE = re.compile(r"[0-9A-Za-z.\-]+")


def dossier_search(
    *,
    user: User,
    query: str = "",
    status: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    unit: Unit | None = None,
) -> QuerySet[Dossier]:
    """The dossiers the user may see, by code, applicant (name without diacritics, citizen ID, tax
    code), status and local receipt date range, newest first."""
    dossiers = dossiers_visible_to(user=user)
    text = query.strip()
    if text:
        by_number = Q(code__icontains=text) | (
            (Q(applicant_id_number=text) | Q(applicant_tax_code=text))
            & identities_visible_to(user=user)
        )
        by_name = Q()
        for token in fold(text).split():
            by_name &= Q(applicant_search__contains=token)
        # A code or an identification number (one word with digits) is not looked for among
        # names, nor a name among codes: a condition on one indexed column lets PostgreSQL use its
        # trigram index, which an OR across unindexed columns would forbid.
        if _NUMBER_LIKE.fullmatch(text) and any(ch.isdigit() for ch in text):
            dossiers = dossiers.filter(by_number)
        elif any(ch.isdigit() for ch in text):
            dossiers = dossiers.filter(by_number | by_name)  # "Công ty 123": either may be meant
        else:
            dossiers = dossiers.filter(by_name)
    if status:
        dossiers = dossiers.filter(status=status)
    tz = clock.authority_tz()
    if received_from is not None:
        start = dt.datetime.combine(received_from, dt.time.min, tzinfo=tz)
        dossiers = dossiers.filter(received_at__gte=start)
    if received_to is not None:
        end = dt.datetime.combine(received_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        dossiers = dossiers.filter(received_at__lt=end)
    if unit is not None:
        dossiers = dossiers.filter(Q(receiving_unit=unit) | Q(resolving_unit=unit))
    return dossiers.order_by(F("received_at").desc(nulls_first=True), "-pk")


@dataclass
class OverviewCounts:
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status in order
    total: int
    open: int
    overdue: int
    due_soon: int


def unit_overview_counts(*, user: User, on: dt.date, unit: Unit | None = None) -> OverviewCounts:
    """Counts for the unit overview in one query: by status, overdue and early warning, over the
    dossiers the user may see (of ``unit`` only, receiving or resolving, when given)."""
    dossiers = dossiers_visible_to(user=user)
    if unit is not None:
        dossiers = dossiers.filter(Q(receiving_unit=unit) | Q(resolving_unit=unit))
    limit = next_working_day(on=on, unit=unit)
    running = CLOCK_RUNNING
    figures = dossiers.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=running & Q(due_date__lt=on)),
        due_soon=Count("pk", filter=running & Q(due_date__gte=on, due_date__lte=limit)),
        **{f"s_{status.value}": Count("pk", filter=Q(status=status)) for status in Status},
    )
    return OverviewCounts(
        by_status=[(s.value, str(s.label), figures[f"s_{s.value}"]) for s in Status],
        total=figures["total"],
        open=figures["open"],
        overdue=figures["overdue"],
        due_soon=figures["due_soon"],
    )


def dossier_assignable_officers(*, dossier: Dossier, unit: Unit | None = None) -> QuerySet[User]:
    """Specialists and leaders of the unit doing the step (the resolving unit by default)."""
    day = clock.today()
    target = unit or dossier.resolving_unit
    memberships = (
        Membership.objects.filter(
            unit=target, role__in=[Role.SPECIALIST, Role.LEADER], valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values("user")
    )
    return User.objects.filter(pk__in=memberships, is_active=True).order_by("full_name", "username")


def dossier_partner_units(*, dossier: Dossier) -> QuerySet[Unit]:
    """Units in the dossier's province that it may be sent to for an opinion or a transfer."""
    province = unit_province(unit=dossier.receiving_unit)
    units = Unit.objects.filter(valid_to__isnull=True).exclude(pk=dossier.resolving_unit_id)
    if province is not None:
        units = units.filter(pk__in=unit_subtree(unit=province).values("pk"))
    return units.order_by("path")


def dossier_pending_consultations(*, dossier: Dossier) -> list[DossierEvent]:
    """Requests for an opinion not yet answered, oldest first."""
    events = list(
        DossierEvent.objects.filter(
            dossier=dossier,
            type__in=[EventType.CONSULTATION_REQUESTED, EventType.CONSULTATION_ANSWERED],
        ).order_by("seq")
    )
    answered = {
        e.data.get("request_seq") for e in events if e.type == EventType.CONSULTATION_ANSWERED
    }
    return [
        e for e in events if e.type == EventType.CONSULTATION_REQUESTED and e.seq not in answered
    ]
