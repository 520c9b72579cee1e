"""The English catalogue is complete and its compiled .mo matches the .po (both are committed)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    """msgid → msgstr (the singular for plural entries), continuation lines joined."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text, "fuzzy translations must be checked and unmarked"
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?|msgstr\[1\]) "(.*)"$', line)
            if match:
                key = match.group(1)
                parts[key] = match.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
        if parts.get("msgid"):
            entries[parts["msgid"].replace('\\"', '"')] = msgstr.replace('\\"', '"')
    return entries


def test_every_message_has_an_english_translation():
    missing = [msgid for msgid, msgstr in po_entries().items() if not msgstr]
    assert missing == []


def test_the_compiled_catalogue_is_up_to_date():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in po_entries().items():
        if "%(counter)s" in msgid:
            assert compiled.ngettext(msgid, msgid, 1) == msgstr
        else:
            assert compiled.gettext(msgid) == msgstr, msgid
