"""The official forms of a dossier, from the form set of its date of receipt (formsets.py).

Every form is built in two steps: ``*_content`` reads the dossier's history (``DossierFacts``) into
plain data (what the form says: JSON, stored with a frozen notice), and ``layout`` turns that data
into a ReportLab story. A notice's content is read from the history up to the event that issued it
and from the facts sealed at the dossier's creation, never from the dossier's current state, so
that it says what was issued whenever it is first printed (docs/forms.md). The control slip and
the register are living documents, printed as they stand. The fields follow handbook §3.2; the
QR block TT 01/2023/TT-VPCP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from motcua.calendars.selectors import schedule_for
from motcua.calendars.workdays import add_working_hours
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.documents.formats import (
    count,
    day,
    fee_text,
    mask_identifier,
    moment,
    stamp,
    written_date,
)
from motcua.documents.formsets import (
    NOTICE_KINDS,
    Decree,
    FormSet,
    Kind,
    decree_on,
    form_set_on,
)
from motcua.documents.layout import (
    FORM_PAGE,
    REGISTER_PAGE,
    SANS,
    SANS_BOLD,
    Column,
    Page,
    Signature,
    build_pdf,
    document_heading,
    field_line,
    fields,
    fitted,
    page_break,
    para,
    row_table,
    signatures,
    spacer,
)
from motcua.dossiers.deadlines import limit_of, step_timings
from motcua.dossiers.models import (
    OPEN_STATUSES,
    ApplicantKind,
    Delivery,
    Dossier,
    DossierEvent,
    Outcome,
    Status,
    Timeliness,
    overdue_on,
)
from motcua.dossiers.projection import EventType, timeliness_of
from motcua.units.models import Unit
from motcua.units.selectors import unit_ancestors

SYSTEM_NAME = "motcua"
ONE_STOP = "Bộ phận Tiếp nhận và Trả kết quả"
# Events that may set a new lawful due date: each one that moves it issues a new receipt.
_DUE_SETTERS = frozenset(
    {
        EventType.RECEIVED,
        EventType.SUPPLEMENT_RECEIVED,
        EventType.PAYMENT_RECEIVED,
        EventType.DUE_RECOMPUTED,
        EventType.LIMIT_CASE_CHANGED,
    }
)
RECEIPT_COPIES = (
    "Liên 1: Lưu tại Bộ phận Một cửa, kèm Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "Liên 2: Giao cho người nộp hồ sơ",
)


class DocumentNotAvailable(NotFound):
    """The dossier has no such document (yet): e.g. Mẫu 04 without an apology."""

    code = "document_not_available"


@dataclass(frozen=True)
class Document:
    story: list[Any]
    page: Page
    title: str
    footer: str = ""
    page_footers: tuple[str, ...] = ()

    def render(self) -> bytes:
        return build_pdf(
            self.story,
            page=self.page,
            title=self.title,
            subject=self.footer,
            footer=self.footer,
            page_footers=self.page_footers,
        )


@dataclass
class DossierFacts:
    """A dossier as the forms read it: fresh from the database, with its events in order."""

    dossier: Dossier
    events: list[DossierEvent]
    units: dict[int, Unit]  # every unit the dossier and its events name, by id
    now: dt.datetime
    _places: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name the dossier: its code, or its number before receipt."""
        return self.dossier.code or f"#{self.dossier.pk}"

    def last(self, accept: Callable[[DossierEvent], bool]) -> DossierEvent | None:
        return next((event for event in reversed(self.events) if accept(event)), None)

    def last_of(self, event_type: str) -> DossierEvent | None:
        return self.last(lambda event: event.type == event_type)

    def event(self, seq: int) -> DossierEvent | None:
        return next((event for event in self.events if event.seq == seq), None)

    def until(self, seq: int) -> DossierFacts:
        """The facts as they stood when event ``seq`` was recorded."""
        return replace(self, events=[event for event in self.events if event.seq <= seq])

    def unit(self, pk: object) -> Unit | None:
        return self.units.get(pk) if isinstance(pk, int) else None

    def unit_name(self, pk: object) -> str:
        unit = self.unit(pk)
        return unit.name if unit is not None else ""

    def place(self, unit: Unit) -> str:
        if unit.pk not in self._places:
            self._places[unit.pk] = place_name(unit)
        return self._places[unit.pk]

    @property
    def receipt_day(self) -> dt.date:
        """The civil date of receipt: of the ``received`` event; for a dossier never received, the
        day it reached the desk (its first event)."""
        received = next((e for e in self.events if e.type == EventType.RECEIVED), None)
        first = received or (self.events[0] if self.events else None)
        return clock.local(first.at if first is not None else self.now).date()

    @property
    def form_set(self) -> FormSet:
        return form_set_on(self.receipt_day)

    @property
    def decree(self) -> Decree:
        return decree_on(self.receipt_day)


# ---------------------------------------------------------------------------------------------
# Pieces the forms share
# ---------------------------------------------------------------------------------------------

_ONE_STOP_KINDS = (Unit.Kind.SERVICE_CENTRE, Unit.Kind.RECEPTION_POINT)


def place_name(unit: Unit) -> str:
    """The place in the date line: the locality of the nearest People's Committee ("Xã Một")."""
    nearest = [unit, unit.parent] if unit.parent_id is not None else [unit]
    if not any(candidate.kind == Unit.Kind.PEOPLES_COMMITTEE for candidate in nearest if candidate):
        nearest = list(reversed(unit_ancestors(unit=unit)))
    for ancestor in nearest:
        if ancestor is not None and ancestor.kind == Unit.Kind.PEOPLES_COMMITTEE:
            locality = ancestor.name.removeprefix("Ủy ban nhân dân ").removeprefix("UBND ")
            return locality[:1].upper() + locality[1:]
    return unit.name


