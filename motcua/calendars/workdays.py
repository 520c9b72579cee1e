"""The statutory working-day clock: a pure core, with no database and no "now".

Everything here works on civil dates and times of the authority (Asia/Ho_Chi_Minh; the domain
README, decision 10) over calendar data handed in as values, so that it is trivially testable and
a change of calendar data can recompute any due date by calling it again.

The rules (domain README, decisions 1–2; handbook §3.5):

* **Working days** are Monday–Friday, minus holidays and days off decreed for civil servants, plus
  decreed make-up Saturdays (Bộ luật Lao động 2019 Điều 111–112; handbook §10).
* **Receipt outside working hours** (before the first window, in the lunch break, after the last
  window, or on a non-working day) counts as made at the start of the next working period.
* **Working days**: the receipt day is not counted (Bộ luật Dân sự 2015 Điều 147 khoản 1); the due
  date is the N-th working day after it. The due instant is the end of working hours of the due date
  (default) or the same clock time as the receipt (``DueTimePolicy.RECEIPT_TIME``); the due date is
  the same either way.
* **Working hours** are added inside the working windows from the receipt instant (BLDS Điều 147
  khoản 1: a period in hours starts at the moment of the event).
* **Half days** count working sessions (one window = one session, "buổi làm việc"): the session of
  receipt is not counted, the due instant is the end of the N-th session after it.
* **Calendar days** run from the day after the day of receipt itself (no snapping to working hours)
  and end on the last day; when that day is not a working day the period ends at the end of the
  next working day (BLDS 2015 Điều 147–148).
* **Same day**: due at the end of the day of receipt when received before the cut-off (default
  15:00, per unit), else at the end of the next working day (ND 61/2018 Điều 18; ND 23/2015 Điều 7;
  domain README, decision 2).
* **Pauses** (the clock stopped while the applicant supplements a dossier) push the lawful instant
  by exactly the working time they cover (calendar time for calendar-day limits). The lawful instant
  of a day-counted limit keeps the receipt's clock time; the due-time policy only decides whether
  the close of that day or that clock time is shown, so the due date never depends on the policy.

Every result carries its trace: each day counted or skipped and why, with the legal basis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# A walk that finds no working day in ten years means the calendar data is broken, not that the
# dossier is due in 2040.
_MAX_DAYS = 5000
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


class CalendarError(ValueError):
    """The calendar data or the request cannot produce a due date."""


class LimitUnit(StrEnum):
    WORKING_DAY = "working_day"
    WORKING_HOUR = "working_hour"
    HALF_DAY = "half_day"
    CALENDAR_DAY = "calendar_day"
    MONTH = "month"
    SAME_DAY = "same_day"

    @property
    def label(self) -> str:
        return _LIMIT_LABELS[self]


_LIMIT_LABELS = {
    LimitUnit.WORKING_DAY: "ngày làm việc",
    LimitUnit.WORKING_HOUR: "giờ làm việc",
    LimitUnit.HALF_DAY: "buổi làm việc",
    LimitUnit.CALENDAR_DAY: "ngày",
    LimitUnit.MONTH: "tháng",
    LimitUnit.SAME_DAY: "trong ngày",
}


# No statutory limit reaches ten years; anything longer is a typing mistake, and would make the
# explanation of a single due date megabytes long.
_MAX_LIMIT = {
    LimitUnit.WORKING_DAY: 2600,
    LimitUnit.HALF_DAY: 5200,
    LimitUnit.CALENDAR_DAY: 3650,
    LimitUnit.MONTH: 120,
    LimitUnit.WORKING_HOUR: 20800,
    LimitUnit.SAME_DAY: 0,
}
# Receipts are accepted within these years: dates far outside them are typing mistakes (and before
# 1975 the civil time of Hà Nội was not UTC+7).
FIRST_YEAR, LAST_YEAR = 1990, 2100


class DueTimePolicy(StrEnum):
    END_OF_DAY = "end_of_day"
    RECEIPT_TIME = "receipt_time"


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # ngày lễ, Tết (BLLĐ 2019 Điều 112)
    COMPENSATORY = "compensatory"  # nghỉ bù (BLLĐ 2019 Điều 111 khoản 3)
    SWAP_OFF = "swap_off"  # ngày nghỉ do hoán đổi ngày làm việc
    DAY_OFF = "day_off"  # ngày nghỉ khác do cơ quan có thẩm quyền quyết định (thiên tai, …)
    MAKEUP_WORKDAY = "makeup_workday"  # ngày làm bù (thứ Bảy đi làm)

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DayKind.HOLIDAY: "nghỉ lễ, Tết",
    DayKind.COMPENSATORY: "nghỉ bù",
    DayKind.SWAP_OFF: "nghỉ do hoán đổi ngày làm việc",
    DayKind.DAY_OFF: "ngày nghỉ theo quyết định",
    DayKind.MAKEUP_WORKDAY: "làm bù",
}


@dataclass(frozen=True)
class CalendarEntry:
    """One exception to the Monday–Friday week, with what it is and the act that decreed it."""

    day: dt.date
    kind: DayKind
    name: str
    legal_basis: str = ""
    provisional: bool = False

    @property
    def is_working(self) -> bool:
        return self.kind == DayKind.MAKEUP_WORKDAY


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days. ``covered_years`` are the years the data speaks for."""

    entries: Mapping[dt.date, CalendarEntry] = field(default_factory=dict)
    covered_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))

    @classmethod
    def from_entries(
        cls, entries: Iterable[CalendarEntry], covered_years: Iterable[int] = ()
    ) -> WorkCalendar:
        by_day: dict[dt.date, CalendarEntry] = {}
        for entry in entries:
            by_day[entry.day] = entry  # later entries (local scope) override earlier (national)
        return cls(entries=by_day, covered_years=frozenset(covered_years))

    def is_working_day(self, day: dt.date) -> bool:
        entry = self.entries.get(day)
        if entry is not None:
            return entry.is_working
        return day.weekday() < 5

    def explain(self, day: dt.date) -> str:
        """Why a day is or is not a working day, in Vietnamese with its legal basis."""
        entry = self.entries.get(day)
        stamp = f"{day:%d/%m/%Y} ({WEEKDAY_NAMES[day.weekday()]})"
        if entry is not None:
            basis = f" — {entry.legal_basis}" if entry.legal_basis else ""
            pending = " [tạm tính, chưa có văn bản chính thức]" if entry.provisional else ""
            if entry.is_working:
                return f"{stamp} làm bù: {entry.name}{basis}{pending}"
            return f"{stamp} nghỉ {entry.name}{basis}{pending}"
        if day.weekday() >= 5:
            return f"{stamp} nghỉ cuối tuần"
        if day.year not in self.covered_years:
            return f"{stamp} ngày làm việc (năm {day.year} chưa có lịch nghỉ lễ)"
        return f"{stamp} ngày làm việc"

    def is_provisional(self, day: dt.date) -> bool:
        entry = self.entries.get(day)
        return (entry is not None and entry.provisional) or day.year not in self.covered_years

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(f"Không có ngày làm việc nào trong 10 năm sau {day:%d/%m/%Y}.")


