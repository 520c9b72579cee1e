"""Property tests of the working-day clock over random calendars, windows, receipts and limits.

The oracle is a brute-force walk in five-minute steps that knows nothing of the implementation:
only "is this minute inside a working window of a working day".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.calendars.workdays import (
    VIETNAM,
    CalendarEntry,
    DayKind,
    DueTimePolicy,
    LimitUnit,
    Pause,
    Schedule,
    TimeLimit,
    Window,
    WorkCalendar,
    WorkingHours,
    add_working_hours,
    compute_due,
    due_instant,
    working_time_between,
)

STEP = dt.timedelta(minutes=5)
FIRST = dt.date(2026, 1, 1)
RECEIPT_TIME = DueTimePolicy.RECEIPT_TIME


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Random days off on weekdays and make-up Saturdays over 2026–2027."""
    offsets = st.integers(min_value=0, max_value=700)
    entries = []
    for offset in draw(st.sets(offsets, max_size=40)):
        day = FIRST + dt.timedelta(days=offset)
        if day.weekday() < 5:
            entries.append(
                CalendarEntry(
                    day, draw(st.sampled_from([DayKind.HOLIDAY, DayKind.SWAP_OFF])), "nghỉ"
                )
            )
        elif day.weekday() == 5 and draw(st.booleans()):
            entries.append(CalendarEntry(day, DayKind.MAKEUP_WORKDAY, "làm bù"))
    return WorkCalendar.from_entries(entries, covered_years=[2026, 2027])


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    """One to three windows on a half-hour grid between 06:00 and 20:00."""
    count = draw(st.integers(min_value=1, max_value=3))
    marks = sorted(
        draw(
            st.sets(st.integers(min_value=12, max_value=40), min_size=2 * count, max_size=2 * count)
        )
    )
    windows = tuple(
        Window(
            dt.time(marks[2 * i] // 2, 30 * (marks[2 * i] % 2)),
            dt.time(marks[2 * i + 1] // 2, 30 * (marks[2 * i + 1] % 2)),
        )
        for i in range(count)
    )
    return WorkingHours(windows=windows)


@st.composite
def instants(draw: st.DrawFn) -> dt.datetime:
    """A receipt on a five-minute grid in the first half of 2026."""
    day = FIRST + dt.timedelta(days=draw(st.integers(min_value=0, max_value=180)))
    minutes = 5 * draw(st.integers(min_value=0, max_value=287))
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=VIETNAM)


schedules = st.builds(Schedule, calendar=calendars(), hours=working_hours())


def in_window(instant: dt.datetime, schedule: Schedule) -> bool:
    if not schedule.calendar.is_working_day(instant.date()):
        return False
    clock = instant.time()
    return any(w.start <= clock < w.end for w in schedule.hours.windows_on(instant.date()))


def brute_start(received: dt.datetime, schedule: Schedule) -> dt.datetime:
    t = received
    while not in_window(t, schedule):
        t += STEP
    return t


def brute_working_days(received: dt.datetime, days: int, schedule: Schedule) -> dt.date:
    """The N-th working day after the civil date of receipt (decision 1, BLDS 2015 Điều 147)."""
    day = received.date() if days else brute_start(received, schedule).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += schedule.calendar.is_working_day(day)
    return day


def brute_working_hours(received: dt.datetime, minutes: int, schedule: Schedule) -> dt.datetime:
    t = brute_start(received, schedule)
    remaining = minutes
    while remaining:
        if in_window(t, schedule):
            remaining -= 5
        t += STEP
    return t


def limit_of(value: int, unit: LimitUnit) -> TimeLimit:
    """A limit of ``value`` units; same-day limits carry no number."""
    return TimeLimit(0 if unit == LimitUnit.SAME_DAY else value, unit)


def due(
    received: dt.datetime,
    value: int | Decimal,
    unit: LimitUnit,
    schedule: Schedule,
    **kwargs: object,
) -> dt.datetime:
    return compute_due(received, TimeLimit(Decimal(value), unit), schedule, **kwargs).due_at  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(schedule=schedules, received=instants(), days=st.integers(min_value=0, max_value=25))
def test_working_days_agree_with_a_day_by_day_walk(schedule, received, days):
    result = compute_due(received, TimeLimit(days, LimitUnit.WORKING_DAY), schedule)
    assert result.due_date == brute_working_days(received, days, schedule)


@settings(max_examples=100, deadline=None)
@given(schedule=schedules, received=instants(), half_hours=st.integers(min_value=1, max_value=60))
def test_working_hours_agree_with_a_minute_by_minute_walk(schedule, received, half_hours):
    assert due(
        received, Decimal(half_hours) / 2, LimitUnit.WORKING_HOUR, schedule
    ) == brute_working_hours(received, 30 * half_hours, schedule)


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    value=st.integers(min_value=0, max_value=30),
    unit=st.sampled_from(list(LimitUnit)),
)
def test_the_due_date_is_never_a_non_working_day(schedule, received, value, unit):
    result = compute_due(received, limit_of(value, unit), schedule)
    assert schedule.calendar.is_working_day(result.due_date)
    assert result.due_at.date() == result.due_date
    windows = schedule.hours.windows_on(result.due_date)
    assert (
        windows[0].start < result.due_at.time() <= windows[-1].end
        or result.due_at.time() == windows[0].start
    )


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    a=st.integers(min_value=0, max_value=20),
    b=st.integers(min_value=0, max_value=20),
    unit=st.sampled_from(list(LimitUnit)),
)
def test_monotonic_in_the_limit(schedule, received, a, b, unit):
    low, high = sorted((a, b)) if unit != LimitUnit.SAME_DAY else (0, 0)
    assert due(received, low, unit, schedule) <= due(received, high, unit, schedule)


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    a=st.integers(min_value=1, max_value=15),
    b=st.integers(min_value=1, max_value=15),
)
def test_working_days_are_additive(schedule, received, a, b):
    # a, b ≥ 1: a limit of no whole day is working time from the receipt, not a date.
    first = due(received, a, LimitUnit.WORKING_DAY, schedule, policy=RECEIPT_TIME)
    assert (
        due(first, b, LimitUnit.WORKING_DAY, schedule, policy=RECEIPT_TIME).date()
        == due(received, a + b, LimitUnit.WORKING_DAY, schedule, policy=RECEIPT_TIME).date()
    )


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    a=st.integers(min_value=0, max_value=40),
    b=st.integers(min_value=1, max_value=40),
)
def test_working_hours_are_additive(schedule, received, a, b):
    # b > 0: adding nothing to an instant at the close of a window only moves it to the next
    # opening, which is the same point of working time.
    first = due(received, Decimal(a) / 2, LimitUnit.WORKING_HOUR, schedule)
    assert due(first, Decimal(b) / 2, LimitUnit.WORKING_HOUR, schedule) == due(
        received, Decimal(a + b) / 2, LimitUnit.WORKING_HOUR, schedule
    )


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    value=st.integers(min_value=1, max_value=15),
    unit=st.sampled_from(
        [LimitUnit.WORKING_DAY, LimitUnit.WORKING_HOUR, LimitUnit.HALF_DAY, LimitUnit.SAME_DAY]
    ),
    policy=st.sampled_from(list(DueTimePolicy)),
    pause_offset=st.integers(min_value=0, max_value=2000),
    pause_length=st.integers(min_value=1, max_value=3000),
)
def test_a_pause_shifts_the_due_instant_by_exactly_its_working_time(
    schedule, received, value, unit, policy, pause_offset, pause_length
):
    limit = limit_of(value, unit)
    plain = compute_due(received, limit, schedule, policy=policy)
    start = plain.counted_from + pause_offset * STEP
    pause = Pause(start, start + pause_length * STEP)
    paused = compute_due(received, limit, schedule, pauses=[pause], policy=policy)
    # The lawful instants (the policy only changes how they are shown).
    lawful = compute_due(received, limit, schedule, policy=RECEIPT_TIME).due_at
    shifted = compute_due(received, limit, schedule, pauses=[pause], policy=RECEIPT_TIME).due_at
    exact = unit in (LimitUnit.WORKING_HOUR, LimitUnit.HALF_DAY, LimitUnit.SAME_DAY) or not value
    ends = lawful if exact else schedule.end_of_day(lawful.date())
    if ends <= pause.start:
        assert paused.due_at == plain.due_at  # the clock had already run out
        return
    if lawful <= pause.start:
        # Begun on the due date after the lawful instant: the rest of that day runs on after it.
        left = working_time_between(pause.start, ends, schedule)
        assert shifted == add_working_hours(pause.end, left, schedule)
        return

    def running(until: dt.datetime) -> dt.timedelta:
        """Working time from the start of the count to ``until``, the pause left out."""
        paused_part = working_time_between(
            max(pause.start, plain.counted_from), min(pause.end, until), schedule
        )
        return working_time_between(plain.counted_from, until, schedule) - paused_part

    # The pause stops the clock for exactly its working time before the (shifted) due instant.
    assert running(shifted) == working_time_between(plain.counted_from, lawful, schedule)
    if pause.end <= shifted:
        stopped = working_time_between(pause.start, pause.end, schedule)
        assert working_time_between(lawful, shifted, schedule) == stopped
    assert paused.due_date == shifted.date()


