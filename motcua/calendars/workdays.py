"""The statutory working-day clock: a pure core, with no database and no "now".

Everything here works on civil dates and times of the authority (Asia/Ho_Chi_Minh; the domain
README, decision 10) over calendar data handed in as values, so that it is trivially testable and
a change of calendar data can recompute any due date by calling it again.

The rules (domain README, decisions 1–2; handbook §3.5):

* **Working days** are Monday–Friday, minus holidays and days off decreed for civil servants, plus
  decreed make-up Saturdays (Bộ luật Lao động 2019 Điều 111–112; handbook §10).
* **Limits in working days** count from the civil date of receipt: the day of receipt is not
  counted (Bộ luật Dân sự 2015 Điều 147 khoản 2–3) and the due date is the N-th working day
  after it, whatever the hour of receipt and whether that date is a working day (a receipt on
  Saturday, on a holiday or at 17:30 has the next working day as day 1, never the one after).
  The due instant is the end of working hours of the due date (default) or the same clock time as
  the receipt (``DueTimePolicy.RECEIPT_TIME``); the due date is the same either way. A fraction of
  a day ("1,5 ngày làm việc") is that share of a working day's hours, added after the whole days.
* **Working hours** are added inside the working windows from the receipt instant (BLDS Điều 147
  khoản 1: a period in hours starts at the instant set); a receipt outside them starts the count
  at the next opening.
* **Half days** count working sessions (one window = one session, "buổi làm việc"): the session of
  receipt is not counted, the due instant is the end of the N-th session starting after it.
* **Calendar days and months** run from the day after the day of receipt and end on the last day
  (for months: the corresponding date of the last month, or its last day when it has none); when
  that day is not a working day the period ends at the end of the next working day (BLDS 2015
  Điều 147 khoản 2–3, Điều 148 khoản 1, 3 and 5).
* **Same day**: due at the end of the day of receipt when received at or before the cut-off
  (default 15:00, per unit; "sau 15 giờ" means after 15:00, so 15:00 itself is the same day),
  else, or when received on a day off, at the end of the next working day (ND 23/2015 Điều 7;
  Luật Hộ tịch 2014 Điều 5 khoản 3; domain README, decision 2).
* **Pauses** (the clock stopped while the applicant supplements a dossier) push the lawful instant
  by exactly the working time they cover (calendar time for limits in days and months). The
  lawful instant of a day-counted limit keeps the receipt's clock time; the due-time policy only
  decides whether the close of that day or that clock time is shown, so the due date never
  depends on the policy. (BLDS 2015 Điều 148 khoản 6 ends a day at 24:00; showing the close of
  working hours is a display policy, not a later or earlier due date.)

``compute_due`` explains every day counted or skipped and why, with the legal basis;
``due_instant`` gives the same answer without the explanation, fast enough to recompute a million
open dossiers after a calendar change.
"""

from __future__ import annotations

