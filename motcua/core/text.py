"""Text helpers for Vietnamese."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces, for search that ignores both.

    "Đăng ký  KẾT HÔN" → "dang ky ket hon".
    """
    return _SPACES.sub(" ", unaccent(text)).strip().lower()


class _Unaccented(dict[int, str]):
    """Each character without its diacritics, found the first time it is met (str.translate
    looks every character up here: a bulk of SMS bodies costs a dictionary lookup per letter)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "đĐ":
            value = "d" if char == "đ" else "D"
        else:
            decomposed = unicodedata.normalize("NFD", char)
            value = "".join(part for part in decomposed if not unicodedata.combining(part))
        self[code] = value
        return value


_UNACCENTED = _Unaccented()


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Hồ sơ Đã nhận" → "Ho so Da nhan"): SMS gateways
    often accept only GSM-7 text, and a Vietnamese message with accents costs twice the segments."""
    return text.translate(_UNACCENTED)


def mask_identifier(value: str | None) -> str:
    """Only the last four characters of a personal identifier: 001099012345 → ********2345
    (personal data, ND 13/2023/NĐ-CP: shown whole only to the officers who handle the dossier)."""
    value = (value or "").strip()
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


WEEKDAY_NAMES_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


_RECORD_NUMBER = re.compile(r"[0-9]{1,18}")


def record_number(text: str) -> int | None:
    """A database key typed or put in a URL by a person, or None: ASCII digits only ("²".isdigit()
    is true and int() of it fails) and short enough for a 64-bit column."""
    return int(text) if _RECORD_NUMBER.fullmatch(text) else None