def issuer_lines(unit: Unit, *, one_stop: bool) -> list[str]:
    """The issuing agency at the top-left: the governing body, then the issuing unit."""
    parent = unit.parent.name if unit.parent_id is not None and unit.parent else ""
    if unit.kind in _ONE_STOP_KINDS:
        return [parent, unit.name] if parent else [unit.name]
    if one_stop:
        return [unit.name, ONE_STOP]
    if unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.SPECIALISED_AGENCY) and parent:
        return [parent, unit.name]
    return [unit.name]


def one_stop_name(unit: Unit) -> str:
    """The receiving one-stop desk, as the sentences of the forms name it."""
    return unit.name if unit.kind in _ONE_STOP_KINDS else f"{ONE_STOP} — {unit.name}"


def _instant(value: object) -> dt.datetime | None:
    """An instant as event data stores it (ISO 8601)."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def you(dossier: Dossier) -> str:
    """How the forms address the applicant."""
    return "Ông/Bà" if dossier.applicant_kind == ApplicantKind.CITIZEN else "Quý cơ quan, tổ chức"


def identifier(dossier: Dossier) -> tuple[str, str]:
    """The applicant's identifier, masked: citizen ID, else tax code."""
    if dossier.applicant_id_number:
        return "Số định danh", mask_identifier(dossier.applicant_id_number)
    if dossier.applicant_tax_code:
        return "Mã số thuế", mask_identifier(dossier.applicant_tax_code)
    return "Số định danh", "không có"


def applicant_items(dossier: Dossier) -> list[list[str]]:
    label, value = identifier(dossier)
    citizen = dossier.applicant_kind == ApplicantKind.CITIZEN
    known = dossier.applicant_id_number or dossier.applicant_tax_code
    return [
        ["Ông/Bà" if citizen else "Tổ chức", dossier.applicant_name],
        [label, value if known else ""],
        ["Địa chỉ", dossier.applicant_address],
        ["Số điện thoại", dossier.applicant_phone],
        ["Thư điện tử", dossier.applicant_email],
    ]


def request_items(dossier: Dossier) -> list[list[str]]:
    version = dossier.procedure_version
    owner = dossier.owner_name if dossier.owner_name != dossier.applicant_name else ""
    return [
        ["Nội dung yêu cầu giải quyết", dossier.summary or version.name],
        ["Thủ tục hành chính", version.name if dossier.summary not in ("", version.name) else ""],
        ["Chủ hồ sơ", owner],
    ]


def _unavailable(facts: DossierFacts, kind: Kind, why: str) -> DocumentNotAvailable:
    form = facts.form_set.by_kind(kind)
    title = form.title if form else str(kind)
    number = f" (Mẫu {form.number})" if form else ""
    return DocumentNotAvailable(
        f"Hồ sơ {facts.label} chưa có {title[:1].lower()}{title[1:]}{number}: {why}."
    )


# ---------------------------------------------------------------------------------------------
# The notices a history issued
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRef:
    """A notice of ``kind`` issued at ``event``; ``previous_due`` is the appointment a new receipt
    replaces (None for the first receipt)."""

    kind: Kind
    event: DossierEvent
    previous_due: dt.datetime | None = None


def _is_refusal(event: DossierEvent) -> bool:
    return event.type == EventType.REFUSED_AT_INTAKE or (
        event.type == EventType.RESOLVED and event.data.get("outcome") == Outcome.REFUSED
    )


def notices_of(facts: DossierFacts) -> list[NoticeRef]:
    """Every notice the dossier's history issued, oldest first, in the kinds its form set has.

    A receipt at receipt, and a new one at each later event that moves the lawful due date (a
    supplement received, a payment received, a calendar change, a change of the case of the
    time limit): the old appointment is never rewritten.
    """
    kinds = {form.kind for form in facts.form_set.forms}
    refs: list[NoticeRef] = []
    due: dt.datetime | None = None
    received = False
    ended = False
    for event in facts.events:
        kind = event.type
        new_due = _instant(event.data.get("due_at"))
        if kind == EventType.RECEIVED:
            received = True
            due = new_due
            refs.append(NoticeRef(Kind.RECEIPT, event))
        elif received and not ended and kind in _DUE_SETTERS and new_due and new_due != due:
            refs.append(NoticeRef(Kind.RECEIPT, event, previous_due=due))
            due = new_due
        elif kind == EventType.SUPPLEMENT_REQUESTED:
            refs.append(NoticeRef(Kind.SUPPLEMENT_REQUEST, event))
        elif _is_refusal(event):
            refs.append(NoticeRef(Kind.REFUSAL, event))
        elif kind == EventType.APOLOGY_ISSUED:
            refs.append(NoticeRef(Kind.APOLOGY, event))
        elif kind == EventType.STOPPED and Kind.STOP_NOTICE in kinds:
            refs.append(NoticeRef(Kind.STOP_NOTICE, event))
        if kind in (EventType.RESOLVED, EventType.WITHDRAWN, EventType.STOPPED):
            ended = True
    return [ref for ref in refs if ref.kind in kinds]


# Notices that carry a number ("Số: …") of their own, with the letters after it [U: the system's
# own series per issuing unit, kind and year, until the clerk's office (văn thư) numbers them].
NUMBERED: dict[Kind, str] = {
    Kind.SUPPLEMENT_REQUEST: "PYCBS",
    Kind.APOLOGY: "XL",
    Kind.STOP_NOTICE: "TB",
}


def notice_unit(facts: DossierFacts, ref: NoticeRef) -> Unit:
    """The unit that issues the notice."""
    dossier = facts.dossier
    unit = facts.unit(ref.event.unit_id)
    if unit is not None:
        return unit
    if ref.kind in (Kind.APOLOGY, Kind.STOP_NOTICE):
        return dossier.resolving_unit
    return dossier.receiving_unit


