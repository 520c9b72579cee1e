"""The official forms of a dossier (Mẫu 01–05) and a unit's register (Mẫu 06) as PDF.

Rendering is a read: nothing is written. ``now`` is the issuing time printed in the QR block.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from motcua.core.errors import InvalidInput
from motcua.documents.forms import BUILDERS, FORMS, REGISTER_TITLE, DocumentNotAvailable, register
from motcua.documents.selectors import dossier_facts, register_entries
from motcua.dossiers.models import Dossier
from motcua.units.models import Unit

__all__ = [
    "FORMS",
    "REGISTER_TITLE",
    "DocumentNotAvailable",
    "render_dossier_form",
    "render_register",
]


def _check_now(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidInput("Thời điểm phát hành phải kèm múi giờ.")


def render_dossier_form(*, form: str, dossier: Dossier, now: dt.datetime) -> bytes:
    """The PDF of Mẫu ``form`` ("01"–"05") of the dossier; DocumentNotAvailable when the dossier
    has no such document yet (e.g. Mẫu 04 without an apology)."""
    builder = BUILDERS.get(form)
    if builder is None:
        raise InvalidInput(
            f"Không có mẫu {form!r}; chọn một trong các mẫu {', '.join(FORMS)}.",
            code="unknown_form",
        )
    _check_now(now)
    with translation.override("vi"):  # official forms are Vietnamese whatever the screen's language
        return builder(dossier_facts(dossier=dossier, now=now)).render()


def render_register(*, unit: Unit, start: dt.date, end: dt.date, now: dt.datetime) -> bytes:
    """The PDF of the register (Sổ theo dõi hồ sơ, Mẫu 06, A4 landscape) of the dossiers
    received at ``unit`` on the local dates ``start``–``end``."""
    _check_now(now)
    with translation.override("vi"):
        entries = register_entries(unit=unit, start=start, end=end)
        return register(unit=unit, start=start, end=end, now=now, entries=entries).render()