import bisect
import calendar as civil_calendar
import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple
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
    # Built once per calendar, for the fast path (due dates without explanation): the working days
    # of each year as sorted ordinals, filled the first time a year is asked for; and the dates of
    # provisional entries, sorted.
    _years: dict[int, list[int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _provisional: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))
        provisional = sorted(day.toordinal() for day, e in self.entries.items() if e.provisional)
        object.__setattr__(self, "_provisional", tuple(provisional))

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

    def rests_on_provisional(self, first: dt.date, last: dt.date) -> bool:
        """Whether a day in [first, last] has provisional data or lies in a year without any."""
        covered = self.covered_years
        if first.year not in covered or last.year not in covered:
            return True
        if last.year - first.year > 1 and any(
            year not in covered for year in range(first.year + 1, last.year)
        ):
            return True
        provisional = self._provisional
        if not provisional:
            return False
        at = bisect.bisect_left(provisional, first.toordinal())
        return at < len(provisional) and provisional[at] <= last.toordinal()

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(f"Không có ngày làm việc nào trong 10 năm sau {day:%d/%m/%Y}.")

    def working_day_after(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (``day`` itself when ``count`` is 0).

        The same answer as calling ``next_working_day`` ``count`` times (a property test holds
        them equal), found by bisection in the year's working days instead of a walk.
        """
        if count <= 0:
            return day
        year = day.year
        ordinals = self._years.get(year) or self._working_ordinals(year)
        index = bisect.bisect_right(ordinals, day.toordinal()) + count - 1
        while index >= len(ordinals):
            index -= len(ordinals)
            year += 1
            if year > LAST_YEAR + 10:
                raise CalendarError(f"Không có ngày làm việc nào trong 10 năm sau {day:%d/%m/%Y}.")
            ordinals = self._working_ordinals(year)
        return dt.date.fromordinal(ordinals[index])

    def _working_ordinals(self, year: int) -> list[int]:
        ordinals = self._years.get(year)
        if ordinals is None:
            first = dt.date(year, 1, 1).toordinal()
            last = dt.date(year, 12, 31).toordinal()
            ordinals = [
                number
                for number in range(first, last + 1)
                if self.is_working_day(dt.date.fromordinal(number))
            ]
            self._years[year] = ordinals  # a lost race only builds the same list twice
        return ordinals


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
    # When the desk receives on Saturdays (not working time; only said in explanations).
    saturday_reception: tuple[Window, ...] = ()

    @classmethod
    def parse(
        cls,
        spec: str,
        *,
        summer: str = "",
        summer_from: str = "",
        summer_to: str = "",
        same_day_cutoff: dt.time | str = "15:00",
        saturday_reception: str = "",
    ) -> WorkingHours:
        cutoff = (
            dt.time.fromisoformat(same_day_cutoff)
            if isinstance(same_day_cutoff, str)
            else same_day_cutoff
        )
        saturday = parse_windows(saturday_reception) if saturday_reception else ()
        if summer:
            if not (summer_from and summer_to):
                raise CalendarError("Giờ mùa hè cần ngày bắt đầu và ngày kết thúc (MM-DD).")
            return cls(
                windows=parse_windows(spec),
                summer_windows=parse_windows(summer),
                summer_from=_parse_month_day(summer_from),
                summer_to=_parse_month_day(summer_to),
                same_day_cutoff=cutoff,
                saturday_reception=saturday,
            )
        return cls(windows=parse_windows(spec), same_day_cutoff=cutoff, saturday_reception=saturday)

    def receives_at(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` (civil time, a Saturday) is inside the declared reception windows."""
        clock = instant.time().replace(tzinfo=None)
        return any(w.start <= clock < w.end for w in self.saturday_reception)

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
    # The close of each day asked for (recomputations ask for the same few hundred dates).
    _ends: dict[dt.date, dt.datetime] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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

    def with_cutoff(self, cutoff: dt.time | None) -> Schedule:
        """The same schedule with a procedure's own same-day cut-off (None: the unit's)."""
        if cutoff is None or cutoff == self.hours.same_day_cutoff:
            return self
        return Schedule(
            self.calendar, dataclasses.replace(self.hours, same_day_cutoff=cutoff), self.tz
        )

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The close of working hours of ``day``."""
        end = self._ends.get(day)
        if end is None:
            end = self._ends[day] = self.at(day, self.hours.windows_on(day)[-1].end)
        return end


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
        # Split once: the clock counts whole days by date and adds the fraction as working time.
        object.__setattr__(self, "whole", int(number))
        object.__setattr__(self, "fraction", number - int(number))

    whole: int = field(init=False, repr=False, compare=False)
    fraction: Decimal = field(init=False, repr=False, compare=False)

    def __str__(self) -> str:
        if self.unit == LimitUnit.SAME_DAY:
            return "trong ngày"
        return f"{decimal_text(self.value)} {self.unit.label}"


def plain_decimal(value: Decimal) -> str:
    """10 → "10" (never "1E+1"), 1.50 → "1.5": a number as data records it."""
    normalised = value.normalize()
    if normalised == normalised.to_integral_value():
        return str(normalised.quantize(Decimal(1)))
    return format(normalised, "f")


def decimal_text(value: Decimal) -> str:
    """1.50 → "1,5", 5.00 → "5": a number as Vietnamese texts write it."""
    return plain_decimal(value).replace(".", ",")


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
    return schedule.calendar.working_day_after(day, count)


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


class DueInstant(NamedTuple):
    """A due date without its explanation (the fast path)."""

    due_at: dt.datetime
    due_date: dt.date
    provisional: bool


def compute_due(
    received_at: dt.datetime,
    limit: TimeLimit,
    schedule: Schedule,
    *,
    pauses: Sequence[Pause] = (),
    policy: DueTimePolicy = DueTimePolicy.END_OF_DAY,
) -> DueResult:
    """The lawful due instant of a dossier received at ``received_at`` under ``limit``, with the
    explanation of every day counted or skipped."""
    trace: list[TraceStep] = []
    received = schedule.local(received_at)
    start, due_at, due_date, provisional = _solve(received, limit, schedule, pauses, policy, trace)
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


def due_instant(
    received_at: dt.datetime,
    limit: TimeLimit,
    schedule: Schedule,
    *,
    pauses: Sequence[Pause] = (),
    policy: DueTimePolicy = DueTimePolicy.END_OF_DAY,
) -> DueInstant:
    """The same due instant as ``compute_due`` without building its explanation: for lists,
    recomputations and reports, where only the date matters."""
    if received_at.tzinfo is None:
        raise CalendarError("Thời điểm phải kèm múi giờ (aware datetime).")
    _, due_at, due_date, provisional = _solve(
        received_at.astimezone(schedule.tz), limit, schedule, pauses, policy, None
    )
    return DueInstant(due_at, due_date, provisional)


def _solve(
    received: dt.datetime,
    limit: TimeLimit,
    schedule: Schedule,
    pauses: Sequence[Pause],
    policy: DueTimePolicy,
    trace: list[TraceStep] | None,
) -> tuple[dt.datetime, dt.datetime, dt.date, bool]:
    """(counted from, due instant, due date, provisional); the trace is filled when given."""
    if not FIRST_YEAR <= received.year <= LAST_YEAR:
        raise CalendarError(f"Thời điểm tiếp nhận phải trong các năm {FIRST_YEAR}–{LAST_YEAR}.")
    unit = limit.unit
    calendar = schedule.calendar
    if (
        trace is None
        and unit is LimitUnit.WORKING_DAY
        and limit.whole
        and not (limit.fraction or pauses)
    ):
        # Most dossiers, kept lean for recomputations: what _working_days_due gives, without
        # the lawful instant that only pauses and the receipt-time policy need.
        day = calendar.working_day_after(received.date(), limit.whole)
        if policy is DueTimePolicy.END_OF_DAY:
            due_at = schedule.end_of_day(day)
        else:
            due_at = _same_clock(schedule, day, received.timetz())
        return received, due_at, day, calendar.rests_on_provisional(received.date(), day)
    if trace is not None:
        trace.append(
            TraceStep(
                "received", f"Tiếp nhận lúc {_stamp(received)}; thời hạn {limit}.", received.date()
            )
        )
    start = received
    if unit == LimitUnit.WORKING_HOUR:
        # Hours are counted inside the working windows from the moment of receipt (BLDS 2015
        # Điều 147 khoản 1: a period in hours starts at the instant set), so a receipt outside them
        # starts the count at the next opening. Day-counted limits never move the receipt: they
        # count from its civil date (domain README, decision 1).
        skipped: list[TraceStep] | None = [] if trace is not None else None
        start = snap_forward(received, schedule, skipped)
        if trace is not None and skipped is not None and start != received:
            trace.extend(skipped)
            trace.append(
                TraceStep(
                    "counted_from",
                    f"Tiếp nhận ngoài giờ làm việc: giờ làm việc được tính từ {_stamp(start)}.",
                    start.date(),
                    reason="outside_working_hours",
                )
            )

    # One lawful instant, at the receipt's clock time for day-counted limits; pauses push it. The
    # policy only decides how the due instant is shown, so the due date never depends on it
    # (domain README, decision 1).
    internal, exact = _base_due(start, limit, schedule, trace)
    if pauses:
        internal = _apply_pauses(internal, exact, start, limit, schedule, pauses, trace)

    due_date = internal.date()
    if unit in _CIVIL_UNITS and not schedule.is_working_day(due_date):
        # BLDS 2015 Điều 148 khoản 5: a period whose last day is a day off ends at the end of the
        # next working day.
        if trace is not None:
            trace.append(_skip_step(schedule, due_date))
        due_date = schedule.calendar.next_working_day(due_date)
        if trace is not None:
            trace.append(
                TraceStep(
                    "rolled_forward",
                    f"Ngày cuối cùng của thời hạn là ngày nghỉ: chuyển sang ngày làm việc tiếp "
                    f"theo {WEEKDAY_NAMES[due_date.weekday()]} {due_date:%d/%m/%Y}.",
                    due_date,
                    reason="last_day_not_working",
                    basis="Bộ luật Dân sự 2015 Điều 148 khoản 5",
                )
            )
        internal = schedule.end_of_day(due_date)

    at_day_end = not exact and policy == DueTimePolicy.END_OF_DAY
    due_at = schedule.end_of_day(due_date) if at_day_end else internal
    provisional = schedule.calendar.rests_on_provisional(start.date(), due_date)
    if trace is not None:
        trace.append(TraceStep("due", f"Hạn trả kết quả: {_stamp(due_at)}.", due_date))
        _note_calendar_gaps(schedule.calendar, start.date(), due_date, provisional, trace)
    return start, due_at, due_date, provisional


# Limits that run on the civil calendar and end on a date (BLDS 2015 Điều 147–148).
# BLDS 2015 Điều 147: khoản 2 (a period in days, weeks, months: the first day is not counted) and
# khoản 3 (a period that starts with an event, here the receipt: that day is not counted).
RECEIPT_DAY_BASIS = "Bộ luật Dân sự 2015 Điều 147 khoản 2, 3"
_CIVIL_UNITS = frozenset({LimitUnit.CALENDAR_DAY, LimitUnit.MONTH})


def _note_calendar_gaps(
    calendar: WorkCalendar,
    first: dt.date,
    last: dt.date,
    provisional: bool,
    trace: list[TraceStep],
) -> None:
    uncovered = [
        year for year in range(first.year, last.year + 1) if year not in calendar.covered_years
    ]
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
    elif provisional:
        trace.append(
            TraceStep(
                "note",
                "Hạn này dựa trên lịch nghỉ tạm tính (chưa có văn bản chính thức của năm); "
                "sẽ được tính lại khi lịch chính thức được xác nhận.",
                reason="provisional_calendar",
            )
        )


def _base_due(
    start: dt.datetime, limit: TimeLimit, schedule: Schedule, trace: list[TraceStep] | None
) -> tuple[dt.datetime, bool]:
    """The due instant before pauses, and whether it is exact (not subject to the time policy)."""
    unit = limit.unit
    if unit == LimitUnit.WORKING_DAY:
        return _working_days_due(start, limit, schedule, trace)
    if unit == LimitUnit.WORKING_HOUR:
        due = add_working_hours(start, dt.timedelta(hours=float(limit.value)), schedule, trace)
        if trace is not None:
            trace.append(
                TraceStep(
                    "counted",
                    f"Cộng {limit} trong khung giờ {schedule.hours.describe()}.",
                    due.date(),
                )
            )
        return due, True
    if unit == LimitUnit.HALF_DAY:
        return _half_days_due(start, limit, schedule, trace), True
    if unit in _CIVIL_UNITS:
        return _civil_due(start, limit, schedule, trace), False
    return _same_day_due(start, schedule, trace), True


def _working_days_due(
    received: dt.datetime, limit: TimeLimit, schedule: Schedule, trace: list[TraceStep] | None
) -> tuple[dt.datetime, bool]:
    """The N-th working day after the civil date of receipt, whatever the hour and whether that
    date is a working day (BLDS 2015 Điều 147 khoản 2–3: the day of the event is not counted;
    domain README, decision 1 as revised 12/2026: never a second day's shift for a receipt on a
    day off or after hours). A fraction of a day ("1,5 ngày làm việc") is that share of the next
    working day's hours, counted from its opening: 1,5 days end at midday of the second working
    day, ½ day at midday of the first [D: the whole days are dates, so the fraction is a part of
    the day after them]."""
    receipt_day = received.date()
    days = limit.whole + (1 if limit.fraction else 0)
    if trace is None:
        day = schedule.calendar.working_day_after(receipt_day, days)
    else:
        day = receipt_day
        trace.append(_receipt_day_step(received, schedule))
        for number in range(1, days + 1):
            day = _next_counted_day(day, schedule, trace)
            why = " (ngày làm việc đầu tiên sau ngày tiếp nhận)" if number == 1 else ""
            if number > limit.whole:
                why += f", phần lẻ {decimal_text(limit.fraction)} ngày"
            trace.append(_counted_step(schedule, day, f"Ngày làm việc thứ {number}", why))
    if not limit.fraction:
        if not limit.whole:  # no time at all: the receipt's own working moment
            return snap_forward(received, schedule), True
        return _same_clock(schedule, day, received.timetz()), False
    windows = schedule.hours.windows_on(day)
    length = sum((_window_length(window) for window in windows), dt.timedelta(0))
    extra = length * float(limit.fraction)
    due = add_working_hours(schedule.at(day, windows[0].start), extra, schedule)
    if trace is not None:
        trace.append(
            TraceStep(
                "counted",
                f"Phần lẻ {decimal_text(limit.fraction)} ngày làm việc = {_hours_text(extra)} "
                f"làm việc của ngày {day:%d/%m/%Y} (ngày làm việc {_hours_text(length)}, khung "
                f"giờ {schedule.hours.describe()}): đến {_stamp(due)}.",
                due.date(),
                reason="fraction_of_day",
            )
        )
    return due, True


# ND 118/2025 Điều 18 khoản 2 (as amended by ND 309/2026 Điều 9): "chuyển vào đầu giờ ngày làm
# việc tiếp theo đối với trường hợp tiếp nhận sau 15 giờ hằng ngày".
FORWARDING_CUTOFF = dt.time(15, 0)


def forwarding_deadline(received_at: dt.datetime, schedule: Schedule) -> dt.datetime:
    """When the one-stop desk must hand a paper dossier to the resolving body: within the working
    day of receipt, or at the start of the next working day when received after 15:00 (15:00
    itself is not after) or on a day off. "The start of the next working day" is read as its
    first working session [D: a deadline of the opening minute itself would be missed by any
    hand-over]."""
    received = schedule.local(received_at)
    day = received.date()
    shown = received.time().replace(second=0, microsecond=0, tzinfo=None)
    if schedule.is_working_day(day) and shown <= FORWARDING_CUTOFF:
        return schedule.end_of_day(day)
    following = schedule.calendar.working_day_after(day, 1)
    return schedule.at(following, schedule.hours.windows_on(following)[0].end)


def _window_length(window: Window) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, window.end) - dt.datetime.combine(
        dt.date.min, window.start
    )


def _receipt_day_step(received: dt.datetime, schedule: Schedule) -> TraceStep:
    """Why the count starts where it does: the day of receipt is never counted."""
    day = received.date()
    stamp = f"{WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y}"
    if not schedule.is_working_day(day):
        desk = ""
        if day.weekday() == 5 and schedule.hours.saturday_reception:
            hours = ",".join(str(w) for w in schedule.hours.saturday_reception)
            inside = schedule.hours.receives_at(received)
            desk = (
                f" (trong giờ tiếp nhận thứ Bảy {hours} của đơn vị)"
                if inside
                else f" (ngoài giờ tiếp nhận thứ Bảy {hours} của đơn vị)"
            )
        why = (
            f"Ngày tiếp nhận {schedule.calendar.explain(day)}{desk}: ngày tiếp nhận không được "
            "tính; ngày làm việc thứ 1 là ngày làm việc đầu tiên sau ngày tiếp nhận."
        )
        reason = "received_on_day_off"
    elif received >= schedule.end_of_day(day):
        why = (
            f"Tiếp nhận sau giờ làm việc, vẫn là ngày {stamp}: ngày tiếp nhận không được tính; "
            "ngày làm việc thứ 1 là ngày làm việc tiếp theo."
        )
        reason = "received_after_hours"
    else:
        why = f"Không tính ngày tiếp nhận {stamp}: thời hạn bắt đầu từ ngày làm việc tiếp theo."
        reason = "receipt_day_not_counted"
    return TraceStep("counted_from", why, day, reason=reason, basis=RECEIPT_DAY_BASIS)


def _half_days_due(
    received: dt.datetime, limit: TimeLimit, schedule: Schedule, trace: list[TraceStep] | None
) -> dt.datetime:
    """Working sessions (buổi) after the receipt: the session of receipt is not counted, and a
    receipt outside every session makes the next session the first (as whole days do)."""
    sessions = _sessions_after(received, schedule, trace)
    end = None
    for number in range(1, limit.whole + 1):
        session_start, end = next(sessions)
        if trace is not None:
            trace.append(
                TraceStep(
                    "counted",
                    f"Buổi làm việc thứ {number}: {session_start:%H:%M}-{end:%H:%M} "
                    f"{WEEKDAY_NAMES[end.weekday()]} {end:%d/%m/%Y}",
                    end.date(),
                )
            )
    if end is not None:
        return end
    # A limit of 0 sessions: the end of the session of receipt (or of the next one).
    current = snap_forward(received, schedule)
    return next(e for s, e in schedule.periods(current.date()) if s <= current < e)


def _civil_due(
    received: dt.datetime, limit: TimeLimit, schedule: Schedule, trace: list[TraceStep] | None
) -> dt.datetime:
    """The last day of a period in calendar days or months (BLDS 2015 Điều 147 khoản 2–3: from the
    day after the event; Điều 148 khoản 3: a period in months ends on the corresponding date of
    the last month, or on its last day when it has none)."""
    day = received.date()
    if limit.unit == LimitUnit.CALENDAR_DAY:
        last = day + dt.timedelta(days=limit.whole)
        why = "không tính ngày tiếp nhận"
        basis = RECEIPT_DAY_BASIS
    else:
        months = day.month - 1 + limit.whole
        year, month = day.year + months // 12, months % 12 + 1
        days_in_month = civil_calendar.monthrange(year, month)[1]
        last = dt.date(year, month, min(day.day, days_in_month))
        why = (
            f"ngày {day.day} của tháng cuối cùng"
            if day.day <= days_in_month
            else f"tháng {month:02d}/{year} không có ngày {day.day}: ngày cuối cùng của tháng"
        )
        basis = f"{RECEIPT_DAY_BASIS}, Điều 148 khoản 3"
    if trace is not None:
        trace.append(
            TraceStep(
                "counted",
                f"Ngày cuối cùng của thời hạn: {WEEKDAY_NAMES[last.weekday()]} "
                f"{last:%d/%m/%Y} ({why}).",
                last,
                basis=basis,
            )
        )
    return _same_clock(schedule, last, received.timetz())


def _same_day_due(
    received: dt.datetime, schedule: Schedule, trace: list[TraceStep] | None
) -> dt.datetime:
    """Same-day procedures (ND 23/2015 Điều 7; Luật Hộ tịch 2014 Điều 5 khoản 3; decision 2):
    due at the close of the day of receipt, unless received after the cut-off ("sau 15 giờ",
    so 15:00 itself is still the same day, at the minute the receipt shows) or on a day off; then
    at the close of the next working day."""
    day = received.date()
    cutoff = schedule.hours.same_day_cutoff
    shown = received.time().replace(second=0, microsecond=0, tzinfo=None)
    if schedule.is_working_day(day) and shown <= cutoff:
        if trace is not None:
            trace.append(
                TraceStep(
                    "cutoff",
                    f"Tiếp nhận lúc {shown:%H:%M}, không sau {cutoff:%H:%M}: trả kết quả trong "
                    "ngày.",
                    day,
                    reason="same_day",
                )
            )
        return schedule.end_of_day(day)
    if trace is None:
        nxt = schedule.calendar.working_day_after(day, 1)
    else:
        if schedule.is_working_day(day):
            trace.append(
                TraceStep(
                    "cutoff",
                    f"Tiếp nhận lúc {shown:%H:%M}, sau {cutoff:%H:%M}: trả kết quả trong ngày "
                    "làm việc tiếp theo.",
                    day,
                    reason="after_cutoff",
                )
            )
        else:
            trace.append(
                TraceStep(
                    "cutoff",
                    f"Tiếp nhận vào ngày nghỉ ({schedule.calendar.explain(day)}): trả kết quả "
                    "trong ngày làm việc tiếp theo.",
                    day,
                    reason="received_on_day_off",
                )
            )
        nxt = _next_counted_day(day, schedule, trace)
        trace.append(_counted_step(schedule, nxt, "Ngày trả kết quả", " (ngày làm việc tiếp theo)"))
    return schedule.end_of_day(nxt)


def _next_counted_day(day: dt.date, schedule: Schedule, trace: list[TraceStep]) -> dt.date:
    nxt = schedule.calendar.next_working_day(day)
    skipped = day + dt.timedelta(days=1)
    while skipped < nxt:
        trace.append(_skip_step(schedule, skipped))
        skipped += dt.timedelta(days=1)
    return nxt


def _counted_step(schedule: Schedule, day: dt.date, prefix: str, why: str = "") -> TraceStep:
    entry = schedule.calendar.entries.get(day)
    message = f"{prefix}: {WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y}{why}"
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
    received: dt.datetime, schedule: Schedule, trace: list[TraceStep] | None
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working sessions that start after ``received``: the session of receipt is not counted."""
    for day in _days_from(received.date()):
        periods = schedule.periods(day)
        if not periods and trace is not None:
            trace.append(_skip_step(schedule, day))
        for period in periods:
            if period[0] > received:
                yield period
    raise AssertionError("unreachable")  # pragma: no cover


def _apply_pauses(
    due: dt.datetime,
    exact: bool,
    start: dt.datetime,
    limit: TimeLimit,
    schedule: Schedule,
    pauses: Sequence[Pause],
    trace: list[TraceStep] | None,
) -> dt.datetime:
    """Push ``due`` by the time each pause stopped the clock, in chronological order: working
    time for working-time limits, calendar time for limits in days and months."""
    # A day-counted limit runs to the close of its due date (the lawful instant only keeps the
    # receipt's clock time for the receipt-time policy): a wait that starts on the due date still
    # stops it; one that starts after it changes nothing. An exact limit ends at its instant.
    ends = due if exact else schedule.end_of_day(due.date())
    for pause in _merged(pauses, schedule):
        if pause.start >= ends:
            if trace is not None:
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
        if limit.unit in _CIVIL_UNITS:
            stopped = pause.end - begin
            due = due + stopped
            amount = f"cộng thêm {stopped.days} ngày {stopped.seconds // 3600} giờ"
        elif begin < due:
            stopped = working_time_between(begin, pause.end, schedule)
            due = add_working_hours(due, stopped, schedule) if stopped else due
            amount = f"cộng thêm {_hours_text(stopped)} làm việc"
        else:
            # Begun on the due date after the lawful instant: what was left of that day runs on
            # once the wait ends.
            left = working_time_between(begin, ends, schedule)
            due = add_working_hours(pause.end, left, schedule)
            amount = f"phần còn lại của ngày hết hạn ({_hours_text(left)} làm việc) tính tiếp"
        ends = due if exact else schedule.end_of_day(due.date())
        if trace is not None:
            reason = f" ({pause.reason})" if pause.reason else ""
            trace.append(
                TraceStep(
                    "pause",
                    f"Tạm dừng tính thời hạn từ {_stamp(pause.start)} đến {_stamp(pause.end)}"
                    f"{reason}: {amount}.",
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
