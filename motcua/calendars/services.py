"""Writes to calendar data. Every change is one act that records which dates now count differently.

The record (``CalendarChange``) is what lets open dossiers' due dates be recomputed and their
officers told (domain README, decision 8): the dossier app reads the changed dates. Its latest row
also versions the in-process calendar cache, so every write that alters a day records one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.calendars.models import CalendarChange, CalendarDay, CalendarYear
from motcua.calendars.signals import calendar_changed
from motcua.calendars.workdays import FIRST_YEAR, LAST_YEAR, DayKind
from motcua.core.errors import Conflict, ImportRejected, InvalidInput
from motcua.units.models import Unit
from motcua.units.selectors import unit_find

FORMAT = "motcua-calendar/1"
_KIND_ALIASES = {
    "holiday": DayKind.HOLIDAY,
    "nghi_le": DayKind.HOLIDAY,
    "compensatory": DayKind.COMPENSATORY,
    "nghi_bu": DayKind.COMPENSATORY,
    "swap_off": DayKind.SWAP_OFF,
    "hoan_doi": DayKind.SWAP_OFF,
    "day_off": DayKind.DAY_OFF,
    "nghi_khac": DayKind.DAY_OFF,
    "makeup_workday": DayKind.MAKEUP_WORKDAY,
    "lam_bu": DayKind.MAKEUP_WORKDAY,
}
REJECTED = "Tệp lịch không được nhập vì có lỗi; chưa có thay đổi nào được lưu."

# How each date counts: (kind, name, status) of its applied row.
Snapshot = dict[dt.date, tuple[str, str, str]]


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    kind: DayKind
    name: str
    legal_basis: str
    note: str = ""
    row: int = field(default=0, compare=False)  # where it stood in the file


@dataclass
class CalendarFile:
    """A parsed calendar file: its rows, its status, the years it is the whole schedule of."""

    rows: list[DayRow]
    status: str = CalendarDay.Status.OFFICIAL
    official_years: list[int] = field(default_factory=list)
    province_code: str = ""


def check_years(years: Iterable[int]) -> list[int]:
    years = list(years)
    bad = [year for year in years if not FIRST_YEAR <= year <= LAST_YEAR]
    if bad:
        raise InvalidInput(
            f"Năm {', '.join(map(str, bad))} không hợp lệ: chọn trong {FIRST_YEAR}–{LAST_YEAR}.",
            code="invalid_year",
        )
    return years


def check_province(unit: Unit | None) -> None:
    """Local calendar days belong to a province (its People's Committee), never to a commune."""
    if unit is not None and not (
        unit.level == Unit.Level.PROVINCE and unit.kind == Unit.Kind.PEOPLES_COMMITTEE
    ):
        raise InvalidInput(
            f"{unit} không phải là Ủy ban nhân dân cấp tỉnh: lịch riêng chỉ gắn với một tỉnh.",
            code="not_a_province",
        )


def _snapshot(province: Unit | None, dates: Iterable[dt.date]) -> Snapshot:
    rows = CalendarDay.objects.filter(
        date__in=list(dates), province=province, status__in=CalendarDay.APPLIED
    )
    return {row.date: (row.kind, row.name, row.status) for row in rows}


def _record_change(
    *,
    action: str,
    summary: str,
    province: Unit | None,
    actor: User | None,
    before: Snapshot,
    after: Snapshot,
) -> CalendarChange | None:
    """Record the dates whose counting changed, if any did."""
    if before == after:
        return None
    return _record_act(
        action=action, summary=summary, province=province, actor=actor, before=before, after=after
    )


def _record_act(
    *,
    action: str,
    summary: str,
    province: Unit | None,
    actor: User | None,
    before: Snapshot,
    after: Snapshot,
) -> CalendarChange:
    """Record an administrator's act, with the dates it changed (possibly none)."""
    changed = sorted(d for d in set(before) | set(after) if before.get(d) != after.get(d))
    change = CalendarChange.objects.create(
        action=action,
        summary=summary,
        province=province,
        actor=actor,
        changed_dates=[d.isoformat() for d in changed],
        # Nothing to recompute when no date counts differently.
        recomputed_at=None if changed else timezone.now(),
    )
    if changed:
        # Open dossiers whose due dates may move are recomputed once the change is committed.
        transaction.on_commit(lambda: calendar_changed.send(sender=CalendarChange, change=change))
    return change


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _problem(row: int, field_name: str, message: str) -> dict[str, Any]:
    return {"row": row, "field": field_name, "message": message}


def _parse_row(raw: dict[str, Any], row: int, problems: list[dict[str, Any]]) -> DayRow | None:
    found = len(problems)
    text = {
        key: str(raw.get(key) or "").strip()
        for key in ("date", "kind", "name", "legal_basis", "note")
    }
    day: dt.date | None = None
    for parse in (dt.date.fromisoformat, lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date()):  # noqa: DTZ007
        try:
            day = parse(text["date"])
            break
        except ValueError:
            continue
    if day is None:
        problems.append(
            _problem(
                row, "date", f"ngày {text['date']!r} không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)"
            )
        )
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(_problem(row, "date", f"năm phải trong {FIRST_YEAR}–{LAST_YEAR}"))
        day = None
    kind = _KIND_ALIASES.get(text["kind"].lower())
    if kind is None:
        problems.append(
            _problem(
                row,
                "kind",
                f"loại {text['kind']!r} không hợp lệ; chọn: holiday, compensatory, swap_off, "
                "day_off, makeup_workday",
            )
        )
    if not text["name"]:
        problems.append(_problem(row, "name", "bắt buộc, không được để trống"))
    if not text["legal_basis"]:
        problems.append(
            _problem(
                row, "legal_basis", "cần căn cứ pháp lý (số hiệu văn bản quyết định ngày nghỉ)"
            )
        )
    if day is not None and kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        problems.append(
            _problem(row, "kind", f"{day:%d/%m/%Y} là ngày trong tuần, không thể là ngày làm bù")
        )
    if len(problems) > found or day is None or kind is None:
        return None
    return DayRow(day, kind, text["name"][:255], text["legal_basis"][:500], text["note"], row)


def _parse_json(text: str, problems: list[dict[str, Any]]) -> CalendarFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"Tệp JSON không đọc được: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}.", problems=[]
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRejected(f'Tệp JSON phải có "format": "{FORMAT}".', problems=[])
    days = document.get("days")
    if not isinstance(days, list):
        raise ImportRejected('Tệp JSON phải có danh sách "days".', problems=[])
    status = document.get("status", CalendarDay.Status.OFFICIAL)
    if status not in (CalendarDay.Status.OFFICIAL, CalendarDay.Status.PROVISIONAL):
        raise ImportRejected('"status" phải là "official" hoặc "provisional".', problems=[])
    years: Any = document.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        problems.append({"field": "years", "message": "phải là danh sách năm (số nguyên)"})
        years = []
    elif any(not FIRST_YEAR <= year <= LAST_YEAR for year in years):
        problems.append({"field": "years", "message": f"năm phải trong {FIRST_YEAR}–{LAST_YEAR}"})
        years = []
    rows = []
    for index, raw in enumerate(days, start=1):
        if not isinstance(raw, dict):
            problems.append(_problem(index, "", "mỗi ngày phải là một đối tượng"))
            continue
        if (parsed := _parse_row(raw, index, problems)) is not None:
            rows.append(parsed)
    return CalendarFile(
        rows=rows,
        status=status,
        official_years=years if status == CalendarDay.Status.OFFICIAL else [],
        province_code=str(document.get("province") or ""),
    )


def _parse_csv(text: str, problems: list[dict[str, Any]]) -> CalendarFile:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"date", "kind", "name", "legal_basis"} - set(reader.fieldnames or [])
    if missing:
        raise ImportRejected(
            "Tệp CSV thiếu cột: "
            + ", ".join(sorted(missing))
            + " (cần: date,kind,name,legal_basis[,note]).",
            problems=[],
        )
    rows = []
    for raw in reader:
        # The file line, so that a problem points at what the administrator sees in an editor.
        if (parsed := _parse_row(raw, reader.line_num, problems)) is not None:
            rows.append(parsed)
    return CalendarFile(rows=rows)


