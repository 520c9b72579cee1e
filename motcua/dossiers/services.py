"""Every state change of a dossier is one service here, called alike by pages, API, commands, tasks.

Each transition: checks the actor's role in the unit concerned and the dossier's current status
(handbook §13), refuses a stale edit (two officers act at once: exactly one wins), appends one
hash-chained event with actor, unit, time, reason and documents, then re-derives the stored fields
from the events (dossiers.projection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import user_has_role
from motcua.calendars.models import CALENDAR_VERSION
from motcua.calendars.selectors import deadline_explain, schedule_for
from motcua.calendars.workdays import (
    DueInstant,
    DueResult,
    LimitUnit,
    TimeLimit,
    add_working_days,
    forwarding_deadline,
)
from motcua.catalog.models import CATALOG_VERSION, ProcedureVersion
from motcua.catalog.selectors import fee_lines, procedure_version_in_force
from motcua.core import clock
from motcua.core.db import insert, read_versions
from motcua.core.errors import Conflict, InvalidInput, PermissionDenied
from motcua.core.text import INVISIBLE_ONLY, clean_text, only_invisible
from motcua.core.validators import citizen_id_validator, tax_code_validator
from motcua.dossiers.deadlines import (
    ClockInputs,
    clock_inputs,
    clock_state,
    current_due,
    due_data,
    due_for,
    intake_limit,
    limit_record,
    payment_wait,
    recorded_limit,
    supplement_decision,
)
from motcua.dossiers.events import append_event, prepare_event
from motcua.dossiers.models import (
    SEQUENCE_MAX,
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierEvent,
    DossierSequence,
    Outcome,
    Status,
)
from motcua.dossiers.projection import EventType, project
from motcua.dossiers.signals import event_recorded
from motcua.notifications.services import notify_for_event
from motcua.units.models import UNITS_VERSION, Unit
from motcua.units.selectors import unit_province

# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleDossier(Conflict):
    code = "stale_dossier"


class IncompleteDossier(InvalidInput):
    """Papers are missing at intake: the counter guides the applicant (Mẫu 02), stores nothing."""

    code = "incomplete_dossier"


# ---------------------------------------------------------------------------------------------
# Who may do what, from which status (handbook §13)
# ---------------------------------------------------------------------------------------------

OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT})
WORKING = frozenset({Status.RECEIVED, Status.PROCESSING})
RECEPTION = frozenset({Role.RECEPTION})
HANDLERS = frozenset({Role.SPECIALIST, Role.LEADER})
LEADERS = frozenset({Role.LEADER})
# Who records a dossier that arrives without the applicant at the counter, by channel.
SUBMITTERS: dict[str, frozenset[Role]] = {
    Channel.ONLINE: RECEPTION,
    Channel.POSTAL: frozenset({Role.POSTAL, Role.RECEPTION}),
}


@dataclass(frozen=True)
class Rule:
    label: str  # what the officer tries to do, for messages
    statuses: frozenset[str]
    roles: frozenset[Role]
    # Whose officers act: "receiving", "resolving", "any" (checked by the service) or
    # "desk_or_resolving" (reception at the receiving unit, handlers at the resolving unit).
    unit: str


RULES: dict[EventType, Rule] = {
    EventType.RECEIVED: Rule("tiếp nhận", frozenset({Status.SUBMITTED}), RECEPTION, "receiving"),
    EventType.REFUSED_AT_INTAKE: Rule(
        "từ chối tiếp nhận", frozenset({Status.SUBMITTED}), RECEPTION, "receiving"
    ),
    # The leader of the unit that resolves hands work to its officers (ND 61/2018 Điều 19
    # khoản 1: "người đứng đầu cơ quan … phân công"); a consulted unit answers, it does not assign.
    EventType.ASSIGNED: Rule("phân công xử lý", WORKING, LEADERS, "resolving"),
    EventType.STEP_COMPLETED: Rule(
        "hoàn thành bước xử lý", frozenset({Status.PROCESSING}), HANDLERS, "resolving"
    ),
    EventType.CONSULTATION_REQUESTED: Rule(
        "xin ý kiến, liên thông", frozenset({Status.PROCESSING}), HANDLERS, "resolving"
    ),
    EventType.CONSULTATION_ANSWERED: Rule(
        "trả lời xin ý kiến", frozenset({Status.PROCESSING}), HANDLERS, "any"
    ),
    EventType.TRANSFERRED: Rule("chuyển xử lý", WORKING, LEADERS, "resolving"),
    EventType.SUPPLEMENT_REQUESTED: Rule("yêu cầu bổ sung hồ sơ", WORKING, HANDLERS, "resolving"),
    EventType.SUPPLEMENT_RECEIVED: Rule(
        "nhận hồ sơ bổ sung", frozenset({Status.SUPPLEMENT}), RECEPTION, "receiving"
    ),
    EventType.PAYMENT_REQUESTED: Rule(
        "yêu cầu thực hiện nghĩa vụ tài chính",
        frozenset({Status.PROCESSING}),
        HANDLERS,
        "resolving",
    ),
    EventType.PAYMENT_RECEIVED: Rule(
        "xác nhận đã thực hiện nghĩa vụ tài chính",
        frozenset({Status.PAYMENT}),
        RECEPTION,
        "receiving",
    ),
    EventType.RESOLVED: Rule("phê duyệt kết quả", WORKING, LEADERS, "resolving"),
    EventType.WITHDRAWN: Rule(
        "rút hồ sơ theo yêu cầu", OPEN | {Status.SUBMITTED}, RECEPTION, "receiving"
    ),
    EventType.STOPPED: Rule("dừng xử lý", OPEN, LEADERS, "resolving"),
    # Not while waiting for the applicant: the due date is not running then, and will be computed
    # again when the papers or the payment come back.
    EventType.APOLOGY_PROPOSED: Rule("đề xuất xin lỗi, hẹn lại", WORKING, HANDLERS, "resolving"),
    EventType.APOLOGY_ISSUED: Rule("ký phiếu xin lỗi, hẹn lại", WORKING, LEADERS, "resolving"),
    # The desk hands the paper dossier to the resolving body (ND 118/2025 Điều 18 khoản 2).
    EventType.FORWARDED: Rule(
        "chuyển hồ sơ giấy cho đơn vị giải quyết", OPEN, RECEPTION, "receiving"
    ),
    # Another of the procedure's limits applies: the counter or the handler finds it out.
    EventType.LIMIT_CASE_CHANGED: Rule(
        "đổi trường hợp thời hạn", OPEN, RECEPTION | HANDLERS, "desk_or_resolving"
    ),
    EventType.POSTAL_DISPATCHED: Rule(
        "giao kết quả cho bưu chính",
        frozenset({Status.RESOLVED}),
        frozenset({Role.RECEPTION, Role.POSTAL}),
        "receiving",
    ),
    EventType.RETURNED: Rule(
        "trả kết quả",
        frozenset({Status.RESOLVED}),
        frozenset({Role.RECEPTION, Role.POSTAL}),
        "receiving",
    ),
}


def acting_places(rule: Rule, dossier: Dossier) -> list[tuple[Unit, frozenset[Role]]]:
    """Where officers may act under ``rule`` and with which roles (for rules bound to the
    receiving or resolving unit; "any" is the involved units, checked by the caller)."""
    if rule.unit == "receiving":
        return [(dossier.receiving_unit, rule.roles)]
    if rule.unit == "resolving":
        return [(dossier.resolving_unit, rule.roles)]
    if rule.unit == "desk_or_resolving":
        return [
            (dossier.receiving_unit, rule.roles & RECEPTION),
            (dossier.resolving_unit, rule.roles & HANDLERS),
        ]
    return []


def _unit_for(
    rule: Rule, dossier: Dossier, unit: Unit | None, actor: User | None
) -> tuple[Unit, frozenset[Role]]:
    """The unit whose officers act, and the roles they need there."""
    places = acting_places(rule, dossier)
    if not places:
        return unit or dossier.resolving_unit, rule.roles
    for place, roles in places:
        if actor is None or user_has_role(user=actor, unit=place, roles=roles):
            return place, roles
    return places[-1]  # refused by the caller, naming these roles


def _check(
    dossier: Dossier, event_type: EventType, actor: User | None, unit: Unit | None = None
) -> Unit:
    """The acting unit, once the status and the actor's role allow the transition."""
    rule = RULES[event_type]
    if dossier.status not in rule.statuses:
        raise InvalidTransition(
            f"Không thể {rule.label} hồ sơ {dossier} đang ở trạng thái "
            f"“{Status(dossier.status).label}”."
        )
    acting_unit, roles = _unit_for(rule, dossier, unit, actor)
    if (
        rule.unit == "any"
        and unit is not None
        and unit.pk
        not in {dossier.receiving_unit_id, dossier.resolving_unit_id, *_involved_unit_ids(dossier)}
    ):
        raise PermissionDenied(f"{unit} không tham gia giải quyết hồ sơ {dossier}.")
    if actor is not None and not user_has_role(user=actor, unit=acting_unit, roles=roles):
        names = ", ".join(role.label.lower() for role in roles)
        raise PermissionDenied(f"Chỉ {names} của {acting_unit} được {rule.label} hồ sơ {dossier}.")
    return acting_unit


