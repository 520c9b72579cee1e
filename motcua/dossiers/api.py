"""JSON API over dossiers: the same selectors and transition services as the officers' pages.

Every request carries an API token (apiclients) and acts as the officer it belongs to: the lists are
scoped by ``dossiers_visible_to``, every transition is checked by its service exactly as on the
pages. A transition names the ``version`` of the dossier the client last read: if someone changed it
meanwhile the answer is 409 ``stale_dossier`` and nothing changes. Errors are
``{"code", "detail"[, "errors"]}`` (config/api.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply
from pydantic import AfterValidator, StrictInt, StringConstraints

from motcua.accounts.models import User
from motcua.accounts.selectors import users_visible_to
from motcua.apiclients.auth import ApiTokenAuth, ApiTokenReadAuth, api_actor
from motcua.audit.models import Access
from motcua.audit.services import access_record, accessor_from_request, identifier_shaped
from motcua.catalog.selectors import fee_amount_text
from motcua.core import clock
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.schemas import ErrorOut
from motcua.core.text import mask_identifier
from motcua.dossiers.deadlines import deadline_explanation
from motcua.dossiers.events import history_problems
from motcua.dossiers.models import (
    DOSSIER_CODE_PATTERN,
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    Outcome,
    Status,
    Timeliness,
)
from motcua.dossiers.selectors import (
    applicant_identifiers_for,
    dossier_events,
    dossier_get_for_officer,
    dossier_search,
)
from motcua.dossiers.services import (
    Applicant,
    Intake,
    ReceivedComponent,
    dossier_accept,
    dossier_answer_consultation,
    dossier_assign,
    dossier_complete_step,
    dossier_dispatch_by_post,
    dossier_issue_apology,
    dossier_propose_apology,
    dossier_receive,
    dossier_receive_payment,
    dossier_receive_supplement,
    dossier_refuse_at_counter,
    dossier_refuse_intake,
    dossier_request_consultation,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_stop,
    dossier_submit,
    dossier_transfer,
    dossier_withdraw,
)
from motcua.units.models import Unit
from motcua.units.selectors import unit_find, unit_subtree

router = Router(tags=["Hồ sơ"], auth=ApiTokenAuth())

# ---------------------------------------------------------------------------------------------
# Input types: bounded, and free of NUL (PostgreSQL refuses it in text and JSON: a 500, not a 4xx)
# ---------------------------------------------------------------------------------------------


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL.")
    return value


Text40 = Annotated[str, StringConstraints(max_length=40), AfterValidator(_no_nul)]
Text150 = Annotated[str, StringConstraints(max_length=150), AfterValidator(_no_nul)]
Text255 = Annotated[str, StringConstraints(max_length=255), AfterValidator(_no_nul)]
Text500 = Annotated[str, StringConstraints(max_length=500), AfterValidator(_no_nul)]
Text1000 = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_no_nul)]
Text4000 = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_no_nul)]

# Dates a client may filter on: far enough apart for any history, near enough that converting
# them to UTC instants never overflows.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)

_CODE_RE = re.compile(DOSSIER_CODE_PATTERN)
_NUMBER_RE = re.compile(r"#\d{1,18}")

# ---------------------------------------------------------------------------------------------
# Output schemas
# ---------------------------------------------------------------------------------------------


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ChoiceOut(Schema):
    value: str
    label: str


class CodedChoiceOut(ChoiceOut):
    national_code: int = Field(description="Mã dùng chung toàn quốc (sổ tay §12)")


class UnitOut(Schema):
    identifier: str
    area_code: str
    name: str


class ProcedureOut(Schema):
    code: str
    version: int
    name: str


class OfficerOut(Schema):
    username: str
    name: str


class ApplicantSummaryOut(Schema):
    kind: str
    name: str
    id_number: str = Field(description="Số định danh cá nhân, chỉ hiện 4 số cuối")


class ApplicantOut(Schema):
    kind: str
    name: str
    id_number: str
    tax_code: str
    phone: str
    email: str
    address: str
    owner_name: str


class ComponentOut(Schema):
    position: int | None = None
    name: str = ""
    originals: int = 0
    copies: int = 0
    digitised: bool = False


class FeeOut(Schema):
    """A fee as the dossier recorded it at intake (decision 11): ``status`` amount, exempt or
    unconfigured (set by the province's People's Council, not yet configured: ``amount`` null,
    never 0); absent on dossiers received before fees had one."""

    kind: str = ""
    name: str = ""
    amount: str | None = None
    unit: str = ""
    legal_basis: str = ""
    status: str | None = None
    channel: str = ""
    resolution: str = ""
    amount_text: str = Field("", description="Số tiền như phiếu ghi: “Miễn”, “Chưa cấu hình…”")


class TraceStepOut(Schema):
    kind: str = ""
    date: dt.date | None = None
    message: str = ""
    reason: str = ""
    basis: str = ""


class _DossierBase(Schema):
    ref: str = Field(description="Mã hồ sơ, hoặc #số trước khi tiếp nhận: dùng trong đường dẫn")
    code: str | None
    version: int = Field(description="Gửi lại trong mọi thao tác chuyển trạng thái")
    procedure: ProcedureOut
    status: CodedChoiceOut
    channel: CodedChoiceOut
    delivery: ChoiceOut
    receiving_unit: UnitOut
    resolving_unit: UnitOut
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="Hạn trả theo quy định")
    due_date: dt.date | None
    appointment_at: dt.datetime | None = Field(description="Ngày hẹn lại ghi trên phiếu xin lỗi")
    ended_at: dt.datetime | None
    timeliness: ChoiceOut | None


class DossierSummaryOut(_DossierBase):
    applicant: ApplicantSummaryOut


class DossierOut(_DossierBase):
    applicant: ApplicantOut
    summary: str
    outcome: ChoiceOut | None
    original_due_at: dt.datetime | None = Field(description="Hạn trả lúc tiếp nhận")
    returned_at: dt.datetime | None
    current_step: int | None
    assignee: OfficerOut | None
    postal_tracking: str
    components: list[ComponentOut]
    fees: list[FeeOut]
    involved_units: list[UnitOut]
    deadline_trace: list[TraceStepOut] = Field(description="Cách tính hạn trả, từng bước")
    event_count: int
    last_hash: str


class DossierPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierSummaryOut]


class EventOut(Schema):
    seq: int
    type: str
    at: dt.datetime
    recorded_at: dt.datetime
    actor: str | None = Field(description="Tên đăng nhập của người thực hiện")
    actor_name: str
    unit: UnitOut | None
    reason: str
    data: dict[str, Any]
    documents: list[Any]
    prev_hash: str
    hash: str


class HistoryOut(Schema):
    ref: str
    intact: bool = Field(description="Chuỗi băm nguyên vẹn (không ai sửa lịch sử)")
    problems: list[str]
    events: list[EventOut]


def _choice(choices: Any, value: str) -> dict[str, Any] | None:
    if not value:
        return None
    member = choices(value)
    return {"value": member.value, "label": str(member.label)}


def _coded(choices: Any, value: str) -> dict[str, Any]:
    member = choices(value)
    return {
        "value": member.value,
        "label": str(member.label),
        "national_code": member.national_code,
    }


def _unit(unit: Unit) -> dict[str, Any]:
    return {
        "identifier": unit.identifier or "",
        "area_code": unit.area_code or "",
        "name": unit.name,
    }


def _ref(dossier: Dossier) -> str:
    return dossier.code or f"#{dossier.pk}"


def _base(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return {
        "ref": _ref(dossier),
        "code": dossier.code,
        "version": dossier.version,
        "procedure": {
            "code": version.procedure.code,
            "version": version.number,
            "name": version.name,
        },
        "status": _coded(Status, dossier.status),
        "channel": _coded(Channel, dossier.channel),
        "delivery": _choice(Delivery, dossier.delivery),
        "receiving_unit": _unit(dossier.receiving_unit),
        "resolving_unit": _unit(dossier.resolving_unit),
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "due_date": dossier.due_date,
        "appointment_at": dossier.appointment_at,
        "ended_at": dossier.ended_at,
        "timeliness": _choice(Timeliness, dossier.timeliness),
    }


def _summary(dossier: Dossier) -> dict[str, Any]:
    return {
        **_base(dossier),
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "id_number": mask_identifier(dossier.applicant_id_number),
        },
    }


def _detail(dossier: Dossier, user: User) -> dict[str, Any]:
    assignee = dossier.assignee
    identifiers = applicant_identifiers_for(user=user, dossier=dossier)
    return {
        **_base(dossier),
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "id_number": identifiers.id_number,
            "tax_code": identifiers.tax_code,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
            "owner_name": dossier.owner_name,
        },
        "summary": dossier.summary,
        "outcome": _choice(Outcome, dossier.outcome),
        "original_due_at": dossier.original_due_at,
        "returned_at": dossier.returned_at,
        "current_step": dossier.current_step,
        "assignee": (
            {"username": assignee.username, "name": assignee.get_full_name()}
            if assignee is not None
            else None
        ),
        "postal_tracking": dossier.postal_tracking,
        "components": dossier.components,
        "fees": [{**fee, "amount_text": fee_amount_text(fee)} for fee in dossier.fees],
        "involved_units": [_unit(unit) for unit in dossier.involved_units.order_by("path")],
        "deadline_trace": deadline_explanation(dossier),
        "event_count": dossier.event_count,
        "last_hash": dossier.last_hash,
    }


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _dossier(actor: User, code: str) -> Dossier:
    """The dossier ``code`` names, if the officer may see it; a malformed code is simply unknown."""
    if not (_CODE_RE.fullmatch(code) or _NUMBER_RE.fullmatch(code)):
        raise NotFound(
            f"Không tìm thấy hồ sơ {code[:40]!r} trong phạm vi được xem.", code="dossier_not_found"
        )
    return dossier_get_for_officer(user=actor, code=code)


def _find_unit(code: str) -> Unit:
    return unit_find(code=code, on=clock.today())


class DossierQuery(Schema):
    status: list[Status] = Field(default_factory=list, description="Có thể lặp lại")
    unit: Text40 = Field("", description="Mã định danh hoặc mã địa bàn; gồm cả đơn vị cấp dưới")
    q: Text150 = Field(
        "", description="Mã hồ sơ, tên người nộp (có hay không dấu), số định danh, mã số thuế"
    )
    received_from: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="Tiếp nhận từ ngày (giờ Việt Nam)"
    )
    received_to: dt.date | None = Field(
        None, ge=EARLIEST, le=LATEST, description="Tiếp nhận đến hết ngày"
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


def _record(request: HttpRequest, action: Access, **details: Any) -> None:
    """Who saw what (audit.services.access_record), before the answer leaves: fail closed."""
    access_record(by=accessor_from_request(request, api_actor(request)), action=action, **details)


def _search(request: HttpRequest, query: DossierQuery) -> dict[str, Any]:
    # The officers' search (name without diacritics, code, ID number, tax code, receipt dates),
    # then what the API adds: several statuses at once, a unit with the units below it.
    dossiers = dossier_search(
        user=api_actor(request),
        query=query.q,
        received_from=query.received_from,
        received_to=query.received_to,
    )
    if query.status:
        dossiers = dossiers.filter(status__in=[str(status) for status in query.status])
    if query.unit.strip():
        units = unit_subtree(unit=_find_unit(query.unit))
        dossiers = dossiers.filter(Q(receiving_unit__in=units) | Q(resolving_unit__in=units))
    page = dossiers[query.offset : query.offset + query.limit]
    count = dossiers.count()
    items = [_summary(dossier) for dossier in page]
    _record(request, Access.SEARCHED, query=query.q, results=count)
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": items}


@router.get(
    "/",
    response={200: DossierPageOut, **ERRORS},
    summary="Danh sách hồ sơ trong phạm vi được xem (lọc, tìm kiếm, phân trang)",
    description=(
        "Tìm theo số định danh hoặc mã số thuế thì dùng POST /api/dossiers/search: một số như "
        "vậy trong `q` bị từ chối (400 `search_by_post_required`) để không nằm trên địa chỉ và "
        "trong nhật ký máy chủ."
    ),
    operation_id="list_dossiers",
)
def list_dossiers(request: HttpRequest, query: Query[DossierQuery]) -> dict[str, Any]:
    if identifier_shaped(query.q):
        raise InvalidInput(
            "Không tìm theo số định danh hoặc mã số thuế trên địa chỉ (GET): gửi "
            'POST /api/dossiers/search với thân JSON {"q": "..."}.',
            code="search_by_post_required",
        )
    return _search(request, query)


@router.post(
    "/search",
    response={200: DossierPageOut, **ERRORS},
    summary="Tìm hồ sơ (POST: số định danh, mã số thuế ở thân yêu cầu, không trên địa chỉ)",
    operation_id="search_dossiers",
    auth=ApiTokenReadAuth(),  # only reads: a read-only token may search
)
def search_dossiers(request: HttpRequest, body: DossierQuery) -> dict[str, Any]:
    return _search(request, body)


# ---------------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------------


class ApplicantIn(Schema):
    kind: ApplicantKind = ApplicantKind.CITIZEN
    name: Text255
    id_number: Text40 = Field("", description="Số định danh cá nhân (CCCD), 12 chữ số")
    tax_code: Text40 = ""
    phone: Text40 = ""
    email: Text255 = ""
    address: Text500 = ""
    owner_name: Text255 = Field("", description="Chủ hồ sơ, nếu khác người nộp")


class ComponentIn(Schema):
    position: int | None = Field(
        None, ge=1, le=1000, description="Số thứ tự thành phần hồ sơ trong thủ tục"
    )
    name: Text500
    originals: int = Field(0, ge=0, le=1000)
    copies: int = Field(0, ge=0, le=1000)
    digitised: bool = Field(False, description="Đã số hóa")


def _components(items: list[ComponentIn]) -> list[ReceivedComponent]:
    return [
        ReceivedComponent(
            name=item.name,
            position=item.position,
            originals=item.originals,
            copies=item.copies,
            digitised=item.digitised,
        )
        for item in items
    ]


class IntakeIn(Schema):
    procedure_code: Text150 = Field(description="Mã thủ tục hành chính, ví dụ 1.004222")
    receiving_unit: Text40 = Field(description="Mã định danh của nơi tiếp nhận")
    resolving_unit: Text40 | None = Field(
        None, description="Đơn vị giải quyết nếu khác (tiếp nhận không phụ thuộc địa giới)"
    )
    applicant: ApplicantIn
    components: list[ComponentIn] = Field(default_factory=list, max_length=200)
    case: Text500 = Field("", description="Trường hợp của thủ tục (thành phần hồ sơ theo đó)")
    delivery: Delivery = Delivery.COUNTER
    summary: Text1000 = ""


class SubmissionIn(IntakeIn):
    channel: Literal["online", "postal"]


class CounterRefusalIn(IntakeIn):
    reason: Text4000


def _intake(body: IntakeIn, channel: str) -> Intake:
    applicant = body.applicant
    return Intake(
        procedure_code=body.procedure_code.strip(),
        applicant=Applicant(
            name=applicant.name,
            kind=str(applicant.kind),
            id_number=applicant.id_number,
            tax_code=applicant.tax_code,
            phone=applicant.phone,
            email=applicant.email,
            address=applicant.address,
            owner_name=applicant.owner_name,
        ),
        receiving_unit=_find_unit(body.receiving_unit),
        resolving_unit=_find_unit(body.resolving_unit) if body.resolving_unit else None,
        channel=channel,
        delivery=str(body.delivery),
        components=_components(body.components),
        case=body.case,
        summary=body.summary,
    )


@router.post(
    "/",
    response={201: DossierOut, **ERRORS},
    summary="Tiếp nhận hồ sơ tại quầy: cấp mã, tính hạn trả (Mẫu 01)",
    description="Thiếu giấy tờ bắt buộc: 400 incomplete_dossier, errors.missing liệt kê giấy tờ "
    "cần bổ sung; không lưu gì.",
    operation_id="receive_dossier",
)
def receive_dossier(request: HttpRequest, body: IntakeIn) -> Reply[dict[str, Any]]:
    dossier = dossier_receive(
        intake=_intake(body, Channel.DIRECT), actor=api_actor(request), at=clock.now()
    )
    return Reply(201, _detail(dossier, api_actor(request)))


@router.post(
    "/submissions",
    response={201: DossierOut, **ERRORS},
    summary="Ghi nhận hồ sơ nộp trực tuyến hoặc qua bưu chính (chưa tiếp nhận, chưa tính hạn)",
    operation_id="submit_dossier",
)
def submit_dossier(request: HttpRequest, body: SubmissionIn) -> Reply[dict[str, Any]]:
    dossier = dossier_submit(
        intake=_intake(body, body.channel), actor=api_actor(request), at=clock.now()
    )
    return Reply(201, _detail(dossier, api_actor(request)))


@router.post(
    "/refusals",
    response={201: DossierOut, **ERRORS},
    summary="Từ chối tiếp nhận tại quầy hồ sơ chưa từng nộp trực tuyến (Mẫu 03)",
    operation_id="refuse_dossier_at_counter",
)
def refuse_dossier_at_counter(
    request: HttpRequest, body: CounterRefusalIn
) -> Reply[dict[str, Any]]:
    dossier = dossier_refuse_at_counter(
        intake=_intake(body, Channel.DIRECT),
        actor=api_actor(request),
        reason=body.reason,
        at=clock.now(),
    )
    return Reply(201, _detail(dossier, api_actor(request)))


# Registered after the intake paths: "/{code}" would otherwise catch "/submissions".


@router.get(
    "/{code}",
    response={200: DossierOut, **ERRORS},
    summary="Chi tiết hồ sơ: hạn trả và cách tính, trạng thái (mã toàn quốc), đúng hạn",
    operation_id="get_dossier",
)
def get_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = api_actor(request)
    dossier = _dossier(actor, code)
    answer = _detail(dossier, actor)
    _record(request, Access.OPENED, dossiers=[dossier], what="chi-tiet")
    return answer


@router.get(
    "/{code}/events",
    response={200: HistoryOut, **ERRORS},
    summary="Lịch sử xử lý hồ sơ (chuỗi sự kiện có mã băm) và kết quả kiểm tra toàn vẹn",
    operation_id="get_dossier_events",
)
def get_dossier_events(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = _dossier(api_actor(request), code)
    events = list(dossier_events(dossier=dossier))
    problems = history_problems(dossier, events)
    _record(request, Access.OPENED, dossiers=[dossier], what="lich-su")
    return {
        "ref": _ref(dossier),
        "intact": not problems,
        "problems": problems,
        "events": [
            {
                "seq": event.seq,
                "type": event.type,
                "at": event.at,
                "recorded_at": event.recorded_at,
                "actor": event.actor.username if event.actor is not None else None,
                "actor_name": event.actor_name,
                "unit": _unit(event.unit) if event.unit is not None else None,
                "reason": event.reason,
                "data": event.data,
                "documents": event.documents,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            }
            for event in events
        ],
    }


# ---------------------------------------------------------------------------------------------
# Transitions: each names the version it acted on
# ---------------------------------------------------------------------------------------------


class VersionIn(Schema):
    # Strict: a version is a number the API gave out, never true, "3" or 3.0.
    version: StrictInt = Field(
        ge=0,
        le=2_147_483_647,
        description="Phiên bản hồ sơ đã đọc; hồ sơ đã đổi thì trả 409 stale_dossier",
    )


class ReasonIn(VersionIn):
    reason: Text4000


class NoteIn(VersionIn):
    note: Text4000 = ""


class AssignIn(VersionIn):
    step: int = Field(ge=1, le=1000, description="Bước của quy trình nội bộ")
    assignee: Text150 = Field(description="Tên đăng nhập của người được phân công")
    unit: Text40 | None = Field(None, description="Đơn vị thực hiện bước, nếu khác nơi giải quyết")
    note: Text4000 = ""


class ConsultationIn(VersionIn):
    to_unit: Text40
    question: Text4000
    working_days: int = Field(ge=1, le=365, description="Thời hạn trả lời, ngày làm việc")


class ConsultationAnswerIn(VersionIn):
    unit: Text40 = Field(description="Đơn vị được xin ý kiến đang trả lời")
    answer: Text4000


class TransferIn(VersionIn):
    to_unit: Text40
    reason: Text4000


class SupplementRequestIn(VersionIn):
    missing: list[Text500] = Field(max_length=100, description="Giấy tờ cần bổ sung")
    reason: Text4000


class SupplementIn(VersionIn):
    components: list[ComponentIn] = Field(default_factory=list, max_length=200)


class PaymentRequestIn(VersionIn):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    description: Text4000


class PaymentIn(VersionIn):
    receipt_number: Text150


class DocumentIn(Schema):
    name: Text500
    number: Text150 = Field("", description="Số, ký hiệu văn bản")
    issued_on: dt.date | None = None


class ResolveIn(VersionIn):
    outcome: Outcome
    reason: Text4000 = Field("", description="Bắt buộc khi từ chối giải quyết")
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50)


class ApologyProposalIn(VersionIn):
    reason: Text4000
    extra_working_days: int = Field(description="Số ngày làm việc hẹn thêm sau hạn (1–60)")


class PostalDispatchIn(VersionIn):
    tracking_number: Text40


class ReturnIn(VersionIn):
    recipient: Text255 = Field("", description="Người nhận kết quả")


def _transition(
    request: HttpRequest,
    code: str,
    body: VersionIn,
    service: Callable[..., Dossier],
    **arguments: Any,
) -> dict[str, Any]:
    """Call the transition service as the token's officer, now, on the version the client read."""
    actor = api_actor(request)
    dossier = _dossier(actor, code)
    changed = service(
        dossier=dossier,
        actor=actor,
        expected_version=body.version,
        at=clock.now(),
        **arguments,
    )
    return _detail(changed, api_actor(request))


