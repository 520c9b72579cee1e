"""What the events of a dossier imply: its status, due dates and timings.

A pure fold over the events. The due dates a transition decided (with the working-day clock, at
the time) are written into that event's data, so the fold needs no calendar and gives the same
answer forever; a later calendar change records a ``due_recomputed`` event of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from motcua.dossiers.models import Outcome, Status, Timeliness

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class EventType(StrEnum):
    SUBMITTED = "submitted"  # an online or postal dossier arrived, not yet received
    RECEIVED = "received"  # received complete: code issued, clock started
    REFUSED_AT_INTAKE = "refused_at_intake"  # Mẫu 03 at reception
    ASSIGNED = "assigned"  # to a step of the internal process and an officer
    STEP_COMPLETED = "step_completed"
    CONSULTATION_REQUESTED = "consultation_requested"  # liên thông / xin ý kiến
    CONSULTATION_ANSWERED = "consultation_answered"
    TRANSFERRED = "transferred"  # to another unit or level
    SUPPLEMENT_REQUESTED = "supplement_requested"  # Mẫu 02 during resolution
    SUPPLEMENT_RECEIVED = "supplement_received"
    PAYMENT_REQUESTED = "payment_requested"
    PAYMENT_RECEIVED = "payment_received"
    RESOLVED = "resolved"  # approved or refused after appraisal
    WITHDRAWN = "withdrawn"  # at the applicant's request
    STOPPED = "stopped"
    APOLOGY_PROPOSED = "apology_proposed"
    APOLOGY_ISSUED = "apology_issued"  # Mẫu 04, approved by a leader
    RETURNED = "returned"  # result handed over (counter, post, electronic)
    POSTAL_DISPATCHED = "postal_dispatched"  # result handed to the postal operator
    DUE_RECOMPUTED = "due_recomputed"  # calendar data changed
    LIMIT_CASE_CHANGED = "limit_case_changed"  # another of the procedure's limits applies
    FORWARDED = "forwarded"  # the desk handed the paper dossier to the resolving body
    HANDED_OVER = "handed_over"  # unit reorganisation (handbook §11 rule 4)


class ClockRule:
    """What a supplement request does to the clock (recorded on the request as ``clock_rule``;
    decided by dossiers.deadlines.supplement_decision)."""

    RESTART = "restart"  # the full limit runs again from the complete dossier
    PAUSE = "pause"  # the applicant's waiting time is not counted
    CONTINUE = "continue"  # the clock runs on
    NO_EFFECT = "no_effect"  # asked after the due date: the lawful due date never moves
    # The clock keeps running while the applicant is asked: the dossier can fall overdue.
    RUNS_WHILE_WAITING = frozenset({CONTINUE, NO_EFFECT})


class EventLike(Protocol):
    type: str
    at: dt.datetime
    data: dict[str, Any]


@dataclass
class Projection:
    status: str = ""
    outcome: str = ""
    submitted_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    original_due_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    due_date: dt.date | None = None
    appointment_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    timeliness: str = ""
    current_step: int | None = None
    assignee_id: int | None = None
    postal_tracking: str = ""
    # While waiting for the applicant: whether the wait stops the clock. A late supplement
    # request (decision 13) or a payment wait the procedure does not stop (decision 11) leaves it
    # running, and the dossier can fall overdue while it waits.
    clock_paused: bool = False
    supplement_requests: int = 0
    apologies: int = 0
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)

    # The dossier fields this projection fills (verify-history compares exactly these).
    FIELDS = (
        "status",
        "outcome",
        "submitted_at",
        "received_at",
        "original_due_at",
        "due_at",
        "due_date",
        "appointment_at",
        "ended_at",
        "returned_at",
        "timeliness",
        "current_step",
        "assignee_id",
        "postal_tracking",
        "clock_paused",
    )

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


def _instant(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def wait_stops_clock(kind: str, data: dict[str, Any]) -> bool:
    """Whether the wait a supplement or payment request opens stops the clock, as the request
    recorded it (decisions 11 and 13). Requests recorded before these rules carry no rule, and
    were listed as stopping it."""
    if kind == EventType.PAYMENT_REQUESTED:
        return bool(data.get("stops_clock", True))
    return data.get("clock_rule") not in ClockRule.RUNS_WHILE_WAITING


def timeliness_of(ended_at: dt.datetime, due_date: dt.date | None) -> str:
    """Early, on time or late at date granularity against the lawful due date (decision 4)."""
    if due_date is None:
        return ""
    ended = ended_at.astimezone(VIETNAM).date()
    if ended < due_date:
        return Timeliness.EARLY
    if ended == due_date:
        return Timeliness.ON_TIME
    return Timeliness.LATE


def _set_due(state: Projection, data: dict[str, Any]) -> None:
    if data.get("due_at"):
        state.due_at = _instant(data["due_at"])
        state.due_date = dt.date.fromisoformat(data["due_date"])


def project(events: Iterable[EventLike]) -> Projection:
    """Fold the events, oldest first, into the dossier's derived state."""
    state = Projection()
    for event in events:
        data = event.data
        kind = event.type
        if kind == EventType.SUBMITTED:
            state.status = Status.SUBMITTED
            state.submitted_at = event.at
        elif kind == EventType.RECEIVED:
            state.status = Status.RECEIVED
            state.received_at = event.at
            _set_due(state, data)
            state.original_due_at = state.due_at
        elif kind == EventType.REFUSED_AT_INTAKE:
            state.status = Status.NOT_RECEIVED
            state.ended_at = event.at
        elif kind == EventType.ASSIGNED:
            state.status = Status.PROCESSING
            state.current_step = data.get("step")
            state.assignee_id = data.get("assignee")
        elif kind == EventType.STEP_COMPLETED:
            state.assignee_id = None
        elif kind == EventType.TRANSFERRED:
            # The new unit's leader assigns the work again; the deadline does not restart.
            state.assignee_id = None
            state.current_step = None
        elif kind in (EventType.SUPPLEMENT_REQUESTED, EventType.PAYMENT_REQUESTED):
            state.status = (
                Status.SUPPLEMENT if kind == EventType.SUPPLEMENT_REQUESTED else Status.PAYMENT
            )
            state.supplement_requests += kind == EventType.SUPPLEMENT_REQUESTED
            state.pauses.append((event.at, None))
            state.clock_paused = wait_stops_clock(kind, data)
        elif kind in (EventType.SUPPLEMENT_RECEIVED, EventType.PAYMENT_RECEIVED):
            state.status = Status.PROCESSING
            state.clock_paused = False
            if state.pauses and state.pauses[-1][1] is None:
                state.pauses[-1] = (state.pauses[-1][0], event.at)
            _set_due(state, data)
        elif kind in (EventType.DUE_RECOMPUTED, EventType.LIMIT_CASE_CHANGED):
            _set_due(state, data)
        elif kind == EventType.RESOLVED:
            state.status = Status.RESOLVED
            state.outcome = data.get("outcome", Outcome.APPROVED)
            state.ended_at = event.at
            # The fact, by date against the lawful due date (the national 766 computation does the
            # same); how form II.06a counts refusals, withdrawals and stops is the report's policy
            # (decision 5), applied there, not stored here.
            state.timeliness = timeliness_of(event.at, state.due_date)
            state.assignee_id = None
        elif kind in (EventType.WITHDRAWN, EventType.STOPPED):
            state.status = Status.WITHDRAWN if kind == EventType.WITHDRAWN else Status.STOPPED
            state.ended_at = event.at
            state.timeliness = timeliness_of(event.at, state.due_date)
            state.assignee_id = None
        elif kind == EventType.APOLOGY_ISSUED:
            state.appointment_at = _instant(data.get("new_due_at"))
            state.apologies += 1
        elif kind == EventType.POSTAL_DISPATCHED:
            state.postal_tracking = data.get("tracking_number", "")
        elif kind == EventType.RETURNED:
            state.status = Status.RETURNED
            state.returned_at = event.at
            state.postal_tracking = data.get("tracking_number", state.postal_tracking)
    return state
