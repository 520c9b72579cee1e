"""Background work on dossiers."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from motcua.calendars.models import CalendarChange
from motcua.dossiers.recompute import recompute_after_change


@task()
def recompute_due_dates(change_id: int) -> int:
    """After a calendar change, recompute the due dates of the open dossiers it may move, each with
    a ``due_recomputed`` event saying why (in bulk: dossiers.recompute). Returns how many moved."""
    change = CalendarChange.objects.select_related("province").get(pk=change_id)
    report = recompute_after_change(change)
    CalendarChange.objects.filter(pk=change.pk).update(recomputed_at=timezone.now())
    return report.moved