def _involved_unit_ids(dossier: Dossier) -> set[int]:
    return set(dossier.involved_units.values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------
# The mechanics every transition shares
# ---------------------------------------------------------------------------------------------


def _locked(dossier: Dossier, expected_version: int | None) -> Dossier:
    """The dossier, locked for this transaction; refused if someone changed it meanwhile."""
    fresh = (
        Dossier.objects.select_for_update()
        .select_related("procedure_version", "receiving_unit", "resolving_unit")
        .get(pk=dossier.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise StaleDossier(
            f"Hồ sơ {fresh} vừa được người khác cập nhật (trạng thái hiện tại: "
            f"“{Status(fresh.status).label}”). Hãy tải lại trang và kiểm tra trước khi thao tác."
        )
    return fresh


def _events(dossier: Dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))


def _refresh(dossier: Dossier, *, trace: list[dict[str, Any]] | None = None) -> Dossier:
    """Re-derive the stored fields from the events, bump the version and save."""
    events = _events(dossier)
    state = project(events)
    for name, value in state.values().items():
        setattr(dossier, name, value)
    dossier.clock = clock_state(clock_inputs(dossier, events))
    if trace is not None:
        dossier.deadline_trace = trace
    # The row is locked (or new) in this transaction, so the version can be counted here.
    dossier.version += 1
    dossier.save()
    return dossier


def _record(
    dossier: Dossier,
    event_type: EventType,
    *,
    at: dt.datetime,
    actor: User | None,
    unit: Unit | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    documents: list[dict[str, Any]] | None = None,
    trace: list[dict[str, Any]] | None = None,
) -> Dossier:
    event = append_event(
        dossier,
        type=event_type,
        at=at,
        actor=actor,
        unit=unit,
        reason=reason,
        data=data,
        documents=documents,
    )
    dossier = _refresh(dossier, trace=trace)
    notify_for_event(dossier, event)
    pk, kind, seq = dossier.pk, event.type, event.seq
    transaction.on_commit(
        lambda: event_recorded.send(
            sender=DossierEvent, dossier_id=pk, event_type=kind, event_seq=seq
        ),
        robust=True,  # a listener failing must not turn the officer's answer into an error
    )
    return dossier


def _when(at: dt.datetime | None) -> dt.datetime:
    moment = at or clock.now()
    if moment.tzinfo is None:
        raise InvalidInput("Thời điểm phải kèm múi giờ.")
    return moment


# ---------------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------------


@dataclass
class Applicant:
    name: str
    kind: str = "citizen"
    id_number: str = ""
    tax_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    owner_name: str = ""


@dataclass
class ReceivedComponent:
    """A paper handed in: which component of the procedure, how many, digitised or not."""

    name: str
    position: int | None = None
    originals: int = 0
    copies: int = 0
    digitised: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "name": self.name,
            "originals": self.originals,
            "copies": self.copies,
            "digitised": self.digitised,
        }


@dataclass
class Intake:
    """What the counter (or the portal, or the post) records of a new dossier."""

    procedure_code: str
    applicant: Applicant
    receiving_unit: Unit
    channel: str = Channel.DIRECT
    delivery: str = Delivery.COUNTER
    components: list[ReceivedComponent] = field(default_factory=list)
    case: str = ""  # the case of the papers (ProcedureComponent.case)
    resolving_unit: Unit | None = None
    summary: str = ""
    # Another of the version's limits, chosen at the counter with its reason (issue 7 item 4);
    # empty: the limit of the channel, else the general one.
    limit_case: str = ""
    limit_case_reason: str = ""


def missing_components(version: ProcedureVersion, intake: Intake) -> list[str]:
    """Required papers of the chosen case that were not handed in (ND 61/2018 Điều 17)."""
    handed = {component.position for component in intake.components}
    return [
        component.name
        for component in version.components.all()
        if component.required
        and component.case in ("", intake.case)
        and component.position not in handed
    ]


def resolving_unit_for(intake: Intake) -> Unit:
    """The competent unit: as given, else the People's Committee a service centre serves."""
    receiving = intake.receiving_unit
    resolving = intake.resolving_unit
    if resolving is None:
        parent = receiving.parent
        serves_parent = receiving.kind in (Unit.Kind.SERVICE_CENTRE, Unit.Kind.RECEPTION_POINT)
        resolving = parent if serves_parent and parent is not None else receiving
    # Reception regardless of administrative boundary is within one province (ND 118/2025
    # Điều 14; handbook §2.2): never across provinces.
    if resolving != receiving and unit_province(unit=resolving) != unit_province(unit=receiving):
        raise InvalidInput(
            f"{resolving} không cùng tỉnh với nơi tiếp nhận {receiving}: chỉ tiếp nhận không phụ "
            "thuộc địa giới hành chính trong phạm vi tỉnh."
        )
    return resolving


def fees_for(
    version: ProcedureVersion, channel: str, *, receiving_unit: Unit, on: dt.date
) -> list[dict[str, Any]]:
    """The fees a dossier records at intake: fixed, exempt, or set by the receiving unit's
    province, "unconfigured" (never 0) while its People's Council has none (decision 11)."""
    return [
        dict(line)
        for line in fee_lines(
            version=version, channel=channel, province=unit_province(unit=receiving_unit), on=on
        )
    ]


APPLICANT_TEXTS = ("name", "id_number", "tax_code", "phone", "email", "address", "owner_name")


def clean_applicant(applicant: Applicant) -> Applicant:
    """The applicant as stored: every text cleaned by ``core.text.clean_text`` (NFC, no invisible
    characters, stripped). Counter form, API and postal or online submissions come through here;
    the history import cleans its lines with the same function."""
    return replace(
        applicant, **{name: clean_text(getattr(applicant, name)) for name in APPLICANT_TEXTS}
    )


def _validate_applicant(applicant: Applicant, *, raw: Applicant | None = None) -> None:
    """The applicant's data (cleaned), checked field by field (a typing mistake is named, nothing
    stored). ``raw`` is what was given, to say when a name was made of invisible characters only."""
    problems = []
    if not applicant.name:
        if raw is not None and only_invisible(raw.name):
            problems.append(f"tên người nộp: {INVISIBLE_ONLY}, hãy nhập lại tên")
        else:
            problems.append("tên người nộp: bắt buộc")
    limits = {"name": 255, "phone": 20, "address": 500, "owner_name": 255, "email": 254}
    for name, limit in limits.items():
        if len(getattr(applicant, name).strip()) > limit:
            problems.append(f"{name}: dài quá {limit} ký tự")
    if applicant.kind not in ApplicantKind.values:
        problems.append(f"loại đối tượng {applicant.kind!r} không hợp lệ")
    for value, validator in (
        (applicant.id_number.strip(), citizen_id_validator),
        (applicant.tax_code.strip(), tax_code_validator),
        (applicant.email.strip(), EmailValidator(message="thư điện tử không hợp lệ")),
    ):
        if value:
            try:
                validator(value)
            except ValidationError as exc:
                problems.extend(exc.messages)
    if problems:
        raise InvalidInput(
            "Thông tin hồ sơ không hợp lệ: " + "; ".join(problems), code="invalid_dossier"
        )


def _build_dossier(intake: Intake, *, at: dt.datetime, version: ProcedureVersion) -> Dossier:
    """A new dossier from what was handed in, checked, not yet saved."""
    if intake.channel not in Channel.values:
        raise InvalidInput(f"Kênh nộp {intake.channel!r} không hợp lệ.")
    if intake.delivery not in Delivery.values:
        raise InvalidInput(f"Hình thức nhận kết quả {intake.delivery!r} không hợp lệ.")
    if intake.channel == Channel.POSTAL and not version.postal_allowed:
        raise InvalidInput(f"Thủ tục {version.name} không tiếp nhận qua bưu chính.")
    applicant = clean_applicant(intake.applicant)
    _validate_applicant(applicant, raw=intake.applicant)
    resolving = resolving_unit_for(intake)
    return Dossier(
        procedure_version=version,
        receiving_unit=intake.receiving_unit,
        resolving_unit=resolving,
        unit_snapshot={
            role: {"name": unit.name, "identifier": unit.identifier, "area_code": unit.area_code}
            for role, unit in (("receiving", intake.receiving_unit), ("resolving", resolving))
        },
        channel=intake.channel,
        delivery=intake.delivery,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_tax_code=applicant.tax_code,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        owner_name=applicant.owner_name,
        summary=(clean_text(intake.summary) or version.name)[:1000],
        components=[component.as_dict() for component in intake.components],
        fees=fees_for(
            version, intake.channel, receiving_unit=intake.receiving_unit, on=clock.local(at).date()
        ),
        status=Status.SUBMITTED,
    )


def _new_dossier(intake: Intake, *, at: dt.datetime) -> Dossier:
    """Store a new dossier that has not been received (submitted online or by post, or refused)."""
    version = procedure_version_in_force(code=intake.procedure_code, on=clock.local(at).date())
    dossier = _build_dossier(intake, at=at, version=version)
    dossier.save()
    _involve(dossier, dossier.receiving_unit, dossier.resolving_unit)
    return dossier


def _involve(dossier: Dossier, *units: Unit, new: bool = False) -> None:
    """Record that ``units`` take part in the dossier (their officers may see it)."""
    through = Dossier.involved_units.through
    rows = [through(dossier_id=dossier.pk, unit_id=pk) for pk in dict.fromkeys(u.pk for u in units)]
    if new:  # a dossier just created has no such rows yet
        insert(rows)
    else:
        through.objects.bulk_create(rows, ignore_conflicts=True)


def _issue_code(unit: Unit, at: dt.datetime) -> str:
    """``<identifier>-YYMMDD-NNNN``: atomic per unit and local date, never reused (decision 7)."""
    if not unit.identifier:
        raise InvalidInput(
            f"{unit} chưa có mã định danh điện tử: quản trị viên cần nhập mã trước khi tiếp nhận.",
            code="unit_without_identifier",
        )
    day = clock.local(at).date()
    number = _next_in_sequence(unit, day)
    if number is None:
        try:
            with transaction.atomic():  # a savepoint: another intake may create the row first
                DossierSequence.objects.create(unit=unit, day=day, last=1)
            number = 1
        except IntegrityError:
            number = _next_in_sequence(unit, day)
    if number is None:  # pragma: no cover - the row exists by now
        raise Conflict("Không cấp được số thứ tự hồ sơ; hãy thử lại.")
    if number > SEQUENCE_MAX:  # the increment is rolled back with the intake's transaction
        raise Conflict(
            f"Đã hết số thứ tự hồ sơ của {unit} trong ngày {day:%d/%m/%Y} (mã hồ sơ chứa tối "
            f"đa {len(str(SEQUENCE_MAX))} chữ số thứ tự).",
            code="sequence_exhausted",
        )
    # Past 9999 the number grows to five digits rather than stop intake; codes accept 4–7.
    return f"{unit.identifier}-{day:%y%m%d}-{number:04d}"


def _next_in_sequence(unit: Unit, day: dt.date) -> int | None:
    """Increment the unit's counter of the day in one statement; the row stays locked until the
    transaction ends, so concurrent intakes at the unit queue and never share a number."""
    table = DossierSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE unit_id = %s AND day = %s RETURNING last",  # noqa: S608 - the table name is ours
            [unit.pk, day],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


@transaction.atomic
def dossier_receive(
    *, intake: Intake, actor: User | None, at: dt.datetime | None = None
) -> Dossier:
    """Receive a complete dossier at the counter: code, due date, receipt (Mẫu 01).

    The busiest path of the system: the dossier and its first event are written once each.
    """
    moment = _when(at)
    if actor is not None and not user_has_role(
        user=actor, unit=intake.receiving_unit, roles=RECEPTION
    ):
        raise PermissionDenied(
            f"Chỉ cán bộ tiếp nhận của {intake.receiving_unit} được tiếp nhận hồ sơ."
        )
    # The three caches the intake reads, versioned in one statement.
    versions = read_versions(UNITS_VERSION, CALENDAR_VERSION, CATALOG_VERSION)
    version = procedure_version_in_force(
        code=intake.procedure_code,
        on=clock.local(moment).date(),
        catalog=versions[CATALOG_VERSION],
    )
    missing = missing_components(version, intake)
    if missing:
        raise IncompleteDossier(
            "Hồ sơ chưa đầy đủ, chưa tiếp nhận. Hướng dẫn bổ sung một lần (Mẫu 02): "
            + "; ".join(missing)
            + ".",
            details={"missing": missing},
        )
    limit = _intake_limit(version, intake.channel, intake.limit_case, intake.limit_case_reason)
    dossier = _build_dossier(intake, at=moment, version=version)
    dossier.code = _issue_code(dossier.receiving_unit, moment)
    result = due_for(
        dossier,
        start=moment,
        limit=recorded_limit(limit),
        schedule=schedule_for(unit=dossier.receiving_unit, versions=versions),
    )
    event = prepare_event(
        dossier,
        type=EventType.RECEIVED,
        at=moment,
        actor=actor,
        unit=intake.receiving_unit,
        data={"code": dossier.code, "limit": limit, **due_data(result)},
    )
    for name, value in project([event]).values().items():
        setattr(dossier, name, value)
    dossier.event_count, dossier.last_hash, dossier.version = 1, event.hash, 1
    dossier.deadline_trace = [step.as_dict() for step in result.trace]
    dossier.clock = clock_state(ClockInputs(start=moment, limit=recorded_limit(limit)))
    insert([dossier])
    event.dossier = dossier
    insert([event])
    _involve(dossier, dossier.receiving_unit, dossier.resolving_unit, new=True)
    notify_for_event(dossier, event)
    return dossier


def _intake_limit(
    version: ProcedureVersion, channel: str, case: str, reason: str
) -> dict[str, str]:
    """The limit a dossier is received under: a case chosen at the counter needs its reason."""
    limit = intake_limit(version, channel, case.strip())
    if case.strip():
        limit["reason"] = _reason(reason)
    return limit


def _receive(
    dossier: Dossier,
    *,
    actor: User | None,
    at: dt.datetime,
    unit: Unit,
    limit_case: str = "",
    limit_case_reason: str = "",
) -> Dossier:
    """Receive a dossier that was submitted: issue the code, start the clock, record it."""
    limit = _intake_limit(dossier.procedure_version, dossier.channel, limit_case, limit_case_reason)
    dossier.code = _issue_code(dossier.receiving_unit, at)
    dossier.save(update_fields=["code"])
    result = due_for(dossier, start=at, limit=recorded_limit(limit))
    return _record(
        dossier,
        EventType.RECEIVED,
        at=at,
        actor=actor,
        unit=unit,
        data={"code": dossier.code, "limit": limit, **due_data(result)},
        trace=[step.as_dict() for step in result.trace],
    )


@transaction.atomic
def dossier_submit(*, intake: Intake, actor: User | None, at: dt.datetime | None = None) -> Dossier:
    """An online or postal dossier arrives; the clock starts only when an officer receives it."""
    moment = _when(at)
    if intake.channel == Channel.DIRECT:
        raise InvalidInput("Hồ sơ nộp trực tiếp được tiếp nhận ngay tại quầy (dossier_receive).")
    roles = SUBMITTERS.get(intake.channel)
    if roles is None:
        raise InvalidInput(f"Kênh nộp {intake.channel!r} không hợp lệ.")
    # An API token acts as its officer: filing at a unit needs that officer's role there, as
    # receiving at its counter does (a token of another officer or unit files nothing).
    if actor is not None and not user_has_role(user=actor, unit=intake.receiving_unit, roles=roles):
        if intake.channel == Channel.POSTAL:
            raise PermissionDenied(
                f"Chỉ nhân viên bưu chính hoặc cán bộ tiếp nhận của {intake.receiving_unit} "
                "ghi nhận hồ sơ gửi qua bưu chính tại đơn vị này."
            )
        raise PermissionDenied(
            f"Chỉ cán bộ tiếp nhận của {intake.receiving_unit} ghi nhận hồ sơ nộp trực tuyến "
            "tại đơn vị này."
        )
    dossier = _new_dossier(intake, at=moment)
    return _record(
        dossier,
        EventType.SUBMITTED,
        at=moment,
        actor=actor,
        unit=intake.receiving_unit,
        data={"channel": intake.channel},
    )


@transaction.atomic
def dossier_accept(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    at: dt.datetime | None = None,
    limit_case: str = "",
    limit_case_reason: str = "",
) -> Dossier:
    """Receive a submitted dossier once checked complete (handbook §14 example 2)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.RECEIVED, actor)
    return _receive(
        dossier,
        actor=actor,
        at=_when(at),
        unit=unit,
        limit_case=limit_case,
        limit_case_reason=limit_case_reason,
    )


@transaction.atomic
def dossier_refuse_intake(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    reason: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Refuse a submitted dossier with reasons (Mẫu 03); no deadline ever starts."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.REFUSED_AT_INTAKE, actor)
    return _record(
        dossier,
        EventType.REFUSED_AT_INTAKE,
        at=_when(at),
        actor=actor,
        unit=unit,
        reason=_reason(reason),
    )


@transaction.atomic
def dossier_refuse_at_counter(
    *, intake: Intake, actor: User | None, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """Record a refusal at the counter (Mẫu 03) for a dossier that was never submitted online."""
    moment = _when(at)
    if actor is not None and not user_has_role(
        user=actor, unit=intake.receiving_unit, roles=RECEPTION
    ):
        raise PermissionDenied(
            f"Chỉ cán bộ tiếp nhận của {intake.receiving_unit} được từ chối tiếp nhận."
        )
    dossier = _new_dossier(intake, at=moment)
    return _record(
        dossier,
        EventType.REFUSED_AT_INTAKE,
        at=moment,
        actor=actor,
        unit=intake.receiving_unit,
        reason=_reason(reason),
    )


def _reason(text: str) -> str:
    if not text or not text.strip():
        raise InvalidInput("Cần ghi rõ lý do.", code="reason_required")
    return text.strip()


# ---------------------------------------------------------------------------------------------
# Processing
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def dossier_assign(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    step: int,
    assignee: User,
    unit: Unit | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Hand the dossier to an officer for a step of the procedure's internal process."""
    dossier = _locked(dossier, expected_version)
    acting_unit = _check(dossier, EventType.ASSIGNED, actor)
    steps = {s.position: s for s in dossier.procedure_version.steps.all()}
    if steps and step not in steps:
        raise InvalidInput(f"Quy trình của thủ tục không có bước {step}.")
    performing_unit = unit or dossier.resolving_unit
    if (
        performing_unit != dossier.resolving_unit
        and _pending_consultation(dossier, performing_unit) is None
    ):
        raise InvalidInput(
            f"{performing_unit} không giải quyết hồ sơ {dossier} và không có yêu cầu xin ý kiến "
            "nào đang chờ: chỉ phân công cho cán bộ của đơn vị giải quyết."
        )
    if not user_has_role(
        user=assignee, unit=performing_unit, roles=frozenset({Role.SPECIALIST, Role.LEADER})
    ):
        raise InvalidInput(
            f"{assignee} không phải chuyên viên hoặc lãnh đạo của {performing_unit}."
        )
    return _record(
        dossier,
        EventType.ASSIGNED,
        at=_when(at),
        actor=actor,
        unit=acting_unit,
        reason=note,
        data={
            "step": step,
            "step_name": steps[step].name if step in steps else "",
            "assignee": assignee.pk,
            "assignee_name": assignee.get_full_name(),
            "unit": performing_unit.pk,
        },
    )


@transaction.atomic
def dossier_complete_step(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The officer finishes their step; the next one is assigned by the leader (or the result)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.STEP_COMPLETED, actor)
    if (
        actor is not None
        and dossier.assignee_id not in (None, actor.pk)
        and not user_has_role(user=actor, unit=unit, roles=LEADERS)
    ):
        raise PermissionDenied("Chỉ người được phân công hoặc lãnh đạo hoàn thành bước này.")
    return _record(
        dossier,
        EventType.STEP_COMPLETED,
        at=_when(at),
        actor=actor,
        unit=unit,
        reason=note,
        data={"step": dossier.current_step},
    )


@transaction.atomic
def dossier_request_consultation(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    to_unit: Unit,
    question: str,
    working_days: int,
    at: dt.datetime | None = None,
) -> Dossier:
    """Ask another unit for its opinion or its part (liên thông), with its own sub-deadline
    (ND 61/2018 Điều 19 khoản 5–7)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.CONSULTATION_REQUESTED, actor)
    moment = _when(at)
    if to_unit == dossier.resolving_unit:
        raise InvalidInput("Không xin ý kiến chính đơn vị đang giải quyết.")
    try:
        limit = TimeLimit(working_days, LimitUnit.WORKING_DAY)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    sub_due = deadline_explain(received_at=moment, limit=limit, unit=to_unit)
    _involve(dossier, to_unit)
    return _record(
        dossier,
        EventType.CONSULTATION_REQUESTED,
        at=moment,
        actor=actor,
        unit=unit,
        reason=_reason(question),
        data={
            "to_unit": to_unit.pk,
            "to_unit_name": to_unit.name,
            "working_days": working_days,
            "consultation_due_at": sub_due.due_at.isoformat(),
        },
    )


@transaction.atomic
def dossier_answer_consultation(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    unit: Unit,
    answer: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """The consulted unit answers; lateness against its sub-deadline is kept in the event."""
    dossier = _locked(dossier, expected_version)
    acting_unit = _check(dossier, EventType.CONSULTATION_ANSWERED, actor, unit)
    pending = _pending_consultation(dossier, unit)
    if pending is None:
        raise InvalidTransition(f"{unit} không có yêu cầu xin ý kiến nào đang chờ trả lời.")
    moment = _when(at)
    due = dt.datetime.fromisoformat(pending.data["consultation_due_at"])
    return _record(
        dossier,
        EventType.CONSULTATION_ANSWERED,
        at=moment,
        actor=actor,
        unit=acting_unit,
        reason=_reason(answer),
        data={"request_seq": pending.seq, "late": moment > due},
    )


def _pending_consultation(dossier: Dossier, unit: Unit) -> DossierEvent | None:
    answered = {
        event.data.get("request_seq")
        for event in DossierEvent.objects.filter(
            dossier=dossier, type=EventType.CONSULTATION_ANSWERED
        )
    }
    for event in DossierEvent.objects.filter(
        dossier=dossier, type=EventType.CONSULTATION_REQUESTED
    ).order_by("seq"):
        if event.data.get("to_unit") == unit.pk and event.seq not in answered:
            return event
    return None


@transaction.atomic
def dossier_transfer(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    to_unit: Unit,
    reason: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Send the dossier to the competent unit of another level (liên thông khác cấp); the
    deadline does not restart (handbook §11 rule 4)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.TRANSFERRED, actor)
    if unit_province(unit=to_unit) != unit_province(unit=dossier.receiving_unit):
        raise InvalidInput("Chỉ chuyển xử lý trong phạm vi tỉnh.")
    previous = dossier.resolving_unit
    dossier.resolving_unit = to_unit
    dossier.save(update_fields=["resolving_unit"])
    _involve(dossier, to_unit)
    return _record(
        dossier,
        EventType.TRANSFERRED,
        at=_when(at),
        actor=actor,
        unit=unit,
        reason=_reason(reason),
        data={"from_unit": previous.pk, "to_unit": to_unit.pk, "to_unit_name": to_unit.name},
    )


@transaction.atomic
def dossier_request_supplement(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    missing: Sequence[str],
    reason: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Ask the applicant, once, to complete the dossier (Mẫu 02); the clock follows the
    procedure version's supplement policy (decision 3)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.SUPPLEMENT_REQUESTED, actor)
    if DossierEvent.objects.filter(dossier=dossier, type=EventType.SUPPLEMENT_REQUESTED).exists():
        raise InvalidTransition(
            "Hồ sơ đã được yêu cầu bổ sung một lần; không yêu cầu bổ sung lần thứ hai "
            "(ND 61/2018 Điều 15 khoản 3, Điều 19 khoản 4)."
        )
    papers = [name.strip() for name in missing if name and name.strip()]
    if not papers:
        raise InvalidInput("Cần liệt kê giấy tờ phải bổ sung.", code="missing_required")
    published = {component.name for component in dossier.procedure_version.components.all()}
    outside = [name for name in papers if published and name not in published]
    if outside:
        # Requesting papers outside the published list is prohibited (ND 61/2018 Điều 5).
        raise InvalidInput(
            "Chỉ được yêu cầu giấy tờ có trong thành phần hồ sơ đã công bố: "
            + "; ".join(outside)
            + ".",
            code="component_not_published",
        )
    moment = _when(at)
    # Sector laws may allow later requests, so a late one is recorded as such, not refused; what
    # it does to the clock is decided now and recorded (decision 13).
    decision = supplement_decision(
        version=dossier.procedure_version,
        received_at=dossier.received_at,
        due_date=dossier.due_date,
        at=moment,
        schedule=schedule_for(unit=dossier.receiving_unit),
    )
    return _record(
        dossier,
        EventType.SUPPLEMENT_REQUESTED,
        at=moment,
        actor=actor,
        unit=unit,
        reason=_reason(reason),
        data={"missing": papers, **decision.data()},
    )


@transaction.atomic
def dossier_receive_supplement(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    components: Sequence[ReceivedComponent] = (),
    at: dt.datetime | None = None,
) -> Dossier:
    """The applicant completes the dossier; the due date is computed again (decision 3)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.SUPPLEMENT_RECEIVED, actor)
    moment = _when(at)
    return _with_new_due(
        dossier,
        EventType.SUPPLEMENT_RECEIVED,
        at=moment,
        actor=actor,
        unit=unit,
        data={"components": [c.as_dict() for c in components]},
    )


