"""The hash-chained event log: appending, and checking that nobody rewrote it.

Each event's hash covers the previous event's hash and a canonical form of everything the event
says (who, when, where, why, what). Altering, removing or reordering any event breaks the chain
from that point on (ND 61/2018 Điều 5: altering or falsifying dossier data is prohibited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from motcua.accounts.models import User
from motcua.core.acting import acting_client
from motcua.core.db import append_rows
from motcua.core.text import clean_text
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import EventType, project
from motcua.units.models import Unit

# The first event of every dossier carries, under this key of its data, the dossier's own facts
# as they were at creation: so a column changed in the database is caught like a changed event.
HEADER = "dossier"
# The client application an API call acted through (core.acting), beside the officer.
CLIENT = "client"
_FOREIGN_KEYS = frozenset({"procedure_version", "receiving_unit", "resolving_unit"})
# What the seal covers: personal data and the papers, kept out of the log in clear (ND 13/2023:
# an append-only log could never forget them) but bound to it by a keyed hash.
SEALED_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_tax_code",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "owner_name",
    "summary",
    "components",
    "fees",
)


def _seal(dossier: Dossier, secret: str) -> str:
    """A keyed hash (HMAC-SHA256 under the site's secret key) of the sealed fields: a plain hash
    of a 12-digit ID number could be reversed by trying them all, a keyed one cannot."""
    text = json.dumps(
        [getattr(dossier, name) for name in SEALED_FIELDS],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return salted_hmac("motcua.dossiers.seal", text, secret=secret, algorithm="sha256").hexdigest()


def dossier_header(dossier: Dossier) -> dict[str, Any]:
    """The facts a dossier is created with, as its first event records them."""
    return {
        "procedure_version": dossier.procedure_version_id,
        "receiving_unit": dossier.receiving_unit_id,
        "resolving_unit": dossier.resolving_unit_id,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "seal": _seal(dossier, settings.SECRET_KEY),
    }


def header_problems(dossier: Dossier, events: list[DossierEvent]) -> list[str]:
    """Columns of the dossier that disagree with its intact history (check the chain first)."""
    if not events:
        return []
    header = events[0].data.get(HEADER)
    if not isinstance(header, dict):
        return ["sự kiện đầu tiên không ghi thông tin gốc của hồ sơ"]
    expected = dict(header)
    expected.pop("seal", None)
    code = None
    for event in events:
        if event.type == EventType.TRANSFERRED:
            expected["resolving_unit"] = event.data.get("to_unit")
        elif event.type == EventType.RECEIVED:
            code = event.data.get("code")
    problems = []
    for name, value in expected.items():
        stored = getattr(dossier, f"{name}_id" if name in _FOREIGN_KEYS else name)
        if stored != value:
            problems.append(f"trường {name} là {stored!r}, lịch sử ghi {value!r}")
    if dossier.code != code:
        problems.append(f"trường code là {dossier.code!r}, lịch sử ghi {code!r}")
    # A key rotated with the old one kept in SECRET_KEY_FALLBACKS still verifies old dossiers.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(
        constant_time_compare(_seal(dossier, key), header.get("seal", "")) for key in secrets
    ):
        problems.append("thông tin người nộp, trích yếu, giấy tờ hoặc phí đã bị sửa")
    return problems


@dataclass
class EventDraft:
    """An event built outside the ORM (bulk writers: the demo generator, the recomputation),
    shaped like DossierEvent for ``canonical`` and ``project``."""

    type: str
    at: dt.datetime
    actor_id: int | None = None
    actor_name: str = ""
    unit_id: int | None = None
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    documents: list[Any] = field(default_factory=list)
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""
    dossier: Dossier | None = None
    dossier_id: int | None = None  # when no Dossier object is at hand (bulk writers)


def write_drafts(events: Sequence[EventDraft], *, recorded_at: dt.datetime) -> None:
    """Store events built outside the ORM (each with its ``dossier`` set), in bulk: what
    ``append_event`` stores, row for row (COPY on PostgreSQL)."""
    append_rows(
        DossierEvent,
        _DRAFT_COLUMNS,
        [
            (
                event.dossier.pk if event.dossier is not None else event.dossier_id,
                event.seq,
                event.type,
                event.at,
                event.actor_id,
                event.actor_name,
                event.unit_id,
                event.reason,
                json.dumps(event.data, ensure_ascii=False),
                json.dumps(event.documents) if event.documents else "[]",
                event.prev_hash,
                event.hash,
                recorded_at,
            )
            for event in events
        ],
    )


_DRAFT_COLUMNS = (
    "dossier_id",
    "seq",
    "type",
    "at",
    "actor_id",
    "actor_name",
    "unit_id",
    "reason",
    "data",
    "documents",
    "prev_hash",
    "hash",
    "recorded_at",
)


def canonical(event: DossierEvent | EventDraft, dossier_uid: str) -> str:
    """The event as the exact text its hash covers."""
    payload = {
        "dossier": dossier_uid,
        "seq": event.seq,
        "type": event.type,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "unit": event.unit_id,
        "reason": event.reason,
        "data": event.data,
        "documents": event.documents,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, text: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def prepare_event(
    dossier: Dossier,
    *,
    type: str,
    at: dt.datetime,
    actor: User | None = None,
    unit: Unit | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    documents: list[dict[str, Any]] | None = None,
    actor_name: str = "",
) -> DossierEvent:
    """The next event of the dossier's chain, numbered and hashed, not yet saved.

    ``actor_name`` is the acting person's name when there is no account (an imported history).
    """
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    if dossier.event_count == 0:
        data = {**(data or {}), HEADER: dossier_header(dossier)}
    client = acting_client()
    if client is not None:
        data = {**(data or {}), CLIENT: client}
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.event_count + 1,
        type=type,
        at=at,
        actor=actor,
        actor_name=actor.get_full_name() if actor is not None else actor_name,
        unit=unit,
        reason=clean_text(reason),  # as every text entered (core.text.clean_text)
        # The hash covers the data as the database will give it back (a JSON round trip).
        data=json.loads(json.dumps(data or {}, ensure_ascii=False)),
        documents=documents or [],
        prev_hash=dossier.last_hash,
    )
    event.hash = chain_hash(event.prev_hash, canonical(event, str(dossier.uid)))
    return event


def append_event(dossier: Dossier, **fields: Any) -> DossierEvent:
    """Append one event to the dossier's chain; the caller saves the dossier afterwards."""
    event = prepare_event(dossier, **fields)
    event.save()
    dossier.event_count = event.seq
    dossier.last_hash = event.hash
    return event


@dataclass
class ChainProblem:
    dossier: Dossier
    seq: int | None
    message: str


def chain_problems(dossier: Dossier, events: list[DossierEvent]) -> list[ChainProblem]:
    """Every break in the dossier's chain, in order; empty when the history is intact."""
    problems: list[ChainProblem] = []
    previous = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(
                    dossier, event.seq, f"thiếu hoặc sai thứ tự sự kiện (cần số {expected_seq})"
                )
            )
            return problems
        if event.prev_hash != previous:
            problems.append(
                ChainProblem(dossier, event.seq, "liên kết với sự kiện trước bị thay đổi")
            )
        if chain_hash(event.prev_hash, canonical(event, str(dossier.uid))) != event.hash:
            problems.append(
                ChainProblem(dossier, event.seq, f"nội dung sự kiện {event.type} đã bị sửa")
            )
        previous = event.hash
    if dossier.event_count != len(events) or dossier.last_hash != previous:
        problems.append(
            ChainProblem(dossier, None, "sự kiện cuối không khớp với hồ sơ (bị xóa hoặc thêm)")
        )
    return problems