def calendar_file_parse(content: bytes, *, filename: str) -> CalendarFile:
    """Parse a calendar file (JSON ``motcua-calendar/1`` or CSV); every problem names its row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected("Tệp phải được mã hóa UTF-8.", problems=[]) from exc
    problems: list[dict[str, Any]] = []
    if filename.lower().endswith(".json"):
        parsed = _parse_json(text, problems)
    elif filename.lower().endswith(".csv"):
        parsed = _parse_csv(text, problems)
    else:
        raise ImportRejected("Chỉ nhận tệp .json hoặc .csv.", problems=[])
    first_row: dict[dt.date, int] = {}
    for row in parsed.rows:
        if row.date in first_row:
            problems.append(
                _problem(
                    row.row,
                    "date",
                    f"ngày {row.date:%d/%m/%Y} đã có ở dòng {first_row[row.date]}",
                )
            )
        first_row.setdefault(row.date, row.row)
    outside = sorted({row.date.year for row in parsed.rows} - set(parsed.official_years))
    if parsed.official_years and outside:
        problems.append(
            {
                "field": "years",
                "message": 'tệp có ngày thuộc năm không khai báo trong "years": '
                + ", ".join(map(str, outside)),
            }
        )
    if problems:
        raise ImportRejected(REJECTED, problems=problems)
    return parsed


@transaction.atomic
def calendar_import(
    *,
    calendar_file: CalendarFile,
    province: Unit | None = None,
    actor: User | None = None,
    source_label: str = "",
) -> CalendarChange | None:
    """Apply a parsed file.

    For a national official file that declares ``years``, the file is the complete official
    schedule of those years: it replaces their provisional and official rows (announced rows the
    file leaves out stay announced) and marks the years official. Otherwise rows are added or
    replaced one by one, with the file's status (official or provisional).
    """
    check_province(province)
    if province is not None and calendar_file.official_years:
        raise InvalidInput('Lịch riêng của tỉnh chỉ bổ sung từng ngày; không khai báo "years".')
    dates = {row.date for row in calendar_file.rows}
    replaced = CalendarDay.objects.none()
    if province is None and calendar_file.official_years:
        replaced = CalendarDay.objects.filter(
            province__isnull=True,
            date__year__in=calendar_file.official_years,
            status__in=CalendarDay.APPLIED,
        )
        dates |= set(replaced.values_list("date", flat=True))
    before = _snapshot(province, dates)
    replaced.exclude(date__in=[row.date for row in calendar_file.rows]).delete()
    for row in calendar_file.rows:
        CalendarDay.objects.update_or_create(
            date=row.date,
            province=province,
            defaults={
                "kind": row.kind.value,
                "name": row.name,
                "legal_basis": row.legal_basis,
                "note": row.note,
                "status": calendar_file.status,
                "source": CalendarDay.Source.IMPORT,
            },
        )
    for year in calendar_file.official_years:
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "status": CalendarYear.Status.OFFICIAL,
                "source": source_label or "Nhập từ tệp",
                "confirmed_at": timezone.now(),
                "confirmed_by": actor,
            },
        )
    scope = f" của {province}" if province else ""
    record = _record_act if calendar_file.official_years else _record_change
    return record(
        action="import",
        summary=f"Nhập lịch{scope} từ {source_label or 'tệp'}: {len(calendar_file.rows)} ngày",
        province=province,
        actor=actor,
        before=before,
        after=_snapshot(province, dates),
    )


def calendar_import_file(
    *, content: bytes, filename: str, province: Unit | None = None, actor: User | None = None
) -> tuple[CalendarFile, CalendarChange | None]:
    """Parse and apply a file; a province named in the file applies when none is chosen."""
    parsed = calendar_file_parse(content, filename=filename)
    if province is None and parsed.province_code:
        province = unit_find(code=parsed.province_code)
    return parsed, calendar_import(
        calendar_file=parsed, province=province, actor=actor, source_label=filename
    )


# ---------------------------------------------------------------------------------------------
# The holidays package as fallback (domain README, decision 8)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualDay:
    """A day off every year by a law the ``holidays`` package may not know (or know differently)."""

    month: int
    day: int
    since: int
    name: str
    legal_basis: str
    # Whether the weekly-rest make-up day (BLLĐ 2019 Điều 111 khoản 3) reaches it is settled by a
    # text, never guessed: a package's compensatory day for it waits for an administrator.
    compensatory_settled: bool = False


ANNUAL_DAYS = (
    # Nghị quyết 28/2026/QH16 Điều 2 (in force 01/07/2026): it does not amend BLLĐ Điều 112, so
    # whether Điều 111 khoản 3 gives a day in lieu when 24/11 falls on a weekend (first: 2029) is
    # open (domain README, decision 8).
    AnnualDay(11, 24, 2026, "Ngày Văn hóa Việt Nam", "Nghị quyết 28/2026/QH16 Điều 2"),
)


def _package_days(year: int) -> list[DayRow]:
    import holidays

    basis = f"Gói holidays {holidays.__version__} (lịch Việt Nam dự kiến)"
    calendar = holidays.country_holidays("VN", years=year, language="vi")
    rows = []
    for day, name in sorted(calendar.items()):
        if "nghỉ bù" in name:
            kind = DayKind.COMPENSATORY
        elif name.startswith("Ngày nghỉ"):
            kind = DayKind.SWAP_OFF
        else:
            kind = DayKind.HOLIDAY
        rows.append(DayRow(day, kind, name, basis))
    for day in sorted(calendar.weekend_workdays):
        if day.year == year:
            rows.append(DayRow(day, DayKind.MAKEUP_WORKDAY, "Ngày làm bù", basis))
    return rows


def provisional_days(year: int) -> tuple[list[DayRow], list[DayRow]]:
    """The days that build a year without an official schedule: (applied, pending).

    The ``holidays`` package's days, with the annual days of our own law table whatever the
    package's version says; a compensatory day the package derives for such a day is pending (an
    administrator confirms it once a text settles it), never applied.
    """
    rows = {row.date: row for row in _package_days(year)}
    pending = []
    for annual in ANNUAL_DAYS:
        if year < annual.since:
            continue
        day = dt.date(year, annual.month, annual.day)
        rows[day] = DayRow(
            day,
            DayKind.HOLIDAY,
            annual.name,
            annual.legal_basis,
            note=f"Ngày nghỉ hằng năm từ {annual.since} theo {annual.legal_basis}; chưa có trong "
            "lịch chính thức của năm: chờ xác nhận.",
        )
        if annual.compensatory_settled or day.weekday() < 5:
            continue
        for row in list(rows.values()):
            if (
                row.kind == DayKind.COMPENSATORY
                and annual.name in row.name
                and 0 < (row.date - day).days <= 3
            ):
                del rows[row.date]
                pending.append(
                    DayRow(
                        row.date,
                        row.kind,
                        row.name,
                        row.legal_basis,
                        note=f"Gói holidays suy ra ngày nghỉ bù cho {annual.name} trùng ngày nghỉ "
                        "hằng tuần; chưa có văn bản quy định (Bộ luật Lao động 2019 Điều 111 "
                        "khoản 3 chỉ áp dụng cho ngày lễ của Điều 112): chờ xác nhận.",
                    )
                )
    return sorted(rows.values(), key=lambda row: row.date), pending


@dataclass
class SyncReport:
    provisional_years: list[int] = field(default_factory=list)
    announced: list[dt.date] = field(default_factory=list)
    kept: list[dt.date] = field(default_factory=list)  # days an administrator set: left alone
    changes: list[CalendarChange] = field(default_factory=list)


def _announce(rows: Sequence[DayRow], report: SyncReport) -> None:
    """In an official year, list the package's extra working-day changes as pending."""
    existing = set(
        CalendarDay.objects.filter(
            province__isnull=True, date__in=[r.date for r in rows]
        ).values_list("date", flat=True)
    )
    for row in rows:
        # Only a day that would change how the clock counts is worth an administrator's
        # attention: a holiday on a weekend changes nothing.
        off_on_weekend = row.kind != DayKind.MAKEUP_WORKDAY and row.date.weekday() >= 5
        if row.date in existing or off_on_weekend:
            continue
        CalendarDay.objects.create(
            date=row.date,
            province=None,
            kind=row.kind.value,
            name=row.name,
            legal_basis=row.legal_basis,
            status=CalendarDay.Status.ANNOUNCED,
            source=CalendarDay.Source.PACKAGE,
            note=row.note
            or "Chỉ có trong gói holidays, chưa có trong lịch chính thức: chờ xác nhận.",
        )
        report.announced.append(row.date)