@dataclass
class _PendingEvent:
    """An event about to be recorded, for computing the due date it will carry."""

    type: str
    at: dt.datetime
    data: dict[str, Any]


def _with_new_due(
    dossier: Dossier,
    event_type: EventType,
    *,
    at: dt.datetime,
    actor: User | None,
    unit: Unit | None,
    data: dict[str, Any],
    reason: str = "",
) -> Dossier:
    """Record an event that moves the lawful due date, with the date the clock now gives."""
    history: list[Any] = [*_events(dossier), _PendingEvent(event_type, at, data)]
    result = current_due(dossier, history)
    extra = due_data(result) if result is not None else {}
    return _record(
        dossier,
        event_type,
        at=at,
        actor=actor,
        unit=unit,
        reason=reason,
        data={**data, **extra},
        trace=[step.as_dict() for step in result.trace] if result else None,
    )


@transaction.atomic
def dossier_request_payment(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    amount: Decimal,
    description: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (thuế, phí); the clock waits only where
    the procedure's law says so (decision 11), as the request records."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.PAYMENT_REQUESTED, actor)
    if amount is None or Decimal(amount) <= 0:
        raise InvalidInput("Số tiền phải lớn hơn 0.")
    return _record(
        dossier,
        EventType.PAYMENT_REQUESTED,
        at=_when(at),
        actor=actor,
        unit=unit,
        reason=_reason(description),
        data={"amount": str(Decimal(amount)), **payment_wait(dossier.procedure_version)},
    )


@transaction.atomic
def dossier_receive_payment(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    receipt_number: str,
    at: dt.datetime | None = None,
) -> Dossier:
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.PAYMENT_RECEIVED, actor)
    return _with_new_due(
        dossier,
        EventType.PAYMENT_RECEIVED,
        at=_when(at),
        actor=actor,
        unit=unit,
        data={"receipt_number": receipt_number.strip()},
    )


