"""The pure working-day clock: rules of the domain README (decisions 1–2) and handbook §14."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.calendars.tests.calendar_data import at, handbook_schedule, official_calendar
from motcua.calendars.workdays import (
    CalendarEntry,
    CalendarError,
    DayKind,
    DueTimePolicy,
    LimitUnit,
    Pause,
    Schedule,
    TimeLimit,
    WorkCalendar,
    WorkingHours,
    add_working_hours,
    compute_due,
    parse_windows,
    snap_forward,
    working_days_between,
    working_time_between,
)

RECEIPT_TIME = DueTimePolicy.RECEIPT_TIME


def due(received: dt.datetime, value: float, unit: str, **kwargs) -> dt.datetime:
    return compute_due(
        received, TimeLimit(Decimal(str(value)), LimitUnit(unit)), handbook_schedule(), **kwargs
    ).due_at


class TestHandbookExamples:
    """Handbook §14, computed with the calendar of §10.2 and windows 08:00–12:00, 13:00–17:00."""

    def test_example_1_counts_the_make_up_saturday(self):
        received = at(2025, 4, 24, 10)
        assert due(received, 7, "working_day", policy=RECEIPT_TIME) == at(2025, 5, 7, 10)
        result = compute_due(received, TimeLimit(7, LimitUnit.WORKING_DAY), handbook_schedule())
        assert result.due_date == dt.date(2025, 5, 7)
        assert result.due_at == at(2025, 5, 7, 17)
        counted = [step.message for step in result.trace if step.kind == "counted"]
        assert counted[1] == (
            "Ngày làm việc thứ 2: thứ Bảy 26/04/2025 (làm bù: làm bù cho thứ Sáu 02/05/2025 — "
            "TB 6150/TB-LĐTBXH)"
        )

    def test_example_1_ignoring_the_make_up_saturday_would_be_too_lenient(self):
        calendar = official_calendar()
        entries = {d: e for d, e in calendar.entries.items() if d != dt.date(2025, 4, 26)}
        without = Schedule(
            WorkCalendar(entries, calendar.covered_years),
            WorkingHours.parse("08:00-12:00,13:00-17:00"),
        )
        result = compute_due(at(2025, 4, 24, 10), TimeLimit(7, LimitUnit.WORKING_DAY), without)
        assert result.due_date == dt.date(2025, 5, 8)

    def test_example_2_same_day_before_and_after_the_cut_off(self):
        assert due(at(2025, 2, 17, 8, 15), 0, "same_day") == at(2025, 2, 17, 17)
        assert due(at(2025, 2, 17, 15, 30), 0, "same_day") == at(2025, 2, 18, 17)

    def test_example_2_online_submission_does_not_start_the_clock(self):
        # Submitted Fri 14/02/2025 16:20 on the portal; only the officer's acceptance counts.
        assert due(at(2025, 2, 17, 8, 15), 0, "same_day") == at(2025, 2, 17, 17)

    def test_example_3_original_due(self):
        assert due(at(2026, 1, 5, 9), 3, "working_day", policy=RECEIPT_TIME) == at(2026, 1, 8, 9)

    def test_example_3_restart_policy_runs_the_full_limit_again(self):
        assert due(at(2026, 1, 12, 10), 3, "working_day", policy=RECEIPT_TIME) == at(
            2026, 1, 15, 10
        )

    def test_example_3_pause_policy_gives_the_same_date_under_both_policies(self):
        pause = Pause(at(2026, 1, 6, 14), at(2026, 1, 12, 10))
        result = compute_due(
            at(2026, 1, 5, 9),
            TimeLimit(3, LimitUnit.WORKING_DAY),
            handbook_schedule(),
            pauses=[pause],
        )
        assert result.due_at == at(2026, 1, 13, 17)

    def test_example_3_pause_policy(self):
        pause = Pause(at(2026, 1, 6, 14), at(2026, 1, 12, 10), "chờ bổ sung")
        result = compute_due(
            at(2026, 1, 5, 9),
            TimeLimit(3, LimitUnit.WORKING_DAY),
            handbook_schedule(),
            pauses=[pause],
            policy=RECEIPT_TIME,
        )
        assert result.due_at == at(2026, 1, 13, 15)
        (step,) = [s for s in result.trace if s.kind == "pause"]
        assert "cộng thêm 37 giờ làm việc" in step.message

    def test_example_4_across_tet(self):
        result = compute_due(
            at(2026, 2, 11, 8, 30),
            TimeLimit(5, LimitUnit.WORKING_DAY),
            handbook_schedule(),
            policy=RECEIPT_TIME,
        )
        assert result.due_at == at(2026, 2, 25, 8, 30)
        skipped = [s.message for s in result.trace if s.kind == "skipped"]
        assert "16/02/2026 (thứ Hai) nghỉ Tết Âm lịch — TB 9441/TB-BNV" in skipped
        assert len(skipped) == 9  # Sat 14/02 to Sun 22/02


class TestWorkingDays:
    """Decision 1 as revised 12/2026: the N-th working day after the civil date of receipt
    (Bộ luật Dân sự 2015 Điều 147 khoản 2–3: the day of the event is not counted)."""

    def test_the_receipt_day_is_not_counted(self):
        assert due(at(2026, 3, 2, 9), 1, "working_day").date() == dt.date(2026, 3, 3)

    def test_receipt_after_hours_on_friday_makes_monday_day_1(self):
        # BLDS 2015 Điều 147 khoản 3: Friday is the day of receipt, whatever the hour; Monday is
        # day 1, exactly as for a receipt at 09:00 that Friday (never Tuesday).
        result = compute_due(
            at(2026, 3, 6, 17, 30),
            TimeLimit(1, LimitUnit.WORKING_DAY),
            handbook_schedule(),
            policy=RECEIPT_TIME,
        )
        assert result.counted_from == at(2026, 3, 6, 17, 30)
        assert result.due_date == dt.date(2026, 3, 9)
        assert result.due_at == at(2026, 3, 9, 17)  # the receipt's clock, kept in working hours
        assert due(at(2026, 3, 6, 9), 1, "working_day").date() == dt.date(2026, 3, 9)

    def test_receipt_at_the_close_of_the_day_counts_from_the_next_day(self):
        assert due(at(2026, 3, 2, 17), 1, "working_day").date() == dt.date(2026, 3, 3)

    def test_receipt_in_the_lunch_break_is_still_that_day(self):
        result = compute_due(
            at(2026, 3, 2, 12, 30),
            TimeLimit(1, LimitUnit.WORKING_DAY),
            handbook_schedule(),
            policy=RECEIPT_TIME,
        )
        assert result.due_at == at(2026, 3, 3, 12, 30)

    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            (at(2026, 3, 7, 9), dt.date(2026, 3, 13)),  # Saturday morning desk: Mon 09/03 is day 1
            (at(2026, 3, 8, 10), dt.date(2026, 3, 13)),  # Sunday
            (at(2026, 3, 6, 16), dt.date(2026, 3, 13)),  # the Friday before, in hours
            (at(2026, 3, 6, 18), dt.date(2026, 3, 13)),  # the Friday before, after hours
        ],
    )
    def test_a_weekend_receipt_counts_like_one_on_friday(self, received, expected):
        # Five working days: Mon 09/03 (1) … Fri 13/03 (5); no second day's shift.
        assert due(received, 5, "working_day").date() == expected

    def test_receipt_on_a_holiday_makes_the_next_working_day_day_1(self):
        # 02/09/2026 is Quốc khánh (TB 9441/TB-BNV); 03/09 is day 1 (BLDS 2015 Điều 147 khoản 3).
        assert due(at(2026, 9, 2, 9), 1, "working_day").date() == dt.date(2026, 9, 3)

    def test_the_trace_says_which_day_is_day_1_and_why(self):
        result = compute_due(
            at(2026, 3, 7, 9), TimeLimit(2, LimitUnit.WORKING_DAY), handbook_schedule()
        )
        (start,) = [s for s in result.trace if s.kind == "counted_from"]
        assert start.reason == "received_on_day_off"
        assert start.basis == "Bộ luật Dân sự 2015 Điều 147 khoản 2, 3"
        assert "ngày làm việc thứ 1 là ngày làm việc đầu tiên sau ngày tiếp nhận" in start.message
        counted = [s.message for s in result.trace if s.kind == "counted"]
        assert counted[0] == (
            "Ngày làm việc thứ 1: thứ Hai 09/03/2026 (ngày làm việc đầu tiên sau ngày tiếp nhận)"
        )
        after_hours = compute_due(
            at(2026, 3, 6, 17, 30), TimeLimit(1, LimitUnit.WORKING_DAY), handbook_schedule()
        )
        assert [s.reason for s in after_hours.trace if s.kind == "counted_from"] == [
            "received_after_hours"
        ]

    def test_across_24_november_2026(self):
        # NQ 28/2026/QH16 Điều 2: 24/11 is a paid day off from 2026. Received Fri 20/11/2026:
        # Mon 23 (1), [Tue 24 off], Wed 25 (2), Thu 26 (3).
        result = compute_due(
            at(2026, 11, 20, 10), TimeLimit(3, LimitUnit.WORKING_DAY), handbook_schedule()
        )
        assert result.due_date == dt.date(2026, 11, 26)
        skipped = [s for s in result.trace if s.kind == "skipped"]
        assert skipped[-1].day == dt.date(2026, 11, 24)
        assert skipped[-1].basis.startswith("Nghị quyết 28/2026/QH16 Điều 2")

    def test_the_swapped_friday_is_off_and_the_make_up_saturday_works(self):
        assert not official_calendar().is_working_day(dt.date(2026, 1, 2))
        assert official_calendar().is_working_day(dt.date(2026, 1, 10))

    def test_end_of_day_and_receipt_time_policies_agree_on_the_date(self):
        for hour in (8, 10, 16, 18):
            a = compute_due(
                at(2026, 4, 22, hour), TimeLimit(5, LimitUnit.WORKING_DAY), handbook_schedule()
            )
            b = compute_due(
                at(2026, 4, 22, hour),
                TimeLimit(5, LimitUnit.WORKING_DAY),
                handbook_schedule(),
                policy=RECEIPT_TIME,
            )
            assert a.due_date == b.due_date == dt.date(2026, 5, 4)

    def test_working_days_between(self):
        assert (
            working_days_between(dt.date(2026, 2, 11), dt.date(2026, 2, 25), handbook_schedule())
            == 5
        )


class TestFractionalWorkingDays:
    """ "1,5 ngày làm việc": the whole days are dates, the fraction is that share of the next
    working day's hours from its opening (domain README, decision 1; issue 7 item 5)."""

    def test_one_and_a_half_days(self):
        # Mon 02/03 10:00: Tue 03/03 is day 1; half of Wed 04/03 (08:00–12:00 of an 8-hour day).
        result = compute_due(
            at(2026, 3, 2, 10),
            TimeLimit(Decimal("1.5"), LimitUnit.WORKING_DAY),
            handbook_schedule(),
        )
        assert result.due_at == at(2026, 3, 4, 12)
        assert result.due_date == dt.date(2026, 3, 4)
        assert str(result.limit) == "1,5 ngày làm việc"
        (step,) = [s for s in result.trace if s.reason == "fraction_of_day"]
        assert "Phần lẻ 0,5 ngày làm việc = 4 giờ làm việc của ngày 04/03/2026" in step.message

    def test_half_a_day_is_the_morning_of_the_next_working_day(self):
        assert due(at(2026, 3, 7, 9), 0.5, "working_day") == at(2026, 3, 9, 12)
        assert due(at(2026, 3, 2, 16), 0.5, "working_day") == at(2026, 3, 3, 12)

    def test_the_fraction_is_exact_under_both_policies(self):
        assert due(at(2026, 3, 2, 10), 1.5, "working_day", policy=RECEIPT_TIME) == at(
            2026, 3, 4, 12
        )

    def test_more_days_never_end_earlier(self):
        for hour in (7, 9, 12, 16, 18):
            received = at(2026, 3, 2, hour)
            ends = [due(received, value, "working_day") for value in (0.5, 1, 1.5, 2, 2.5)]
            assert ends == sorted(ends)


