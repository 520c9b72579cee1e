"""Dossier histories as JSON Lines: import from another system, export for the next one.

One line is one dossier: who received it, under which procedure, for whom, and its events in order
(docs/dossier-history.md, docs/dossier-history.schema.json). Nothing in a line says what the
dossier's status or lawful due date is: both are derived from the events exactly as for a dossier
handled here. Each event is appended to the dossier's hash chain (``events.append_event``) with the
data the transition services would have given it (the receipt carries the code and the due date of
the working-day clock, a completed supplement the due date recomputed under the procedure's policy,
an apology its new appointment), and the stored fields are folded from those events by
``projection.project``. So imported dossiers pass ``motcua verify-history`` and count in reports
like any other.

Import is all or nothing for a file. Every line is checked (JSON, fields, units, procedure in
force, code, the order and legality of the events); the lines are written as they come, inside one
transaction, until the first problem; after it the rest of the file is only checked, and the file is
refused with every problem named by line and field, which rolls everything back. Import is
idempotent on the dossier code: a code already stored with the same content is skipped, with other
content it is a conflict and refuses the file (codes are never rewritten). Importing notifies
nobody: these are past events.

Export streams the same format, batch by batch, so that an export imported into an empty database
gives the same codes, statuses, due dates and timeliness.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from motcua.calendars.selectors import schedule_for
from motcua.calendars.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    DueResult,
    Schedule,
    forwarding_deadline,
)
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_version_in_force
from motcua.core import clock
from motcua.core.errors import DomainError, ImportRejected
from motcua.core.text import INVISIBLE_ONLY, clean_text, only_invisible
from motcua.dossiers.deadlines import (
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
from motcua.dossiers.events import append_event
from motcua.dossiers.models import (
    DOSSIER_CODE_PATTERN,
    IMPORTED_SEQUENCE_MAX_TODAY,
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierEvent,
    DossierSequence,
    Outcome,
    Status,
)
from motcua.dossiers.projection import EventType, Projection, project
from motcua.dossiers.services import (
    OPEN,
    RULES,
    Applicant,
    Intake,
    fees_for,
    forwarding_problem,
    limit_switch_problem,
    resolving_unit_for,
)
from motcua.units.models import Unit
from motcua.units.selectors import unit_find, unit_subtree

REJECTED = "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu."
# A file with thousands of bad lines is refused with the first problems only, and a count.
MAX_PROBLEMS = 1000
EXPORT_BATCH = 500
ACTOR_NAME_MAX = 255  # DossierEvent.actor_name

# --- the format -----------------------------------------------------------------------------------

TOP_KEYS = frozenset(
    {
        "code",
        "procedure_code",
        "receiving_unit",
        "resolving_unit",
        "channel",
        "delivery",
        "applicant",
        "summary",
        "components",
        "fees",
        "due_date",
        "events",
    }
)
APPLICANT_KEYS = frozenset(
    {"name", "kind", "id_number", "tax_code", "phone", "email", "address", "owner_name"}
)
COMPONENT_KEYS = frozenset({"name", "position", "originals", "copies", "digitised"})
FEE_KEYS = frozenset(
    {"kind", "name", "amount", "unit", "legal_basis", "status", "channel", "resolution"}
)
FEE_STATUSES = frozenset({"amount", "exempt", "unconfigured"})
EVENT_COMMON_KEYS = frozenset({"type", "at", "reason", "actor_name"})

# The event types of the format and what each may carry besides type, at, reason and actor_name.
# The first eight are those of issue 3 item 8; the others are the rest of the events that decide a
# dossier's status, due date or postal tracking, so that any dossier handled here exports and
# imports back to the same state.
EVENT_KEYS: dict[EventType, frozenset[str]] = {
    EventType.SUBMITTED: frozenset(),
    EventType.RECEIVED: frozenset({"limit_case"}),
    EventType.SUPPLEMENT_REQUESTED: frozenset({"missing"}),
    EventType.SUPPLEMENT_RECEIVED: frozenset({"components", "due_date"}),
    EventType.RESOLVED: frozenset({"outcome"}),
    EventType.RETURNED: frozenset({"recipient", "tracking_number"}),
    EventType.WITHDRAWN: frozenset(),
    EventType.APOLOGY_ISSUED: frozenset({"new_due_date"}),
    EventType.STOPPED: frozenset(),
    EventType.ASSIGNED: frozenset({"step", "step_name", "assignee_name"}),
    EventType.PAYMENT_REQUESTED: frozenset({"amount"}),
    EventType.PAYMENT_RECEIVED: frozenset({"receipt_number", "due_date"}),
    EventType.POSTAL_DISPATCHED: frozenset({"tracking_number"}),
    EventType.DUE_RECOMPUTED: frozenset({"due_date"}),
    EventType.LIMIT_CASE_CHANGED: frozenset({"limit_case", "due_date"}),
    EventType.FORWARDED: frozenset(),
}
REQUIRED_EVENT_KEYS: dict[EventType, tuple[str, ...]] = {
    EventType.RESOLVED: ("outcome",),
    EventType.APOLOGY_ISSUED: ("new_due_date",),
    EventType.POSTAL_DISPATCHED: ("tracking_number",),
    EventType.DUE_RECOMPUTED: ("due_date",),
}
# What an absent optional key of an event means.
EVENT_DEFAULTS: dict[str, Any] = {
    "reason": "",
    "actor_name": "",
    "missing": [],
    "components": [],
    "due_date": None,
    "outcome": None,
    "recipient": "",
    "tracking_number": "",
    "new_due_date": None,
    "step": None,
    "step_name": "",
    "assignee_name": "",
    "amount": None,
    "receipt_number": "",
    "limit_case": "",
}
# Events that move the lawful due date with the clock (services._with_new_due).
_NEW_DUE = (EventType.SUPPLEMENT_RECEIVED, EventType.PAYMENT_RECEIVED)

_CODE = re.compile(DOSSIER_CODE_PATTERN)
_HAS_TIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}[T ]\d")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHOICES_CHANNEL = ", ".join(Channel.values)
_CHOICES_DELIVERY = ", ".join(Delivery.values)
_CHOICES_KIND = ", ".join(ApplicantKind.values)
_CHOICES_OUTCOME = ", ".join(Outcome.values)
_CHOICES_TYPE = ", ".join(EVENT_KEYS)

# Dossier model fields and the line field that carries each, for the model's own validation.
_MODEL_FIELDS = {
    "applicant_kind": "applicant.kind",
    "applicant_name": "applicant.name",
    "applicant_id_number": "applicant.id_number",
    "applicant_tax_code": "applicant.tax_code",
    "applicant_phone": "applicant.phone",
    "applicant_email": "applicant.email",
    "applicant_address": "applicant.address",
    "owner_name": "applicant.owner_name",
    "summary": "summary",
    "channel": "channel",
    "delivery": "delivery",
}


# --- reading one line -----------------------------------------------------------------------------


@dataclass
class ParsedEvent:
    """One event of a line, its values checked and normalised (absent keys at their defaults)."""

    index: int
    type: EventType
    at: dt.datetime
    values: dict[str, Any]  # every key the type takes, besides type and at
    given: frozenset[str]  # the keys the line actually wrote

    @property
    def place(self) -> str:
        return f"events[{self.index}]"


@dataclass
class ParsedDossier:
    """A line, checked for shape and normalised; nothing looked up in the database yet."""

    code: str
    procedure_code: str
    receiving_unit: str
    resolving_unit: str | None
    channel: str
    delivery: str
    applicant: dict[str, str]
    applicant_given: frozenset[str]
    summary: str | None
    components: list[dict[str, Any]]
    fees: list[dict[str, str]] | None
    due_date: dt.date | None
    events: list[ParsedEvent]
    given: frozenset[str]

    @property
    def sequence_number(self) -> int:
        return int(self.code.rsplit("-", 1)[1])

    @property
    def received(self) -> ParsedEvent:
        return next(e for e in self.events if e.type == EventType.RECEIVED)


class _Problems:
    """The problems of one line, each with its line number and field."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.items: list[dict[str, Any]] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append({"line": self.line, "field": field_name, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_TEXT = 4000  # the longest reason or answer the pages and the API accept