@transaction.atomic
def dossier_change_limit_case(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    case: str,
    reason: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Apply another of the procedure's limits (for instance đăng ký kết hôn: 5 working days when
    the conditions must be verified, Luật Hộ tịch 2014 Điều 18 khoản 2), with who, when and why;
    the due date is computed again from the same start under the new limit, and timeliness is
    judged against it."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.LIMIT_CASE_CHANGED, actor)
    moment = _when(at)
    current = _current_limit(dossier, _events(dossier))
    new = limit_record(dossier.procedure_version, case.strip())
    problem = limit_switch_problem(
        current=current, new=new, due_date=dossier.due_date, at=moment, reason=reason
    )
    if problem:
        raise InvalidTransition(f"Không đổi trường hợp thời hạn hồ sơ {dossier}: {problem}.")
    return _with_new_due(
        dossier,
        EventType.LIMIT_CASE_CHANGED,
        at=moment,
        actor=actor,
        unit=unit,
        reason=reason.strip(),
        data={"limit": new, "previous_limit": current},
    )


def limit_switch_problem(
    *,
    current: dict[str, Any],
    new: dict[str, Any],
    due_date: dt.date | None,
    at: dt.datetime,
    reason: str,
) -> str:
    """Why a switch of limit case cannot be recorded ("" when it can): a reason is needed, the
    case must change, and a dossier already late cannot be given a longer limit after its due
    date (as a late supplement request cannot restart the clock: decision 13)."""
    if not reason.strip():
        return "cần ghi rõ lý do"
    if new["case"] == current.get("case", ""):
        return f"hồ sơ đang áp dụng “{new['label']}”"
    if due_date is not None and clock.local(at).date() > due_date:
        return f"đã quá hạn {due_date:%d/%m/%Y}; không áp dụng thời hạn khác sau ngày hết hạn"
    return ""