View = TypeVar("View", bound=Callable[..., Any])


def _transition_route(path: str, summary: str, operation_id: str) -> Callable[[View], View]:
    return router.post(
        path,
        response={200: DossierOut, **ERRORS},
        summary=summary,
        operation_id=operation_id,
    )


@_transition_route(
    "/{code}/accept", "Tiếp nhận hồ sơ đã nộp trực tuyến, bưu chính", "accept_dossier"
)
def accept_dossier(request: HttpRequest, code: str, body: VersionIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_accept)


@_transition_route("/{code}/refuse", "Từ chối tiếp nhận hồ sơ đã nộp (Mẫu 03)", "refuse_dossier")
def refuse_dossier(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_refuse_intake, reason=body.reason)


@_transition_route("/{code}/assign", "Phân công một bước xử lý cho cán bộ", "assign_dossier")
def assign_dossier(request: HttpRequest, code: str, body: AssignIn) -> dict[str, Any]:
    actor = api_actor(request)
    assignee = users_visible_to(user=actor).filter(username=body.assignee, is_active=True).first()
    if assignee is None:
        raise NotFound(f"Không tìm thấy cán bộ {body.assignee!r}.", code="user_not_found")
    return _transition(
        request,
        code,
        body,
        dossier_assign,
        step=body.step,
        assignee=assignee,
        unit=_find_unit(body.unit) if body.unit else None,
        note=body.note,
    )