def notice_number_text(kind: Kind, number: int, unit: Unit) -> str:
    """ "Số: 05/XL-UBND" (ND 30/2020 Phụ lục I: number, then the letters of the kind and of the
    issuing agency)."""
    letters = NUMBERED[kind] + (f"-{unit.short_name}" if unit.short_name else "")
    return f"Số: {number:02d}/{letters}"


# ---------------------------------------------------------------------------------------------
# Content: what a form says, as plain data
# ---------------------------------------------------------------------------------------------


def _heading(
    facts: DossierFacts,
    kind: Kind,
    *,
    issuer: Sequence[str],
    place_of: Unit,
    on: dt.datetime,
    issued: dt.datetime,
    extra: Sequence[tuple[str, str]] = (),
    number: str = "",
) -> dict[str, Any]:
    """QR block, agency, number, date line, title and code of a dossier form. ``issued`` is the
    time the QR block names as the time of issue."""
    dossier = facts.dossier
    form_set = facts.form_set
    form = form_set.form(kind)
    code = dossier.code or "chưa cấp (hồ sơ chưa được tiếp nhận)"
    return {
        "kind": str(kind),
        "form": form.number,
        "form_set": form_set.key,
        "title": form.title,
        "qr": [
            ["Mã hồ sơ", dossier.code or "chưa cấp"],
            ["Mã TTHC", dossier.procedure_version.procedure.code],
            list(identifier(dossier)),
            ["Giấy tờ", f"Mẫu {form.number} — {form.title}"],
            ["Hệ thống", SYSTEM_NAME],
            ["Phát hành", stamp(issued)],
            *[list(item) for item in extra],
        ],
        "issuer": list(issuer),
        "number": number,
        "place_date": f"{facts.place(place_of)}, {written_date(clock.local(on).date())}",
        "subtitle": [f"Mã hồ sơ: {code}"],
        "footer": (
            f"Mẫu số {form.number} {form_set.source} ({facts.decree.short}) — hồ sơ {facts.label}"
        ),
        "doc_title": f"{form.title} — {facts.label}",
        "copies": [],
        "fit": True,
        "blocks": [],
    }


def _fields(*items: Sequence[object]) -> dict[str, Any]:
    return {"fields": [[str(label), "" if value is None else str(value)] for label, value in items]}


def _para(text: str) -> dict[str, Any]:
    return {"para": text}


def _limit_text(facts: DossierFacts) -> str:
    """The time limit applied: as the receipt or the last change of case recorded it, else the
    version's general limit."""
    for event in reversed(facts.events):
        if event.type in (EventType.RECEIVED, EventType.LIMIT_CASE_CHANGED):
            limit = event.data.get("limit")
            if isinstance(limit, dict) and limit.get("text"):
                label = limit.get("label") if limit.get("case") else ""
                return f"{limit['text']} ({label})" if label else str(limit["text"])
    version = facts.dossier.procedure_version
    return version.time_limit_text or str(limit_of(version))


def _delivery_text(dossier: Dossier) -> str:
    label = str(Delivery(dossier.delivery).label)
    if dossier.delivery == Delivery.POST and dossier.applicant_address:
        return f"{label} (địa chỉ: {dossier.applicant_address})"
    if dossier.delivery == Delivery.ELECTRONIC and dossier.applicant_email:
        return f"{label} (gửi tới {dossier.applicant_email})"
    return label


def _papers(rows: Sequence[tuple[str, int, int]]) -> dict[str, Any]:
    def number(value: int) -> str:
        return count(value) if value else ""

    return {
        "table": "papers",
        "rows": [
            [str(index), name, number(originals), number(copies)]
            for index, (name, originals, copies) in enumerate(rows, start=1)
        ],
    }


def _why_new_receipt(ref: NoticeRef) -> str:
    event = ref.event
    reasons: dict[str, str] = {
        EventType.SUPPLEMENT_RECEIVED: f"nhận đủ hồ sơ bổ sung ngày {day(event.at)}",
        EventType.PAYMENT_RECEIVED: f"thực hiện xong nghĩa vụ tài chính ngày {day(event.at)}",
        EventType.DUE_RECOMPUTED: "tính lại theo lịch làm việc, nghỉ lễ được điều chỉnh",
        EventType.LIMIT_CASE_CHANGED: "thay đổi trường hợp áp dụng thời hạn giải quyết",
    }
    why = reasons.get(event.type, "điều chỉnh thời hạn")
    if event.reason and event.type != EventType.SUPPLEMENT_RECEIVED:
        why += f": {event.reason}"
    return f"{why}; thay giấy hẹn trả {moment(ref.previous_due)}"


