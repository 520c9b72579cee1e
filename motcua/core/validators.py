"""Validators of the identifiers and dates every entry point checks alike (forms, API, imports).

Digits are ASCII digits only: ``\\d`` and ``str.isdigit()`` also accept Arabic-Indic (٠١٢),
fullwidth (０１２) and other scripts' digits, which no registry issues and no search would find.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible

from motcua.calendars.workdays import FIRST_YEAR, LAST_YEAR

# Số định danh cá nhân: the 12 digits of the citizen identity card (Luật Căn cước 2023).
CITIZEN_ID_PATTERN = r"^[0-9]{12}$"
# Mã số thuế: 10 digits; a branch or dependent unit adds "-" and 3 digits (TT 105/2020/TT-BTC).
TAX_CODE_PATTERN = r"^[0-9]{10}(-[0-9]{3})?$"

citizen_id_validator = RegexValidator(
    CITIZEN_ID_PATTERN, "Số định danh cá nhân (CCCD) gồm đúng 12 chữ số 0–9."
)
tax_code_validator = RegexValidator(
    TAX_CODE_PATTERN, "Mã số thuế gồm 10 chữ số 0–9 (chi nhánh: thêm -ddd)."
)


@deconstructible
class CivilYearValidator:
    """A date within the years every date of the system is held to (1990–2100, the years the
    working-day clock and the calendar know): a year 20260 typed for 2026 is refused."""

    def __call__(self, value: Any) -> None:
        if isinstance(value, dt.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                f"Năm phải trong {FIRST_YEAR}–{LAST_YEAR}.", code="year_out_of_range"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CivilYearValidator)

    def __hash__(self) -> int:
        return hash(CivilYearValidator)


civil_year_validator = CivilYearValidator()
