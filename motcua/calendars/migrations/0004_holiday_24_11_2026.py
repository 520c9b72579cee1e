"""24/11/2026, Ngày Văn hóa Việt Nam, a paid day off (Nghị quyết 28/2026/QH16 Điều 2, in force
01/07/2026; CV 10065/VPCP-KGVX: one day, no swap).

The same act as an administrator's confirmation (calendars.services.calendar_day_confirm): the
pending row that the holidays package announced becomes official with its legal basis (or the row
is created where no package sync ever ran), and a CalendarChange records the date whose counting
changed. Its ``recomputed_at`` stays empty: after ``migrate``, the calendars app sends the change
to the dossiers app, which recomputes every open dossier whose clock crossed the date, each with a
``due_recomputed`` event (calendars.apps.recompute_pending). Historical models only: this module
must keep working whatever the models become.
"""

import datetime as dt
import json
import uuid
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "nq-28-2026.json"
APPLIED = ("official", "provisional")


def confirm(apps, schema_editor):
    CalendarDay = apps.get_model("calendars", "CalendarDay")
    CalendarChange = apps.get_model("calendars", "CalendarChange")
    DataVersion = apps.get_model("core", "DataVersion")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["days"]:
        day = dt.date.fromisoformat(row["date"])
        stored = CalendarDay.objects.filter(date=day, province__isnull=True).first()
        counted_before = stored is not None and stored.status in APPLIED and stored.kind == row["kind"]
        if stored is not None and stored.status == "official" and counted_before:
            continue  # an administrator confirmed it already
        values = {
            "kind": row["kind"],
            "name": row["name"],
            "legal_basis": row["legal_basis"],
            "status": "official",
            "source": "shipped",
            "note": row.get("note", ""),
        }
        if stored is None:
            CalendarDay.objects.create(date=day, province=None, **values)
        else:
            CalendarDay.objects.filter(pk=stored.pk).update(**values)
        CalendarChange.objects.create(
            action="confirm",
            summary=f"Xác nhận {day:%d/%m/%Y} {row['name']} — {row['legal_basis']}",
            changed_dates=[] if counted_before else [day.isoformat()],
            recomputed_at=None,
        )
    # A day in lieu that an earlier package sync derived for a weekend 24/11 (2029, 2030…) is
    # not law (decision 8: whether BLLĐ Điều 111 khoản 3 reaches it is open): it waits for an
    # administrator, as on a new installation. It was provisional: the clock applied it.
    demoted = CalendarDay.objects.filter(
        province__isnull=True,
        source="package",
        status="provisional",
        kind="compensatory",
        name__icontains="Văn hóa",
    )
    dates = [day.isoformat() for day in demoted.values_list("date", flat=True)]
    if dates:
        demoted.update(
            status="announced",
            note="Gói holidays suy ra ngày nghỉ bù cho Ngày Văn hóa Việt Nam trùng ngày nghỉ hằng "
            "tuần; chưa có văn bản quy định (Bộ luật Lao động 2019 Điều 111 khoản 3 chỉ áp dụng "
            "cho ngày lễ của Điều 112): chờ xác nhận.",
        )
        CalendarChange.objects.create(
            action="demote",
            summary="Ngày nghỉ bù suy đoán cho 24/11 chuyển sang chờ xác nhận",
            changed_dates=sorted(dates),
            recomputed_at=None,
        )
    # What CalendarChange.save() does: a new calendar version, so every process reloads.
    DataVersion.objects.update_or_create(name="calendar", defaults={"value": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0003_calendarchange_recomputed_at"),
        ("core", "0001_data_version"),
    ]

    # Going back leaves the day official: it is the law whichever code runs.
    operations = [migrations.RunPython(confirm, migrations.RunPython.noop)]
