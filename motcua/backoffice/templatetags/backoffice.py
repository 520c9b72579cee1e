"""Filters for the officers' screens: masked identifiers, working time, dossier links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from motcua.backoffice.presentation import dossier_ref
from motcua.core.text import mask_identifier

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    """001099012345 → ********2345, for officers who do not handle the dossier."""
    return mask_identifier(value)


@register.filter
def work_time(value: dt.timedelta | None) -> str:
    """Working time as "12 giờ 30 phút" (8 working hours make a working day)."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} giờ {minutes:02d} phút"
    if hours:
        return f"{hours} giờ"
    return f"{minutes} phút"


@register.filter
def ref(dossier: Any) -> str:
    return dossier_ref(dossier)
