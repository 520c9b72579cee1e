from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# Years a fresh installation gets from the holidays package when it has no data for them at all
# (the official 2024–2026 schedules ship with the migrations). Later years: `calendar sync-package`.
PACKAGE_YEARS = range(2024, 2031)


class CalendarsConfig(AppConfig):
    name = "motcua.calendars"
    label = "calendars"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        post_migrate.connect(fill_missing_years, sender=self)


def fill_missing_years(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: recompute what calendar changes made by migrations moved, and give years
    without any calendar data the package's provisional days (decision 8), so that a fresh
    installation never counts the next Tết as working days."""
    from django.db import connections

    from motcua.calendars.models import CalendarChange, CalendarYear
    from motcua.calendars.services import calendar_sync_package

    connection = connections[using]
    if CalendarYear._meta.db_table not in connection.introspection.table_names():
        return  # migrated backwards
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, CalendarChange._meta.db_table
            )
        }
    if "recomputed_at" in columns:  # not when calendars was migrated back before 0003
        recompute_pending()
    present = set(CalendarYear.objects.using(using).values_list("year", flat=True))
    missing = [year for year in PACKAGE_YEARS if year not in present]
    if missing:
        calendar_sync_package(years=missing)


def recompute_pending() -> int:
    """Send again every calendar change whose dossiers were never recomputed: one recorded by a
    data migration (where no signal can be sent), or one whose task was lost. The dossiers app
    listens (calendars.signals); recomputing twice moves nothing the second time."""
    from motcua.calendars.models import CalendarChange
    from motcua.calendars.signals import calendar_changed

    pending = CalendarChange.objects.filter(recomputed_at__isnull=True).order_by("at", "pk")
    count = 0
    for change in pending:
        if change.changed_dates:
            calendar_changed.send(sender=CalendarChange, change=change)
            count += 1
        else:
            CalendarChange.objects.filter(pk=change.pk).update(recomputed_at=change.at)
    return count