class TestMonths:
    """BLDS 2015 Điều 147 khoản 2–3 and Điều 148 khoản 3, 5: from the day after the receipt;
    ends on the corresponding date of the last month, or that month's last day; a last day off
    moves to the next working day."""

    def test_the_same_date_of_the_last_month(self):
        assert due(at(2026, 3, 16, 9), 2, "month").date() == dt.date(2026, 5, 18)  # 16/05 is Sat

    def test_a_month_without_that_date_ends_on_its_last_day(self):
        result = compute_due(at(2026, 1, 30, 9), TimeLimit(1, LimitUnit.MONTH), handbook_schedule())
        assert result.due_date == dt.date(2026, 3, 2)  # 28/02/2026 is a Saturday → Mon 02/03
        counted = [s.message for s in result.trace if s.kind == "counted"]
        assert "tháng 02/2026 không có ngày 30: ngày cuối cùng của tháng" in counted[0]

    def test_a_month_ending_on_a_working_day(self):
        assert due(at(2026, 6, 10, 9), 1, "month") == at(2026, 7, 10, 17)

    def test_months_across_the_new_year(self):
        assert due(at(2026, 11, 30, 9), 3, "month").date() == dt.date(2027, 3, 1)  # 28/02 Sun

    def test_a_fraction_of_a_month_is_refused(self):
        with pytest.raises(CalendarError, match="số nguyên"):
            TimeLimit(Decimal("1.5"), LimitUnit.MONTH)