def _show(value: Any) -> str:
    return repr(str(value)) if isinstance(value, str) else repr(value)


def derived_field_problems(dossier: Dossier, events: list[DossierEvent]) -> list[str]:
    """Stored fields that disagree with what the events imply."""
    from motcua.dossiers.deadlines import clock_inputs, clock_state

    differences = []
    if dossier.clock:  # empty on dossiers stored before the column existed
        expected = clock_state(clock_inputs(dossier, events))
        if dossier.clock != expected:
            differences.append(f"trường clock là {dossier.clock!r}, lịch sử cho {expected!r}")
    for name, value in project(events).values().items():
        stored = getattr(dossier, name)
        if isinstance(stored, dt.datetime) and isinstance(value, dt.datetime):
            same = stored == value
        else:
            same = (stored or None) == (value or None)
        if not same:
            differences.append(f"trường {name} là {_show(stored)}, lịch sử cho {_show(value)}")
    return differences


def history_problems(dossier: Dossier, events: list[DossierEvent]) -> list[str]:
    """Everything wrong with the dossier's record, in words; empty when it is intact: first the
    chain, then (if the chain holds) the columns against the history they must agree with."""
    problems = [
        problem.message if problem.seq is None else f"sự kiện {problem.seq}: {problem.message}"
        for problem in chain_problems(dossier, events)
    ]
    if not problems:
        problems = header_problems(dossier, events) + derived_field_problems(dossier, events)
    return problems
