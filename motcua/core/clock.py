"""The project's single source of "now", and conversions to the authority's civil time.

Services never call ``timezone.now()`` themselves: the edge (view, command, task) passes ``now`` in,
so that rules stay testable and a training "time machine" stays possible.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def authority_tz() -> ZoneInfo:
    return ZoneInfo(settings.AUTHORITY_TIME_ZONE)


def now() -> datetime:
    return timezone.now()


def local(instant: datetime) -> datetime:
    """The instant as civil time of the authority (Asia/Ho_Chi_Minh)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: motcua stores and passes aware instants only")
    return instant.astimezone(authority_tz())


def today() -> date:
    return local(now()).date()