def _fill_provisional(
    year: int, rows: Sequence[DayRow], report: SyncReport, actor: User | None
) -> None:
    """Make the package's days the provisional calendar of ``year``, never touching rows that an
    administrator or a file put there."""
    national = CalendarDay.objects.filter(province__isnull=True, date__year=year)
    ours = national.filter(source=CalendarDay.Source.PACKAGE, status=CalendarDay.Status.PROVISIONAL)
    theirs = set(national.exclude(pk__in=ours).values_list("date", flat=True))
    dates = set(ours.values_list("date", flat=True)) | {row.date for row in rows}
    before = _snapshot(None, dates)
    ours.exclude(date__in=[row.date for row in rows]).delete()
    for row in rows:
        if row.date in theirs:
            report.kept.append(row.date)
            continue
        CalendarDay.objects.update_or_create(
            date=row.date,
            province=None,
            defaults={
                "kind": row.kind.value,
                "name": row.name,
                "legal_basis": row.legal_basis,
                "status": CalendarDay.Status.PROVISIONAL,
                "source": CalendarDay.Source.PACKAGE,
            },
        )
    CalendarYear.objects.get_or_create(
        year=year,
        defaults={
            "status": CalendarYear.Status.PROVISIONAL,
            "source": rows[0].legal_basis if rows else "Gói holidays",
        },
    )
    report.provisional_years.append(year)
    change = _record_change(
        action="sync_package",
        summary=f"Lịch tạm tính năm {year} từ gói holidays",
        province=None,
        actor=actor,
        before=before,
        after=_snapshot(None, dates),
    )
    if change:
        report.changes.append(change)