@dataclass(frozen=True)
class Window:
    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_windows(spec: str) -> tuple[Window, ...]:
    """Parse "07:30-11:30,13:30-17:00" into ordered, non-overlapping windows."""
    windows: list[Window] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        try:
            start_text, end_text = part.split("-")
            start = dt.time.fromisoformat(start_text)
            end = dt.time.fromisoformat(end_text)
        except ValueError as exc:
            raise CalendarError(f"Khung giờ {part!r} không hợp lệ (dạng 07:30-11:30).") from exc
        if start >= end:
            raise CalendarError(f"Khung giờ {part!r}: giờ bắt đầu phải trước giờ kết thúc.")
        if windows and start < windows[-1].end:
            raise CalendarError(f"Khung giờ {part!r} chồng lấn hoặc không theo thứ tự.")
        windows.append(Window(start, end))
    if not windows:
        raise CalendarError("Cần ít nhất một khung giờ làm việc.")
    return tuple(windows)


def _parse_month_day(text: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in text.split("-"))
        dt.date(2024, month, day)  # a leap year accepts 02-29
    except ValueError as exc:
        raise CalendarError(f"Ngày {text!r} không hợp lệ (dạng MM-DD).") from exc
    return month, day


@dataclass(frozen=True)
class WorkingHours:
    """A unit's working windows, with an optional summer variant, and its same-day cut-off."""

    windows: tuple[Window, ...]
    summer_windows: tuple[Window, ...] = ()
    summer_from: tuple[int, int] | None = None  # (month, day), inclusive
    summer_to: tuple[int, int] | None = None  # (month, day), inclusive
    same_day_cutoff: dt.time = dt.time(15, 0)

    @classmethod
    def parse(
        cls,
        spec: str,
        *,
        summer: str = "",
        summer_from: str = "",
        summer_to: str = "",
        same_day_cutoff: dt.time | str = "15:00",
    ) -> WorkingHours:
        cutoff = (
            dt.time.fromisoformat(same_day_cutoff)
            if isinstance(same_day_cutoff, str)
            else same_day_cutoff
        )
        if summer:
            if not (summer_from and summer_to):
                raise CalendarError("Giờ mùa hè cần ngày bắt đầu và ngày kết thúc (MM-DD).")
            return cls(
                windows=parse_windows(spec),
                summer_windows=parse_windows(summer),
                summer_from=_parse_month_day(summer_from),
                summer_to=_parse_month_day(summer_to),
                same_day_cutoff=cutoff,
            )
        return cls(windows=parse_windows(spec), same_day_cutoff=cutoff)

    def windows_on(self, day: dt.date) -> tuple[Window, ...]:
        if self.summer_windows and self.summer_from and self.summer_to:
            key = (day.month, day.day)
            if self.summer_from <= self.summer_to:
                in_summer = self.summer_from <= key <= self.summer_to
            else:  # a season across the new year
                in_summer = key >= self.summer_from or key <= self.summer_to
            if in_summer:
                return self.summer_windows
        return self.windows

    def describe(self) -> str:
        text = ",".join(str(w) for w in self.windows)
        if self.summer_windows and self.summer_from and self.summer_to:
            summer = ",".join(str(w) for w in self.summer_windows)
            text += (
                f" (mùa hè {self.summer_from[1]:02d}/{self.summer_from[0]:02d}"
                f"–{self.summer_to[1]:02d}/{self.summer_to[0]:02d}: {summer})"
            )
        return text


