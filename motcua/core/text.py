"""Text helpers for Vietnamese."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Characters that show nothing but change what a text is: zero-width space, non-joiner and joiner,
# the left-to-right and right-to-left marks (U+200B–U+200F), the bidirectional embeddings and
# overrides (U+202A–U+202E) and isolates (U+2066–U+2069), the word joiner and invisible operators
# (U+2060–U+2064), the byte-order mark / zero-width no-break space (U+FEFF) and the soft hyphen
# (U+00AD, shown only where a line breaks). Pasted from a web page or a word processor, they make
# "Nguyễn Văn An" a different name from "Nguyễn Văn An" for search, comparison and the seal, and
# an override can show a name backwards; none belongs in a Vietnamese name or text.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
INVISIBLE_ONLY = "chỉ gồm ký tự vô hình (ký tự độ rộng 0 hoặc ký tự điều khiển hướng chữ)"


def clean_text(value: str) -> str:
    """A name or free text as stored: invisible characters removed, composed to NFC, stripped.

    The one cleaning every intake path applies (counter, API, history and catalogue imports): a
    name typed with combining accents (NFD, as macOS and some keyboards give it) and the same
    name precomposed are then one name. Invisible characters go first, so that a zero-width
    character between a letter and its accent does not keep them apart.
    """
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", value)).strip()


def only_invisible(value: str) -> bool:
    """True for a text that has characters but nothing visible once cleaned ("\u200b\u200e")."""
    return bool(value.strip()) and not clean_text(value)


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