def _current_limit(dossier: Dossier, events: Sequence[DossierEvent]) -> dict[str, Any]:
    """The limit record in force: the last case switch, else the receipt's (general if none)."""
    for event in reversed(events):
        if event.type in (EventType.LIMIT_CASE_CHANGED, EventType.RECEIVED):
            if "limit" in event.data:
                return dict(event.data["limit"])
            break
    return limit_record(dossier.procedure_version)


def forwarding_problem(dossier: Dossier, *, forwarded: bool) -> str:
    """Why the paper dossier cannot be recorded as forwarded ("" when it can)."""
    if dossier.resolving_unit_id == dossier.receiving_unit_id:
        return "do chính đơn vị tiếp nhận giải quyết, không cần chuyển"
    if dossier.channel == Channel.ONLINE:
        return "hồ sơ trực tuyến được chuyển điện tử cho đơn vị giải quyết, không có hồ sơ giấy"
    if forwarded:
        return "đã được chuyển cho đơn vị giải quyết"
    return ""


@transaction.atomic
def dossier_forward(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The desk hands the paper dossier to the resolving body: the same working day, or at the
    start of the next one when received after 15:00 (ND 118/2025 Điều 18 khoản 2, as amended by
    ND 309/2026 Điều 9; ND 61/2018 Điều 18 before). Recorded once, with its own deadline; the
    control slip shows it as the first hand-over."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.FORWARDED, actor)
    problem = forwarding_problem(
        dossier,
        forwarded=DossierEvent.objects.filter(dossier=dossier, type=EventType.FORWARDED).exists(),
    )
    if problem:
        raise InvalidTransition(f"Hồ sơ {dossier}: {problem}.")
    moment = _when(at)
    if dossier.received_at is None or moment < dossier.received_at:
        raise InvalidInput("Thời điểm chuyển phải sau thời điểm tiếp nhận.")
    deadline = forwarding_deadline(dossier.received_at, schedule_for(unit=dossier.receiving_unit))
    resolving = dossier.resolving_unit
    return _record(
        dossier,
        EventType.FORWARDED,
        at=moment,
        actor=actor,
        unit=unit,
        data={
            "to_unit": resolving.pk,
            "to_unit_name": dossier.unit_snapshot.get("resolving", {}).get("name", resolving.name),
            "deadline_at": deadline.isoformat(),
            "on_time": moment <= deadline,
        },
    )


@transaction.atomic
def dossier_resolve(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    outcome: str,
    reason: str = "",
    documents: Sequence[dict[str, Any]] = (),
    at: dt.datetime | None = None,
) -> Dossier:
    """The leader approves the result, or refuses after appraisal with reasons (within the
    deadline; ND 61/2018 Điều 19 khoản 8). The dossier is early, on time or late by its lawful due
    date, whatever apology was made (decision 4)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.RESOLVED, actor)
    if outcome not in Outcome.values:
        raise InvalidInput(f"Kết quả {outcome!r} không hợp lệ (approved hoặc refused).")
    if outcome == Outcome.REFUSED:
        reason = _reason(reason)
    return _record(
        dossier,
        EventType.RESOLVED,
        at=_when(at),
        actor=actor,
        unit=unit,
        reason=reason.strip(),
        data={"outcome": outcome},
        documents=list(documents),
    )


@transaction.atomic
def dossier_withdraw(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    reason: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """The applicant withdraws the dossier (status 7)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.WITHDRAWN, actor)
    return _record(
        dossier, EventType.WITHDRAWN, at=_when(at), actor=actor, unit=unit, reason=_reason(reason)
    )