@dataclass(frozen=True)
class Schedule:
    """Everything the clock needs: the calendar, the working hours and the civil time zone."""

    calendar: WorkCalendar
    hours: WorkingHours
    tz: ZoneInfo = VIETNAM

    def is_working_day(self, day: dt.date) -> bool:
        return self.calendar.is_working_day(day)

    def local(self, instant: dt.datetime) -> dt.datetime:
        if instant.tzinfo is None:
            raise CalendarError("Thời điểm phải kèm múi giờ (aware datetime).")
        return instant.astimezone(self.tz)

    def at(self, day: dt.date, clock: dt.time) -> dt.datetime:
        # Viet Nam has kept UTC+7 without daylight saving since 1975, so combine() is exact.
        return dt.datetime.combine(day, clock, tzinfo=self.tz)

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of ``day`` (none on a non-working day)."""
        if not self.is_working_day(day):
            return []
        return [(self.at(day, w.start), self.at(day, w.end)) for w in self.hours.windows_on(day)]

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The close of working hours of ``day``."""
        return self.at(day, self.hours.windows_on(day)[-1].end)


@dataclass(frozen=True)
class Pause:
    """An interval during which the clock is stopped, e.g. waiting for a supplement."""

    start: dt.datetime
    end: dt.datetime
    reason: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise CalendarError("Thời điểm tạm dừng phải kèm múi giờ.")
        if self.end <= self.start:
            raise CalendarError("Thời điểm kết thúc tạm dừng phải sau thời điểm bắt đầu.")
        if not (self.start.year >= FIRST_YEAR and self.end.year <= LAST_YEAR):
            raise CalendarError(f"Thời điểm tạm dừng phải trong các năm {FIRST_YEAR}–{LAST_YEAR}.")