def receipt_content(
    facts: DossierFacts, ref: NoticeRef, *, register: tuple[int, int, int] | None
) -> dict[str, Any]:
    """Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả; ``register`` is (year, book, number)."""
    facts = facts.until(ref.event.seq)
    received = facts.last_of(EventType.RECEIVED)
    if received is None:
        raise ValueError("a receipt needs the received event")
    dossier = facts.dossier
    unit = dossier.receiving_unit
    due = _instant(ref.event.data.get("due_at"))
    content = _heading(
        facts,
        Kind.RECEIPT,
        issuer=issuer_lines(unit, one_stop=True),
        place_of=unit,
        on=ref.event.at,
        issued=ref.event.at,
        extra=[("Hẹn trả", stamp(due))],
    )
    content["copies"] = list(RECEIPT_COPIES)
    blocks = content["blocks"]
    blocks.append(_para(f"{one_stop_name(unit)} tiếp nhận hồ sơ của:"))
    # Pairs of short fields share a line: the receipt must fit its A5 sheet.
    name, ident, address, phone, email = applicant_items(dossier)
    blocks.append({"line": [name, ident]})
    blocks.append(_fields(address))
    blocks.append({"line": [phone, email]})
    blocks.append(_fields(*request_items(dossier)))
    blocks.append(_para("Thành phần hồ sơ nộp gồm:"))
    blocks.append(
        _papers(
            [
                (paper["name"], int(paper.get("originals") or 0), int(paper.get("copies") or 0))
                for paper in dossier.components
            ]
        )
    )
    terms: list[tuple[str, str]] = [
        ("Số lượng hồ sơ", "01 (bộ)"),
        ("Thời gian giải quyết hồ sơ theo quy định", _limit_text(facts)),
        ("Phí, lệ phí", "; ".join(fee_text(line) for line in dossier.fees)),
        ("Thời gian nhận hồ sơ", moment(received.at)),
        ("Thời gian trả kết quả giải quyết hồ sơ", moment(due)),
        ("Đăng ký nhận kết quả", _delivery_text(dossier)),
    ]
    if ref.previous_due is not None:
        terms.append(("Hẹn trả lại do", _why_new_receipt(ref)))
    blocks.append(_fields(*terms))
    if register is not None:
        year, book, number = register
        blocks.append(
            _para(f"Vào Sổ theo dõi hồ sơ năm {year}, quyển số {book:02d}, số thứ tự {number:02d}.")
        )
    blocks.append(
        {
            "signatures": [
                ["Người nộp hồ sơ", dossier.applicant_name, ""],
                ["Người tiếp nhận hồ sơ", ref.event.actor_name, ""],
            ],
            "recipients": [],
        }
    )
    return content


def _contact(facts: DossierFacts, event: DossierEvent, unit: Unit) -> str:
    """Who guides the applicant and how to call: the officer, the unit, a phone number (the
    officer's, else the unit's, else the desk's; dots to fill in by hand when none is known)."""
    actor = getattr(event, "actor", None) if event.actor_id is not None else None
    receiving = facts.dossier.receiving_unit
    phone = (getattr(actor, "phone", "") or "") or unit.phone or receiving.phone
    parts = [event.actor_name, unit.name, f"điện thoại {phone or '……………………'}"]
    return ", ".join(part for part in parts if part)


_CLOCK_RULES = {
    "restart": "Thời hạn giải quyết được tính lại từ đầu kể từ khi nhận đủ hồ sơ.",
    "pause": "Thời gian chờ bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết.",
}