class TestWorkingHours:
    def test_hours_are_added_inside_windows(self):
        assert due(at(2026, 3, 2, 10), 4, "working_hour") == at(2026, 3, 2, 15)

    def test_a_sum_ending_at_the_close_of_a_window_ends_there(self):
        assert due(at(2026, 3, 2, 8), 4, "working_hour") == at(2026, 3, 2, 12)
        assert due(at(2026, 3, 2, 8), 8, "working_hour") == at(2026, 3, 2, 17)

    def test_hours_cross_weekends_and_holidays(self):
        assert due(at(2026, 2, 13, 16, 30), 4, "working_hour") == at(2026, 2, 23, 11, 30)

    def test_half_hours(self):
        assert due(at(2026, 3, 2, 11, 45), 0.5, "working_hour") == at(2026, 3, 2, 13, 15)

    def test_working_time_between(self):
        schedule = handbook_schedule()
        assert working_time_between(
            at(2026, 1, 6, 14), at(2026, 1, 12, 10), schedule
        ) == dt.timedelta(hours=37)
        assert working_time_between(
            at(2026, 1, 12, 10), at(2026, 1, 6, 14), schedule
        ) == dt.timedelta(0)

    def test_snap_forward(self):
        schedule = handbook_schedule()
        assert snap_forward(at(2026, 3, 2, 7), schedule) == at(2026, 3, 2, 8)
        assert snap_forward(at(2026, 3, 2, 9), schedule) == at(2026, 3, 2, 9)
        assert snap_forward(at(2026, 3, 7, 9), schedule) == at(2026, 3, 9, 8)

    def test_adding_nothing_only_snaps(self):
        assert add_working_hours(at(2026, 3, 7, 9), dt.timedelta(0), handbook_schedule()) == at(
            2026, 3, 9, 8
        )

    def test_an_instant_in_utc_is_read_as_civil_time(self):
        utc = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
        assert due(utc, 4, "working_hour") == at(2026, 3, 2, 15)

    def test_naive_instants_are_refused(self):
        with pytest.raises(CalendarError):
            compute_due(
                dt.datetime(2026, 3, 2, 9),
                TimeLimit(1, LimitUnit.WORKING_DAY),
                handbook_schedule(),
            )


