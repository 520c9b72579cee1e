"""Load the official 2024–2026 schedules for civil servants that ship with motcua (handbook §10.2)."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "official-2024-2026.json"


def load(apps, schema_editor):
    CalendarDay = apps.get_model("calendars", "CalendarDay")
    CalendarYear = apps.get_model("calendars", "CalendarYear")
    CalendarChange = apps.get_model("calendars", "CalendarChange")
    document = json.loads(DATA.read_text(encoding="utf-8"))
    for year in document["years"]:
        CalendarYear.objects.update_or_create(
            year=year, defaults={"status": "official", "source": "Lịch chính thức kèm phần mềm (handbook §10.2)"}
        )
    dates = []
    for day in document["days"]:
        note = day.get("note", "")
        if day.get("verified") == "U" and not note:
            note = "chưa đối chiếu văn bản"
        CalendarDay.objects.update_or_create(
            date=dt.date.fromisoformat(day["date"]),
            province=None,
            defaults={
                "kind": day["kind"],
                "name": day["name"],
                "legal_basis": day["legal_basis"],
                "status": "official",
                "source": "shipped",
                "note": note,
            },
        )
        dates.append(day["date"])
    CalendarChange.objects.create(
        action="load_shipped",
        summary="Nạp lịch nghỉ chính thức 2024–2026 kèm phần mềm",
        changed_dates=sorted(dates),
    )


def unload(apps, schema_editor):
    apps.get_model("calendars", "CalendarDay").objects.filter(source="shipped").delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