def supplement_request_content(
    facts: DossierFacts, ref: NoticeRef, *, number: str
) -> dict[str, Any]:
    """Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    facts = facts.until(ref.event.seq)
    event = ref.event
    dossier = facts.dossier
    unit = notice_unit(facts, ref)
    published = {paper.name: paper for paper in dossier.procedure_version.components.all()}
    papers = []
    for name in event.data.get("missing", []):
        paper = published.get(name)
        papers.append((name, paper.originals if paper else 0, paper.copies if paper else 0))
    received = facts.last_of(EventType.RECEIVED)
    content = _heading(
        facts,
        Kind.SUPPLEMENT_REQUEST,
        issuer=issuer_lines(unit, one_stop=unit.pk == dossier.receiving_unit_id),
        place_of=unit,
        on=event.at,
        issued=event.at,
        number=number,
    )
    blocks = content["blocks"]
    blocks.append(_para("Hồ sơ của:"))
    blocks.append(_fields(*applicant_items(dossier)))
    blocks.append(_fields(*request_items(dossier)))
    blocks.append(_fields(("Ngày tiếp nhận hồ sơ", day(received.at) if received else "")))
    blocks.append(_para(f"Yêu cầu {you(dossier)} hoàn thiện hồ sơ gồm những nội dung sau:"))
    blocks.append(_papers(papers))
    blocks.append(_fields(("Lý do", event.reason)))
    rule = _CLOCK_RULES.get(str(event.data.get("clock_rule", "")))
    if rule:
        blocks.append(_para(rule))
    blocks.append(
        _para(
            f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {you(dossier)} liên hệ "
            f"{_contact(facts, event, unit)} để được hướng dẫn."
        )
    )
    blocks.append({"signatures": [["Người hướng dẫn", event.actor_name, ""]], "recipients": []})
    return content


def refusal_content(facts: DossierFacts, ref: NoticeRef) -> dict[str, Any]:
    """Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ (at the counter, or after appraisal)."""
    facts = facts.until(ref.event.seq)
    event = ref.event
    dossier = facts.dossier
    at_intake = event.type == EventType.REFUSED_AT_INTAKE
    unit = notice_unit(facts, ref)
    if at_intake:
        sentence = (
            f"Qua xem xét, {one_stop_name(unit)} thông báo không tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:"
        )
        blocks = [
            ["Người nộp hồ sơ", dossier.applicant_name, ""],
            ["Người tiếp nhận hồ sơ", event.actor_name, ""],
        ]
    else:
        sentence = (
            f"Qua thẩm định, {unit.name} thông báo từ chối giải quyết hồ sơ này với lý do cụ thể "
            "như sau:"
        )
        blocks = [["Thủ trưởng cơ quan giải quyết", event.actor_name, "(Ký, ghi rõ họ tên)"]]
    content = _heading(
        facts,
        Kind.REFUSAL,
        issuer=issuer_lines(unit, one_stop=at_intake),
        place_of=unit,
        on=event.at,
        issued=event.at,
    )
    content["blocks"] += [
        _fields(*applicant_items(dossier)),
        _fields(*request_items(dossier)),
        _para(sentence),
        _para(event.reason),
        _para(f"Xin thông báo cho {you(dossier)} được biết và thực hiện."),
        {"signatures": blocks, "recipients": []},
    ]
    return content


def _addressee(dossier: Dossier) -> str:
    if dossier.applicant_kind == ApplicantKind.CITIZEN:
        return f"Ông/Bà {dossier.applicant_name}"
    return dossier.applicant_name


def apology_content(facts: DossierFacts, ref: NoticeRef, *, number: str) -> dict[str, Any]:
    """Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả (TT 01/2018); Văn bản xin lỗi và đề
    nghị gia hạn thời gian giải quyết (TT 03/2025)."""
    facts = facts.until(ref.event.seq)
    event = ref.event
    dossier = facts.dossier
    unit = notice_unit(facts, ref)
    received = facts.last_of(EventType.RECEIVED)
    original = _instant(event.data.get("original_due_at"))
    new = _instant(event.data.get("new_due_at"))
    content = _heading(
        facts,
        Kind.APOLOGY,
        issuer=issuer_lines(unit, one_stop=False),
        place_of=unit,
        on=event.at,
        issued=event.at,
        extra=[("Hẹn trả mới", stamp(new))],
        number=number,
    )
    me, them = unit.name, you(dossier)
    if facts.form_set.key == "tt01-2018":
        promise = (
            f"{me} xin lỗi {them} và sẽ trả kết quả giải quyết hồ sơ cho {them} vào {moment(new)}."
        )
    else:
        promise = (
            f"{me} xin lỗi {them} và đề nghị gia hạn thời gian giải quyết hồ sơ đến {moment(new)}."
        )
    content["blocks"] += [
        _fields(("Kính gửi", _addressee(dossier))),
        _fields(
            ("Địa chỉ", dossier.applicant_address),
            ("Số điện thoại", dossier.applicant_phone),
            ("Thư điện tử", dossier.applicant_email),
        ),
        _para(
            f"Ngày {day(received.at) if received else ''}, "
            f"{one_stop_name(dossier.receiving_unit)} tiếp nhận hồ sơ của {them} đề nghị giải "
            f"quyết thủ tục hành chính: {dossier.procedure_version.name}."
        ),
        _fields(
            ("Mã hồ sơ", dossier.code),
            ("Thời hẹn trả kết quả giải quyết hồ sơ", moment(original)),
        ),
        _para(f"Tuy nhiên đến nay, {me} chưa trả kết quả giải quyết hồ sơ cho {them}."),
        _fields(("Lý do", event.reason)),
        _para(f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của {them}. {promise}"),
        _para(f"Xin trân trọng cảm ơn sự hợp tác của {them}."),
        {
            "signatures": [
                ["Thủ trưởng cơ quan giải quyết", event.actor_name, "(Ký, ghi rõ họ tên)"]
            ],
            "recipients": ["Như trên;", f"{one_stop_name(dossier.receiving_unit)};", "Lưu: VT."],
        },
    ]
    return content


def stop_notice_content(facts: DossierFacts, ref: NoticeRef, *, number: str) -> dict[str, Any]:
    """Mẫu 05 of TT 03/2025 — Thông báo dừng giải quyết hồ sơ (fields [U]: docs/forms.md)."""
    facts = facts.until(ref.event.seq)
    event = ref.event
    dossier = facts.dossier
    unit = notice_unit(facts, ref)
    received = facts.last_of(EventType.RECEIVED)
    them = you(dossier)
    content = _heading(
        facts,
        Kind.STOP_NOTICE,
        issuer=issuer_lines(unit, one_stop=False),
        place_of=unit,
        on=event.at,
        issued=event.at,
        number=number,
    )
    content["blocks"] += [
        _fields(("Kính gửi", _addressee(dossier))),
        _fields(("Địa chỉ", dossier.applicant_address), ("Số điện thoại", dossier.applicant_phone)),
        _para(
            f"Ngày {day(received.at) if received else ''}, "
            f"{one_stop_name(dossier.receiving_unit)} tiếp nhận hồ sơ của {them} đề nghị giải "
            f"quyết thủ tục hành chính: {dossier.procedure_version.name}."
        ),
        _fields(("Mã hồ sơ", dossier.code)),
        _para(f"{unit.name} thông báo dừng giải quyết hồ sơ nêu trên kể từ {moment(event.at)}."),
        _fields(("Lý do", event.reason)),
        _para(f"Xin thông báo để {them} được biết."),
        {
            "signatures": [
                ["Thủ trưởng cơ quan giải quyết", event.actor_name, "(Ký, ghi rõ họ tên)"]
            ],
            "recipients": ["Như trên;", f"{one_stop_name(dossier.receiving_unit)};", "Lưu: VT."],
        },
    ]
    return content


# ---------------------------------------------------------------------------------------------
# The control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ): living, not frozen
# ---------------------------------------------------------------------------------------------

_HAND_OVERS = frozenset(
    {
        EventType.FORWARDED,
        EventType.ASSIGNED,
        EventType.STEP_COMPLETED,
        EventType.CONSULTATION_REQUESTED,
        EventType.CONSULTATION_ANSWERED,
        EventType.TRANSFERRED,
        EventType.SUPPLEMENT_REQUESTED,
        EventType.SUPPLEMENT_RECEIVED,
        EventType.RESOLVED,
        EventType.POSTAL_DISPATCHED,
        EventType.RETURNED,
    }
)
# Who takes the dossier after a step is done: the actor of the next of these events.
_TAKERS = frozenset({EventType.ASSIGNED, EventType.TRANSFERRED, EventType.RESOLVED})


def _label(timeliness: str) -> str:
    return str(Timeliness(timeliness).label) if timeliness else ""


def _flag(at: dt.datetime, due: dt.date | None) -> str:
    """Early, on time or late at date granularity, like the dossier itself (decision 4)."""
    return _label(timeliness_of(at, due))


def _party(unit: str, person: str) -> str:
    return ", ".join(part for part in (unit, person) if part)


@dataclass
class _HandOver:
    giver: tuple[str, str]
    taker: tuple[str, str]
    flag: str
    note: str


class _ControlSlip:
    """The hand-overs of a dossier, read from its events (handbook §3.2)."""

    def __init__(self, facts: DossierFacts) -> None:
        self.facts = facts
        dossier = facts.dossier
        self.one_stop = one_stop_name(dossier.receiving_unit)
        self.applicant = ("Người nộp hồ sơ", dossier.applicant_name)
        self.timings = iter(step_timings(dossier, facts.events, now=facts.now))
        self.timing: dict[str, Any] | None = None
        self.schedule = schedule_for(unit=dossier.receiving_unit)
        self.requests = {
            event.seq: event
            for event in facts.events
            if event.type == EventType.CONSULTATION_REQUESTED
        }

    def rows(self) -> list[list[str]]:
        due: dt.date | None = None  # the lawful due date in force at each hand-over
        rows: list[list[str]] = []
        events = self.facts.events
        for index, event in enumerate(events):
            if event.data.get("due_date"):
                due = dt.date.fromisoformat(event.data["due_date"])
            if event.type == EventType.ASSIGNED:
                self.timing = next(self.timings, None)
            if event.type not in _HAND_OVERS:
                continue
            following = next((e for e in events[index + 1 :] if e.type in _HAND_OVERS), None)
            hand_over = self.hand_over(event, due, following)
            rows.append(
                [
                    str(len(rows) + 1),
                    f"1. Giao: {_party(*hand_over.giver)}\n2. Nhận: {_party(*hand_over.taker)}",
                    moment(event.at),
                    hand_over.flag,
                    hand_over.note,
                ]
            )
        return rows

    def _step_flag(self, event: DossierEvent, due: dt.date | None) -> str:
        """A completed step against its share of the time limit (its budget), at date
        granularity: the day its remaining budget would have run out."""
        timing = self.timing
        if timing is None or timing.get("budget") is None or timing.get("finished_at") != event.at:
            return _flag(event.at, due)
        if timing["used"] > timing["budget"]:
            return _label(Timeliness.LATE)
        deadline = add_working_hours(event.at, timing["budget"] - timing["used"], self.schedule)
        same_day = clock.local(deadline).date() == clock.local(event.at).date()
        return _label(Timeliness.ON_TIME if same_day else Timeliness.EARLY)

    def _forwarded(self, event: DossierEvent) -> _HandOver:
        """The desk hands the paper dossier to the resolving body (ND 61/2018 Điều 18; ND
        118/2025): on time by its own deadline (same working day, or the next morning)."""
        data = event.data
        deadline = _instant(data.get("deadline_at"))
        late = (data.get("on_time") is False) or (deadline is not None and event.at > deadline)
        flag = _label(Timeliness.LATE) if late else ""
        if not late and deadline is not None:
            flag = _flag(event.at, clock.local(deadline).date())
        note = f"Chuyển hồ sơ (hạn chuyển {stamp(deadline)})" if deadline else "Chuyển hồ sơ"
        return _HandOver(
            (self.one_stop, event.actor_name),
            (data.get("to_unit_name") or self.facts.unit_name(data.get("to_unit")), ""),
            flag,
            note,
        )

    def hand_over(
        self, event: DossierEvent, due: dt.date | None, following: DossierEvent | None
    ) -> _HandOver:
        facts, data, kind = self.facts, event.data, event.type
        dossier = facts.dossier
        acting = (facts.unit_name(event.unit_id), event.actor_name)
        if kind == EventType.FORWARDED:
            return self._forwarded(event)
        if kind == EventType.ASSIGNED:
            step = f"Bước {data.get('step')}: {data.get('step_name', '')}".rstrip(": ")
            return _HandOver(
                acting,
                (facts.unit_name(data.get("unit")), data.get("assignee_name", "")),
                _flag(event.at, due),
                "; ".join(part for part in (step, event.reason) if part),
            )
        if kind == EventType.STEP_COMPLETED:
            taker = following.actor_name if following and following.type in _TAKERS else ""
            return _HandOver(
                acting,
                (dossier.resolving_unit.name, taker),
                self._step_flag(event, due),
                "; ".join(
                    part for part in (f"Hoàn thành bước {data.get('step')}", event.reason) if part
                ),
            )
        if kind == EventType.CONSULTATION_REQUESTED:
            answer_by = _instant(data.get("consultation_due_at"))
            return _HandOver(
                acting,
                (data.get("to_unit_name", ""), ""),
                _flag(event.at, due),
                f"Xin ý kiến (hạn trả lời {stamp(answer_by)}): {event.reason}",
            )
        if kind == EventType.CONSULTATION_ANSWERED:
            request = self.requests.get(data.get("request_seq", 0))
            answer_by = _instant(request.data.get("consultation_due_at")) if request else None
            return _HandOver(
                acting,
                (facts.unit_name(request.unit_id), request.actor_name) if request else ("", ""),
                _flag(event.at, clock.local(answer_by).date() if answer_by else due),
                f"Trả lời xin ý kiến: {event.reason}",
            )
        if kind == EventType.TRANSFERRED:
            return _HandOver(
                (facts.unit_name(data.get("from_unit")), event.actor_name),
                (data.get("to_unit_name", ""), ""),
                _flag(event.at, due),
                f"Chuyển xử lý: {event.reason}",
            )
        if kind == EventType.SUPPLEMENT_REQUESTED:
            missing = "; ".join(data.get("missing", []))
            return _HandOver(
                acting,
                self.applicant,
                _flag(event.at, due),
                f"Yêu cầu bổ sung: {missing}. {event.reason}".strip(),
            )
        if kind == EventType.SUPPLEMENT_RECEIVED:
            new_due = f", hẹn trả {day(due)}" if data.get("due_date") else ""
            return _HandOver(self.applicant, acting, "", f"Nhận hồ sơ bổ sung{new_due}")
        if kind == EventType.RESOLVED:
            taker = following.actor_name if following else ""
            return _HandOver(
                acting,
                (self.one_stop, taker),
                _flag(event.at, due),
                "; ".join(
                    part
                    for part in (
                        str(Outcome(data.get("outcome", Outcome.APPROVED)).label),
                        event.reason,
                    )
                    if part
                ),
            )
        if kind == EventType.POSTAL_DISPATCHED:
            return _HandOver(
                (self.one_stop, event.actor_name),
                ("Bưu chính công ích", ""),
                "",
                f"Số hiệu bưu gửi: {data.get('tracking_number', '')}",
            )
        # RETURNED: the result reaches the applicant; the flag is the dossier's own.
        note = str(Delivery(data["delivery"]).label) if data.get("delivery") else ""
        if data.get("tracking_number"):
            note += f"; số hiệu bưu gửi {data['tracking_number']}"
        recipient = data.get("recipient") or dossier.applicant_name
        return _HandOver(
            (self.one_stop, event.actor_name),
            ("Người nhận kết quả", recipient),
            _label(dossier.timeliness),
            note,
        )


def _timeliness_text(dossier: Dossier, today: dt.date) -> str:
    """The dossier's result against its lawful due date, or that it is overdue while open."""
    if dossier.timeliness:
        return _label(dossier.timeliness)
    if dossier.overdue_on(today):
        return "Đang quá hạn"
    return ""