@transaction.atomic
def dossier_stop(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    reason: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Stop processing (Thông báo dừng giải quyết hồ sơ, ND 118/2025 Điều 21; status 8)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.STOPPED, actor)
    return _record(
        dossier, EventType.STOPPED, at=_when(at), actor=actor, unit=unit, reason=_reason(reason)
    )


# ---------------------------------------------------------------------------------------------
# Apology and new appointment (ND 61/2018 Điều 19 khoản 9; Mẫu 04)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def dossier_propose_apology(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    reason: str,
    extra_working_days: int,
    at: dt.datetime | None = None,
) -> Dossier:
    """The handler proposes an apology and a new appointment; a leader signs it."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.APOLOGY_PROPOSED, actor)
    _check_apology_allowed(dossier, _when(at))
    new_due = _new_appointment(dossier, extra_working_days)
    return _record(
        dossier,
        EventType.APOLOGY_PROPOSED,
        at=_when(at),
        actor=actor,
        unit=unit,
        reason=_reason(reason),
        data={"extra_working_days": extra_working_days, "new_due_at": new_due.isoformat()},
    )


@transaction.atomic
def dossier_issue_apology(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The leader signs the proposed apology: the new appointment is given, once, at the latest
    one working day before the lawful due date. The dossier still counts late if it ends after
    the lawful due date (decision 4)."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.APOLOGY_ISSUED, actor)
    moment = _when(at)
    _check_apology_allowed(dossier, moment)
    proposal = (
        DossierEvent.objects.filter(dossier=dossier, type=EventType.APOLOGY_PROPOSED)
        .order_by("-seq")
        .first()
    )
    if proposal is None:
        raise InvalidTransition("Chưa có đề xuất xin lỗi, hẹn lại để ký.")
    new_due = _new_appointment(dossier, int(proposal.data["extra_working_days"]))
    return _record(
        dossier,
        EventType.APOLOGY_ISSUED,
        at=moment,
        actor=actor,
        unit=unit,
        reason=proposal.reason,
        data={
            "proposal_seq": proposal.seq,
            "original_due_at": clock.local(dossier.due_at).isoformat() if dossier.due_at else None,
            "new_due_at": new_due.isoformat(),
            "new_due_date": clock.local(new_due).date().isoformat(),
        },
    )


def _check_apology_allowed(dossier: Dossier, at: dt.datetime) -> None:
    if DossierEvent.objects.filter(dossier=dossier, type=EventType.APOLOGY_ISSUED).exists():
        raise InvalidTransition("Hồ sơ đã được hẹn lại một lần; không hẹn lại lần thứ hai.")
    if dossier.due_date is None or dossier.due_at is None:
        raise InvalidTransition("Hồ sơ đang chờ bổ sung, chưa có hạn trả để hẹn lại.")
    schedule = schedule_for(unit=dossier.receiving_unit)
    # "Chậm nhất 01 ngày trước ngày hết hạn": on the working day before the due date at the latest.
    latest = dossier.due_date - dt.timedelta(days=1)
    while not schedule.is_working_day(latest):
        latest -= dt.timedelta(days=1)
    if clock.local(at).date() > latest:
        raise InvalidTransition(
            f"Phiếu xin lỗi phải được ban hành chậm nhất ngày {latest:%d/%m/%Y}, một ngày làm việc "
            f"trước hạn {dossier.due_date:%d/%m/%Y} (ND 61/2018 Điều 19 khoản 9)."
        )


def _new_appointment(dossier: Dossier, extra_working_days: int) -> dt.datetime:
    """The new appointment: that many working days after the lawful due date, at its close."""
    if not 1 <= extra_working_days <= 60:
        raise InvalidInput("Số ngày làm việc hẹn thêm phải từ 1 đến 60.")
    if dossier.due_date is None:
        raise InvalidTransition("Hồ sơ chưa có hạn trả để hẹn lại.")
    schedule = schedule_for(unit=dossier.receiving_unit)
    return schedule.end_of_day(add_working_days(dossier.due_date, extra_working_days, schedule))


# ---------------------------------------------------------------------------------------------
# Returning the result
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def dossier_dispatch_by_post(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    tracking_number: str,
    at: dt.datetime | None = None,
) -> Dossier:
    """Hand the result to the postal operator, with its tracking number."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.POSTAL_DISPATCHED, actor)
    if dossier.delivery != Delivery.POST:
        raise InvalidTransition("Hồ sơ không đăng ký nhận kết quả qua bưu chính.")
    if not tracking_number.strip():
        raise InvalidInput("Cần số hiệu bưu gửi.", code="tracking_required")
    return _record(
        dossier,
        EventType.POSTAL_DISPATCHED,
        at=_when(at),
        actor=actor,
        unit=unit,
        data={"tracking_number": tracking_number.strip()},
    )


