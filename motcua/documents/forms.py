"""The official forms of TT 01/2018/TT-VPCP Điều 9 (Mẫu 01–06), as ReportLab stories.

Each builder takes what ``selectors`` loaded (the dossier, its events, the units they name) and
returns a ``Document``. A form that the dossier has no event for yet raises
``DocumentNotAvailable``. The fields follow handbook §3.2; the QR block TT 01/2023/TT-VPCP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from motcua.calendars.selectors import schedule_for
from motcua.calendars.workdays import add_working_hours
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.documents.formats import (
    count,
    day,
    mask_identifier,
    moment,
    money,
    stamp,
    written_date,
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
    fields,
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
)
from motcua.dossiers.projection import EventType, timeliness_of
from motcua.units.models import Unit
from motcua.units.selectors import unit_ancestors

FORMS: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}
REGISTER_TITLE = "Sổ theo dõi hồ sơ"  # Mẫu 06
SYSTEM_NAME = "motcua"
ONE_STOP = "Bộ phận Tiếp nhận và Trả kết quả"


class DocumentNotAvailable(NotFound):
    """The dossier has no such document (yet): e.g. Mẫu 04 without an apology."""

    code = "document_not_available"


@dataclass(frozen=True)
class Document:
    story: list[Any]
    page: Page
    title: str
    footer: str = ""

    def render(self) -> bytes:
        return build_pdf(
            self.story, page=self.page, title=self.title, subject=self.footer, footer=self.footer
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

    def last_of(self, event_type: EventType) -> DossierEvent | None:
        return self.last(lambda event: event.type == event_type)

    def unit(self, pk: object) -> Unit | None:
        return self.units.get(pk) if isinstance(pk, int) else None

    def unit_name(self, pk: object) -> str:
        unit = self.unit(pk)
        return unit.name if unit is not None else ""

    def place(self, unit: Unit) -> str:
        if unit.pk not in self._places:
            self._places[unit.pk] = place_name(unit)
        return self._places[unit.pk]


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


def applicant_items(dossier: Dossier) -> list[tuple[str, object]]:
    label, value = identifier(dossier)
    citizen = dossier.applicant_kind == ApplicantKind.CITIZEN
    known = dossier.applicant_id_number or dossier.applicant_tax_code
    return [
        ("Ông/Bà" if citizen else "Tổ chức", dossier.applicant_name),
        (label, value if known else ""),
        ("Địa chỉ", dossier.applicant_address),
        ("Số điện thoại", dossier.applicant_phone),
        ("Thư điện tử", dossier.applicant_email),
    ]


def request_items(dossier: Dossier) -> list[tuple[str, object]]:
    version = dossier.procedure_version
    owner = dossier.owner_name if dossier.owner_name != dossier.applicant_name else ""
    return [
        ("Nội dung yêu cầu giải quyết", dossier.summary or version.name),
        ("Thủ tục hành chính", version.name if dossier.summary not in ("", version.name) else ""),
        ("Chủ hồ sơ", owner),
    ]


def heading(
    facts: DossierFacts,
    form: str,
    *,
    issuer: Sequence[str],
    place_of: Unit,
    on: dt.datetime,
    extra: Iterable[tuple[str, str]] = (),
) -> list[Any]:
    """QR block, agency, date line, title and code of a dossier form."""
    dossier = facts.dossier
    qr = [
        ("Mã hồ sơ", dossier.code or "chưa cấp"),
        ("Mã TTHC", dossier.procedure_version.procedure.code),
        identifier(dossier),
        ("Giấy tờ", f"Mẫu {form} — {FORMS[form]}"),
        ("Hệ thống", SYSTEM_NAME),
        ("Phát hành", stamp(facts.now)),
        *extra,
    ]
    code = dossier.code or "chưa cấp (hồ sơ chưa được tiếp nhận)"
    return document_heading(
        qr=qr,
        issuer=issuer,
        place_date=f"{facts.place(place_of)}, {written_date(clock.local(on).date())}",
        title=FORMS[form],
        subtitle=[f"Mã hồ sơ: {code}"],
        width=FORM_PAGE.width,
    )


PAPER_COLUMNS = (
    Column("TT", 0.6, "center"),
    Column("Tên giấy tờ", 5),
    Column("Bản chính", 1.1, "center"),
    Column("Bản sao", 1.1, "center"),
)


def papers_table(papers: Iterable[tuple[str, int, int]]) -> Any:
    rows = [
        [str(index), name, count(originals) if originals else "", count(copies) if copies else ""]
        for index, (name, originals, copies) in enumerate(papers, start=1)
    ]
    return row_table(PAPER_COLUMNS, rows, width=FORM_PAGE.width, size=8)


def _document(form: str, story: list[Any], facts: DossierFacts) -> Document:
    return Document(
        story,
        FORM_PAGE,
        title=f"{FORMS[form]} — {facts.label}",
        footer=f"Mẫu số {form} (Thông tư 01/2018/TT-VPCP) — hồ sơ {facts.label}",
    )


def _unavailable(facts: DossierFacts, form: str, why: str) -> DocumentNotAvailable:
    return DocumentNotAvailable(
        f"Hồ sơ {facts.label} chưa có {FORMS[form][:1].lower()}{FORMS[form][1:]} "
        f"(Mẫu {form}): {why}."
    )


# ---------------------------------------------------------------------------------------------
# Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả
# ---------------------------------------------------------------------------------------------


def _fees_text(dossier: Dossier) -> str:
    return "; ".join(
        f"{fee['name']}: {money(fee['amount'])}" + (f"/{fee['unit']}" if fee.get("unit") else "")
        for fee in dossier.fees
    )


def _delivery_text(dossier: Dossier) -> str:
    label = str(Delivery(dossier.delivery).label)
    if dossier.delivery == Delivery.POST and dossier.applicant_address:
        return f"{label} (địa chỉ: {dossier.applicant_address})"
    if dossier.delivery == Delivery.ELECTRONIC and dossier.applicant_email:
        return f"{label} (gửi tới {dossier.applicant_email})"
    return label


def receipt(facts: DossierFacts) -> Document:
    received = facts.last_of(EventType.RECEIVED)
    if received is None:
        raise _unavailable(facts, "01", "hồ sơ chưa được tiếp nhận")
    dossier = facts.dossier
    unit = dossier.receiving_unit
    due = dossier.due_at or dossier.original_due_at
    story = heading(
        facts,
        "01",
        issuer=issuer_lines(unit, one_stop=True),
        place_of=unit,
        on=received.at,
        extra=[("Hẹn trả", stamp(due))],
    )
    story.append(para(f"{one_stop_name(unit)} tiếp nhận hồ sơ của:"))
    story += fields(applicant_items(dossier))
    story += fields(request_items(dossier))
    story.append(para("Thành phần hồ sơ nộp gồm:"))
    story.append(
        papers_table(
            (paper["name"], int(paper.get("originals") or 0), int(paper.get("copies") or 0))
            for paper in dossier.components
        )
    )
    story.append(spacer(1.5))
    story += fields(
        [
            ("Số lượng hồ sơ", "01 (bộ)"),
            ("Thời gian giải quyết hồ sơ theo quy định", str(limit_of(dossier.procedure_version))),
            ("Phí, lệ phí", _fees_text(dossier)),
            ("Thời gian nhận hồ sơ", moment(received.at)),
            ("Thời gian trả kết quả giải quyết hồ sơ", moment(due)),
            ("Đăng ký nhận kết quả", _delivery_text(dossier)),
        ]
    )
    story.append(
        signatures(
            [
                Signature("Người nộp hồ sơ", dossier.applicant_name),
                Signature("Người tiếp nhận hồ sơ", received.actor_name),
            ],
            width=FORM_PAGE.width,
        )
    )
    return _document("01", story, facts)


# ---------------------------------------------------------------------------------------------
# Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
# ---------------------------------------------------------------------------------------------


def supplement_request(facts: DossierFacts) -> Document:
    event = facts.last_of(EventType.SUPPLEMENT_REQUESTED)
    if event is None:
        raise _unavailable(facts, "02", "hồ sơ chưa được yêu cầu bổ sung, hoàn thiện")
    dossier = facts.dossier
    unit = facts.unit(event.unit_id) or dossier.receiving_unit
    published = {paper.name: paper for paper in dossier.procedure_version.components.all()}
    papers = []
    for name in event.data.get("missing", []):
        paper = published.get(name)
        papers.append((name, paper.originals if paper else 0, paper.copies if paper else 0))
    contact = ", ".join(
        part
        for part in (event.actor_name, unit.name, f"điện thoại {unit.phone}" if unit.phone else "")
        if part
    )
    story = heading(
        facts,
        "02",
        issuer=issuer_lines(unit, one_stop=unit.pk == dossier.receiving_unit_id),
        place_of=unit,
        on=event.at,
    )
    story.append(para("Hồ sơ của:"))
    story += fields(applicant_items(dossier))
    story += fields(request_items(dossier))
    story += fields([("Ngày tiếp nhận hồ sơ", day(dossier.received_at))])
    story.append(para(f"Yêu cầu {you(dossier)} hoàn thiện hồ sơ gồm những nội dung sau:"))
    story.append(papers_table(papers))
    story.append(spacer(1.5))
    story += fields([("Lý do", event.reason)])
    story.append(
        para(
            f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {you(dossier)} liên hệ "
            f"{contact} để được hướng dẫn."
        )
    )
    story.append(
        signatures([Signature("Người hướng dẫn", event.actor_name)], width=FORM_PAGE.width)
    )
    return _document("02", story, facts)


# ---------------------------------------------------------------------------------------------
# Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ
# ---------------------------------------------------------------------------------------------


def _is_refusal(event: DossierEvent) -> bool:
    return event.type == EventType.REFUSED_AT_INTAKE or (
        event.type == EventType.RESOLVED and event.data.get("outcome") == Outcome.REFUSED
    )


def refusal(facts: DossierFacts) -> Document:
    event = facts.last(_is_refusal)
    if event is None:
        raise _unavailable(facts, "03", "hồ sơ không bị từ chối tiếp nhận hay từ chối giải quyết")
    dossier = facts.dossier
    at_intake = event.type == EventType.REFUSED_AT_INTAKE
    unit = facts.unit(event.unit_id) or (
        dossier.receiving_unit if at_intake else dossier.resolving_unit
    )
    if at_intake:
        sentence = (
            f"Qua xem xét, {one_stop_name(unit)} thông báo không tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:"
        )
        blocks = [
            Signature("Người nộp hồ sơ", dossier.applicant_name),
            Signature("Người tiếp nhận hồ sơ", event.actor_name),
        ]
    else:
        sentence = (
            f"Qua thẩm định, {unit.name} thông báo từ chối giải quyết hồ sơ này với lý do cụ thể "
            "như sau:"
        )
        blocks = [
            Signature("Thủ trưởng cơ quan giải quyết", event.actor_name, "(Ký, ghi rõ họ tên)")
        ]
    story = heading(
        facts, "03", issuer=issuer_lines(unit, one_stop=at_intake), place_of=unit, on=event.at
    )
    story += fields(applicant_items(dossier))
    story += fields(request_items(dossier))
    story.append(para(sentence))
    story.append(para(event.reason))
    story.append(para(f"Xin thông báo cho {you(dossier)} được biết và thực hiện."))
    story.append(signatures(blocks, width=FORM_PAGE.width))
    return _document("03", story, facts)


# ---------------------------------------------------------------------------------------------
# Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả
# ---------------------------------------------------------------------------------------------


def apology(facts: DossierFacts) -> Document:
    event = facts.last_of(EventType.APOLOGY_ISSUED)
    if event is None:
        raise _unavailable(facts, "04", "chưa có đề xuất xin lỗi, hẹn lại nào được lãnh đạo ký")
    dossier = facts.dossier
    unit = facts.unit(event.unit_id) or dossier.resolving_unit
    original = _instant(event.data.get("original_due_at")) or dossier.original_due_at
    new = _instant(event.data.get("new_due_at")) or dossier.appointment_at
    story = heading(
        facts,
        "04",
        issuer=issuer_lines(unit, one_stop=False),
        place_of=unit,
        on=event.at,
        extra=[("Hẹn trả mới", stamp(new))],
    )
    addressee = dossier.applicant_name
    if dossier.applicant_kind == ApplicantKind.CITIZEN:
        addressee = f"Ông/Bà {addressee}"
    story += fields([("Kính gửi", addressee)])
    story += fields(
        [
            ("Địa chỉ", dossier.applicant_address),
            ("Số điện thoại", dossier.applicant_phone),
            ("Thư điện tử", dossier.applicant_email),
        ]
    )
    story.append(
        para(
            f"Ngày {day(dossier.received_at)}, {one_stop_name(dossier.receiving_unit)} tiếp nhận "
            f"hồ sơ của {you(dossier)} đề nghị giải quyết thủ tục hành chính: "
            f"{dossier.procedure_version.name}."
        )
    )
    story += fields(
        [
            ("Mã hồ sơ", dossier.code),
            ("Thời hẹn trả kết quả giải quyết hồ sơ", moment(original)),
        ]
    )
    story.append(
        para(
            f"Tuy nhiên đến nay, {unit.name} chưa trả kết quả giải quyết hồ sơ cho {you(dossier)}."
        )
    )
    story += fields([("Lý do", event.reason)])
    story.append(
        para(
            f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của {you(dossier)}. "
            f"{unit.name} xin lỗi {you(dossier)} và sẽ trả kết quả giải quyết hồ sơ cho "
            f"{you(dossier)} vào {moment(new)}."
        )
    )
    story.append(para(f"Xin trân trọng cảm ơn sự hợp tác của {you(dossier)}."))
    story.append(
        signatures(
            [Signature("Thủ trưởng cơ quan giải quyết", event.actor_name, "(Ký, ghi rõ họ tên)")],
            recipients=[
                "Như trên;",
                f"{one_stop_name(dossier.receiving_unit)};",
                "Lưu: VT.",
            ],
            width=FORM_PAGE.width,
        )
    )
    return _document("04", story, facts)


# ---------------------------------------------------------------------------------------------
# Mẫu 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ
# ---------------------------------------------------------------------------------------------

CONTROL_COLUMNS = (
    Column("TT", 0.5, "center"),
    Column("Tên cơ quan (giao, nhận)", 4),
    Column("Thời gian giao, nhận hồ sơ", 2.1, "center"),
    Column("Kết quả giải quyết hồ sơ (trước hạn / đúng hạn / quá hạn)", 2.1, "center"),
    Column("Ghi chú", 2.6),
)
_HAND_OVERS = frozenset(
    {
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
    """The hand-overs of a dossier, read from its events (handbook §3.2, Mẫu 05)."""

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

    def hand_over(
        self, event: DossierEvent, due: dt.date | None, following: DossierEvent | None
    ) -> _HandOver:
        facts, data, kind = self.facts, event.data, event.type
        dossier = facts.dossier
        acting = (facts.unit_name(event.unit_id), event.actor_name)
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


def control_slip(facts: DossierFacts) -> Document:
    received = facts.last_of(EventType.RECEIVED)
    if received is None:
        raise _unavailable(facts, "05", "hồ sơ chưa được tiếp nhận")
    dossier = facts.dossier
    unit = dossier.receiving_unit
    consulted = dict.fromkeys(
        event.data.get("to_unit_name", "")
        for event in facts.events
        if event.type == EventType.CONSULTATION_REQUESTED
    )
    story = heading(
        facts,
        "05",
        issuer=issuer_lines(unit, one_stop=True),
        place_of=unit,
        on=received.at,
    )
    story += fields(
        [
            ("Cơ quan (bộ phận) giải quyết hồ sơ", dossier.resolving_unit.name),
            ("Cơ quan phối hợp giải quyết hồ sơ", ", ".join(name for name in consulted if name)),
            ("Người nộp hồ sơ", dossier.applicant_name),
            ("Thủ tục hành chính", dossier.procedure_version.name),
            ("Thời gian nhận hồ sơ", moment(received.at)),
            ("Thời gian hẹn trả kết quả", moment(dossier.due_at)),
            ("Hẹn lại (phiếu xin lỗi)", moment(dossier.appointment_at)),
            ("Trạng thái", Status(dossier.status).label),
        ]
    )
    story.append(spacer(1.5))
    story.append(
        row_table(
            CONTROL_COLUMNS,
            _ControlSlip(facts).rows(),
            width=FORM_PAGE.width,
            size=7,
            empty="—",
        )
    )
    return _document("05", story, facts)


BUILDERS: dict[str, Callable[[DossierFacts], Document]] = {
    "01": receipt,
    "02": supplement_request,
    "03": refusal,
    "04": apology,
    "05": control_slip,
}


# ---------------------------------------------------------------------------------------------
# Mẫu 06 — Sổ theo dõi hồ sơ
# ---------------------------------------------------------------------------------------------

REGISTER_COLUMNS = (
    Column("STT", 8, "center"),
    Column("Mã hồ sơ", 39),
    Column("Tên thủ tục hành chính", 36),
    Column("Số lượng hồ sơ (bộ)", 11, "center"),
    Column("Tên cá nhân, tổ chức", 28),
    Column("Địa chỉ, số điện thoại", 36),
    Column("Cơ quan chủ trì giải quyết", 28),
    Column("Ngày nhận hồ sơ", 17, "center"),
    Column("Ngày hẹn trả", 17, "center"),
    Column("Ngày chuyển hồ sơ", 17, "center"),
    Column("Ngày có kết quả / trả kết quả", 19, "center"),
    Column("Ghi chú", 21),
)


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the register, as ``selectors.register_entries`` reads it."""

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