def control_slip_content(facts: DossierFacts) -> dict[str, Any]:
    received = facts.last_of(EventType.RECEIVED)
    if received is None:
        raise _unavailable(facts, Kind.CONTROL_SLIP, "hồ sơ chưa được tiếp nhận")
    dossier = facts.dossier
    unit = dossier.receiving_unit
    consulted = dict.fromkeys(
        event.data.get("to_unit_name") or facts.unit_name(event.data.get("to_unit"))
        for event in facts.events
        if event.type == EventType.CONSULTATION_REQUESTED
    )
    content = _heading(
        facts,
        Kind.CONTROL_SLIP,
        issuer=issuer_lines(unit, one_stop=True),
        place_of=unit,
        on=received.at,
        issued=facts.now,
    )
    content["fit"] = False
    content["blocks"] += [
        _fields(
            ("Cơ quan (bộ phận) giải quyết hồ sơ", dossier.resolving_unit.name),
            ("Cơ quan phối hợp giải quyết hồ sơ", ", ".join(name for name in consulted if name)),
            ("Người nộp hồ sơ", dossier.applicant_name),
            ("Thủ tục hành chính", dossier.procedure_version.name),
            ("Thời gian nhận hồ sơ", moment(received.at)),
            ("Thời gian hẹn trả kết quả", moment(dossier.due_at)),
            ("Hẹn lại (văn bản xin lỗi)", moment(dossier.appointment_at)),
            ("Trạng thái", Status(dossier.status).label),
            (
                "Kết quả giải quyết hồ sơ",
                _timeliness_text(dossier, clock.local(facts.now).date()),
            ),
        ),
        {"spacer": 1.5},
        {"table": "control", "rows": _ControlSlip(facts).rows()},
    ]
    return content


