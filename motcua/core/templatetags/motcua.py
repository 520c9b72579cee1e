"""Template filters for money (time limits and fees: catalog.templatetags.catalogue)."""

from __future__ import annotations

from decimal import Decimal

from django import template

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