def _register_note(entry: RegisterEntry, today: dt.date) -> str:
    notes = []
    if entry.outcome == Outcome.REFUSED:
        notes.append("Từ chối giải quyết")
    if entry.status in OPEN_STATUSES or entry.status in (Status.WITHDRAWN, Status.STOPPED):
        notes.append(str(Status(entry.status).label))
    if entry.timeliness:
        notes.append(str(Timeliness(entry.timeliness).label))
    elif entry.status in OPEN_STATUSES and entry.due_date and entry.due_date < today:
        notes.append("Đang quá hạn")
    if entry.appointment_at:
        notes.append(f"Hẹn lại {day(entry.appointment_at)}")
    return "; ".join(notes)


def _result_dates(entry: RegisterEntry) -> str:
    ended, returned = day(entry.ended_at), day(entry.returned_at)
    return f"{ended} /\n{returned}" if ended and returned else ended or returned


def register(
    *,
    unit: Unit,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    entries: Sequence[RegisterEntry],
) -> Document:
    today = clock.local(now).date()
    period = f"{day(start)} – {day(end)}"
    rows = [
        [
            str(number),
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
            _register_note(entry, today),
        ]
        for number, entry in enumerate(entries, start=1)
    ]
    story = document_heading(
        qr=[
            ("Đơn vị", unit.identifier or unit.area_code or unit.name),
            ("Kỳ", period),
            ("Giấy tờ", f"Mẫu 06 — {REGISTER_TITLE}"),
            ("Hệ thống", SYSTEM_NAME),
            ("Phát hành", stamp(now)),
            ("Số hồ sơ", str(len(rows))),
        ],
        issuer=issuer_lines(unit, one_stop=True),
        place_date=f"{place_name(unit)}, {written_date(today)}",
        title=REGISTER_TITLE,
        subtitle=[
            f"Từ ngày {day(start)} đến ngày {day(end)}",
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
    return Document(
        story,
        REGISTER_PAGE,
        title=f"{REGISTER_TITLE} — {unit.name} — {period}",
        footer=f"Mẫu số 06 (Thông tư 01/2018/TT-VPCP) — {REGISTER_TITLE} {unit.name}, {period}",
    )