@transaction.atomic
def calendar_sync_package(*, years: Sequence[int], actor: User | None = None) -> SyncReport:
    """Fill years without an official schedule from the ``holidays`` package (provisional, applied),
    and list the package's extra days in official years as announced, pending confirmation."""
    report = SyncReport()
    official = set(
        CalendarYear.objects.filter(status=CalendarYear.Status.OFFICIAL).values_list(
            "year", flat=True
        )
    )
    for year in check_years(years):
        rows, pending = provisional_days(year)
        if year in official:
            _announce([*rows, *pending], report)
        else:
            _fill_provisional(year, rows, report, actor)
            _announce(pending, report)
    return report


# ---------------------------------------------------------------------------------------------
# One day at a time (the admin)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def calendar_day_confirm(*, day: CalendarDay, actor: User | None) -> CalendarChange:
    """Make an announced or provisional day official: from now on the clock applies it."""
    if day.status == CalendarDay.Status.OFFICIAL:
        raise Conflict(f"Ngày {day.date:%d/%m/%Y} đã là ngày chính thức.", code="already_official")
    before = _snapshot(day.province, [day.date])
    day.status = CalendarDay.Status.OFFICIAL
    day.save(update_fields=["status"])
    return _record_act(
        action="confirm",
        summary=f"Xác nhận {day.date:%d/%m/%Y} {day.name}",
        province=day.province,
        actor=actor,
        before=before,
        after=_snapshot(day.province, [day.date]),
    )