@dataclass(frozen=True, init=False)
class TimeLimit:
    value: Decimal
    unit: LimitUnit

    def __init__(self, value: Decimal | int | str, unit: LimitUnit | str) -> None:
        number = Decimal(value)
        limit_unit = LimitUnit(unit)
        if not number.is_finite() or number < 0:
            raise CalendarError("Thời hạn phải là số không âm.")
        # "1,5 ngày làm việc" exists in procedure records; sessions, days and months do not split.
        whole_units = {LimitUnit.HALF_DAY, LimitUnit.CALENDAR_DAY, LimitUnit.MONTH}
        if limit_unit in whole_units and number != number.to_integral_value():
            raise CalendarError(f"Thời hạn tính bằng {limit_unit.label} phải là số nguyên.")
        if limit_unit == LimitUnit.SAME_DAY and number != 0:
            raise CalendarError("Thủ tục giải quyết trong ngày có thời hạn 0.")
        if number > _MAX_LIMIT[limit_unit]:
            raise CalendarError(
                f"Thời hạn quá lớn: tối đa {_MAX_LIMIT[limit_unit]} {limit_unit.label} (10 năm)."
            )
        object.__setattr__(self, "value", number)
        object.__setattr__(self, "unit", limit_unit)

    def __str__(self) -> str:
        if self.unit == LimitUnit.SAME_DAY:
            return "trong ngày"
        value = self.value.normalize()
        number = f"{value:f}" if value == value.to_integral_value() else str(value)
        return f"{number} {self.unit.label}"


@dataclass(frozen=True)
class TraceStep:
    """One line of the explanation of a due date."""

    kind: str  # received, counted_from, counted, skipped, pause, rolled_forward, cutoff, due, note
    message: str
    day: dt.date | None = None
    reason: str = ""  # the calendar entry kind, "weekend", or a rule name
    basis: str = ""  # the legal basis of the day or rule

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.day.isoformat() if self.day else None,
            "message": self.message,
            "reason": self.reason,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class DueResult:
    received_at: dt.datetime
    counted_from: dt.datetime
    limit: TimeLimit
    due_at: dt.datetime
    due_date: dt.date
    policy: DueTimePolicy
    trace: tuple[TraceStep, ...]
    provisional: bool  # some day on the way rests on provisional or missing calendar data

    def as_dict(self) -> dict[str, Any]:
        return {
            "received_at": self.received_at.isoformat(),
            "counted_from": self.counted_from.isoformat(),
            "limit": {"value": _number(self.limit.value), "unit": self.limit.unit.value},
            "policy": self.policy.value,
            "due_date": self.due_date.isoformat(),
            "due_at": self.due_at.isoformat(),
            "provisional": self.provisional,
            "trace": [step.as_dict() for step in self.trace],
        }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _stamp(instant: dt.datetime) -> str:
    return f"{instant:%H:%M} {WEEKDAY_NAMES[instant.weekday()]} {instant:%d/%m/%Y}"


def _skip_step(schedule: Schedule, day: dt.date) -> TraceStep:
    entry = schedule.calendar.entries.get(day)
    return TraceStep(
        kind="skipped",
        day=day,
        message=schedule.calendar.explain(day),
        reason=entry.kind.value if entry else "weekend",
        basis=entry.legal_basis if entry else "",
    )


# ---------------------------------------------------------------------------------------------
# Primitive operations
# ---------------------------------------------------------------------------------------------


def _days_from(day: dt.date) -> Iterator[dt.date]:
    for offset in range(_MAX_DAYS):
        yield day + dt.timedelta(days=offset)
    raise CalendarError(f"Không tìm được ngày làm việc trong 10 năm kể từ {day:%d/%m/%Y}.")


def snap_forward(
    instant: dt.datetime, schedule: Schedule, trace: list[TraceStep] | None = None
) -> dt.datetime:
    """The instant itself if it lies in a working period, else the start of the next one.

    A period includes its start and excludes its end: 17:00 sharp is after hours.
    """
    local = schedule.local(instant)
    for day in _days_from(local.date()):
        periods = schedule.periods(day)
        if not periods and trace is not None:
            trace.append(_skip_step(schedule, day))
        for start, end in periods:
            if local < start:
                return start
            if local < end:
                return local
    raise AssertionError("unreachable")  # pragma: no cover


