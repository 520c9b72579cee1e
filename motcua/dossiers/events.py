"""The hash-chained event log: appending, and checking that nobody rewrote it.

Each event's hash covers the previous event's hash and a canonical form of everything the event
says (who, when, where, why, what). Altering, removing or reordering any event breaks the chain
from that point on (ND 61/2018 Điều 5: altering or falsifying dossier data is prohibited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.units.models import Unit


def canonical(event: DossierEvent, dossier_uid: str) -> str:
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
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.event_count + 1,
        type=type,
        at=at,
        actor=actor,
        actor_name=actor.get_full_name() if actor is not None else actor_name,
        unit=unit,
        reason=reason,
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
