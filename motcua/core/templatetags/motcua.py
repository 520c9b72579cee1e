"""Template filters for money, time limits and masked personal data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from motcua.calendars.workdays import LimitUnit, TimeLimit

register = template.Library()


@register.filter
def vnd(amount: Decimal | int | None) -> str:
    """8000 → "8.000 đồng" (Vietnamese groups thousands with dots)."""
    if amount is None:
        return ""
    value = Decimal(amount)
    whole = int(value)
    text = f"{whole:,}".replace(",", ".")
    if value != whole:
        text += "," + f"{value:.2f}".split(".")[1]
    return f"{text} đồng"


@register.filter
def time_limit(version: Any) -> str:
    """A version's statutory time limit in words ("07 ngày làm việc", "trong ngày")."""
    limit = TimeLimit(version.time_limit_value, LimitUnit(version.time_limit_unit))
    return str(limit)
