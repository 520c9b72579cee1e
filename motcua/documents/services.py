"""The official forms of a dossier and a unit's register as PDF; notices frozen as issued.

A dossier is printed with the form set of its date of receipt (formsets.py). A notice (receipt,
supplement request, refusal, apology, stop notice) is frozen the first time it is printed, or
when ``notices_freeze`` runs: its content is read from the history up to the event that issued it,
so the first print is what was issued; its content, PDF and SHA-256 are stored and every later
print returns the same bytes. The control slip and the register are printed as they stand; the
register's entry numbers are given once, per unit and year, in order of receipt.

Nothing here writes to a dossier or its events; ``now`` is the printing time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import Conflict, InvalidInput, NotFound
from motcua.documents.formats import day
from motcua.documents.forms import (
    NUMBERED,
    REGISTER_TITLE,
    DocumentNotAvailable,
    DossierFacts,
    NoticeRef,
    apology_content,
    control_slip_content,
    layout,
    notice_number_text,
    notice_unit,
    notices_of,
    receipt_content,
    refusal_content,
    register,
    stop_notice_content,
    supplement_request_content,
)
from motcua.documents.formsets import FORM_SETS, Form, Kind, form_set_on
from motcua.documents.models import DocumentCounter, IssuedNotice, RegisterEntry
from motcua.documents.selectors import check_period, dossier_facts, register_entries
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import EventType
from motcua.units.models import Unit

__all__ = [
    "REGISTER_TITLE",
    "DocumentNotAvailable",
    "dossier_documents",
    "dossier_form",
    "notices_freeze",
    "register_enter",
    "render_dossier_form",
    "render_register",
]


class NoticeCorrupted(Conflict):
    """The stored PDF of a notice no longer matches its SHA-256."""

    code = "notice_corrupted"


def _check_now(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidInput("Thời điểm phát hành phải kèm múi giờ.")


# ---------------------------------------------------------------------------------------------
# Which form a number means for a dossier
# ---------------------------------------------------------------------------------------------


def _form_of(facts: DossierFacts, form: str) -> Form:
    """Form ``form`` ("01", or "1") of the dossier's set, or a refusal that says why."""
    form_set = facts.form_set
    wanted = form.strip()
    number = wanted.zfill(2) if wanted.isascii() and wanted.isdigit() else wanted
    found = form_set.by_number(number)
    received = f"tiếp nhận ngày {day(facts.receipt_day)}"
    if found is None:
        choices = ", ".join(f.number for f in form_set.forms if f.kind != Kind.REGISTER)
        elsewhere = [s for s in FORM_SETS if s is not form_set and s.by_number(number)]
        hint = (
            f" Mẫu {number} có trong bộ mẫu {elsewhere[0].circular}, áp dụng cho hồ sơ tiếp nhận "
            f"từ ngày {day(elsewhere[0].applies_from)}."
            if elsewhere and elsewhere[0].applies_from > form_set.applies_from
            else ""
        )
        raise InvalidInput(
            f"Hồ sơ {facts.label} ({received}) in theo bộ mẫu {form_set.circular}: không có mẫu "
            f"{wanted!r}; chọn một trong các mẫu {choices}.{hint}",
            code="unknown_form",
        )
    if found.kind == Kind.REGISTER:
        raise InvalidInput(
            f"Mẫu {found.number} của bộ mẫu {form_set.circular} là Sổ theo dõi hồ sơ của đơn vị, "
            "không in theo từng hồ sơ: dùng lệnh motcua register-pdf hoặc nút “Tải sổ theo dõi”.",
            code="register_form",
        )
    return found


def dossier_form(*, dossier: Dossier, form: str, now: dt.datetime | None = None) -> Form:
    """The form that ``form`` numbers in the dossier's set (refused with a message if none)."""
    return _form_of(dossier_facts(dossier=dossier, now=now or clock.now()), form)


# ---------------------------------------------------------------------------------------------
# Counters and the register's numbers
# ---------------------------------------------------------------------------------------------


def _locked_counter(key: str) -> DocumentCounter:
    """The counter, locked until the transaction ends (SQLite: the write lock of the
    transaction, taken at its start)."""
    DocumentCounter.objects.get_or_create(key=key)
    return DocumentCounter.objects.select_for_update().get(key=key)


