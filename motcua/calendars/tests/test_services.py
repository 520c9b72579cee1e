"""Calendar data in the database: shipped schedules, files, the holidays package, confirmation."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from motcua.calendars.models import CalendarChange, CalendarDay, CalendarYear
from motcua.calendars.selectors import schedule_for, work_calendar, working_hours_for
from motcua.calendars.services import (
    calendar_day_confirm,
    calendar_day_save,
    calendar_file_parse,
    calendar_import,
    calendar_sync_package,
    calendar_year_confirm,
)
from motcua.calendars.workdays import DayKind
from motcua.core.errors import Conflict, ImportRejected, InvalidInput
from motcua.units.models import Unit
from motcua.units.services import unit_create, unit_move, unit_update

pytestmark = pytest.mark.django_db


def test_the_official_schedules_ship_with_the_migrations():
    calendar = work_calendar()
    assert not calendar.is_working_day(dt.date(2026, 2, 16))
    assert calendar.is_working_day(dt.date(2026, 1, 10))  # make-up Saturday
    assert not calendar.is_working_day(dt.date(2026, 1, 2))  # swapped Friday (CV 12729/VPCP-KGVX)
    assert calendar.entries[dt.date(2026, 2, 16)].legal_basis == "TB 9441/TB-BNV"
    assert set(CalendarYear.objects.values_list("year", "status")) == {
        (2024, "official"),
        (2025, "official"),
        (2026, "official"),
        *((year, "provisional") for year in range(2027, 2031)),
    }


def test_the_package_fills_a_year_without_decision_as_provisional():
    assert not CalendarYear.objects.filter(year=2032).exists()
    report = calendar_sync_package(years=[2032])
    assert report.provisional_years == [2032]
    day = CalendarDay.objects.get(date=dt.date(2032, 1, 1), province__isnull=True)
    assert day.status == CalendarDay.Status.PROVISIONAL
    calendar = work_calendar()
    assert not calendar.is_working_day(dt.date(2032, 1, 1))
    assert calendar.entries[dt.date(2032, 1, 1)].provisional


# A day the package announces that no official text has: fictitious, so the test does not depend
# on what a real year's law says (24/11/2026 is law now: NQ 28/2026/QH16 Điều 2).
FICTITIOUS = dt.date(2026, 10, 14)  # a Wednesday


def _with_fictitious_day(monkeypatch, day=FICTITIOUS, name="Ngày thử nghiệm"):
    from motcua.calendars import services
    from motcua.calendars.services import DayRow

    real = services._package_days

    def package_days(year):
        rows = real(year)
        if year == day.year:
            rows.append(DayRow(day, DayKind.HOLIDAY, name, "Gói holidays (thử nghiệm)"))
        return rows

    monkeypatch.setattr(services, "_package_days", package_days)


def test_a_day_only_the_package_lists_in_an_official_year_waits_for_confirmation(monkeypatch):
    _with_fictitious_day(monkeypatch)
    report = calendar_sync_package(years=[2026])
    assert report.announced == [FICTITIOUS]
    day = CalendarDay.objects.get(date=FICTITIOUS)
    assert day.status == CalendarDay.Status.ANNOUNCED
    assert work_calendar().is_working_day(FICTITIOUS)
    # The package lacks the 02/01/2026 swap: the shipped official data wins.
    assert not work_calendar().is_working_day(dt.date(2026, 1, 2))

    change = calendar_day_confirm(day=day, actor=None)
    assert change is not None
    assert change.changed_dates == [FICTITIOUS.isoformat()]
    assert change.recomputed_at is None  # the dossiers app recomputes, then marks it
    assert not work_calendar().is_working_day(FICTITIOUS)
    with pytest.raises(Conflict):
        calendar_day_confirm(day=day, actor=None)


def test_24_november_2026_ships_official_with_its_legal_basis():
    """NQ 28/2026/QH16 Điều 2 (in force 01/07/2026): migration 0004 makes it official."""
    day = CalendarDay.objects.get(date=dt.date(2026, 11, 24), province__isnull=True)
    assert day.status == CalendarDay.Status.OFFICIAL
    assert day.kind == DayKind.HOLIDAY
    assert day.legal_basis.startswith("Nghị quyết 28/2026/QH16 Điều 2")
    assert not work_calendar().is_working_day(dt.date(2026, 11, 24))
    change = CalendarChange.objects.get(action="confirm", changed_dates=["2026-11-24"])
    assert change.recomputed_at is not None  # done after migrate (no dossiers yet)
    assert calendar_sync_package(years=[2026]).announced == []


def test_24_november_builds_every_provisional_year_whatever_the_package_says(monkeypatch):
    from motcua.calendars import services

    real = services._package_days
    monkeypatch.setattr(
        services,
        "_package_days",
        lambda year: [row for row in real(year) if (row.date.month, row.date.day) != (11, 24)],
    )
    calendar_sync_package(years=[2032])
    day = CalendarDay.objects.get(date=dt.date(2032, 11, 24), province__isnull=True)
    assert day.status == CalendarDay.Status.PROVISIONAL
    assert day.legal_basis == "Nghị quyết 28/2026/QH16 Điều 2"
    assert not work_calendar().is_working_day(dt.date(2032, 11, 24))  # a Wednesday


def test_a_day_in_lieu_for_24_november_on_a_weekend_is_not_guessed():
    """24/11/2029 is a Saturday. Whether BLLĐ Điều 111 khoản 3 gives a day in lieu is open
    (decision 8): the package's Monday 26/11/2029 waits for an administrator."""
    CalendarYear.objects.filter(year=2029).delete()
    CalendarDay.objects.filter(date__year=2029).delete()
    report = calendar_sync_package(years=[2029])
    assert report.provisional_years == [2029]
    monday = CalendarDay.objects.get(date=dt.date(2029, 11, 26), province__isnull=True)
    assert monday.status == CalendarDay.Status.ANNOUNCED
    assert "Điều 111 khoản 3" in monday.note
    assert work_calendar().is_working_day(dt.date(2029, 11, 26))
    saturday = CalendarDay.objects.get(date=dt.date(2029, 11, 24), province__isnull=True)
    assert saturday.status == CalendarDay.Status.PROVISIONAL


