"""Filters for the officers' screens: working time, dossier links.

The applicant's identifiers are masked by dossiers.selectors.applicant_identifiers_for, which the
API uses too, never by a filter here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from motcua.backoffice.presentation import dossier_ref

register = template.Library()


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
