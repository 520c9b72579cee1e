"""A dossier's lawful due date, from its procedure version, its events and the working-day clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from motcua.calendars.selectors import deadline_explain, due_time_policy, schedule_for
from motcua.calendars.workdays import (
    DueResult,
    LimitUnit,
    Pause,
    Schedule,
    TimeLimit,
    working_time_between,
)
from motcua.catalog.models import ProcedureVersion, SupplementPolicy
from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import EventLike, EventType


def limit_of(version: ProcedureVersion) -> TimeLimit:
    return TimeLimit(version.time_limit_value, LimitUnit(version.time_limit_unit))


def clock_inputs(
    dossier: Dossier, events: Sequence[EventLike]
) -> tuple[dt.datetime, list[Pause], list[str]] | None:
    """Where the clock starts and where it stood still, following the supplement policy.

    Decision 3 (handbook §2.7): ``restart`` runs the full limit again from the complete dossier;
    ``pause`` stops the clock while the applicant supplements; ``continue`` lets it run. Waiting
    for the applicant's financial obligation always stops it [U: sector laws, e.g. land, say so].
    Returns None before receipt.
    """
    policy = dossier.procedure_version.supplement_policy
    start: dt.datetime | None = None
    pauses: list[Pause] = []
    notes: list[str] = []
    opened: tuple[str, dt.datetime] | None = None
    for event in events:
        if event.type == EventType.RECEIVED:
            start = event.at
        elif event.type in (EventType.SUPPLEMENT_REQUESTED, EventType.PAYMENT_REQUESTED):
            opened = (event.type, event.at)
        elif event.type in (EventType.SUPPLEMENT_RECEIVED, EventType.PAYMENT_RECEIVED) and opened:
            kind, since = opened
            opened = None
            if kind == EventType.SUPPLEMENT_REQUESTED and policy == SupplementPolicy.RESTART:
                start, pauses = event.at, []
                notes.append("Nhận đủ hồ sơ bổ sung: thời hạn được tính lại từ đầu.")
            elif kind == EventType.SUPPLEMENT_REQUESTED and policy == SupplementPolicy.CONTINUE:
                notes.append("Bổ sung hồ sơ không làm dừng thời hạn (theo quy định của thủ tục).")
            elif event.at > since:  # a wait of no time stops nothing
                pauses.append(
                    Pause(
                        since,
                        event.at,
                        "chờ bổ sung"
                        if kind == EventType.SUPPLEMENT_REQUESTED
                        else "chờ thực hiện nghĩa vụ tài chính",
                    )
                )
    if start is None:
        return None
    return start, pauses, notes


def due_for(
    dossier: Dossier,
    *,
    start: dt.datetime,
    pauses: Sequence[Pause] = (),
    schedule: Schedule | None = None,
) -> DueResult:
    """The lawful due instant for a clock started at ``start`` at the dossier's receiving unit."""
    version = dossier.procedure_version
    return deadline_explain(
        received_at=start,
        limit=limit_of(version),
        unit=dossier.receiving_unit,
        pauses=pauses,
        policy=due_time_policy(),
        same_day_cutoff=version.same_day_cutoff,
        schedule=schedule,
    )


def current_due(
    dossier: Dossier, events: Sequence[EventLike], *, schedule: Schedule | None = None
) -> DueResult | None:
    inputs = clock_inputs(dossier, events)
    if inputs is None:
        return None
    start, pauses, _ = inputs
    return due_for(dossier, start=start, pauses=pauses, schedule=schedule)


def due_data(result: DueResult) -> dict[str, Any]:
    """What an event records of a due date it decided."""
    return {
        "due_at": result.due_at.isoformat(),
        "due_date": result.due_date.isoformat(),
        "provisional": result.provisional,
    }


def step_timings(
    dossier: Dossier, events: Sequence[EventLike], *, now: dt.datetime
) -> list[dict[str, Any]]:
    """Each internal step's budget and the working time it took (lateness attribution).

    A step's budget is its share of the working time between the start of the count and the
    lawful due instant; its time runs from its assignment to its completion (or ``now``), minus
    the time the dossier waited for the applicant.
    """
    state_due = None
    received = None
    for event in events:
        if event.type == EventType.RECEIVED:
            received = event.at
        if event.data.get("due_at"):
            state_due = dt.datetime.fromisoformat(event.data["due_at"])
    if received is None or state_due is None:
        return []
    schedule = schedule_for(unit=dossier.receiving_unit)
    total = working_time_between(received, state_due, schedule)
    steps = {step.position: step for step in dossier.procedure_version.steps.all()}
    waits: list[tuple[dt.datetime, dt.datetime]] = []
    opened: dt.datetime | None = None
    for event in events:
        if event.type in (EventType.SUPPLEMENT_REQUESTED, EventType.PAYMENT_REQUESTED):
            opened = event.at
        elif event.type in (EventType.SUPPLEMENT_RECEIVED, EventType.PAYMENT_RECEIVED) and opened:
            waits.append((opened, event.at))
            opened = None
    if opened is not None:
        waits.append((opened, now))

    def worked(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        spent = working_time_between(start, end, schedule)
        for wait_start, wait_end in waits:
            spent -= working_time_between(max(start, wait_start), min(end, wait_end), schedule)
        return spent

    rows: list[dict[str, Any]] = []
    running: dict[str, Any] | None = None
    for event in events:
        if (
            event.type
            in (
                EventType.ASSIGNED,
                EventType.RESOLVED,
                EventType.WITHDRAWN,
                EventType.STOPPED,
                EventType.STEP_COMPLETED,
            )
            and running is not None
        ):
            running["finished_at"] = event.at
            running["used"] = worked(running["started_at"], event.at)
            rows.append(running)
            running = None
        if event.type == EventType.ASSIGNED:
            position = event.data.get("step")
            step = steps.get(position) if position is not None else None
            share = step.share if step is not None else None
            running = {
                "step": position,
                "name": step.name if step is not None else event.data.get("step_name", ""),
                "unit_id": event.data.get("unit") or dossier.resolving_unit_id,
                "assignee_id": event.data.get("assignee"),
                "started_at": event.at,
                "finished_at": None,
                "budget": total * float(share) if share is not None else None,
            }
    if running is not None:
        running["used"] = worked(running["started_at"], now)
        rows.append(running)
    for row in rows:
        row["over"] = row["budget"] is not None and row["used"] > row["budget"]
    return rows
