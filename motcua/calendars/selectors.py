"""Reads: the calendar and working hours of a unit, as values for the pure clock."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings

from motcua.calendars.models import CALENDAR_VERSION, CalendarChange, CalendarDay, CalendarYear
from motcua.calendars.workdays import (
    CalendarEntry,
    CalendarError,
    DayKind,
    DueResult,
    DueTimePolicy,
    LimitUnit,
    Pause,
    Schedule,
    TimeLimit,
    WorkCalendar,
    WorkingHours,
    compute_due,
)
from motcua.core.db import read_version, read_versions
from motcua.core.errors import InvalidInput
from motcua.core.parsing import parse_instant, parse_interval
from motcua.units.models import UNITS_VERSION, Unit
from motcua.units.selectors import province_among, unit_ancestors, unit_find

# Calendars are rebuilt only when calendar data changed: the key carries the calendar's version
# (core.DataVersion, replaced in commit order by every CalendarChange), so every app server and
# worker sees a change at its next request without any cache invalidation.
_cache: dict[tuple[int | None, str], WorkCalendar] = {}
_cache_lock = threading.Lock()


def calendar_version() -> str:
    return read_version(CALENDAR_VERSION)


def _entry(day: CalendarDay) -> CalendarEntry:
    return CalendarEntry(
        day=day.date,
        kind=DayKind(day.kind),
        name=day.name,
        legal_basis=day.legal_basis,
        provisional=day.status == CalendarDay.Status.PROVISIONAL,
    )


def work_calendar(*, province: Unit | None = None, version: str | None = None) -> WorkCalendar:
    """The national calendar, with ``province``'s local exceptions overriding it day by day
    (``version``: the calendar version, when the caller has just read it)."""
    key = (province.pk if province else None, calendar_version() if version is None else version)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    applied = CalendarDay.objects.filter(status__in=CalendarDay.APPLIED)
    national = [_entry(day) for day in applied.filter(province__isnull=True)]
    local = [_entry(day) for day in applied.filter(province=province)] if province else []
    years = CalendarYear.objects.values_list("year", flat=True)
    calendar = WorkCalendar.from_entries([*national, *local], covered_years=years)
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = calendar
    return calendar


def _parse_hours(owner: str, spec: str, **kwargs: object) -> WorkingHours:
    try:
        return WorkingHours.parse(spec, **kwargs)  # type: ignore[arg-type]
    except CalendarError as exc:
        raise InvalidInput(f"Giờ làm việc của {owner}: {exc}") from exc


def working_hours_for(*, unit: Unit | None) -> WorkingHours:
    """The working windows of ``unit``: its own, else its nearest ancestor's, else the default."""
    return _hours_along(list(reversed(unit_ancestors(unit=unit))) if unit is not None else [])


def _hours_along(chain: list[Unit]) -> WorkingHours:
    """Working hours from the nearest unit of ``chain`` (the unit first) that sets them."""
    config = settings.MOTCUA
    cutoff: dt.time | str = next(
        (u.same_day_cutoff for u in chain if u.same_day_cutoff), config["DEFAULT_SAME_DAY_CUTOFF"]
    )
    saturday = next((u.saturday_reception for u in chain if u.saturday_reception), "")
    for owner in chain:
        if owner.working_hours:
            return _parse_hours(
                str(owner),
                owner.working_hours,
                summer=owner.summer_working_hours,
                summer_from=owner.summer_from,
                summer_to=owner.summer_to,
                same_day_cutoff=cutoff,
                saturday_reception=saturday,
            )
    return _parse_hours(
        "cấu hình mặc định",
        config["DEFAULT_WORKING_HOURS"],
        same_day_cutoff=cutoff,
        saturday_reception=saturday,
    )


_schedules: dict[tuple[str, str, str], Schedule] = {}


def schedule_for(*, unit: Unit | None, versions: Mapping[str, str] | None = None) -> Schedule:
    """Calendar and working hours for dossiers handled at ``unit`` (national when None).

    Read on every intake: kept per process, keyed by the versions of the units and the calendar
    (``versions``: those the caller has just read, core.db.read_versions).
    """
    if versions is None:
        versions = read_versions(UNITS_VERSION, CALENDAR_VERSION)
    units = versions[UNITS_VERSION] if unit is not None else ""
    key = (unit.path if unit is not None else "", units, versions[CALENDAR_VERSION])
    schedule = _schedules.get(key)
    if schedule is None:
        ancestors = unit_ancestors(unit=unit, version=units) if unit is not None else []
        schedule = Schedule(
            calendar=work_calendar(province=province_among(ancestors), version=key[2]),
            hours=_hours_along(list(reversed(ancestors))),
        )
        with _cache_lock:
            if len(_schedules) > 4096:
                _schedules.clear()
            _schedules[key] = schedule
    return schedule