def add_working_hours(
    start: dt.datetime,
    duration: dt.timedelta,
    schedule: Schedule,
    trace: list[TraceStep] | None = None,
) -> dt.datetime:
    """Add ``duration`` of working time to ``start``, inside the working windows.

    A sum that ends exactly at the close of a window ends there, not at the next opening.
    """
    if duration < dt.timedelta(0):
        raise CalendarError("Không cộng được thời lượng âm.")
    current = snap_forward(start, schedule, trace)
    remaining = duration
    for day in _days_from(current.date()):
        periods = schedule.periods(day)
        if not periods and trace is not None and day != current.date():
            trace.append(_skip_step(schedule, day))
        for period_start, period_end in periods:
            if period_end <= current:
                continue
            begin = max(current, period_start)
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def working_time_between(start: dt.datetime, end: dt.datetime, schedule: Schedule) -> dt.timedelta:
    """The working time inside [start, end) (zero when end is not after start)."""
    start, end = schedule.local(start), schedule.local(end)
    total = dt.timedelta(0)
    if end <= start:
        return total
    day = start.date()
    while day <= end.date():
        for period_start, period_end in schedule.periods(day):
            overlap = min(end, period_end) - max(start, period_start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total


def add_working_days(day: dt.date, count: int, schedule: Schedule) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself when ``count`` is 0)."""
    current = day
    for _ in range(count):
        current = schedule.calendar.next_working_day(current)
    return current


def working_days_between(start: dt.date, end: dt.date, schedule: Schedule) -> int:
    """Working days in (start, end]: how many working days after ``start`` ``end`` is."""
    if end <= start:
        return 0
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        count += schedule.is_working_day(day)
        day += dt.timedelta(days=1)
    return count


# ---------------------------------------------------------------------------------------------
# Due dates
# ---------------------------------------------------------------------------------------------


def compute_due(
    received_at: dt.datetime,
    limit: TimeLimit,
    schedule: Schedule,
    *,
    pauses: Sequence[Pause] = (),
    policy: DueTimePolicy = DueTimePolicy.END_OF_DAY,
) -> DueResult:
    """The lawful due instant of a dossier received at ``received_at`` under ``limit``."""
    received = schedule.local(received_at)
    trace: list[TraceStep] = [
        TraceStep(
            "received", f"Tiếp nhận lúc {_stamp(received)}; thời hạn {limit}.", received.date()
        )
    ]
    if not FIRST_YEAR <= received.year <= LAST_YEAR:
        raise CalendarError(f"Thời điểm tiếp nhận phải trong các năm {FIRST_YEAR}–{LAST_YEAR}.")
    if limit.unit == LimitUnit.CALENDAR_DAY:
        # BLDS 2015 Điều 147: a period in days runs from the day after the event itself; the
        # working-hours snapping of decision 1 is a rule for working-time limits only.
        start = received
    else:
        skipped: list[TraceStep] = []
        start = snap_forward(received, schedule, skipped)
        if start != received:
            trace.extend(skipped)
            trace.append(
                TraceStep(
                    "counted_from",
                    f"Tiếp nhận ngoài giờ làm việc: tính như tiếp nhận lúc {_stamp(start)} "
                    "(đầu giờ làm việc kế tiếp).",
                    start.date(),
                    reason="outside_working_hours",
                )
            )

    # One lawful instant, at the receipt's clock time for day-counted limits; pauses push it. The
    # policy only decides how the due instant is shown, so the due date never depends on it
    # (domain README, decision 1).
    internal, exact = _base_due(start, limit, schedule, trace)
    internal = _apply_pauses(internal, start, limit, schedule, pauses, trace)

    due_date = internal.date()
    if limit.unit == LimitUnit.CALENDAR_DAY and not schedule.is_working_day(due_date):
        # BLDS 2015 Điều 148: a period ending on a day off ends at the end of the next working day.
        trace.append(_skip_step(schedule, due_date))
        due_date = schedule.calendar.next_working_day(due_date)
        trace.append(
            TraceStep(
                "rolled_forward",
                f"Ngày cuối cùng của thời hạn là ngày nghỉ: chuyển sang ngày làm việc tiếp theo "
                f"{WEEKDAY_NAMES[due_date.weekday()]} {due_date:%d/%m/%Y}.",
                due_date,
                reason="last_day_not_working",
                basis="Bộ luật Dân sự 2015 Điều 148",
            )
        )
        internal = schedule.end_of_day(due_date)

    at_day_end = not exact and policy == DueTimePolicy.END_OF_DAY
    due_at = schedule.end_of_day(due_date) if at_day_end else internal
    trace.append(TraceStep("due", f"Hạn trả kết quả: {_stamp(due_at)}.", due_date))
    span = list(_date_range(start.date(), due_date))
    uncovered = sorted({day.year for day in span} - schedule.calendar.covered_years)
    if uncovered:
        years = ", ".join(str(year) for year in uncovered)
        trace.append(
            TraceStep(
                "note",
                f"Năm {years} chưa có dữ liệu lịch nghỉ lễ: hạn này chỉ trừ thứ Bảy, Chủ nhật và "
                "sẽ được tính lại khi lịch của năm được nạp.",
                reason="calendar_missing",
            )
        )
    provisional = bool(uncovered) or any(schedule.calendar.is_provisional(day) for day in span)
    if provisional and not uncovered:
        trace.append(
            TraceStep(
                "note",
                "Hạn này dựa trên lịch nghỉ tạm tính (chưa có văn bản chính thức của năm); "
                "sẽ được tính lại khi lịch chính thức được xác nhận.",
                reason="provisional_calendar",
            )
        )
    return DueResult(
        received_at=received,
        counted_from=start,
        limit=limit,
        due_at=due_at,
        due_date=due_date,
        policy=policy,
        trace=tuple(trace),
        provisional=provisional,
    )


def _date_range(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _base_due(
    start: dt.datetime, limit: TimeLimit, schedule: Schedule, trace: list[TraceStep]
) -> tuple[dt.datetime, bool]:
    """The due instant before pauses, and whether it is exact (not subject to the time policy)."""
    if limit.unit == LimitUnit.WORKING_DAY:
        day = start.date()
        count = int(limit.value)
        for number in range(1, count + 1):
            day = _next_counted_day(day, schedule, trace)
            trace.append(_counted_step(schedule, day, f"Ngày làm việc thứ {number}"))
        return _same_clock(schedule, day, start.timetz()), False

    if limit.unit == LimitUnit.WORKING_HOUR:
        hours = dt.timedelta(hours=float(limit.value))
        due = add_working_hours(start, hours, schedule, trace)
        trace.append(
            TraceStep(
                "counted", f"Cộng {limit} trong khung giờ {schedule.hours.describe()}.", due.date()
            )
        )
        return due, True

    if limit.unit == LimitUnit.HALF_DAY:
        sessions = _sessions_after(start, schedule, trace)
        end = start
        for number in range(1, int(limit.value) + 1):
            session_start, end = next(sessions)
            trace.append(
                TraceStep(
                    "counted",
                    f"Buổi làm việc thứ {number}: {session_start:%H:%M}-{end:%H:%M} "
                    f"{WEEKDAY_NAMES[end.weekday()]} {end:%d/%m/%Y}",
                    end.date(),
                )
            )
        return (end if limit.value else _session_end(start, schedule)), True

    if limit.unit == LimitUnit.CALENDAR_DAY:
        last = start.date() + dt.timedelta(days=int(limit.value))
        trace.append(
            TraceStep(
                "counted",
                f"Ngày cuối cùng của thời hạn: {WEEKDAY_NAMES[last.weekday()]} {last:%d/%m/%Y} "
                "(không tính ngày tiếp nhận, BLDS 2015 Điều 147).",
                last,
                basis="Bộ luật Dân sự 2015 Điều 147",
            )
        )
        return _same_clock(schedule, last, start.timetz()), False

    # Same-day procedures (ND 61/2018 Điều 18; ND 23/2015 Điều 7): after the cut-off, next day.
    cutoff = schedule.hours.same_day_cutoff
    if start.time() < cutoff:
        trace.append(
            TraceStep(
                "cutoff",
                f"Tiếp nhận trước {cutoff:%H:%M}: trả kết quả trong ngày.",
                start.date(),
                reason="same_day",
            )
        )
        return schedule.end_of_day(start.date()), True
    day = _next_counted_day(start.date(), schedule, trace)
    trace.append(
        TraceStep(
            "cutoff",
            f"Tiếp nhận từ {cutoff:%H:%M}: trả kết quả trong ngày làm việc tiếp theo, "
            f"{WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y}.",
            day,
            reason="after_cutoff",
        )
    )
    return schedule.end_of_day(day), True


def _next_counted_day(day: dt.date, schedule: Schedule, trace: list[TraceStep]) -> dt.date:
    nxt = schedule.calendar.next_working_day(day)
    skipped = day + dt.timedelta(days=1)
    while skipped < nxt:
        trace.append(_skip_step(schedule, skipped))
        skipped += dt.timedelta(days=1)
    return nxt


def _counted_step(schedule: Schedule, day: dt.date, prefix: str) -> TraceStep:
    entry = schedule.calendar.entries.get(day)
    message = f"{prefix}: {WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y}"
    if entry is not None and entry.is_working:
        message += (
            f" (làm bù: {entry.name}"
            + (f" — {entry.legal_basis}" if entry.legal_basis else "")
            + ")"
        )
    return TraceStep(
        "counted",
        message,
        day,
        reason=entry.kind.value if entry else "",
        basis=entry.legal_basis if entry else "",
    )


def _same_clock(schedule: Schedule, day: dt.date, clock: dt.time) -> dt.datetime:
    """``clock`` on ``day``, kept inside that day's working hours."""
    windows = schedule.hours.windows_on(day)
    clock = clock.replace(tzinfo=None)
    clock = max(windows[0].start, min(clock, windows[-1].end))
    return schedule.at(day, clock)