# ---------------------------------------------------------------------------------------------
# Layout: content → story
# ---------------------------------------------------------------------------------------------

PAPER_COLUMNS = (
    Column("TT", 0.5, "center"),
    Column("Tên giấy tờ", 5.8),
    Column("Bản chính", 1.1, "center"),
    Column("Bản sao", 1.1, "center"),
)
CONTROL_COLUMNS = (
    Column("TT", 0.5, "center"),
    Column("Tên cơ quan (giao, nhận)", 4),
    Column("Thời gian giao, nhận hồ sơ", 2.1, "center"),
    Column("Kết quả giải quyết hồ sơ (trước hạn / đúng hạn / quá hạn)", 2.1, "center"),
    Column("Ghi chú", 2.6),
)


def _block(block: dict[str, Any]) -> list[Any]:
    if "fields" in block:
        return fields((label, value) for label, value in block["fields"])
    if "line" in block:
        return field_line((label, value) for label, value in block["line"])
    if "para" in block:
        return [para(block["para"])] if block["para"] else []
    if "spacer" in block:
        return [spacer(block["spacer"])]
    if block.get("table") == "papers":
        return [row_table(PAPER_COLUMNS, block["rows"], width=FORM_PAGE.width, size=7.2)]
    if block.get("table") == "control":
        table = row_table(CONTROL_COLUMNS, block["rows"], width=FORM_PAGE.width, size=7, empty="—")
        return [table]
    if "signatures" in block:
        return [
            signatures(
                [
                    Signature(title, name, note or Signature.note)
                    for title, name, note in block["signatures"]
                ],
                recipients=block.get("recipients", []),
                width=FORM_PAGE.width,
            )
        ]
    raise ValueError(f"unknown block {sorted(block)}")


def page_story(content: dict[str, Any], copy: str = "") -> list[Any]:
    """One copy of the form, as a story."""
    story: list[Any] = []
    story += document_heading(
        qr=[(label, value) for label, value in content["qr"]],
        issuer=content["issuer"],
        place_date=content["place_date"],
        title=content["title"],
        subtitle=content["subtitle"],
        number=content.get("number", ""),
        note=copy,
        width=FORM_PAGE.width,
    )
    for block in content["blocks"]:
        story += _block(block)
    return story


def layout(content: dict[str, Any]) -> Document:
    """The document a form's content makes: each copy (liên) on a sheet of its own; a notice
    kept on one sheet."""
    copies = content.get("copies") or [""]
    story: list[Any] = []
    footers: list[str] = []
    for index, copy in enumerate(copies):
        pages = page_story(content, copy)
        if index:
            story.append(page_break())
        if content.get("fit"):
            story.append(fitted(pages, FORM_PAGE))
        else:
            story += pages
        if copy:
            footers.append(f"{content['footer']} — {copy.split(':')[0]}")
    return Document(
        story,
        FORM_PAGE,
        title=content["doc_title"],
        footer=content["footer"],
        page_footers=tuple(footers),
    )