def _take_number(key: str) -> int:
    counter = _locked_counter(key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def register_enter(*, unit: Unit, up_to: dt.datetime, now: dt.datetime) -> int:
    """Give register numbers to the dossiers received at ``unit`` in the year of ``up_to`` up to
    that instant that have none yet, in order of receipt, continuing the year's last number
    (TT 01/2018/TT-VPCP Điều 10). Returns how many were entered."""
    local = clock.local(up_to)
    zone = clock.authority_tz()
    year_start = dt.datetime(local.year, 1, 1, tzinfo=zone)
    counter = _locked_counter(f"register:{unit.pk}:{local.year}")
    pending = list(
        Dossier.objects.filter(
            receiving_unit=unit,
            received_at__gte=year_start,
            received_at__lte=up_to,
            register_entry__isnull=True,
        )
        .order_by("received_at", "code")
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0
    entries = [
        RegisterEntry(
            unit=unit,
            year=local.year,
            number=counter.last + position,
            dossier_id=pk,
            entered_at=now,
        )
        for position, pk in enumerate(pending, start=1)
    ]
    counter.last += len(entries)
    counter.save(update_fields=["last"])
    RegisterEntry.objects.bulk_create(entries)
    return len(entries)


def _register_line(dossier: Dossier, received_at: dt.datetime, now: dt.datetime) -> RegisterEntry:
    entry = RegisterEntry.objects.filter(dossier=dossier).first()
    if entry is None:
        register_enter(unit=dossier.receiving_unit, up_to=received_at, now=now)
        entry = RegisterEntry.objects.get(dossier=dossier)
    return entry


# ---------------------------------------------------------------------------------------------
# Notices: frozen as issued
# ---------------------------------------------------------------------------------------------


def _content(
    facts: DossierFacts, ref: NoticeRef, now: dt.datetime
) -> tuple[dict[str, Any], int | None]:
    """The notice's content, with its number ("Số") when its kind has one."""
    number: int | None = None
    number_text = ""
    unit = notice_unit(facts, ref)
    if ref.kind in NUMBERED:
        year = clock.local(ref.event.at).year
        number = _take_number(f"notice:{ref.kind}:{unit.pk}:{year}")
        number_text = notice_number_text(ref.kind, number, unit)
    if ref.kind == Kind.RECEIPT:
        received_at = facts.dossier.received_at
        if received_at is None:
            raise ValueError("a receipt needs the dossier received")
        entry = _register_line(facts.dossier, received_at, now)
        return receipt_content(facts, ref, register=(entry.year, entry.book, entry.number)), None
    if ref.kind == Kind.SUPPLEMENT_REQUEST:
        return supplement_request_content(facts, ref, number=number_text), number
    if ref.kind == Kind.REFUSAL:
        return refusal_content(facts, ref), None
    if ref.kind == Kind.APOLOGY:
        return apology_content(facts, ref, number=number_text), number
    return stop_notice_content(facts, ref, number=number_text), number


def _freeze(facts: DossierFacts, ref: NoticeRef, now: dt.datetime) -> IssuedNotice:
    """The notice as stored: frozen now if it was not yet."""
    dossier = facts.dossier
    lookup = {"dossier": dossier, "event_seq": ref.event.seq, "kind": ref.kind}
    stored = IssuedNotice.objects.filter(**lookup).first()
    if stored is not None:
        return stored
    form = facts.form_set.form(ref.kind)
    try:
        with transaction.atomic():
            content, number = _content(facts, ref, now)
            pdf = layout(content).render()
            return IssuedNotice.objects.create(
                **lookup,
                form_set=facts.form_set.key,
                form=form.number,
                unit=notice_unit(facts, ref),
                number=number,
                issued_at=ref.event.at,
                content=content,
                pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
                frozen_at=now,
            )
    except IntegrityError:
        # Printed at the same moment elsewhere: that print froze it (and took the numbers).
        return IssuedNotice.objects.get(**lookup)


def _stored_pdf(notice: IssuedNotice) -> bytes:
    data = bytes(notice.pdf)
    if hashlib.sha256(data).hexdigest() != notice.sha256:
        raise NoticeCorrupted(
            f"Bản lưu của Mẫu {notice.form} (sự kiện {notice.event_seq}) của hồ sơ "
            f"{notice.dossier} không khớp mã SHA-256 đã ghi: không in lại; báo quản trị viên."
        )
    return data


def _pick(facts: DossierFacts, kind: Kind, event: int | None) -> NoticeRef:
    refs = [ref for ref in notices_of(facts) if ref.kind == kind]
    if event is None:
        if not refs:
            raise _missing(facts, kind)
        return refs[-1]
    chosen = next((ref for ref in refs if ref.event.seq == event), None)
    if chosen is None:
        form = facts.form_set.by_kind(kind)
        issued = ", ".join(str(ref.event.seq) for ref in refs) or "chưa có"
        raise NotFound(
            f"Hồ sơ {facts.label} không có Mẫu {form.number if form else ''} ban hành tại sự kiện "
            f"{event} (các sự kiện đã ban hành mẫu này: {issued}).",
            code="document_not_available",
        )
    return chosen


_WHY_MISSING = {
    Kind.RECEIPT: "hồ sơ chưa được tiếp nhận",
    Kind.SUPPLEMENT_REQUEST: "hồ sơ chưa được yêu cầu bổ sung, hoàn thiện",
    Kind.REFUSAL: "hồ sơ không bị từ chối tiếp nhận hay từ chối giải quyết",
    Kind.APOLOGY: "chưa có đề xuất xin lỗi, hẹn lại nào được lãnh đạo ký",
    Kind.STOP_NOTICE: "hồ sơ không bị dừng giải quyết",
}


def _missing(facts: DossierFacts, kind: Kind) -> DocumentNotAvailable:
    form = facts.form_set.form(kind)
    title = form.title
    return DocumentNotAvailable(
        f"Hồ sơ {facts.label} chưa có {title[:1].lower()}{title[1:]} (Mẫu {form.number}): "
        f"{_WHY_MISSING[kind]}."
    )


def render_dossier_form(
    *, form: str, dossier: Dossier, now: dt.datetime, event: int | None = None
) -> bytes:
    """The PDF of Mẫu ``form`` of the dossier, numbered as in the form set of its date of
    receipt. A notice is the one issued at event ``event`` (default: the latest), frozen at its
    first print; DocumentNotAvailable when the dossier has no such notice."""
    _check_now(now)
    with translation.override("vi"):  # official forms are Vietnamese whatever the screen's language
        facts = dossier_facts(dossier=dossier, now=now)
        chosen = _form_of(facts, form)
        if chosen.kind == Kind.CONTROL_SLIP:
            return layout(control_slip_content(facts)).render()
        notice = _freeze(facts, _pick(facts, chosen.kind, event), now)
        return _stored_pdf(notice)


def notices_freeze(*, dossier: Dossier, now: dt.datetime) -> int:
    """Freeze every notice the dossier's history issued that is not yet; how many were. (Run
    after each transition, or by the ``notices-freeze`` command, so that notices are frozen
    close to their issue even when nobody prints them.)"""
    _check_now(now)
    with translation.override("vi"):
        facts = dossier_facts(dossier=dossier, now=now)
        frozen = {
            (seq, kind)
            for seq, kind in IssuedNotice.objects.filter(dossier=dossier).values_list(
                "event_seq", "kind"
            )
        }
        done = 0
        for ref in notices_of(facts):
            if (ref.event.seq, str(ref.kind)) not in frozen:
                _freeze(facts, ref, now)
                done += 1
        return done


# ---------------------------------------------------------------------------------------------
# The officers' list of the documents of a dossier
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLink:
    form: str  # the number in the dossier's set
    title: str
    event: int | None  # the event that issued the notice; None for the control slip


def _link_title(kind: Kind, number: str) -> str:
    """The label of the officers' button: the labels they had before the form sets, and one per
    number a set gives a kind."""
    titles = {
        (Kind.RECEIPT, "01"): _("In giấy tiếp nhận (Mẫu 01)"),
        (Kind.SUPPLEMENT_REQUEST, "02"): _("Phiếu yêu cầu bổ sung (Mẫu 02)"),
        (Kind.REFUSAL, "03"): _("Phiếu từ chối tiếp nhận (Mẫu 03)"),
        (Kind.APOLOGY, "04"): _("Phiếu xin lỗi, hẹn lại (Mẫu 04)"),
        (Kind.CONTROL_SLIP, "05"): _("Phiếu kiểm soát quá trình (Mẫu 05)"),
        (Kind.STOP_NOTICE, "05"): _("Thông báo dừng giải quyết (Mẫu 05)"),
        (Kind.CONTROL_SLIP, "06"): _("Phiếu kiểm soát quá trình (Mẫu 06)"),
    }
    return titles.get((kind, number)) or f"Mẫu {number}"


def dossier_documents(
    *, dossier: Dossier, events: list[DossierEvent], now: dt.datetime | None = None
) -> list[DocumentLink]:
    """Every notice the dossier was issued (each one printable as issued), then its control
    slip; numbered as in the form set of its date of receipt."""
    facts = DossierFacts(dossier=dossier, events=events, units={}, now=now or clock.now())
    form_set = facts.form_set
    refs = notices_of(facts)
    links = []
    for ref in refs:
        form = form_set.form(ref.kind)
        title = _link_title(ref.kind, form.number)
        if sum(other.kind == ref.kind for other in refs) > 1:
            title = _("%(title)s, ngày %(day)s") % {"title": title, "day": day(ref.event.at)}
        links.append(DocumentLink(form.number, title, ref.event.seq))
    slip = form_set.by_kind(Kind.CONTROL_SLIP)
    if slip is not None and any(event.type == EventType.RECEIVED for event in events):
        links.append(DocumentLink(slip.number, _link_title(Kind.CONTROL_SLIP, slip.number), None))
    return links


# ---------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------


def render_register(
    *, unit: Unit, start: dt.date, end: dt.date, now: dt.datetime, actor: User | None
) -> bytes:
    """The PDF of the register (Sổ theo dõi hồ sơ, A4 landscape) of the dossiers received at
    ``unit`` on the local dates ``start``–``end``, each with its number in the unit's book of
    its year (given now to those that had none). It lists only the dossiers ``actor`` may see
    (None: a command, every one); the numbers are the unit's all the same."""
    _check_now(now)
    check_period(start, end)
    zone = clock.authority_tz()
    with translation.override("vi"):
        for year in range(start.year, end.year + 1):
            last_day = min(end, dt.date(year, 12, 31))
            up_to = dt.datetime.combine(last_day, dt.time.max, tzinfo=zone)
            register_enter(unit=unit, up_to=up_to, now=now)
        entries = register_entries(unit=unit, start=start, end=end, actor=actor)
        document = register(
            unit=unit,
            start=start,
            end=end,
            now=now,
            entries=entries,
            form_set=form_set_on(end),
        )
        return document.render()