class TestHalfDays:
    def test_the_session_of_receipt_is_not_counted(self):
        assert due(at(2026, 3, 2, 9), 1, "half_day") == at(2026, 3, 2, 17)
        assert due(at(2026, 3, 2, 14), 1, "half_day") == at(2026, 3, 3, 12)
        assert due(at(2026, 3, 2, 9), 3, "half_day") == at(2026, 3, 3, 17)


class TestCalendarDays:
    def test_a_period_ending_on_a_working_day(self):
        assert due(at(2026, 3, 2, 9), 10, "calendar_day") == at(2026, 3, 12, 17)

    def test_counting_starts_the_day_after_the_receipt_itself(self):
        # Received at 17:00 on a Friday, after hours: the period still runs from Saturday.
        assert due(at(2026, 2, 13, 16, 59), 30, "calendar_day").date() == dt.date(2026, 3, 16)
        assert due(at(2026, 2, 13, 17), 30, "calendar_day").date() == dt.date(2026, 3, 16)

    def test_a_period_ending_on_a_day_off_moves_to_the_next_working_day(self):
        result = compute_due(
            at(2026, 4, 17, 9), TimeLimit(15, LimitUnit.CALENDAR_DAY), handbook_schedule()
        )
        assert result.due_at == at(2026, 5, 4, 17)
        rolled = [s for s in result.trace if s.kind == "rolled_forward"]
        assert rolled[0].basis == "Bộ luật Dân sự 2015 Điều 148 khoản 5"


