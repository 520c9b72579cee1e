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

DATA = Path(__file__).resolve().parents[1] / "data" / "official-2024-2026.json"


@cache
def official_calendar() -> WorkCalendar:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return WorkCalendar.from_entries(
        (
            CalendarEntry(
                dt.date.fromisoformat(d["date"]), DayKind(d["kind"]), d["name"], d["legal_basis"]
            )
            for d in document["days"]
        ),
        covered_years=document["years"],
    )


def handbook_schedule(hours: str = "08:00-12:00,13:00-17:00") -> Schedule:
    """The assumptions of the handbook's worked examples (§14): 08:00–12:00, 13:00–17:00."""
    return Schedule(calendar=official_calendar(), hours=WorkingHours.parse(hours))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)
