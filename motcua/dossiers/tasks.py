"""Background work on dossiers."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from motcua.calendars.models import CalendarChange
from motcua.dossiers.selectors import open_dossiers_spanning
from motcua.dossiers.services import dossier_recompute_due


@task()
def recompute_due_dates(change_id: int) -> int:
    """After a calendar change, recompute the due dates of the open dossiers it may move, each with
    a ``due_recomputed`` event saying why. Returns how many moved."""
    change = CalendarChange.objects.select_related("province").get(pk=change_id)
    dates = [dt.date.fromisoformat(day) for day in change.changed_dates]
    moved = 0
    for dossier in open_dossiers_spanning(dates=dates, province=change.province).iterator():
        moved += dossier_recompute_due(
            dossier=dossier, reason=f"Lịch thay đổi: {change.summary} (thay đổi #{change.pk})"
        )
    return moved