MAX_COUNT = 1000  # papers of one kind, steps of a process: as the API bounds them


def _text(
    raw: dict[str, Any],
    key: str,
    place: str,
    problems: _Problems,
    *,
    required: bool = False,
    default: str = "",
) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            problems.add(place, "bắt buộc, chưa có")
        return default
    if not isinstance(value, str):
        problems.add(place, f"phải là chuỗi ký tự, không phải {_kind_of(value)}")
        return default
    # JSON may spell a NUL or half a surrogate pair; neither can be stored (PostgreSQL refuses
    # NUL, UTF-8 has no lone surrogates), so they are an error of the line, not of the database.
    if _UNSTORABLE.search(value):
        problems.add(place, "chứa ký tự không lưu được (NUL hoặc nửa cặp surrogate)")
        return default
    if len(value) > MAX_TEXT:
        problems.add(place, f"dài quá {MAX_TEXT} ký tự")
        return default
    cleaned = clean_text(value)  # NFC, no invisible characters: as the counter stores texts
    if required and not cleaned:
        problems.add(place, INVISIBLE_ONLY if only_invisible(value) else "bắt buộc, đang để trống")
    return cleaned


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "giá trị đúng/sai"
    if isinstance(value, int | float):
        return "số"
    if isinstance(value, list):
        return "danh sách"
    if isinstance(value, dict):
        return "đối tượng"
    if value is None:
        return "null"
    return "chuỗi"


def _unknown_keys(
    raw: dict[str, Any], allowed: frozenset[str], prefix: str, problems: _Problems
) -> None:
    for key in sorted(set(raw) - allowed):
        problems.add(
            f"{prefix}{key}", "trường không có trong định dạng (xem docs/dossier-history.md)"
        )


def parse_instant(value: Any, place: str, problems: _Problems) -> dt.datetime | None:
    """ISO 8601 date and time; with an offset, or without one as Asia/Ho_Chi_Minh (decision 10)."""
    if not isinstance(value, str):
        problems.add(place, f"phải là thời điểm ISO 8601 dạng chuỗi, không phải {_kind_of(value)}")
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or not _HAS_TIME.match(text):
        problems.add(
            place,
            f"{value!r} không phải là thời điểm ISO 8601 có ngày và giờ "
            "(ví dụ 2025-04-24T10:00:00+07:00; không ghi múi giờ thì hiểu là giờ Việt Nam)",
        )
        return None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        problems.add(place, f"{value!r}: năm phải trong {FIRST_YEAR}–{LAST_YEAR}")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.authority_tz())
    return parsed


def parse_civil_date(value: Any, place: str, problems: _Problems) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        problems.add(place, f"{value!r} không phải là ngày dạng YYYY-MM-DD")
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.add(place, f"{value!r} không phải là ngày có thật")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.add(place, f"{value!r}: năm phải trong {FIRST_YEAR}–{LAST_YEAR}")
        return None
    return day