@transaction.atomic
def calendar_year_confirm(*, year: int, actor: User | None, source: str) -> CalendarChange:
    """Confirm a provisional year as official (its days become official as they stand)."""
    check_years([year])
    if not source.strip():
        raise InvalidInput("Cần ghi văn bản quyết định lịch nghỉ của năm.")
    record, _ = CalendarYear.objects.get_or_create(
        year=year, defaults={"status": CalendarYear.Status.PROVISIONAL, "source": source}
    )
    if record.status == CalendarYear.Status.OFFICIAL:
        raise Conflict(f"Năm {year} đã có lịch chính thức.", code="already_official")
    provisional = CalendarDay.objects.filter(
        province__isnull=True, date__year=year, status=CalendarDay.Status.PROVISIONAL
    )
    dates = list(provisional.values_list("date", flat=True))
    before = _snapshot(None, dates)
    provisional.update(status=CalendarDay.Status.OFFICIAL)
    record.status = CalendarYear.Status.OFFICIAL
    record.source = source
    record.confirmed_at = timezone.now()
    record.confirmed_by = actor
    record.save()
    return _record_act(
        action="confirm_year",
        summary=f"Xác nhận lịch năm {year}: {source}",
        province=None,
        actor=actor,
        before=before,
        after=_snapshot(None, dates),
    )


@transaction.atomic
def calendar_day_save(*, day: CalendarDay, actor: User | None) -> list[CalendarChange]:
    """Store an added or edited day and record what it changed, where it was and where it is."""
    check_province(day.province)
    if day.kind == DayKind.MAKEUP_WORKDAY and day.date.weekday() < 5:
        raise InvalidInput(f"{day.date:%d/%m/%Y} là ngày trong tuần, không thể là ngày làm bù.")
    stored = CalendarDay.objects.filter(pk=day.pk).select_related("province").first()
    places = {(day.province, day.date)}
    if stored is not None:
        places.add((stored.province, stored.date))
    provinces = {province for province, _ in places}
    dates = {date for _, date in places}
    before = {province: _snapshot(province, dates) for province in provinces}
    day.source = day.source or CalendarDay.Source.ADMIN
    day.save()
    summary = f"Cập nhật {day.date:%d/%m/%Y} {day.name}"
    changes = [
        (_record_act if province == day.province else _record_change)(
            action="edit",
            summary=summary,
            province=province,
            actor=actor,
            before=before[province],
            after=_snapshot(province, dates),
        )
        for province in provinces
    ]
    return [change for change in changes if change is not None]


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, actor: User | None) -> CalendarChange:
    before = _snapshot(day.province, [day.date])
    summary = f"Xóa {day.date:%d/%m/%Y} {day.name}"
    province = day.province
    day.delete()
    return _record_act(
        action="delete",
        summary=summary,
        province=province,
        actor=actor,
        before=before,
        after=_snapshot(province, [day.date]),
    )
