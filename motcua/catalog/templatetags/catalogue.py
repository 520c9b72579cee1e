"""Template helpers for pages that show catalogue facts (the procedure page, the posting sheet)."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.catalog.models import Channel, ProcedureVersion
from motcua.catalog.selectors import fee_amount_text, fee_lines, limit_words
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.units.selectors import unit_find, unit_province

register = template.Library()


@register.filter
def limit_text(limit: Any) -> str:
    """A version's general limit, or a per-case limit, in words ("1,5 ngày làm việc")."""
    if isinstance(limit, ProcedureVersion):
        return limit_words(limit.time_limit_value, limit.time_limit_unit)
    return limit_words(limit.value, limit.unit)


@register.filter
def fee_text(line: dict[str, Any]) -> str:
    """A fee line's amount: "12.000 đồng", "Miễn", "Chưa cấu hình theo nghị quyết HĐND tỉnh"."""
    return fee_amount_text(line)


@register.filter
def channel_label(code: str) -> str:
    """ "online" → "Trực tuyến" (a fee line carries the channel's code)."""
    try:
        return str(Channel(code).label)
    except ValueError:
        return code


@register.simple_tag(takes_context=True)
def procedure_fees(context: template.Context, version: ProcedureVersion) -> dict[str, Any]:
    """The fees of ``version`` as the province of the unit in ``?unit=`` sets them (the posting
    sheet links there); without a unit, province-set fees have no amount to show."""
    request = context.get("request")
    code = request.GET.get("unit", "")[:40] if request is not None else ""
    today = clock.today()
    unit = None
    if code:
        try:
            unit = unit_find(code=code, on=today)
        except NotFound:
            unit = None
    province = unit_province(unit=unit) if unit is not None else None
    fees = list(version.fees.all())
    lines = fee_lines(version=version, channel="all", province=province, on=today)
    return {
        "rows": list(zip(fees, lines, strict=True)),
        "unit": unit,
        "province": province,
    }