def _count(value: Any, place: str, problems: _Problems, *, minimum: int = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        problems.add(place, f"phải là số nguyên từ {minimum} đến {MAX_COUNT}")
        return None
    return value


def _amount(value: Any, place: str, problems: _Problems) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.add(place, "phải là số tiền (số hoặc chuỗi số)")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        problems.add(place, f"{value!r} không phải là số tiền hợp lệ")
        return None
    return str(number)


def _components(value: Any, place: str, problems: _Problems) -> list[dict[str, Any]]:
    """Papers handed in, in the shape services.ReceivedComponent stores."""
    if not isinstance(value, list):
        problems.add(place, "phải là danh sách giấy tờ")
        return []
    result = []
    for index, item in enumerate(value):
        where = f"{place}[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "mỗi giấy tờ phải là một đối tượng")
            continue
        _unknown_keys(item, COMPONENT_KEYS, f"{where}.", problems)
        position = item.get("position")
        if position is not None:
            position = _count(position, f"{where}.position", problems, minimum=1)
        digitised = item.get("digitised", False)
        if not isinstance(digitised, bool):
            problems.add(f"{where}.digitised", "phải là true hoặc false")
            digitised = False
        result.append(
            {
                "position": position,
                "name": _text(item, "name", f"{where}.name", problems, required=True),
                "originals": _count(item.get("originals", 0), f"{where}.originals", problems) or 0,
                "copies": _count(item.get("copies", 0), f"{where}.copies", problems) or 0,
                "digitised": digitised,
            }
        )
    return result


def _fee_list(value: Any, place: str, problems: _Problems) -> list[dict[str, Any]]:
    """Fees as the dossier recorded them: an amount, exempt, or still to be set by the province
    ("unconfigured": no amount, never 0; decision 11). A line without ``status`` is an older
    record: its amount is required and kept as given."""
    if not isinstance(value, list):
        problems.add(place, "phải là danh sách khoản phí, lệ phí")
        return []
    result = []
    for index, item in enumerate(value):
        where = f"{place}[{index}]"
        if not isinstance(item, dict):
            problems.add(where, "mỗi khoản phí phải là một đối tượng")
            continue
        _unknown_keys(item, FEE_KEYS, f"{where}.", problems)
        status = item.get("status")
        if status is not None and status not in FEE_STATUSES:
            problems.add(
                f"{where}.status", f"{status!r} không hợp lệ; dùng amount, exempt, unconfigured"
            )
        line: dict[str, Any] = {
            "kind": _text(item, "kind", f"{where}.kind", problems),
            "name": _text(item, "name", f"{where}.name", problems, required=True),
            "unit": _text(item, "unit", f"{where}.unit", problems),
            "legal_basis": _text(item, "legal_basis", f"{where}.legal_basis", problems),
        }
        if status == "unconfigured":
            if item.get("amount") not in (None, ""):
                problems.add(f"{where}.amount", "để trống khi mức thu chưa được HĐND tỉnh quy định")
            amount = None
        elif status == "exempt":
            if item.get("amount") not in (None, "", "0", 0):
                problems.add(f"{where}.amount", "khoản được miễn không có số tiền (hoặc 0)")
            amount = "0"
        elif "amount" not in item:
            problems.add(f"{where}.amount", "bắt buộc, chưa có")
            amount = "0"
        else:
            amount = _amount(item["amount"], f"{where}.amount", problems) or "0"
            if status == "amount" and Decimal(amount) <= 0:
                problems.add(f"{where}.amount", "mức thu phải lớn hơn 0 (khoản miễn: exempt)")
        line["amount"] = amount
        if status is not None:
            line.update(
                status=status,
                channel=_text(item, "channel", f"{where}.channel", problems) or "all",
                resolution=_text(item, "resolution", f"{where}.resolution", problems),
            )
        result.append(line)
    return result


def _event_value(kind: EventType, key: str, raw: Any, place: str, problems: _Problems) -> Any:
    if key in ("due_date", "new_due_date"):
        return parse_civil_date(raw, place, problems)
    if key == "outcome":
        if raw not in Outcome.values:
            problems.add(place, f"{raw!r} không hợp lệ; dùng một trong: {_CHOICES_OUTCOME}")
            return None
        return raw
    if key == "step":
        return _count(raw, place, problems, minimum=1)
    if key == "amount":
        return _amount(raw, place, problems)
    if key == "components":
        return _components(raw, place, problems)
    if key == "missing":
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            problems.add(place, "phải là danh sách tên giấy tờ")
            return []
        return [item.strip() for item in raw if item.strip()]
    return _text({key: raw}, key, place, problems)


def _parse_event(raw: Any, index: int, problems: _Problems) -> ParsedEvent | None:
    place = f"events[{index}]"
    if not isinstance(raw, dict):
        problems.add(place, 'mỗi sự kiện phải là một đối tượng {"type", "at", …}')
        return None
    before = len(problems.items)
    kind_text = raw.get("type")
    if not isinstance(kind_text, str) or kind_text not in EVENT_KEYS:
        if kind_text is None:
            problems.add(f"{place}.type", "bắt buộc, chưa có")
        else:
            problems.add(
                f"{place}.type",
                f"loại sự kiện {kind_text!r} không có; dùng một trong: {_CHOICES_TYPE}",
            )
        return None
    kind = EventType(kind_text)
    allowed = EVENT_COMMON_KEYS | EVENT_KEYS[kind]
    for key in sorted(set(raw) - allowed):
        problems.add(f"{place}.{key}", f"trường không dùng cho sự kiện {kind.value}")
    if "at" not in raw:
        problems.add(f"{place}.at", "bắt buộc, chưa có")
        at = None
    else:
        at = parse_instant(raw["at"], f"{place}.at", problems)
    for key in REQUIRED_EVENT_KEYS.get(kind, ()):
        if raw.get(key) in (None, ""):
            problems.add(f"{place}.{key}", f"bắt buộc với sự kiện {kind.value}, chưa có")
    values: dict[str, Any] = {
        key: EVENT_DEFAULTS[key] for key in ({"reason", "actor_name"} | EVENT_KEYS[kind])
    }
    # A key written as null is taken as absent.
    given = frozenset(key for key in allowed if raw.get(key) is not None) - {"type", "at"}
    for key in given:
        values[key] = _event_value(kind, key, raw[key], f"{place}.{key}", problems)
    if len(values["actor_name"]) > ACTOR_NAME_MAX:
        problems.add(f"{place}.actor_name", f"dài quá {ACTOR_NAME_MAX} ký tự")
    if at is None or len(problems.items) > before:
        return None
    return ParsedEvent(index=index, type=kind, at=at, values=values, given=given)


def parse_line(text: str, line: int) -> tuple[ParsedDossier | None, list[dict[str, Any]]]:
    """A line's dossier, checked for shape, or None and the line's problems."""
    problems = _Problems(line)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add("", f"không phải JSON hợp lệ ({exc.msg}, cột {exc.colno})")
        return None, problems.items
    except (ValueError, RecursionError):  # e.g. nested thousands of levels deep
        problems.add("", "không phải JSON đọc được")
        return None, problems.items
    if not isinstance(raw, dict):
        problems.add("", f"mỗi dòng phải là một đối tượng JSON, không phải {_kind_of(raw)}")
        return None, problems.items
    _unknown_keys(raw, TOP_KEYS, "", problems)
    code = _text(raw, "code", "code", problems, required=True)
    if code and not _CODE.match(code):
        problems.add(
            "code",
            f"{code!r} không đúng dạng <mã định danh đơn vị>-YYMMDD-NNNN "
            "(ví dụ 000.00.06.H56-231027-0361; số thứ tự 4–7 chữ số)",
        )
    procedure_code = _text(raw, "procedure_code", "procedure_code", problems, required=True)
    receiving_unit = _text(raw, "receiving_unit", "receiving_unit", problems, required=True)
    resolving_unit = _text(raw, "resolving_unit", "resolving_unit", problems) or None
    channel = _text(raw, "channel", "channel", problems, required=True)
    if channel and channel not in Channel.values:
        problems.add("channel", f"{channel!r} không hợp lệ; dùng một trong: {_CHOICES_CHANNEL}")
    delivery = _text(raw, "delivery", "delivery", problems) or Delivery.COUNTER
    if delivery not in Delivery.values:
        problems.add("delivery", f"{delivery!r} không hợp lệ; dùng một trong: {_CHOICES_DELIVERY}")

    applicant: dict[str, str] = {}
    applicant_raw = raw.get("applicant")
    applicant_given: frozenset[str] = frozenset()
    if applicant_raw is None:
        problems.add("applicant", "bắt buộc, chưa có")
    elif not isinstance(applicant_raw, dict):
        problems.add("applicant", 'phải là một đối tượng {"name", …}')
    else:
        _unknown_keys(applicant_raw, APPLICANT_KEYS, "applicant.", problems)
        applicant_given = frozenset(k for k in APPLICANT_KEYS if applicant_raw.get(k) is not None)
        for key in sorted(APPLICANT_KEYS):
            applicant[key] = _text(
                applicant_raw, key, f"applicant.{key}", problems, required=key == "name"
            )
        applicant["kind"] = applicant["kind"] or ApplicantKind.CITIZEN
        if applicant["kind"] not in ApplicantKind.values:
            problems.add(
                "applicant.kind",
                f"{applicant['kind']!r} không hợp lệ; dùng một trong: {_CHOICES_KIND}",
            )

    given = frozenset(key for key in TOP_KEYS if raw.get(key) is not None)
    summary = _text(raw, "summary", "summary", problems) if "summary" in given else None
    components = (
        _components(raw["components"], "components", problems) if "components" in given else []
    )
    fees = _fee_list(raw["fees"], "fees", problems) if "fees" in given else None
    due_date = (
        parse_civil_date(raw["due_date"], "due_date", problems)
        if raw.get("due_date") is not None
        else None
    )

    events: list[ParsedEvent] = []
    raw_events = raw.get("events")
    if raw_events is None:
        problems.add("events", "bắt buộc, chưa có")
    elif not isinstance(raw_events, list) or not raw_events:
        problems.add("events", "phải là danh sách sự kiện, ít nhất một sự kiện received")
    else:
        for index, item in enumerate(raw_events):
            event = _parse_event(item, index, problems)
            if event is not None:
                events.append(event)
    if problems:
        return None, problems.items
    return (
        ParsedDossier(
            code=code,
            procedure_code=procedure_code,
            receiving_unit=receiving_unit,
            resolving_unit=resolving_unit,
            channel=channel,
            delivery=delivery,
            applicant=applicant,
            applicant_given=applicant_given,
            summary=summary,
            components=components,
            fees=fees,
            due_date=due_date,
            events=events,
            given=given,
        ),
        [],
    )


# --- checking a line against the database and the rules -------------------------------------------


@dataclass
class _Pending:
    """An event as it will be appended (EventLike for the projection and the clock)."""

    type: str
    at: dt.datetime
    data: dict[str, Any]
    unit: Unit | None = None
    reason: str = ""
    actor_name: str = ""


@dataclass
class _Prepared:
    """A line ready to be written: the dossier (unsaved) and its events with their data."""

    dossier: Dossier
    events: list[_Pending]
    trace: list[dict[str, Any]]


@dataclass
class HistoryImportReport:
    created: int = 0
    skipped: int = 0
    events: int = 0
    dry_run: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.created} hồ sơ mới ({self.events} sự kiện)"
        if self.skipped:
            text += f", {self.skipped} hồ sơ đã có với cùng nội dung (bỏ qua)"
        if self.warnings:
            text += f", {len(self.warnings)} cảnh báo"
        return text + "."

    def warning_lines(self) -> list[str]:
        """Each warning with its place first, as problems are shown ("dòng 3, trường due_date")."""
        return ImportRejected("", problems=self.warnings).problem_lines()


