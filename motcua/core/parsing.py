"""Parsing of the values officers type: civil instants, dates, pauses. Errors are InvalidInput."""

from __future__ import annotations

import datetime as dt

from motcua.calendars.workdays import FIRST_YEAR, LAST_YEAR
from motcua.core.clock import authority_tz
from motcua.core.errors import InvalidInput

_INSTANT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


def parse_instant(text: str, *, field: str = "thời điểm") -> dt.datetime:
    """An instant typed as local civil time ("2026-02-13 09:00", "13/02/2026 09:00") or ISO 8601.

    Without an offset the time is Asia/Ho_Chi_Minh (domain README, decision 10).
    """
    value = text.strip()
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        for fmt in _INSTANT_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - zone added below
                break
            except ValueError:
                continue
    if parsed is None:
        raise InvalidInput(
            f"{field} {text!r} không hợp lệ; nhập dạng 2026-02-13 09:00 hoặc 13/02/2026 09:00.",
            code="invalid_instant",
        )
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise InvalidInput(
            f"{field} {text!r}: năm phải trong {FIRST_YEAR}–{LAST_YEAR}.", code="invalid_instant"
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=authority_tz())
    return parsed


def parse_date(text: str, *, field: str = "ngày") -> dt.date:
    value = text.strip()
    for parser in (dt.date.fromisoformat, lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date()):  # noqa: DTZ007
        try:
            return parser(value)
        except ValueError:
            continue
    raise InvalidInput(
        f"{field} {text!r} không hợp lệ; nhập dạng 2026-02-13 hoặc 13/02/2026.", code="invalid_date"
    )


def parse_interval(text: str, *, field: str = "khoảng tạm dừng") -> tuple[dt.datetime, dt.datetime]:
    """ "FROM/TO" as two instants ("2026-01-06 14:00/2026-01-12 10:00"); TO must be after FROM.

    Dates written DD/MM/YYYY contain slashes of their own: separate them with " / " instead.
    """
    parts = text.split(" / ") if " / " in text else text.split("/")
    if len(parts) != 2:
        raise InvalidInput(
            f'{field} {text!r} phải có dạng "2026-01-06 14:00/2026-01-12 10:00" '
            '(hoặc "06/01/2026 14:00 / 12/01/2026 10:00").',
            code="invalid_interval",
        )
    start = parse_instant(parts[0], field=f"{field} (bắt đầu)")
    end = parse_instant(parts[1], field=f"{field} (kết thúc)")
    if end <= start:
        raise InvalidInput(
            f"{field} {text!r}: thời điểm kết thúc phải sau thời điểm bắt đầu.",
            code="invalid_interval",
        )
    return start, end
