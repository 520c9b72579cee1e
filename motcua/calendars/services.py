"""Writes to calendar data. Every change is one act that records which dates now count differently.

The record (``CalendarChange``) is what lets open dossiers' due dates be recomputed and their
officers told (domain README, decision 8): the dossier app reads the changed dates.
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
from motcua.calendars.workdays import DayKind
from motcua.core.errors import Conflict, ImportRejected, InvalidInput
from motcua.units.models import Unit

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


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    kind: DayKind
    name: str
    legal_basis: str
    note: str = ""


@dataclass
class CalendarFile:
    """A parsed calendar file: its rows, and the years it is the complete official schedule of."""

    rows: list[DayRow]
    official_years: list[int] = field(default_factory=list)
    province_code: str = ""


def _applied_snapshot(
    province: Unit | None, dates: Iterable[dt.date]
) -> dict[dt.date, tuple[str, str]]:
    """How each date counts now: (kind, status) of the applied row, or absent."""
    rows = CalendarDay.objects.filter(
        date__in=list(dates), province=province, status__in=CalendarDay.APPLIED
    )
    return {row.date: (row.kind, row.name) for row in rows}


def _record_change(
    *,
    action: str,
    summary: str,
    province: Unit | None,
    actor: User | None,
    before: dict[dt.date, tuple[str, str]],
    after: dict[dt.date, tuple[str, str]],
) -> CalendarChange | None:
    changed = sorted(d for d in set(before) | set(after) if before.get(d) != after.get(d))
    if not changed:
        return None
    return CalendarChange.objects.create(
        action=action,
        summary=summary,
        province=province,
        actor=actor,
        changed_dates=[d.isoformat() for d in changed],
    )


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _parse_row(
    raw: dict[str, Any], where: dict[str, Any], problems: list[dict[str, Any]]
) -> DayRow | None:
    start = len(problems)
    text = {
        key: str(raw.get(key) or "").strip()
        for key in ("date", "kind", "name", "legal_basis", "note")
    }
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(text["date"])
    except ValueError:
        try:
            day = dt.datetime.strptime(text["date"], "%d/%m/%Y").date()  # noqa: DTZ007 - a civil date
        except ValueError:
            problems.append(
                {
                    **where,
                    "field": "date",
                    "message": f"ngày {text['date']!r} không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)",
                }
            )
    kind = _KIND_ALIASES.get(text["kind"].lower())
    if kind is None:
        problems.append(
            {
                **where,
                "field": "kind",
                "message": (
                    f"loại {text['kind']!r} không hợp lệ; chọn: holiday, compensatory, swap_off, "
                    "day_off, "
                    "makeup_workday"
                ),
            }
        )
    if not text["name"]:
        problems.append({**where, "field": "name", "message": "bắt buộc, không được để trống"})
    if not text["legal_basis"]:
        problems.append(
            {
                **where,
                "field": "legal_basis",
                "message": "cần căn cứ pháp lý (số hiệu văn bản quyết định ngày nghỉ)",
            }
        )
    if day is not None and kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        problems.append(
            {
                **where,
                "field": "kind",
                "message": f"{day:%d/%m/%Y} là ngày trong tuần, không thể là ngày làm bù",
            }
        )
    if len(problems) > start or day is None or kind is None:
        return None
    return DayRow(day, kind, text["name"][:255], text["legal_basis"][:500], text["note"])


def calendar_file_parse(content: bytes, *, filename: str) -> CalendarFile:
    """Parse a calendar file (JSON ``motcua-calendar/1`` or CSV); every problem names its row."""
    problems: list[dict[str, Any]] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected("Tệp phải được mã hóa UTF-8.", problems=[]) from exc
    rows: list[DayRow] = []
    official_years: list[int] = []
    province_code = ""
    if filename.lower().endswith(".json"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRejected(
                f"Tệp JSON không đọc được: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}.",
                problems=[],
            ) from exc
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ImportRejected(f'Tệp JSON phải có "format": "{FORMAT}".', problems=[])
        days = document.get("days")
        if not isinstance(days, list):
            raise ImportRejected('Tệp JSON phải có danh sách "days".', problems=[])
        if document.get("status", "official") == "official":
            years = document.get("years", [])
            if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
                problems.append({"field": "years", "message": "phải là danh sách năm (số nguyên)"})
            else:
                official_years = years
        province_code = str(document.get("province") or "")
        for index, raw in enumerate(days, start=1):
            where = {"row": index}
            if not isinstance(raw, dict):
                problems.append({**where, "field": "", "message": "mỗi ngày phải là một đối tượng"})
                continue
            row = _parse_row(raw, where, problems)
            if row:
                rows.append(row)
    elif filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        missing = {"date", "kind", "name", "legal_basis"} - set(reader.fieldnames or [])
        if missing:
            raise ImportRejected(
                "Tệp CSV thiếu cột: "
                + ", ".join(sorted(missing))
                + " (cần: date,kind,name,legal_basis[,note]).",
                problems=[],
            )
        for index, raw in enumerate(reader, start=2):  # row 1 is the header
            row = _parse_row(raw, {"row": index}, problems)
            if row:
                rows.append(row)
    else:
        raise ImportRejected("Chỉ nhận tệp .json hoặc .csv.", problems=[])
    seen: dict[dt.date, int] = {}
    for index, row in enumerate(rows, start=1):
        if row.date in seen:
            problems.append(
                {
                    "row": index,
                    "field": "date",
                    "message": f"ngày {row.date:%d/%m/%Y} xuất hiện hai lần",
                }
            )
        seen[row.date] = index
    outside = (
        sorted({row.date.year for row in rows} - set(official_years)) if official_years else []
    )
    if outside:
        problems.append(
            {
                "field": "years",
                "message": (
                    'tệp có ngày thuộc năm không khai báo trong "years": '
                    + ", ".join(map(str, outside))
                ),
            }
        )
    if problems:
        raise ImportRejected(
            "Tệp lịch không được nhập vì có lỗi; chưa có thay đổi nào được lưu.", problems=problems
        )
    return CalendarFile(rows=rows, official_years=official_years, province_code=province_code)


@transaction.atomic
def calendar_import(
    *,
    calendar_file: CalendarFile,
    province: Unit | None = None,
    actor: User | None = None,
    source_label: str = "",
) -> CalendarChange | None:
    """Apply a parsed file.

    For a national file that declares ``years``, the file is the complete official schedule of those
    years: it replaces their provisional and official rows (announced rows the file leaves out stay
    announced) and marks the years official. Otherwise rows are added or replaced one by one.
    """
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
    before = _applied_snapshot(province, dates)
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
                "status": CalendarDay.Status.OFFICIAL,
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
    after = _applied_snapshot(province, dates)
    scope = f" của {province}" if province else ""
    return _record_change(
        action="import",
        summary=f"Nhập lịch{scope} từ {source_label or 'tệp'}: {len(calendar_file.rows)} ngày",
        province=province,
        actor=actor,
        before=before,
        after=after,
    )


# ---------------------------------------------------------------------------------------------
# The holidays package as fallback (domain README, decision 8)
# ---------------------------------------------------------------------------------------------


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


@dataclass
class SyncReport:
    provisional_years: list[int] = field(default_factory=list)
    announced: list[dt.date] = field(default_factory=list)
    change: CalendarChange | None = None


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
    touched: set[dt.date] = set()
    national = CalendarDay.objects.filter(province__isnull=True)
    for year in years:
        rows = _package_days(year)
        if year in official:
            existing = set(national.filter(date__year=year).values_list("date", flat=True))
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
                    note="Chỉ có trong gói holidays, chưa có trong lịch chính thức: chờ xác nhận.",
                )
                report.announced.append(row.date)
            continue
        stale = national.filter(
            date__year=year,
            status=CalendarDay.Status.PROVISIONAL,
            source=CalendarDay.Source.PACKAGE,
        )
        touched |= set(stale.values_list("date", flat=True)) | {row.date for row in rows}
        before = _applied_snapshot(None, touched)
        stale.delete()
        for row in rows:
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
        CalendarYear.objects.update_or_create(
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
            after=_applied_snapshot(None, touched),
        )
        report.change = change or report.change
    return report


# ---------------------------------------------------------------------------------------------
# One day at a time (the admin)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def calendar_day_confirm(*, day: CalendarDay, actor: User | None) -> CalendarChange | None:
    """Make an announced or provisional day official: from now on the clock applies it."""
    if day.status == CalendarDay.Status.OFFICIAL:
        raise Conflict(f"Ngày {day.date:%d/%m/%Y} đã là ngày chính thức.", code="already_official")
    before = _applied_snapshot(day.province, [day.date])
    day.status = CalendarDay.Status.OFFICIAL
    day.save(update_fields=["status"])
    return _record_change(
        action="confirm",
        summary=f"Xác nhận {day.date:%d/%m/%Y} {day.name}",
        province=day.province,
        actor=actor,
        before=before,
        after=_applied_snapshot(day.province, [day.date]),
    ) or CalendarChange.objects.create(
        action="confirm",
        summary=f"Xác nhận {day.date:%d/%m/%Y} {day.name}",
        province=day.province,
        actor=actor,
        changed_dates=[],
    )


@transaction.atomic
def calendar_year_confirm(*, year: int, actor: User | None, source: str) -> CalendarChange:
    """Confirm a provisional year as official (its days become official as they stand)."""
    if not source.strip():
        raise InvalidInput("Cần ghi văn bản quyết định lịch nghỉ của năm.")
    record, _ = CalendarYear.objects.get_or_create(
        year=year, defaults={"status": CalendarYear.Status.PROVISIONAL, "source": source}
    )
    if record.status == CalendarYear.Status.OFFICIAL:
        raise Conflict(f"Năm {year} đã có lịch chính thức.", code="already_official")
    CalendarDay.objects.filter(
        province__isnull=True, date__year=year, status=CalendarDay.Status.PROVISIONAL
    ).update(status=CalendarDay.Status.OFFICIAL)
    record.status = CalendarYear.Status.OFFICIAL
    record.source = source
    record.confirmed_at = timezone.now()
    record.confirmed_by = actor
    record.save()
    return CalendarChange.objects.create(
        action="confirm_year",
        summary=f"Xác nhận lịch năm {year}: {source}",
        actor=actor,
        changed_dates=[],
    )


@transaction.atomic
def calendar_day_save(
    *,
    day: CalendarDay,
    actor: User | None,
    previous_date: dt.date | None = None,
) -> CalendarChange | None:
    """Store an added or edited day (validated by the caller's form) and record what it changed."""
    if day.kind == DayKind.MAKEUP_WORKDAY and day.date.weekday() < 5:
        raise InvalidInput(f"{day.date:%d/%m/%Y} là ngày trong tuần, không thể là ngày làm bù.")
    dates = [day.date] + ([previous_date] if previous_date and previous_date != day.date else [])
    before = _applied_snapshot(day.province, dates)
    day.source = day.source or CalendarDay.Source.ADMIN
    day.save()
    return _record_change(
        action="edit",
        summary=f"Cập nhật {day.date:%d/%m/%Y} {day.name}",
        province=day.province,
        actor=actor,
        before=before,
        after=_applied_snapshot(day.province, dates),
    )


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, actor: User | None) -> CalendarChange | None:
    before = _applied_snapshot(day.province, [day.date])
    summary = f"Xóa {day.date:%d/%m/%Y} {day.name}"
    province = day.province
    day.delete()
    return _record_change(
        action="delete",
        summary=summary,
        province=province,
        actor=actor,
        before=before,
        after=_applied_snapshot(province, [day.date]),
    )
