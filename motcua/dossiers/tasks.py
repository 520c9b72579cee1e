"""Background work on dossiers."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from motcua.calendars.models import CalendarChange
from motcua.dossiers.recompute import recompute_after_change, recompute_slices


@task()
def recompute_due_dates(change_id: int) -> int:
    """After a calendar change, recompute the due dates of the open dossiers it may move, each with
    a ``due_recomputed`` event saying why (in bulk: dossiers.recompute). With workers, the dossiers
    are split into ``MOTCUA_RECOMPUTE_SLICES`` key ranges, one ``recompute_due_slice`` task each,
    and this returns 0; run in place, it returns how many moved."""
    change = CalendarChange.objects.select_related("province").get(pk=change_id)
    parts = settings.MOTCUA_RECOMPUTE_SLICES
    # The immediate backend runs tasks in place, where nothing is gained by splitting.
    if parts > 1 and recompute_due_slice.get_backend().supports_defer:
        slices = recompute_slices(change, parts)
        if slices:
            CalendarChange.objects.filter(pk=change.pk).update(slices_pending=len(slices))
            for first, last in slices:
                recompute_due_slice.enqueue(change.pk, first, last)
            return 0
    report = recompute_after_change(change)
    CalendarChange.objects.filter(pk=change.pk).update(recomputed_at=timezone.now())
    return report.moved


@task()
def recompute_due_slice(change_id: int, first: int, last: int) -> int:
    """One key range of a calendar change's recomputation; the last range to finish marks the
    change recomputed. Returns how many moved."""
    change = CalendarChange.objects.select_related("province").get(pk=change_id)
    report = recompute_after_change(change, keys=(first, last))
    changes = CalendarChange.objects.filter(pk=change.pk)
    changes.filter(slices_pending__gt=0).update(slices_pending=F("slices_pending") - 1)
    changes.filter(slices_pending=0, recomputed_at__isnull=True).update(
        recomputed_at=timezone.now()
    )
    return report.moved
