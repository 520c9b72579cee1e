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
    """Give years without any calendar data the package's provisional days (decision 8), so that
    a fresh installation never counts the next Tết as working days."""
    from django.db import connections

    from motcua.calendars.models import CalendarYear
    from motcua.calendars.services import calendar_sync_package

    if CalendarYear._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards
    present = set(CalendarYear.objects.using(using).values_list("year", flat=True))
    missing = [year for year in PACKAGE_YEARS if year not in present]
    if missing:
        calendar_sync_package(years=missing)