def _sessions_after(
    start: dt.datetime, schedule: Schedule, trace: list[TraceStep]
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working sessions after the one containing ``start`` (which is not counted)."""
    current_end = _session_end(start, schedule)
    for day in _days_from(start.date()):
        periods = schedule.periods(day)
        if not periods:
            trace.append(_skip_step(schedule, day))
        for period in periods:
            if period[0] >= current_end:
                yield period
    raise AssertionError("unreachable")  # pragma: no cover


def _session_end(start: dt.datetime, schedule: Schedule) -> dt.datetime:
    for period_start, period_end in schedule.periods(start.date()):
        if period_start <= start < period_end:
            return period_end
    raise CalendarError("Thời điểm bắt đầu không nằm trong giờ làm việc.")  # pragma: no cover


def _apply_pauses(
    due: dt.datetime,
    start: dt.datetime,
    limit: TimeLimit,
    schedule: Schedule,
    pauses: Sequence[Pause],
    trace: list[TraceStep],
) -> dt.datetime:
    """Push ``due`` by the time each pause stopped the clock, in chronological order."""
    for pause in _merged(pauses, schedule):
        if pause.start >= due:
            trace.append(
                TraceStep(
                    "pause",
                    f"Tạm dừng từ {_stamp(pause.start)} sau khi đã hết hạn: "
                    "không làm thay đổi hạn.",
                    pause.start.date(),
                    reason="pause_after_due",
                )
            )
            continue
        begin = max(pause.start, start)
        if pause.end <= begin:
            continue
        if limit.unit == LimitUnit.CALENDAR_DAY:
            stopped = pause.end - begin
            due = due + stopped
            amount = f"{stopped.days} ngày {stopped.seconds // 3600} giờ"
        else:
            stopped = working_time_between(begin, pause.end, schedule)
            due = add_working_hours(due, stopped, schedule) if stopped else due
            amount = _hours_text(stopped) + " làm việc"
        reason = f" ({pause.reason})" if pause.reason else ""
        trace.append(
            TraceStep(
                "pause",
                f"Tạm dừng tính thời hạn từ {_stamp(pause.start)} đến {_stamp(pause.end)}{reason}: "
                f"cộng thêm {amount}.",
                pause.start.date(),
                reason="pause",
            )
        )
    return due


def _merged(pauses: Sequence[Pause], schedule: Schedule) -> list[Pause]:
    ordered = sorted(
        (Pause(schedule.local(p.start), schedule.local(p.end), p.reason) for p in pauses),
        key=lambda p: p.start,
    )
    merged: list[Pause] = []
    for pause in ordered:
        if merged and pause.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Pause(last.start, max(last.end, pause.end), last.reason or pause.reason)
        else:
            merged.append(pause)
    return merged


def _hours_text(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} giờ" + (f" {rest} phút" if rest else "")