def due_time_policy() -> DueTimePolicy:
    try:
        return DueTimePolicy(settings.MOTCUA["DUE_TIME_POLICY"])
    except ValueError as exc:  # pragma: no cover - a configuration error
        raise InvalidInput("MOTCUA_DUE_TIME_POLICY phải là end_of_day hoặc receipt_time.") from exc


def deadline_explain(
    *,
    received_at: dt.datetime,
    limit: TimeLimit,
    unit: Unit | None = None,
    pauses: Sequence[Pause] = (),
    policy: DueTimePolicy | None = None,
    same_day_cutoff: dt.time | None = None,
    schedule: Schedule | None = None,
) -> DueResult:
    """The due instant with its explanation, for a dossier received at ``unit``.

    A caller that computes many due dates at the same unit passes its ``schedule`` once read.
    """
    schedule = (schedule or schedule_for(unit=unit)).with_cutoff(same_day_cutoff)
    try:
        return compute_due(
            received_at, limit, schedule, pauses=pauses, policy=policy or due_time_policy()
        )
    except CalendarError as exc:
        raise InvalidInput(str(exc), code="calendar_error") from exc


def deadline_for_request(
    *,
    received: str | dt.datetime,
    limit: str | Decimal,
    unit: str,
    province: str = "",
    office: str = "",
    pauses: Sequence[str] = (),
    due_time: str | None = None,
    field_prefix: str = "",
) -> tuple[DueResult, Unit | None]:
    """Validate what a person typed (command, API, page) and compute the due date.

    ``field_prefix`` is how the caller names its fields in messages ("--" for the command).
    """
    received_at = (
        received
        if isinstance(received, dt.datetime)
        else parse_instant(received, field=f"{field_prefix}received")
    )
    try:
        value = Decimal(str(limit).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInput(f"{field_prefix}limit {limit!r} không phải là số.") from exc
    try:
        time_limit = TimeLimit(value, LimitUnit(unit))
        pause_list = [Pause(*parse_interval(text, field=f"{field_prefix}pause")) for text in pauses]
        policy = DueTimePolicy(due_time) if due_time else None
    except ValueError as exc:  # CalendarError, or an unknown unit or policy
        raise InvalidInput(str(exc)) from exc
    if province and office:
        raise InvalidInput(
            f"Chỉ dùng một trong hai: {field_prefix}province (lịch, giờ làm việc của tỉnh) hoặc "
            f"{field_prefix}office (của đơn vị tiếp nhận, trong tỉnh của nó)."
        )
    where = None
    if office:
        where = unit_find(code=office, on=received_at.date())
    elif province:
        where = unit_find(code=province, on=received_at.date())
        if where.level != Unit.Level.PROVINCE:
            raise InvalidInput(f"{where} không phải là một tỉnh; dùng {field_prefix}office.")
    result = deadline_explain(
        received_at=received_at, limit=time_limit, unit=where, pauses=pause_list, policy=policy
    )
    return result, where


def calendar_days(*, year: int, province: Unit | None = None) -> list[CalendarDay]:
    """Every exception of ``year`` (announced ones included), national and the province's."""
    days = CalendarDay.objects.filter(date__year=year, province__isnull=True)
    if province is not None:
        days = days | CalendarDay.objects.filter(date__year=year, province=province)
    return list(days.select_related("province").order_by("date", "province_id"))


@dataclass(frozen=True)
class ShippedChange:
    pk: int
    summary: str
    dates: tuple[dt.date, ...]


def calendar_changes_shipped(*, start: dt.date, end: dt.date) -> list[ShippedChange]:
    """Calendar days that a release of motcua confirmed (a data migration: no actor), whose dates
    fall between ``start`` and ``end``: the days the system learned of after dossiers were open."""
    found = []
    for change in CalendarChange.objects.filter(action="confirm", actor__isnull=True).order_by(
        "at", "pk"
    ):
        dates = tuple(
            day
            for day in (dt.date.fromisoformat(text) for text in change.changed_dates)
            if start <= day <= end
        )
        if dates:
            found.append(ShippedChange(change.pk, change.summary, dates))
    return found