@settings(max_examples=150, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    value=st.integers(min_value=0, max_value=30),
    unit=st.sampled_from(list(LimitUnit)),
    pause_offset=st.integers(min_value=0, max_value=2000),
    pause_length=st.integers(min_value=1, max_value=3000),
)
def test_the_due_date_does_not_depend_on_the_due_time_policy(
    schedule, received, value, unit, pause_offset, pause_length
):
    limit = limit_of(value, unit)
    start = received + pause_offset * STEP
    pauses = [Pause(start, start + pause_length * STEP)]
    results = [
        compute_due(received, limit, schedule, pauses=pauses, policy=policy)
        for policy in DueTimePolicy
    ]
    assert results[0].due_date == results[1].due_date


@settings(max_examples=200, deadline=None)
@given(
    schedule=schedules,
    received=instants(),
    value=st.integers(min_value=0, max_value=40),
    unit=st.sampled_from(list(LimitUnit)),
    policy=st.sampled_from(list(DueTimePolicy)),
    half=st.booleans(),
    pause_offset=st.integers(min_value=0, max_value=2000),
    pause_length=st.integers(min_value=0, max_value=3000),
)
def test_the_fast_path_gives_the_explained_answer(
    schedule, received, value, unit, policy, half, pause_offset, pause_length
):
    """``due_instant`` (no trace) and ``compute_due`` are one rule: same instant, date, flag."""
    if unit == LimitUnit.WORKING_DAY and half:
        limit = TimeLimit(Decimal(value) + Decimal("0.5"), unit)
    else:
        limit = limit_of(value, unit)
    start = received + pause_offset * STEP
    pauses = [Pause(start, start + pause_length * STEP)] if pause_length else []
    explained = compute_due(received, limit, schedule, pauses=pauses, policy=policy)
    fast = due_instant(received, limit, schedule, pauses=pauses, policy=policy)
    assert (fast.due_at, fast.due_date, fast.provisional) == (
        explained.due_at,
        explained.due_date,
        explained.provisional,
    )


@settings(max_examples=200, deadline=None)
@given(
    calendar=calendars(),
    offset=st.integers(min_value=-30, max_value=700),
    count=st.integers(min_value=0, max_value=400),
)
def test_the_working_day_table_agrees_with_a_walk(calendar, offset, count):
    day = FIRST + dt.timedelta(days=offset)
    walked = day
    for _ in range(count):
        walked = calendar.next_working_day(walked)
    assert calendar.working_day_after(day, count) == walked