@_transition_route(
    "/{code}/complete-step", "Hoàn thành bước xử lý được phân công", "complete_dossier_step"
)
def complete_dossier_step(request: HttpRequest, code: str, body: NoteIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_complete_step, note=body.note)


@_transition_route(
    "/{code}/request-consultation",
    "Xin ý kiến, liên thông với đơn vị khác (có thời hạn riêng)",
    "request_dossier_consultation",
)
def request_dossier_consultation(
    request: HttpRequest, code: str, body: ConsultationIn
) -> dict[str, Any]:
    return _transition(
        request,
        code,
        body,
        dossier_request_consultation,
        to_unit=_find_unit(body.to_unit),
        question=body.question,
        working_days=body.working_days,
    )


@_transition_route(
    "/{code}/answer-consultation",
    "Đơn vị được xin ý kiến trả lời",
    "answer_dossier_consultation",
)
def answer_dossier_consultation(
    request: HttpRequest, code: str, body: ConsultationAnswerIn
) -> dict[str, Any]:
    return _transition(
        request,
        code,
        body,
        dossier_answer_consultation,
        unit=_find_unit(body.unit),
        answer=body.answer,
    )


@_transition_route(
    "/{code}/transfer", "Chuyển hồ sơ cho đơn vị có thẩm quyền khác", "transfer_dossier"
)
def transfer_dossier(request: HttpRequest, code: str, body: TransferIn) -> dict[str, Any]:
    return _transition(
        request, code, body, dossier_transfer, to_unit=_find_unit(body.to_unit), reason=body.reason
    )