# ---------------------------------------------------------------------------------------------
# The register (Sổ theo dõi hồ sơ): living, numbered per unit and year
# ---------------------------------------------------------------------------------------------

REGISTER_TITLE = "Sổ theo dõi hồ sơ"
REGISTER_COLUMNS = (
    Column("STT", 9, "center"),
    Column("Mã hồ sơ", 42),
    Column("Tên thủ tục hành chính", 32),
    Column("Số lượng hồ sơ (bộ)", 10, "center"),
    Column("Tên cá nhân, tổ chức", 25),
    Column("Địa chỉ, số điện thoại", 30),
    Column("Cơ quan chủ trì giải quyết", 24),
    Column("Ngày nhận hồ sơ", 16, "center"),
    Column("Ngày hẹn trả", 16, "center"),
    Column("Ngày chuyển hồ sơ", 16, "center"),
    Column("Ngày có kết quả / trả kết quả", 18, "center"),
    Column("Ký nhận", 16, "center"),
    Column("Ghi chú", 20),
)


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the register, as ``selectors.register_entries`` reads it."""

    number: int | None  # the entry's number in the unit's book of the year
    year: int | None
    code: str | None
    procedure_name: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    resolving_unit_name: str
    received_at: dt.datetime | None
    due_date: dt.date | None
    forwarded_at: dt.datetime | None
    ended_at: dt.datetime | None
    returned_at: dt.datetime | None
    status: str
    outcome: str
    timeliness: str
    appointment_at: dt.datetime | None
    delivery: str
    postal_tracking: str
    clock_paused: bool = False


def _register_note(entry: RegisterEntry, today: dt.date) -> str:
    notes = []
    if entry.outcome == Outcome.REFUSED:
        notes.append("Từ chối giải quyết")
    if entry.status in OPEN_STATUSES or entry.status in (Status.WITHDRAWN, Status.STOPPED):
        notes.append(str(Status(entry.status).label))
    if entry.timeliness:
        notes.append(str(Timeliness(entry.timeliness).label))
    elif overdue_on(today, entry.status, entry.clock_paused, entry.due_date):
        notes.append("Đang quá hạn")
    if entry.appointment_at:
        notes.append(f"Hẹn lại {day(entry.appointment_at)}")
    return "; ".join(notes)


def _result_dates(entry: RegisterEntry) -> str:
    ended, returned = day(entry.ended_at), day(entry.returned_at)
    return f"{ended} /\n{returned}" if ended and returned else ended or returned


def _signed_for(entry: RegisterEntry) -> str:
    """The "Ký nhận" cell: left blank for the recipient's hand at the counter; a result that
    reached the applicant by post or electronically has nobody to sign here."""
    if entry.returned_at is None:
        return ""
    if entry.delivery == Delivery.POST:
        return f"Bưu chính {entry.postal_tracking}".strip()
    if entry.delivery == Delivery.ELECTRONIC:
        return "Bản điện tử"
    return ""


def register(
    *,
    unit: Unit,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    entries: Sequence[RegisterEntry],
    form_set: FormSet,
) -> Document:
    today = clock.local(now).date()
    period = f"{day(start)} – {day(end)}"
    years = sorted({entry.year for entry in entries if entry.year})
    rows = [
        [
            f"{entry.number:02d}" if entry.number is not None else "",
            entry.code,
            entry.procedure_name,
            "01",
            entry.applicant_name,
            "; ".join(part for part in (entry.applicant_address, entry.applicant_phone) if part),
            entry.resolving_unit_name,
            day(entry.received_at),
            day(entry.due_date),
            day(entry.forwarded_at),
            _result_dates(entry),
            _signed_for(entry),
            _register_note(entry, today),
        ]
        for entry in entries
    ]
    form = form_set.by_kind(Kind.REGISTER)
    number = form.number if form else ""
    books = ", ".join(f"năm {year}, quyển số 01" for year in years)
    story = document_heading(
        qr=[
            ("Đơn vị", unit.identifier or unit.area_code or unit.name),
            ("Kỳ", period),
            ("Giấy tờ", f"Mẫu {number} — {REGISTER_TITLE}"),
            ("Hệ thống", SYSTEM_NAME),
            ("Phát hành", stamp(now)),
            ("Số hồ sơ", str(len(rows))),
        ],
        issuer=issuer_lines(unit, one_stop=True),
        place_date=f"{place_name(unit)}, {written_date(today)}",
        title=REGISTER_TITLE,
        subtitle=[
            f"Từ ngày {day(start)} đến ngày {day(end)}" + (f" ({books})" if books else ""),
            f"Đơn vị tiếp nhận: {unit.name} — tổng số {len(rows)} hồ sơ",
        ],
        width=REGISTER_PAGE.width,
    )
    story.append(
        row_table(
            REGISTER_COLUMNS,
            rows,
            width=REGISTER_PAGE.width,
            size=7,
            max_lines=8,
            empty="Không có hồ sơ",
            font=SANS,
            bold=SANS_BOLD,
        )
    )
    footer = f"Mẫu số {number} {form_set.source} — {REGISTER_TITLE} {unit.name}, {period}"
    return Document(
        story,
        REGISTER_PAGE,
        title=f"{REGISTER_TITLE} — {unit.name} — {period}",
        footer=footer,
    )


__all__ = [
    "NOTICE_KINDS",
    "Document",
    "DocumentNotAvailable",
    "DossierFacts",
    "NoticeRef",
    "RegisterEntry",
    "apology_content",
    "control_slip_content",
    "layout",
    "notices_of",
    "receipt_content",
    "refusal_content",
    "register",
    "stop_notice_content",
    "supplement_request_content",
]