class _DryRun(Exception):
    """Rolls back a dry run's writes."""


def _status_label(status: str) -> str:
    return f"“{Status(status).label}”" if status else "“chưa có sự kiện”"


class _Importer:
    """One file's import: the problems and warnings so far, and lookups cached for the file."""

    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0
        self.report = HistoryImportReport()
        self.codes: dict[str, int] = {}  # code -> line, within this file
        self.units: dict[tuple[str, dt.date], Unit] = {}
        self.versions: dict[tuple[str, dt.date], ProcedureVersion] = {}
        self.schedules: dict[int, Schedule] = {}
        # (unit id, day) -> [sequence row id, stored last, wanted last]; the rows stay locked.
        self.sequences: dict[tuple[int, dt.date], list[int]] = {}

    # reporting

    def fail(self, items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            self.problem_count += 1
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(item)

    def warn(self, line: int, field_name: str, message: str) -> None:
        self.report.warnings.append({"line": line, "field": field_name, "message": message})

    # lookups, cached for the file

    def unit(self, code: str, on: dt.date) -> Unit:
        key = (code, on)
        if key not in self.units:
            self.units[key] = unit_find(code=code, on=on)
        return self.units[key]

    def version(self, code: str, on: dt.date) -> ProcedureVersion:
        key = (code, on)
        if key not in self.versions:
            self.versions[key] = procedure_version_in_force(code=code, on=on)
        return self.versions[key]

    def schedule(self, unit: Unit) -> Schedule:
        if unit.pk not in self.schedules:
            self.schedules[unit.pk] = schedule_for(unit=unit)
        return self.schedules[unit.pk]

    # one line

    def line(self, number: int, text: str) -> None:
        parsed, problems = parse_line(text, number)
        if parsed is None:
            self.fail(problems)
            return
        line_problems = _Problems(number)
        if not any(e.type == EventType.RECEIVED for e in parsed.events):
            line_problems.add(
                "events", "thiếu sự kiện received (tiếp nhận): mã hồ sơ cấp khi tiếp nhận"
            )
            self.fail(line_problems.items)
            return
        earlier = self.codes.get(parsed.code)
        if earlier is not None:
            line_problems.add("code", f"mã hồ sơ trùng với dòng {earlier} của tệp")
            self.fail(line_problems.items)
            return
        self.codes[parsed.code] = number

        existing = next(
            iter(
                Dossier.objects.filter(code=parsed.code).select_related(
                    "procedure_version__procedure", "receiving_unit", "resolving_unit"
                )
            ),
            None,
        )
        if existing is not None:
            self._compare(parsed, existing, line_problems)
            return
        prepared = self._prepare(parsed, line_problems)
        if prepared is None:
            self.fail(line_problems.items)
            return
        if self.problem_count:
            return  # the file is refused already: check the rest, write nothing more
        self._write(prepared)
        self._reserve(prepared.dossier.receiving_unit, parsed)

    def _compare(self, parsed: ParsedDossier, existing: Dossier, problems: _Problems) -> None:
        """Skip a line that says what the stored dossier says; refuse one that says otherwise."""
        events = list(DossierEvent.objects.filter(dossier=existing).order_by("seq"))
        stored, stored_problems = parse_line(
            json.dumps(history_record(existing, events), ensure_ascii=False), problems.line
        )
        differences = (
            _differences(parsed, stored, existing)
            if stored is not None
            else [p["field"] for p in stored_problems]
        )
        if differences:
            problems.add(
                "code",
                f"hồ sơ {parsed.code} đã có trong hệ thống với nội dung khác (khác ở: "
                f"{', '.join(differences)}); mã hồ sơ không bao giờ được ghi đè hay cấp lại",
            )
            self.fail(problems.items)
            return
        self.report.skipped += 1
        if not self.problem_count:
            self._reserve(existing.receiving_unit, parsed)

    def _prepare(self, parsed: ParsedDossier, problems: _Problems) -> _Prepared | None:
        received = parsed.received
        receipt_day = clock.local(received.at).date()
        try:
            receiving = self.unit(parsed.receiving_unit, receipt_day)
        except DomainError as exc:
            problems.add("receiving_unit", exc.message)
            return None
        resolving = None
        if parsed.resolving_unit:
            try:
                resolving = self.unit(parsed.resolving_unit, receipt_day)
            except DomainError as exc:
                problems.add("resolving_unit", exc.message)
        try:
            version = self.version(parsed.procedure_code, receipt_day)
        except DomainError as exc:
            problems.add("procedure_code", exc.message)
            version = None

        prefix, day_text, _ = parsed.code.rsplit("-", 2)
        if not receiving.identifier:
            problems.add(
                "receiving_unit",
                f"{receiving} chưa có mã định danh điện tử nên không thể là tiền tố mã hồ sơ",
            )
        elif prefix != receiving.identifier:
            problems.add(
                "code",
                f"tiền tố {prefix} phải là mã định danh của đơn vị tiếp nhận "
                f"({receiving.identifier})",
            )
        if day_text != f"{receipt_day:%y%m%d}":
            problems.add(
                "code",
                f"phần ngày {day_text} phải là ngày tiếp nhận theo giờ Việt Nam "
                f"({receipt_day:%y%m%d}, sự kiện {received.place})",
            )
        if parsed.sequence_number < 1:
            problems.add("code", "số thứ tự trong ngày bắt đầu từ 0001")
        elif (
            receipt_day >= clock.local(self.now).date()
            and parsed.sequence_number > IMPORTED_SEQUENCE_MAX_TODAY
        ):
            # The unit's counter goes on from the imported number for the rest of the day: a
            # huge one would leave it no room (codes hold 7 digits). Past days are closed.
            problems.add(
                "code",
                f"mã hồ sơ của ngày hôm nay có số thứ tự {parsed.sequence_number} vượt quá "
                f"{IMPORTED_SEQUENCE_MAX_TODAY}: bộ đếm của đơn vị sẽ không còn số để cấp "
                "trong ngày",
            )
        if parsed.due_date is not None and parsed.due_date < receipt_day:
            problems.add("due_date", "hạn trả không thể trước ngày tiếp nhận")
        try:
            resolving = resolving_unit_for(
                Intake(
                    procedure_code=parsed.procedure_code,
                    applicant=Applicant(name=""),
                    receiving_unit=receiving,
                    resolving_unit=resolving,
                )
            )
        except DomainError as exc:
            problems.add("resolving_unit", exc.message)
        if problems or version is None or resolving is None:
            return None

        if parsed.channel == Channel.POSTAL and not version.postal_allowed:
            self.warn(
                problems.line,
                "channel",
                f"thủ tục {version.name} không tiếp nhận qua bưu chính theo danh mục hiện có",
            )
        applicant = parsed.applicant
        dossier = Dossier(
            code=parsed.code,
            procedure_version=version,
            receiving_unit=receiving,
            resolving_unit=resolving,
            unit_snapshot={
                role: {
                    "name": unit.name,
                    "identifier": unit.identifier,
                    "area_code": unit.area_code,
                }
                for role, unit in (("receiving", receiving), ("resolving", resolving))
            },
            channel=parsed.channel,
            delivery=parsed.delivery,
            applicant_kind=applicant["kind"],
            applicant_name=applicant["name"],
            applicant_id_number=applicant["id_number"],
            applicant_tax_code=applicant["tax_code"],
            applicant_phone=applicant["phone"],
            applicant_email=applicant["email"],
            applicant_address=applicant["address"],
            owner_name=applicant["owner_name"],
            summary=parsed.summary or version.name,
            components=parsed.components,
            fees=parsed.fees
            if parsed.fees is not None
            else fees_for(version, parsed.channel, receiving_unit=receiving, on=receipt_day),
        )
        try:
            dossier.full_clean(
                exclude=[
                    "code",
                    "procedure_version",
                    "receiving_unit",
                    "resolving_unit",
                    "assignee",
                    "status",
                    *Projection.FIELDS,
                ],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problems.add(_MODEL_FIELDS.get(name, name), " ".join(messages))
            return None
        result = self._events(parsed, dossier, problems)
        if result is None:
            return None
        events, trace = result
        return _Prepared(dossier=dossier, events=events, trace=trace)

    def _events(
        self, parsed: ParsedDossier, dossier: Dossier, problems: _Problems
    ) -> tuple[list[_Pending], list[dict[str, Any]]] | None:
        """The events with the data the services would have given them, checked in order."""
        pending: list[_Pending] = []
        trace: list[dict[str, Any]] = []
        previous: ParsedEvent | None = None
        counts: dict[EventType, int] = {}
        schedule = self.schedule(dossier.receiving_unit)
        for event in parsed.events:
            place = event.place
            if previous is not None and event.at < previous.at:
                problems.add(
                    f"{place}.at",
                    f"sớm hơn sự kiện trước ({previous.place}); các sự kiện phải theo thứ tự thời "
                    "gian",
                )
                return None
            if event.at > self.now:
                problems.add(f"{place}.at", "thời điểm ở tương lai")
                return None
            previous = event
            state = project(pending)
            message = _illegal(event, state, counts)
            if message:
                problems.add(f"{place}.type", message)
                return None
            counts[event.type] = counts.get(event.type, 0) + 1
            try:
                item = self._enrich(event, state, parsed, dossier, pending, schedule, problems)
            except DomainError as exc:  # the clock cannot compute a due date
                problems.add(f"{place}.at", exc.message)
                return None
            if item is None:
                return None
            new, new_trace = item
            pending.append(new)
            if new_trace is not None:
                trace = new_trace
        return pending, trace

    def _enrich(
        self,
        event: ParsedEvent,
        state: Projection,
        parsed: ParsedDossier,
        dossier: Dossier,
        pending: list[_Pending],
        schedule: Schedule,
        problems: _Problems,
    ) -> tuple[_Pending, list[dict[str, Any]] | None] | None:
        values = event.values
        kind = event.type
        data: dict[str, Any] = {}
        trace: list[dict[str, Any]] | None = None
        if kind == EventType.SUBMITTED:
            data = {"channel": parsed.channel}
        elif kind == EventType.RECEIVED:
            limit = intake_limit(dossier.procedure_version, parsed.channel, values["limit_case"])
            if values["limit_case"] and values["reason"]:
                limit["reason"] = values["reason"]
            receipt = due_for(
                dossier, start=event.at, limit=recorded_limit(limit), schedule=schedule
            )
            due, trace = self._due(receipt, parsed.due_date, "due_date", schedule, problems)
            data = {"code": parsed.code, "limit": limit, **due}
        elif kind == EventType.LIMIT_CASE_CHANGED:
            if "limit_case" not in event.given:
                problems.add(f"{event.place}.limit_case", 'bắt buộc ("": thời hạn chung)')
                return None
            previous = next(
                (p.data["limit"] for p in reversed(pending) if "limit" in p.data),
                limit_record(dossier.procedure_version),
            )
            data = {
                "limit": limit_record(dossier.procedure_version, values["limit_case"]),
                "previous_limit": previous,
            }
            problem = limit_switch_problem(
                current=previous,
                new=data["limit"],
                due_date=state.due_date,
                at=event.at,
                reason=values["reason"],
            )
            if problem:
                problems.add(event.place, problem)
                return None
            moved = current_due(
                dossier, [*pending, _Pending(kind, event.at, data)], schedule=schedule
            )
            if moved is not None:
                due, trace = self._due(
                    moved, values["due_date"], f"{event.place}.due_date", schedule, problems
                )
                data.update(due)
        elif kind == EventType.FORWARDED:
            problem = forwarding_problem(dossier, forwarded=False)  # twice: _illegal says so
            if problem:
                problems.add(event.place, problem)
                return None
            deadline = forwarding_deadline(state.received_at or event.at, schedule)
            resolving = dossier.resolving_unit
            data = {
                "to_unit": resolving.pk,
                "to_unit_name": resolving.name,
                "deadline_at": deadline.isoformat(),
                "on_time": event.at <= deadline,
            }
        elif kind == EventType.ASSIGNED:
            data = {
                key: values[key]
                for key in ("step", "step_name", "assignee_name")
                if key in event.given
            }
        elif kind == EventType.SUPPLEMENT_REQUESTED:
            decision = supplement_decision(
                version=dossier.procedure_version,
                received_at=state.received_at,
                due_date=state.due_date,
                at=event.at,
                schedule=schedule,
            )
            data = {"missing": values["missing"], **decision.data()}
        elif kind in _NEW_DUE:
            data = (
                {"components": values["components"]}
                if kind == EventType.SUPPLEMENT_RECEIVED
                else {"receipt_number": values["receipt_number"]}
            )
            moved = current_due(
                dossier, [*pending, _Pending(kind, event.at, data)], schedule=schedule
            )
            if moved is not None:
                due, trace = self._due(
                    moved, values["due_date"], f"{event.place}.due_date", schedule, problems
                )
                data.update(due)
        elif kind == EventType.PAYMENT_REQUESTED:
            data = {"amount": values["amount"]} if values["amount"] is not None else {}
            data.update(payment_wait(dossier.procedure_version))
        elif kind == EventType.RESOLVED:
            data = {"outcome": values["outcome"]}
        elif kind == EventType.APOLOGY_ISSUED:
            apology = self._apology(event, state, schedule, problems)
            if apology is None:
                return None
            data = apology
        elif kind == EventType.POSTAL_DISPATCHED:
            data = {"tracking_number": values["tracking_number"]}
        elif kind == EventType.RETURNED:
            data = {
                "delivery": dossier.delivery,
                "recipient": values["recipient"],
                "tracking_number": values["tracking_number"] or state.postal_tracking,
            }
        elif kind == EventType.DUE_RECOMPUTED:
            recomputed = current_due(dossier, pending, schedule=schedule)
            if recomputed is None:  # pragma: no cover - a received event always precedes
                return None
            due, trace = self._due(
                recomputed, values["due_date"], f"{event.place}.due_date", schedule, problems
            )
            data = {
                "previous_due_at": state.due_at.isoformat() if state.due_at else None,
                **due,
            }
        data["imported"] = True
        rule = RULES.get(kind)
        unit: Unit | None
        if kind == EventType.DUE_RECOMPUTED:
            unit = None
        elif rule is None or rule.unit == "receiving":
            unit = dossier.receiving_unit
        else:
            unit = dossier.resolving_unit
        return (
            _Pending(
                type=kind,
                at=event.at,
                data=data,
                unit=unit,
                reason=values["reason"],
                actor_name=values["actor_name"],
            ),
            trace,
        )

    def _due(
        self,
        result: DueResult,
        given: dt.date | None,
        place: str,
        schedule: Schedule,
        problems: _Problems,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The due date an event records: the clock's, or the one the line gives.

        A given date is the lawful one (the old system decided it); when the clock disagrees, the
        line keeps its date, the event keeps both, and the import reports a warning.
        """
        trace = [step.as_dict() for step in result.trace]
        if given is None or given == result.due_date:
            return due_data(result), trace
        self.warn(
            problems.line,
            place,
            f"hạn trả trong tệp là {given:%d/%m/%Y}, theo lịch làm việc tính được "
            f"{result.due_date:%d/%m/%Y}; giữ hạn trong tệp",
        )
        due_at = schedule.end_of_day(given)
        note = {
            "kind": "note",
            "date": given.isoformat(),
            "message": f"Hạn trả {given:%d/%m/%Y} lấy theo dữ liệu chuyển đổi từ hệ thống khác; "
            f"lịch làm việc tính được {result.due_date:%d/%m/%Y}.",
            "reason": "imported",
            "basis": "",
        }
        return (
            {
                "due_at": due_at.isoformat(),
                "due_date": given.isoformat(),
                "provisional": False,
                "imported_due": True,
                "clock_due_date": result.due_date.isoformat(),
            },
            [note, *trace],
        )

    def _apology(
        self, event: ParsedEvent, state: Projection, schedule: Schedule, problems: _Problems
    ) -> dict[str, Any] | None:
        new_date: dt.date = event.values["new_due_date"]
        if state.due_date is None or state.due_at is None:
            problems.add(f"{event.place}.type", "hồ sơ chưa có hạn trả để hẹn lại")
            return None
        if new_date <= state.due_date:
            problems.add(
                f"{event.place}.new_due_date",
                f"ngày hẹn mới phải sau hạn trả {state.due_date:%d/%m/%Y}",
            )
            return None
        # ND 61/2018 Điều 19 khoản 9: at the latest one working day before the due date. The
        # services refuse a later apology; a history records what happened, with a warning.
        latest = state.due_date - dt.timedelta(days=1)
        while not schedule.is_working_day(latest):
            latest -= dt.timedelta(days=1)
        if clock.local(event.at).date() > latest:
            self.warn(
                problems.line,
                f"{event.place}.at",
                f"phiếu xin lỗi ban hành sau ngày {latest:%d/%m/%Y}, một ngày làm việc trước hạn "
                f"{state.due_date:%d/%m/%Y} (ND 61/2018 Điều 19 khoản 9)",
            )
        return {
            # As the services write it: the stored instant, in UTC.
            "original_due_at": state.due_at.astimezone(dt.UTC).isoformat(),
            "new_due_at": schedule.end_of_day(new_date).isoformat(),
            "new_due_date": new_date.isoformat(),
        }

    # writing

    def _write(self, prepared: _Prepared) -> None:
        dossier = prepared.dossier
        for name, value in project(prepared.events).values().items():
            setattr(dossier, name, value)
        dossier.deadline_trace = prepared.trace
        dossier.save()
        dossier.involved_units.add(dossier.receiving_unit, dossier.resolving_unit)
        written = [_append(dossier, item) for item in prepared.events]
        # The stored fields are what the appended events imply, as for every transition.
        for name, value in project(written).values().items():
            setattr(dossier, name, value)
        dossier.clock = clock_state(clock_inputs(dossier, written))
        dossier.version = len(written)
        dossier.save()
        self.report.created += 1
        self.report.events += len(written)

    def _reserve(self, unit: Unit, parsed: ParsedDossier) -> None:
        """Raise the unit's daily counter to at least the code's number: never reissued."""
        day = clock.local(parsed.received.at).date()
        key = (unit.pk, day)
        if key not in self.sequences:
            # Locked until the import commits: a counter intake there and then waits, then
            # numbers after the imported codes.
            row, _ = DossierSequence.objects.select_for_update().get_or_create(unit=unit, day=day)
            self.sequences[key] = [row.pk, row.last, row.last]
        entry = self.sequences[key]
        entry[2] = max(entry[2], parsed.sequence_number)

    def finish(self) -> None:
        for pk, stored, wanted in self.sequences.values():
            if wanted > stored:
                DossierSequence.objects.filter(pk=pk).update(last=wanted)


def _illegal(event: ParsedEvent, state: Projection, counts: dict[EventType, int]) -> str:
    """Why the event cannot follow the events before it (handbook §13), or ""."""
    kind = event.type
    status = state.status
    if kind == EventType.RECEIVED and counts.get(kind):
        return "hồ sơ chỉ được tiếp nhận một lần (đã có sự kiện received)"
    if not status and kind not in (EventType.SUBMITTED, EventType.RECEIVED):
        return "sự kiện đầu tiên phải là submitted hoặc received"
    if kind == EventType.SUBMITTED:
        return "" if not status else "submitted chỉ có thể là sự kiện đầu tiên"
    if kind == EventType.RECEIVED:
        return (
            ""
            if status in ("", Status.SUBMITTED)
            else f"không thể tiếp nhận hồ sơ đang ở trạng thái {_status_label(status)}"
        )
    if kind == EventType.SUPPLEMENT_REQUESTED and counts.get(kind):
        return (
            "hồ sơ chỉ được yêu cầu bổ sung một lần (ND 61/2018 Điều 15 khoản 3, Điều 19 khoản 4)"
        )
    if kind == EventType.APOLOGY_ISSUED and counts.get(kind):
        return "hồ sơ chỉ được xin lỗi, hẹn lại một lần"
    if kind == EventType.FORWARDED and counts.get(kind):
        return "hồ sơ giấy chỉ được chuyển cho đơn vị giải quyết một lần"
    if kind == EventType.DUE_RECOMPUTED:
        if status in OPEN:
            return ""
        return f"chỉ tính lại hạn của hồ sơ đang giải quyết, không phải {_status_label(status)}"
    rule = RULES[kind]
    if status not in rule.statuses:
        return f"không thể {rule.label} khi hồ sơ đang ở trạng thái {_status_label(status)}"
    return ""


def _append(dossier: Dossier, item: _Pending) -> DossierEvent:
    """Append an imported event to the chain: no account acts, the old system's name is kept."""
    return append_event(
        dossier,
        type=item.type,
        at=item.at,
        actor=None,
        actor_name=item.actor_name,
        unit=item.unit,
        reason=item.reason,
        data=item.data,
    )


def _differences(line: ParsedDossier, stored: ParsedDossier, existing: Dossier) -> list[str]:
    """The fields a line gives that disagree with the stored dossier (absent fields are not
    compared; times are compared as instants)."""
    differences = []
    for key in sorted(line.given - {"code", "events", "applicant", "receiving_unit"}):
        if key == "resolving_unit":
            unit = existing.resolving_unit
            if line.resolving_unit not in {unit.identifier, unit.area_code}:
                differences.append(key)
        elif getattr(line, key) != getattr(stored, key):
            differences.append(key)
    unit = existing.receiving_unit
    if line.receiving_unit not in {unit.identifier, unit.area_code}:
        differences.append("receiving_unit")
    differences.extend(
        f"applicant.{key}"
        for key in sorted(line.applicant_given)
        if line.applicant[key] != stored.applicant[key]
    )
    if len(line.events) != len(stored.events):
        differences.append(f"events (tệp có {len(line.events)}, đã lưu {len(stored.events)})")
        return differences
    for ours, theirs in zip(line.events, stored.events, strict=True):
        if ours.type != theirs.type:
            differences.append(f"{ours.place}.type")
            continue
        if ours.at != theirs.at:
            differences.append(f"{ours.place}.at")
        differences.extend(
            f"{ours.place}.{key}"
            for key in sorted(ours.given)
            if ours.values[key] != theirs.values.get(key, EVENT_DEFAULTS[key])
        )
    return differences


def _lines(source: Iterable[str | bytes]) -> Iterator[tuple[int, str | None]]:
    """Numbered lines, decoded; None for a line that is not UTF-8."""
    for number, raw in enumerate(source, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
        else:
            text = raw
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text


def dossier_history_import(
    *, lines: Iterable[str | bytes], dry_run: bool = False, now: dt.datetime | None = None
) -> HistoryImportReport:
    """Import dossier histories (JSON Lines), all or nothing; refused with every problem named.

    Raises ``ImportRejected`` (problems ``{"line", "field", "message"}``) and writes nothing when
    any line has a problem; with ``dry_run`` checks everything and writes nothing either way.
    """
    importer = _Importer(now=now or clock.now())
    try:
        with transaction.atomic():
            for number, text in _lines(lines):
                if text is None:
                    importer.fail(
                        [{"line": number, "field": "", "message": "dòng không phải văn bản UTF-8"}]
                    )
                elif text.strip():
                    importer.line(number, text)
            if importer.problem_count:
                problems = importer.problems
                if importer.problem_count > len(problems):
                    problems = [
                        *problems,
                        {
                            "field": "",
                            "message": f"và {importer.problem_count - len(problems)} lỗi khác "
                            "chưa liệt kê",
                        },
                    ]
                raise ImportRejected(REJECTED, problems=problems)
            importer.finish()
            if dry_run:
                raise _DryRun
    except _DryRun:
        importer.report.dry_run = True
    return importer.report


# --- export ---------------------------------------------------------------------------------------


def _local(instant: dt.datetime) -> str:
    return clock.local(instant).isoformat()


def _event_record(event: DossierEvent) -> dict[str, Any] | None:
    """The event in the format, or None for an event that changes no state the format carries
    (step completed, consultation, transfer, apology proposal, hand-over)."""
    try:
        kind = EventType(event.type)
    except ValueError:
        return None
    if kind not in EVENT_KEYS:
        return None
    data = event.data
    record: dict[str, Any] = {"type": kind.value, "at": _local(event.at)}
    if kind == EventType.RESOLVED:
        record["outcome"] = data.get("outcome", Outcome.APPROVED)
    elif kind == EventType.APOLOGY_ISSUED:
        new_due_at = data.get("new_due_at")
        record["new_due_date"] = data.get("new_due_date") or (
            clock.local(dt.datetime.fromisoformat(new_due_at)).date().isoformat()
            if new_due_at
            else None
        )
    elif kind in (*_NEW_DUE, EventType.DUE_RECOMPUTED, EventType.LIMIT_CASE_CHANGED) and data.get(
        "due_date"
    ):
        record["due_date"] = data["due_date"]
    limit = data.get("limit") or {}
    if kind == EventType.LIMIT_CASE_CHANGED or (kind == EventType.RECEIVED and limit.get("case")):
        record["limit_case"] = limit.get("case", "")
    if kind == EventType.RECEIVED and limit.get("reason") and not event.reason:
        record["reason"] = limit["reason"]  # why the case was chosen at the counter
    if kind == EventType.SUPPLEMENT_REQUESTED and data.get("missing"):
        record["missing"] = data["missing"]
    if kind == EventType.SUPPLEMENT_RECEIVED and data.get("components"):
        record["components"] = data["components"]
    if kind == EventType.PAYMENT_REQUESTED and data.get("amount"):
        record["amount"] = data["amount"]
    if kind == EventType.ASSIGNED:
        record.update(
            {key: data[key] for key in ("step", "step_name", "assignee_name") if data.get(key)}
        )
    for key in ("receipt_number", "recipient", "tracking_number"):
        if key in EVENT_KEYS[kind] and data.get(key):
            record[key] = data[key]
    if event.reason:
        record["reason"] = event.reason
    if event.actor_name:
        record["actor_name"] = event.actor_name
    return record


def history_record(dossier: Dossier, events: Sequence[DossierEvent]) -> dict[str, Any]:
    """One dossier as a line of the format (what export writes and import reads back)."""
    receiving = dossier.receiving_unit
    resolving = dossier.resolving_unit
    applicant = {
        "name": dossier.applicant_name,
        "kind": dossier.applicant_kind,
        "id_number": dossier.applicant_id_number,
        "tax_code": dossier.applicant_tax_code,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": dossier.applicant_address,
        "owner_name": dossier.owner_name,
    }
    received = next((e for e in events if e.type == EventType.RECEIVED), None)
    record: dict[str, Any] = {
        "code": dossier.code,
        "procedure_code": dossier.procedure_version.procedure.code,
        "receiving_unit": receiving.identifier or receiving.area_code,
        "resolving_unit": resolving.identifier or resolving.area_code,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "applicant": {key: value for key, value in applicant.items() if value},
        "summary": dossier.summary,
        "components": dossier.components,
        "fees": dossier.fees,
    }
    if received is not None and received.data.get("due_date"):
        record["due_date"] = received.data["due_date"]
    record["events"] = [r for r in (_event_record(e) for e in events) if r is not None]
    return record


def dossiers_for_export(
    *, unit: Unit | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Dossier]:
    """Dossiers with a code, received by ``unit`` or a unit under it, on local dates in range."""
    dossiers = Dossier.objects.filter(code__isnull=False, received_at__isnull=False)
    if unit is not None:
        dossiers = dossiers.filter(receiving_unit__in=unit_subtree(unit=unit))
    tz = clock.authority_tz()
    if date_from is not None:
        dossiers = dossiers.filter(
            received_at__gte=dt.datetime.combine(date_from, dt.time(), tzinfo=tz)
        )
    if date_to is not None:
        dossiers = dossiers.filter(
            received_at__lt=dt.datetime.combine(
                date_to + dt.timedelta(days=1), dt.time(), tzinfo=tz
            )
        )
    return dossiers


def dossier_history_export(
    *,
    unit: Unit | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    batch_size: int = EXPORT_BATCH,
) -> Iterator[dict[str, Any]]:
    """Each dossier as a line of the format, streamed in batches of ``batch_size`` (by id)."""
    dossiers = (
        dossiers_for_export(unit=unit, date_from=date_from, date_to=date_to)
        .select_related("procedure_version__procedure", "receiving_unit", "resolving_unit")
        .order_by("pk")
    )
    last_pk = 0
    while True:
        batch = list(
            dossiers.filter(pk__gt=last_pk).prefetch_related(
                Prefetch("events", queryset=DossierEvent.objects.order_by("seq"))
            )[:batch_size]
        )
        if not batch:
            return
        for dossier in batch:
            yield history_record(dossier, list(dossier.events.all()))
        last_pk = batch[-1].pk


def dump_line(record: dict[str, Any]) -> str:
    """One record as one JSON line (UTF-8 text, no newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
