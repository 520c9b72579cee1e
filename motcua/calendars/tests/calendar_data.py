"""The shipped official calendar as a pure value, for tests that need no database."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

from motcua.calendars.workdays import (
    VIETNAM,
    CalendarEntry,
    DayKind,
    Schedule,
    WorkCalendar,
    WorkingHours,
)

DATA = Path(__file__).resolve().parents[1] / "data"


@cache
def official_calendar() -> WorkCalendar:
    """Every official day that ships with motcua (each data file is loaded by a migration)."""
    entries: list[CalendarEntry] = []
    years: list[int] = []
    for path in sorted(DATA.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        years.extend(document.get("years", []))
        entries.extend(
            CalendarEntry(
                dt.date.fromisoformat(d["date"]), DayKind(d["kind"]), d["name"], d["legal_basis"]
            )
            for d in document["days"]
        )
    return WorkCalendar.from_entries(entries, covered_years=years)


def handbook_schedule(hours: str = "08:00-12:00,13:00-17:00") -> Schedule:
    """The assumptions of the handbook's worked examples (§14): 08:00–12:00, 13:00–17:00."""
    return Schedule(calendar=official_calendar(), hours=WorkingHours.parse(hours))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)