def test_syncing_twice_changes_nothing():
    calendar_sync_package(years=[2026, 2027])
    count = CalendarDay.objects.count()
    changes = CalendarChange.objects.count()
    calendar_sync_package(years=[2026, 2027])
    assert CalendarDay.objects.count() == count
    assert CalendarChange.objects.count() == changes


def official_2027(days):
    return json.dumps(
        {"format": "motcua-calendar/1", "status": "official", "years": [2027], "days": days}
    ).encode()


def test_an_official_file_replaces_the_provisional_year():
    calendar_sync_package(years=[2027])
    content = official_2027(
        [
            {
                "date": "2027-02-04",
                "kind": "holiday",
                "name": "Tết Âm lịch",
                "legal_basis": "TB 1/TB-BNV",
            },
            {
                "date": "2027-02-12",
                "kind": "compensatory",
                "name": "nghỉ bù",
                "legal_basis": "TB 1/TB-BNV",
            },
        ]
    )
    change = calendar_import(calendar_file=calendar_file_parse(content, filename="2027.json"))
    assert CalendarYear.objects.get(year=2027).status == CalendarYear.Status.OFFICIAL
    dates = set(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True))
    assert dates == {dt.date(2027, 2, 4), dt.date(2027, 2, 12)}
    assert change is not None
    assert "2027-02-12" in change.changed_dates
    assert "2027-02-08" in change.changed_dates  # a package day that no longer applies
    assert work_calendar().is_working_day(dt.date(2027, 2, 8))


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"{not json", "x.json", "JSON không đọc được"),
        (json.dumps({"format": "other", "days": []}).encode(), "x.json", "format"),
        (b"date,kind\n2027-01-01,holiday\n", "x.csv", "thiếu cột"),
        (b"\xff\xfe", "x.csv", "UTF-8"),
        (b"", "x.txt", ".json hoặc .csv"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(content, filename, message):
    with pytest.raises(ImportRejected, match=message):
        calendar_file_parse(content, filename=filename)


def test_a_bad_row_names_its_row_and_field_and_nothing_is_written():
    content = (
        "date,kind,name,legal_basis\n"
        "2027-01-01,holiday,Tết Dương lịch,BLLĐ 2019 Điều 112\n"
        "2027-13-01,holiday,Sai ngày,X\n"
        "2027-01-04,lam_bu,Làm bù thứ Hai,X\n"
        "2027-01-05,nghi_le,,\n"
    ).encode()
    before = CalendarDay.objects.count()
    with pytest.raises(ImportRejected) as caught:
        calendar_import(calendar_file=calendar_file_parse(content, filename="x.csv"))
    problems = {(p["row"], p["field"]) for p in caught.value.problems}
    assert problems == {(3, "date"), (4, "kind"), (5, "name"), (5, "legal_basis")}
    assert CalendarDay.objects.count() == before


def test_a_province_adds_a_local_day_off(province, commune):
    content = b"date,kind,name,legal_basis\n2026-03-05,day_off,nghi do bao,QD 1/QD-UBND\n"
    calendar_import(calendar_file=calendar_file_parse(content, filename="x.csv"), province=province)
    assert not schedule_for(unit=commune).is_working_day(dt.date(2026, 3, 5))
    assert work_calendar().is_working_day(dt.date(2026, 3, 5))  # other provinces unaffected


def test_a_province_file_cannot_declare_official_years(province):
    content = official_2027([])
    with pytest.raises(InvalidInput):
        calendar_import(
            calendar_file=calendar_file_parse(content, filename="x.json"), province=province
        )


def test_confirming_a_provisional_year():
    calendar_sync_package(years=[2027])
    calendar_year_confirm(year=2027, actor=None, source="TB 2/TB-BNV")
    assert CalendarYear.objects.get(year=2027).status == CalendarYear.Status.OFFICIAL
    assert not CalendarDay.objects.filter(
        date__year=2027, status=CalendarDay.Status.PROVISIONAL
    ).exists()
    with pytest.raises(Conflict):
        calendar_year_confirm(year=2027, actor=None, source="TB 2/TB-BNV")
    with pytest.raises(InvalidInput):
        calendar_year_confirm(year=2028, actor=None, source=" ")


def test_a_make_up_day_must_be_a_weekend(province):
    day = CalendarDay(
        date=dt.date(2026, 3, 4),
        province=province,
        kind=DayKind.MAKEUP_WORKDAY,
        name="x",
        legal_basis="y",
    )
    with pytest.raises(InvalidInput):
        calendar_day_save(day=day, actor=None)


def test_saving_a_day_records_the_change_and_refreshes_the_calendar(province):
    assert work_calendar(province=province).is_working_day(dt.date(2026, 3, 4))
    day = CalendarDay(
        date=dt.date(2026, 3, 4),
        province=province,
        kind=DayKind.DAY_OFF,
        name="nghỉ do lũ",
        legal_basis="QĐ 5/QĐ-UBND",
    )
    [change] = calendar_day_save(day=day, actor=None)
    assert change.changed_dates == ["2026-03-04"]
    assert not work_calendar(province=province).is_working_day(dt.date(2026, 3, 4))


def test_moving_a_day_to_another_province_records_both(province):
    other = unit_create(
        name="Ủy ban nhân dân tỉnh Khác",
        level=Unit.Level.PROVINCE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        area_code="98",
    )
    day = CalendarDay(
        date=dt.date(2026, 3, 4),
        province=province,
        kind=DayKind.DAY_OFF,
        name="nghỉ",
        legal_basis="QĐ 5",
    )
    calendar_day_save(day=day, actor=None)
    day.province = other
    changes = calendar_day_save(day=day, actor=None)
    assert {c.province for c in changes} == {province, other}
    assert work_calendar(province=province).is_working_day(dt.date(2026, 3, 4))
    assert not work_calendar(province=other).is_working_day(dt.date(2026, 3, 4))


def test_a_commune_cannot_carry_local_days(commune):
    day = CalendarDay(
        date=dt.date(2026, 3, 4),
        province=commune,
        kind=DayKind.DAY_OFF,
        name="nghỉ",
        legal_basis="QĐ 5",
    )
    with pytest.raises(InvalidInput, match="cấp tỉnh"):
        calendar_day_save(day=day, actor=None)
    content = b"date,kind,name,legal_basis\n2026-03-05,day_off,x,y\n"
    with pytest.raises(InvalidInput, match="cấp tỉnh"):
        calendar_import(
            calendar_file=calendar_file_parse(content, filename="x.csv"), province=commune
        )


def test_a_fresh_installation_has_the_next_years_provisionally():
    # Filled from the holidays package after migrate (CalendarsConfig.ready).
    assert CalendarYear.objects.get(year=2027).status == CalendarYear.Status.PROVISIONAL
    assert not work_calendar().is_working_day(dt.date(2027, 2, 8))


def test_syncing_keeps_what_an_administrator_set_in_a_provisional_year():
    calendar_sync_package(years=[2027])
    confirmed = CalendarDay.objects.get(date=dt.date(2027, 1, 1), province__isnull=True)
    calendar_day_confirm(day=confirmed, actor=None)
    edited = CalendarDay.objects.get(date=dt.date(2027, 4, 16), province__isnull=True)
    edited.name = "Giỗ Tổ Hùng Vương (đã đối chiếu)"
    edited.source = CalendarDay.Source.ADMIN
    calendar_day_save(day=edited, actor=None)
    report = calendar_sync_package(years=[2027])
    assert {dt.date(2027, 1, 1), dt.date(2027, 4, 16)} <= set(report.kept)
    confirmed.refresh_from_db()
    edited.refresh_from_db()
    assert confirmed.status == CalendarDay.Status.OFFICIAL
    assert edited.name == "Giỗ Tổ Hùng Vương (đã đối chiếu)"


def test_making_provisional_days_official_refreshes_every_cached_calendar():
    calendar_sync_package(years=[2027])
    assert work_calendar().entries[dt.date(2027, 2, 8)].provisional
    rows = CalendarDay.objects.filter(date__year=2027, province__isnull=True)
    days = [
        {"date": r.date.isoformat(), "kind": r.kind, "name": r.name, "legal_basis": "TB 3/TB-BNV"}
        for r in rows
    ]
    calendar_import(calendar_file=calendar_file_parse(official_2027(days), filename="2027.json"))
    assert not work_calendar().entries[dt.date(2027, 2, 8)].provisional


def test_a_provisional_file_stays_provisional():
    content = json.dumps(
        {
            "format": "motcua-calendar/1",
            "status": "provisional",
            "days": [
                {"date": "2031-02-03", "kind": "holiday", "name": "Tết", "legal_basis": "dự kiến"}
            ],
        }
    ).encode()
    calendar_import(calendar_file=calendar_file_parse(content, filename="x.json"))
    assert (
        CalendarDay.objects.get(date=dt.date(2031, 2, 3)).status == CalendarDay.Status.PROVISIONAL
    )


def test_duplicates_name_the_file_line():
    content = (
        b"date,kind,name,legal_basis\n"
        b"2027-01-01,holiday,a,b\n"
        b"2027-01-02,holiday,a,b\n"
        b"2027-01-01,holiday,a,b\n"
    )
    with pytest.raises(ImportRejected) as caught:
        calendar_file_parse(content, filename="x.csv")
    assert caught.value.problem_lines() == ["dòng 4, trường date: ngày 01/01/2027 đã có ở dòng 2"]


@pytest.mark.parametrize("years", [[0], [1989], [2101]])
def test_years_out_of_range_are_refused(years):
    with pytest.raises(InvalidInput, match="không hợp lệ"):
        calendar_sync_package(years=years)
    with pytest.raises(InvalidInput):
        calendar_year_confirm(year=years[0], actor=None, source="x")


def test_working_hours_are_inherited_from_the_nearest_ancestor(province, commune):
    assert str(working_hours_for(unit=commune).windows[0]) == "08:00-12:00"
    province.working_hours = "07:30-11:30,13:30-17:00"
    province.same_day_cutoff = dt.time(16, 0)
    province.save()
    hours = working_hours_for(unit=commune)
    assert str(hours.windows[1]) == "13:30-17:00"
    assert hours.same_day_cutoff == dt.time(16, 0)
    commune.working_hours = "07:00-11:00"
    commune.save()
    assert str(working_hours_for(unit=commune).windows[0]) == "07:00-11:00"


def test_a_cached_schedule_follows_every_unit_edit(province, commune, other_commune):
    first = schedule_for(unit=commune)
    assert schedule_for(unit=commune) is first  # read once per process, not per intake
    province.working_hours = "07:00-11:00,13:00-16:30"
    province.save(update_fields=["working_hours"])  # a partial save moves the version too
    edited = schedule_for(unit=commune)
    assert str(edited.hours.windows[1]) == "13:00-16:30"
    assert schedule_for(unit=other_commune).hours == edited.hours
    commune.working_hours = "08:00-12:00"
    unit_update(unit=commune, parent_changed=False)
    assert str(schedule_for(unit=commune).hours.windows[0]) == "08:00-12:00"
    assert str(schedule_for(unit=other_commune).hours.windows[0]) == "07:00-11:00"


def test_a_moved_unit_takes_its_new_ancestors_calendar(province, commune):
    other_province = unit_create(
        name="Ủy ban nhân dân tỉnh Khác",
        level=Unit.Level.PROVINCE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        area_code="98",
    )
    content = b"date,kind,name,legal_basis\n2026-03-05,day_off,nghi do bao,QD 1/QD-UBND\n"
    calendar_import(
        calendar_file=calendar_file_parse(content, filename="x.csv"), province=other_province
    )
    assert schedule_for(unit=commune).is_working_day(dt.date(2026, 3, 5))
    unit_move(unit=commune, new_parent=other_province)
    assert not schedule_for(unit=commune).is_working_day(dt.date(2026, 3, 5))