class TestSameDay:
    def test_15_00_sharp_is_still_the_same_day(self):
        # "sau 15 giờ" (ND 23/2015 Điều 7; domain README, decision 2): after 15:00 only. The
        # receipt shows hours and minutes, so 15:00:40 is 15:00 too.
        assert due(at(2026, 3, 2, 14, 59), 0, "same_day") == at(2026, 3, 2, 17)
        assert due(at(2026, 3, 2, 15), 0, "same_day") == at(2026, 3, 2, 17)
        assert due(at(2026, 3, 2, 15) + dt.timedelta(seconds=40), 0, "same_day") == at(
            2026, 3, 2, 17
        )
        assert due(at(2026, 3, 2, 15, 1), 0, "same_day") == at(2026, 3, 3, 17)

    def test_before_opening_is_the_same_day(self):
        assert due(at(2026, 3, 2, 7, 15), 0, "same_day") == at(2026, 3, 2, 17)

    def test_on_the_eve_of_24_november_2026(self):
        # Mon 23/11/2026 at 15:30: the next working day is Wed 25/11 (NQ 28/2026/QH16 Điều 2).
        assert due(at(2026, 11, 23, 15, 30), 0, "same_day") == at(2026, 11, 25, 17)

    def test_a_same_day_limit_has_no_number(self):
        with pytest.raises(CalendarError):
            TimeLimit(2, LimitUnit.SAME_DAY)

    def test_a_unit_cut_off(self):
        schedule = Schedule(
            official_calendar(),
            WorkingHours.parse("08:00-12:00,13:00-17:00", same_day_cutoff="16:00"),
        )
        result = compute_due(at(2026, 3, 2, 15, 30), TimeLimit(0, LimitUnit.SAME_DAY), schedule)
        assert result.due_at == at(2026, 3, 2, 17)

    def test_received_on_saturday_is_due_monday(self):
        assert due(at(2026, 3, 7, 9), 0, "same_day") == at(2026, 3, 9, 17)


class TestPauses:
    def test_a_pause_after_the_due_instant_changes_nothing(self):
        pause = Pause(at(2026, 3, 10, 9), at(2026, 3, 11, 9))
        assert due(at(2026, 3, 2, 9), 1, "working_day", pauses=[pause]) == at(2026, 3, 3, 17)

    def test_overlapping_pauses_count_once(self):
        pauses = [
            Pause(at(2026, 3, 2, 10), at(2026, 3, 2, 11)),
            Pause(at(2026, 3, 2, 10, 30), at(2026, 3, 2, 12)),
        ]
        assert due(at(2026, 3, 2, 9), 4, "working_hour", pauses=pauses) == at(2026, 3, 2, 16)

    def test_a_pause_that_ends_before_its_start_is_refused(self):
        with pytest.raises(CalendarError):
            Pause(at(2026, 3, 2, 10), at(2026, 3, 2, 9))

    def test_pause_on_a_calendar_day_limit_extends_by_calendar_time(self):
        pause = Pause(at(2026, 3, 3, 9), at(2026, 3, 5, 9))
        assert due(at(2026, 3, 2, 9), 10, "calendar_day", pauses=[pause]).date() == dt.date(
            2026, 3, 16
        )