@_transition_route(
    "/{code}/request-supplement",
    "Yêu cầu bổ sung, hoàn thiện hồ sơ, một lần (Mẫu 02)",
    "request_dossier_supplement",
)
def request_dossier_supplement(
    request: HttpRequest, code: str, body: SupplementRequestIn
) -> dict[str, Any]:
    return _transition(
        request, code, body, dossier_request_supplement, missing=body.missing, reason=body.reason
    )


@_transition_route(
    "/{code}/receive-supplement",
    "Nhận hồ sơ bổ sung: tính lại hạn trả",
    "receive_dossier_supplement",
)
def receive_dossier_supplement(
    request: HttpRequest, code: str, body: SupplementIn
) -> dict[str, Any]:
    return _transition(
        request,
        code,
        body,
        dossier_receive_supplement,
        components=_components(body.components),
    )


@_transition_route(
    "/{code}/request-payment",
    "Yêu cầu thực hiện nghĩa vụ tài chính (thời hạn tạm dừng)",
    "request_dossier_payment",
)
def request_dossier_payment(
    request: HttpRequest, code: str, body: PaymentRequestIn
) -> dict[str, Any]:
    return _transition(
        request,
        code,
        body,
        dossier_request_payment,
        amount=body.amount,
        description=body.description,
    )