@transaction.atomic
def dossier_return(
    *,
    dossier: Dossier,
    actor: User | None,
    expected_version: int | None,
    recipient: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The result reaches the applicant: at the counter, by post (delivered) or electronically."""
    dossier = _locked(dossier, expected_version)
    unit = _check(dossier, EventType.RETURNED, actor)
    if dossier.delivery == Delivery.POST and not dossier.postal_tracking:
        raise InvalidTransition("Kết quả gửi qua bưu chính: cần ghi nhận giao cho bưu chính trước.")
    if (
        actor is not None
        and dossier.delivery != Delivery.POST
        and user_has_role(user=actor, unit=unit, roles=frozenset({Role.POSTAL}))
        and not user_has_role(user=actor, unit=unit, roles=RECEPTION)
    ):
        raise PermissionDenied("Nhân viên bưu chính chỉ trả kết quả gửi qua bưu chính.")
    return _record(
        dossier,
        EventType.RETURNED,
        at=_when(at),
        actor=actor,
        unit=unit,
        data={
            "delivery": dossier.delivery,
            "recipient": recipient.strip(),
            "tracking_number": dossier.postal_tracking,
        },
    )


# ---------------------------------------------------------------------------------------------
# Calendar changes
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def dossier_recompute_due(*, dossier: Dossier, reason: str, at: dt.datetime | None = None) -> bool:
    """Recompute an open dossier's due date with today's calendar data; record it if it moved."""
    dossier = _locked(dossier, None)
    if dossier.status not in OPEN or dossier.due_at is None:
        return False
    result = current_due(dossier, _events(dossier))
    if result is None or result.due_at == dossier.due_at:
        return False
    _record(
        dossier,
        EventType.DUE_RECOMPUTED,
        at=_when(at),
        actor=None,
        unit=None,
        reason=reason,
        data=recompute_data(dossier.due_at, result),
        trace=[step.as_dict() for step in result.trace],
    )
    return True


def recompute_data(previous_due_at: dt.datetime, result: DueResult | DueInstant) -> dict[str, Any]:
    """What a ``due_recomputed`` event records (the service and the bulk recomputation alike)."""
    return {"previous_due_at": clock.local(previous_due_at).isoformat(), **due_data(result)}
