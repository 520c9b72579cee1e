"""How the forms write dates, times, amounts and identifiers (Vietnamese administrative style)."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from motcua.catalog.selectors import fee_amount_text as catalogue_fee_text
from motcua.core import clock
from motcua.core.text import mask_identifier  # noqa: F401 - the forms mask identifiers with it


def day(value: dt.date | dt.datetime | None) -> str:
    """07/05/2025; an instant is read as the authority's civil date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = clock.local(value).date()
    return f"{value:%d/%m/%Y}"


def stamp(instant: dt.datetime | None) -> str:
    """07/05/2025 17:00, civil time."""
    return f"{clock.local(instant):%d/%m/%Y %H:%M}" if instant is not None else ""


def moment(instant: dt.datetime | None) -> str:
    """17 giờ 00 phút, ngày 07/05/2025: how the receipt writes the time of receipt and return."""
    if instant is None:
        return ""
    local = clock.local(instant)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def written_date(value: dt.date) -> str:
    """ngày 07 tháng 5 năm 2025: days below 10 and the months 1 and 2 take a leading zero
    (ND 30/2020/NĐ-CP Phụ lục I, the date line of administrative documents)."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def count(value: int) -> str:
    """01, 02 … 10: counts of papers and sets are written with two digits on the forms."""
    return f"{value:02d}"


def fee_amount_text(line: dict[str, object]) -> str:
    """A fee line of ``Dossier.fees`` as the receipt writes its amount: the catalogue's words
    (catalog.selectors.fee_amount_text: "Miễn", "Chưa cấu hình theo nghị quyết HĐND tỉnh", never
    "0 đồng"), always in Vietnamese, with the unit of an amount ("12.000 đồng/trang")."""
    with translation.override("vi"):
        text = str(catalogue_fee_text(line))
    if line.get("status") in (None, "amount") and text.endswith("đồng") and line.get("unit"):
        return f"{text}/{line['unit']}"
    return text


def fee_text(line: dict[str, object]) -> str:
    """ "Lệ phí cấp bản sao: 12.500 đồng/trang (Nghị quyết số …/NQ-HĐND)"."""
    text = f"{line.get('name') or 'Phí, lệ phí'}: {fee_amount_text(line)}"
    if line.get("status") == "amount" and line.get("resolution"):
        text += f" ({line['resolution']})"
    return text