@_transition_route(
    "/{code}/receive-payment",
    "Xác nhận đã thực hiện nghĩa vụ tài chính",
    "receive_dossier_payment",
)
def receive_dossier_payment(request: HttpRequest, code: str, body: PaymentIn) -> dict[str, Any]:
    return _transition(
        request, code, body, dossier_receive_payment, receipt_number=body.receipt_number
    )


@_transition_route(
    "/{code}/resolve",
    "Phê duyệt kết quả, hoặc từ chối giải quyết có lý do",
    "resolve_dossier",
)
def resolve_dossier(request: HttpRequest, code: str, body: ResolveIn) -> dict[str, Any]:
    return _transition(
        request,
        code,
        body,
        dossier_resolve,
        outcome=str(body.outcome),
        reason=body.reason,
        documents=[document.model_dump(mode="json") for document in body.documents],
    )


@_transition_route("/{code}/withdraw", "Rút hồ sơ theo yêu cầu của người nộp", "withdraw_dossier")
def withdraw_dossier(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_withdraw, reason=body.reason)


@_transition_route("/{code}/stop", "Dừng giải quyết hồ sơ", "stop_dossier")
def stop_dossier(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_stop, reason=body.reason)


@_transition_route(
    "/{code}/propose-apology",
    "Đề xuất xin lỗi và hẹn lại ngày trả kết quả",
    "propose_dossier_apology",
)
def propose_dossier_apology(
    request: HttpRequest, code: str, body: ApologyProposalIn
) -> dict[str, Any]:
    return _transition(
        request,
        code,
        body,
        dossier_propose_apology,
        reason=body.reason,
        extra_working_days=body.extra_working_days,
    )


@_transition_route(
    "/{code}/issue-apology",
    "Lãnh đạo ký phiếu xin lỗi và hẹn lại (Mẫu 04); hồ sơ vẫn tính quá hạn",
    "issue_dossier_apology",
)
def issue_dossier_apology(request: HttpRequest, code: str, body: VersionIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_issue_apology)


@_transition_route(
    "/{code}/dispatch-by-post",
    "Giao kết quả cho bưu chính, kèm số hiệu bưu gửi",
    "dispatch_dossier_by_post",
)
def dispatch_dossier_by_post(
    request: HttpRequest, code: str, body: PostalDispatchIn
) -> dict[str, Any]:
    return _transition(
        request, code, body, dossier_dispatch_by_post, tracking_number=body.tracking_number
    )


@_transition_route(
    "/{code}/return",
    "Trả kết quả (tại quầy, bưu chính đã phát, bản điện tử)",
    "return_dossier",
)
def return_dossier(request: HttpRequest, code: str, body: ReturnIn) -> dict[str, Any]:
    return _transition(request, code, body, dossier_return, recipient=body.recipient)