class TestBounds:
    @pytest.mark.parametrize(
        ("value", "unit"),
        [
            (2601, "working_day"),
            (3651, "calendar_day"),
            (20801, "working_hour"),
            ("1e30", "working_hour"),
        ],
    )
    def test_absurd_limits_are_refused(self, value, unit):
        with pytest.raises(CalendarError, match="quá lớn"):
            TimeLimit(Decimal(str(value)), LimitUnit(unit))

    @pytest.mark.parametrize("year", [1, 1975, 2101, 9999])
    def test_receipts_outside_the_supported_years_are_refused(self, year):
        with pytest.raises(CalendarError, match="các năm"):
            due(dt.datetime(year, 3, 2, 9, tzinfo=dt.UTC), 1, "working_day")

    def test_the_largest_limits_still_compute(self):
        assert due(at(2026, 3, 2, 9), 2600, "working_day").year == 2036
        assert due(at(2026, 3, 2, 9), 20800, "working_hour").year == 2036


class TestCalendarData:
    def test_local_entries_override_national_ones(self):
        national = CalendarEntry(dt.date(2026, 3, 3), DayKind.HOLIDAY, "quốc gia")
        local = CalendarEntry(dt.date(2026, 3, 3), DayKind.MAKEUP_WORKDAY, "làm bù tại tỉnh")
        calendar = WorkCalendar.from_entries([national, local], [2026])
        assert calendar.is_working_day(dt.date(2026, 3, 3))

    def test_an_uncovered_year_is_flagged(self):
        result = compute_due(
            at(2030, 3, 4, 9), TimeLimit(3, LimitUnit.WORKING_DAY), handbook_schedule()
        )
        assert result.provisional
        assert any(s.reason == "calendar_missing" for s in result.trace)

    def test_a_covered_year_is_not_flagged(self):
        result = compute_due(
            at(2026, 3, 4, 9), TimeLimit(3, LimitUnit.WORKING_DAY), handbook_schedule()
        )
        assert not result.provisional

    @pytest.mark.parametrize(
        "spec", ["", "08:00", "12:00-08:00", "08:00-12:00,11:00-13:00", "8h-12h"]
    )
    def test_bad_windows_are_refused(self, spec):
        with pytest.raises(CalendarError):
            parse_windows(spec)

    def test_summer_hours(self):
        hours = WorkingHours.parse(
            "07:30-11:30,13:30-17:00",
            summer="07:00-11:30,14:00-17:30",
            summer_from="05-01",
            summer_to="09-30",
        )
        assert str(hours.windows_on(dt.date(2026, 6, 1))[1]) == "14:00-17:30"
        assert str(hours.windows_on(dt.date(2026, 10, 1))[1]) == "13:30-17:00"
        schedule = Schedule(official_calendar(), hours)
        result = compute_due(at(2026, 6, 1, 9), TimeLimit(1, LimitUnit.WORKING_DAY), schedule)
        assert result.due_at == at(2026, 6, 2, 17, 30)


class TestSaturdayReception:
    """A desk that receives on Saturday mornings declares its windows; the count is unchanged
    (decision 1), the explanation says whether the receipt was inside them."""

    def schedule(self) -> Schedule:
        return Schedule(
            official_calendar(),
            WorkingHours.parse("07:30-11:30,13:30-17:00", saturday_reception="07:30-11:30"),
        )

    def test_a_saturday_receipt_counts_from_its_date(self):
        result = compute_due(
            at(2026, 3, 7, 9), TimeLimit(1, LimitUnit.WORKING_DAY), self.schedule()
        )
        assert result.due_date == dt.date(2026, 3, 9)
        (start,) = [s for s in result.trace if s.kind == "counted_from"]
        assert "trong giờ tiếp nhận thứ Bảy 07:30-11:30 của đơn vị" in start.message

    def test_outside_the_windows_it_is_said(self):
        result = compute_due(
            at(2026, 3, 7, 14), TimeLimit(1, LimitUnit.WORKING_DAY), self.schedule()
        )
        assert result.due_date == dt.date(2026, 3, 9)
        assert "ngoài giờ tiếp nhận thứ Bảy" in result.trace[1].message

    def test_bad_windows_are_refused(self):
        with pytest.raises(CalendarError):
            WorkingHours.parse("07:30-11:30", saturday_reception="11:30-07:30")
