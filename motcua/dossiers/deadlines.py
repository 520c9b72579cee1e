"""A dossier's lawful due date, from its procedure version, its events and the working-day clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation

from motcua.calendars.selectors import deadline_explain, due_time_policy, schedule_for
from motcua.calendars.workdays import (
    DueInstant,
    DueResult,
    LimitUnit,
    Pause,
    Schedule,
    TimeLimit,
    TraceStep,
    plain_decimal,
    snap_forward,
    working_days_between,
    working_time_between,
)
from motcua.catalog.models import ProcedureVersion, SupplementPolicy
from motcua.catalog.selectors import limit_words
from motcua.core import clock
from motcua.core.errors import InvalidInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import ClockRule, EventLike, EventType, wait_stops_clock

# ---------------------------------------------------------------------------------------------
# The limit that applies: the version's general limit, or one of its cases (issue 7 item 4)
# ---------------------------------------------------------------------------------------------

# Channel conditions of a case (catalog.ProcedureTimeLimit.condition) by dossier channel.
_CHANNEL_CONDITION = {"direct": "direct", "online": "online", "postal": "postal"}


def limit_of(version: ProcedureVersion) -> TimeLimit:
    """The version's general limit."""
    return TimeLimit(version.time_limit_value, LimitUnit(version.time_limit_unit))


def limit_text(limit: TimeLimit) -> str:
    """ "05 ngày làm việc", "1,5 ngày làm việc", "Trong ngày": the catalogue's words, with the two
    digits the forms write a whole number with, always in Vietnamese (events and receipts)."""
    with translation.override("vi"):
        words = limit_words(limit.value, limit.unit.value)
    number, _, rest = words.partition(" ")
    if limit.unit == LimitUnit.SAME_DAY:
        return words[:1].upper() + words[1:]
    return f"{number.zfill(2) if number.isdigit() else number} {rest}"


def limit_record(version: ProcedureVersion, case: str = "") -> dict[str, str]:
    """What an event records of the limit it applies: value, unit, case code, label, text."""
    if not case:
        limit = limit_of(version)
        return {
            "value": plain_decimal(limit.value),
            "unit": limit.unit.value,
            "case": "",
            "label": "Thời hạn chung",
            "text": limit_text(limit),
        }
    for row in version.time_limits.all():
        if row.code == case:
            limit = TimeLimit(row.value, LimitUnit(row.unit))
            return {
                "value": plain_decimal(limit.value),
                "unit": limit.unit.value,
                "case": row.code,
                "label": row.label,
                "text": limit_text(limit),
                "legal_basis": row.legal_basis,
            }
    raise InvalidInput(
        f"Thủ tục {version.name} không có trường hợp thời hạn “{case}”.", code="unknown_limit_case"
    )


def intake_limit(version: ProcedureVersion, channel: str, case: str = "") -> dict[str, str]:
    """The limit a new dossier gets: the case the officer chose, else the case of its channel
    (a different limit online, for instance), else the general limit."""
    if case:
        return limit_record(version, case)
    wanted = _CHANNEL_CONDITION.get(channel)
    for row in version.time_limits.all():
        if row.condition == wanted:
            return limit_record(version, row.code)
    return limit_record(version)


def recorded_limit(record: dict[str, Any]) -> TimeLimit:
    return TimeLimit(Decimal(str(record["value"])), LimitUnit(record["unit"]))


# ---------------------------------------------------------------------------------------------
# Waiting for the applicant: supplements (decisions 3 and 13) and payments (decision 11)
# ---------------------------------------------------------------------------------------------

# The time allowed after receipt to ask for a supplement during resolution (ND 61/2018 Điều 19
# khoản 4 as amended by ND 107/2021: "không quá 03 ngày làm việc kể từ ngày tiếp nhận"; its
# successor in ND 118/2025 is unverified [U]). A later request is recorded as late.
SUPPLEMENT_WINDOW_DAYS = 3
_SUPPLEMENT_BASIS = (
    "ND 61/2018 Điều 19 khoản 4 (sửa đổi bởi ND 107/2021); domain README, quyết định 13"
)


@dataclass(frozen=True)
class SupplementDecision:
    rule: str
    late_request: bool
    after_due: bool

    def data(self) -> dict[str, Any]:
        return {
            "clock_rule": self.rule,
            "late_request": self.late_request,
            "after_due": self.after_due,
        }


def supplement_decision(
    *,
    version: ProcedureVersion,
    received_at: dt.datetime | None,
    due_date: dt.date | None,
    at: dt.datetime,
    schedule: Schedule,
) -> SupplementDecision:
    """Decision 13: only a request within 3 working days of receipt restarts the clock (under the
    ``restart`` policy); a later one pauses it; one made after the due date in force changes
    nothing, so a late dossier cannot become on time by asking for a paper."""
    day = clock.local(at).date()
    late = (
        received_at is not None
        and working_days_between(clock.local(received_at).date(), day, schedule)
        > SUPPLEMENT_WINDOW_DAYS
    )
    after_due = due_date is not None and day > due_date
    policy = version.supplement_policy
    if after_due:
        rule = ClockRule.NO_EFFECT
    elif policy == SupplementPolicy.CONTINUE:
        rule = ClockRule.CONTINUE
    elif policy == SupplementPolicy.RESTART and not late:
        rule = ClockRule.RESTART
    else:
        rule = ClockRule.PAUSE
    return SupplementDecision(rule, late, after_due)


def payment_wait(version: ProcedureVersion) -> dict[str, Any]:
    """Whether waiting for the applicant's financial obligation stops the clock: only where the
    procedure's own law says so (decision 11), recorded on the request with that basis."""
    return {"stops_clock": version.payment_stops_clock, "basis": version.payment_stop_basis}


def _supplement_step(rule: str, event: EventLike, legacy: bool) -> TraceStep:
    day = clock.local(event.at).date()
    if legacy:
        message = {
            ClockRule.RESTART: "Nhận đủ hồ sơ bổ sung: thời hạn được tính lại từ đầu.",
            ClockRule.PAUSE: "Thời gian chờ bổ sung không tính vào thời hạn.",
            ClockRule.CONTINUE: "Bổ sung hồ sơ không làm dừng thời hạn.",
        }[rule]
        return TraceStep("rule", message, day, reason=f"supplement_{rule}")
    late = bool(event.data.get("late_request"))
    message = {
        ClockRule.RESTART: "Yêu cầu bổ sung trong 03 ngày làm việc kể từ ngày tiếp nhận: thời hạn "
        "được tính lại từ đầu khi nhận đủ hồ sơ.",
        ClockRule.PAUSE: (
            "Yêu cầu bổ sung sau 03 ngày làm việc kể từ ngày tiếp nhận (yêu cầu muộn): thời gian "
            "chờ bổ sung không tính, nhưng thời hạn không được tính lại từ đầu."
            if late
            else "Thời gian chờ bổ sung không tính vào thời hạn (theo quy định của thủ tục)."
        ),
        ClockRule.CONTINUE: "Bổ sung hồ sơ không làm dừng thời hạn (theo quy định của thủ tục).",
        ClockRule.NO_EFFECT: "Yêu cầu bổ sung sau ngày hết hạn: không làm thay đổi hạn giải quyết "
        "theo quy định; hồ sơ vẫn bị tính quá hạn.",
    }[rule]
    return TraceStep("rule", message, day, reason=f"supplement_{rule}", basis=_SUPPLEMENT_BASIS)


def _payment_step(event: EventLike, stops: bool) -> TraceStep:
    day = clock.local(event.at).date()
    if stops:
        basis = event.data.get("basis", "")
        return TraceStep(
            "rule",
            "Thời gian chờ thực hiện nghĩa vụ tài chính không tính vào thời hạn"
            + (f" ({basis})." if basis else "."),
            day,
            reason="payment_pause",
            basis=basis,
        )
    return TraceStep(
        "rule",
        "Chờ thực hiện nghĩa vụ tài chính không làm dừng thời hạn: pháp luật của thủ tục không "
        "quy định dừng (domain README, quyết định 11).",
        day,
        reason="payment_continue",
    )


# ---------------------------------------------------------------------------------------------
# The clock of a dossier
# ---------------------------------------------------------------------------------------------


@dataclass
class ClockInputs:
    """Where the clock starts, under which limit, where it stood still, and why."""

    start: dt.datetime
    limit: TimeLimit
    pauses: list[Pause] = field(default_factory=list)
    steps: list[TraceStep] = field(default_factory=list)


def _legacy_rule(version: ProcedureVersion) -> str:
    # Requests recorded before decision 13 was applied keep the due dates they were given: the
    # version's policy, whatever the request's timing.
    return {
        SupplementPolicy.RESTART: ClockRule.RESTART,
        SupplementPolicy.PAUSE: ClockRule.PAUSE,
        SupplementPolicy.CONTINUE: ClockRule.CONTINUE,
    }[SupplementPolicy(version.supplement_policy)]


def clock_inputs(dossier: Dossier, events: Sequence[EventLike]) -> ClockInputs | None:
    """Fold the events into the clock's inputs; None before receipt.

    The limit is the one the receipt or a later case switch recorded; each supplement request
    carries the rule decided when it was made; each payment request whether it stops the clock.
    """
    version = dossier.procedure_version
    inputs: ClockInputs | None = None
    opened: tuple[EventLike, str] | None = None  # the wait in progress and its rule
    legacy: Schedule | None = None  # a receipt recorded under the counting rules before 12/2026
    for event in events:
        if event.type == EventType.RECEIVED:
            record = event.data.get("limit")
            limit = recorded_limit(record) if record else limit_of(version)
            if record is None:
                legacy = schedule_for(unit=dossier.receiving_unit).with_cutoff(
                    version.same_day_cutoff
                )
            start = _legacy_start(event.at, limit, legacy) if legacy else event.at
            inputs = ClockInputs(start=start, limit=limit)
        elif inputs is None:
            continue
        elif event.type == EventType.LIMIT_CASE_CHANGED:
            inputs.limit = recorded_limit(event.data["limit"])
        elif event.type == EventType.SUPPLEMENT_REQUESTED:
            rule = event.data.get("clock_rule")
            inputs.steps.append(_supplement_step(rule or _legacy_rule(version), event, not rule))
            opened = (event, rule or _legacy_rule(version))
        elif event.type == EventType.PAYMENT_REQUESTED:
            stops = wait_stops_clock(event.type, event.data)  # as the request recorded it
            inputs.steps.append(_payment_step(event, stops))
            opened = (event, ClockRule.PAUSE if stops else ClockRule.CONTINUE)
        elif event.type in (EventType.SUPPLEMENT_RECEIVED, EventType.PAYMENT_RECEIVED) and opened:
            request, rule = opened
            opened = None
            if rule == ClockRule.RESTART:
                restart = _legacy_start(event.at, inputs.limit, legacy) if legacy else event.at
                inputs.start, inputs.pauses = restart, []
            elif rule == ClockRule.PAUSE and event.at > request.at:  # a wait of no time
                why = (
                    "chờ bổ sung"
                    if request.type == EventType.SUPPLEMENT_REQUESTED
                    else "chờ thực hiện nghĩa vụ tài chính"
                )
                inputs.pauses.append(Pause(request.at, event.at, why))
    return inputs


def _legacy_start(at: dt.datetime, limit: TimeLimit, schedule: Schedule) -> dt.datetime:
    """Where a clock started under the rules before 12/2026, for dossiers received then: a
    receipt outside working hours counted from the next opening, and a same-day receipt at the
    cut-off minute itself went to the next day. Their due dates stay what they were told
    (a calendar change moves them only by the days it changes); dossiers received since record
    their limit and count from the civil date (decision 1 as revised)."""
    if limit.unit in (LimitUnit.CALENDAR_DAY, LimitUnit.MONTH):
        return at
    start = snap_forward(at, schedule)
    cutoff = schedule.hours.same_day_cutoff
    shown = schedule.local(start).time().replace(second=0, microsecond=0, tzinfo=None)
    if limit.unit == LimitUnit.SAME_DAY and shown == cutoff:
        start = start.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return start


def clock_state(inputs: ClockInputs | None) -> dict[str, Any]:
    """What ``Dossier.clock`` stores of the clock's inputs (the explanation steps are not kept)."""
    if inputs is None:
        return {}

    def utc(instant: dt.datetime) -> str:  # one spelling, whoever read the instant
        return instant.astimezone(dt.UTC).isoformat()

    return {
        "start": utc(inputs.start),
        "limit": {"value": plain_decimal(inputs.limit.value), "unit": inputs.limit.unit.value},
        "pauses": [[utc(pause.start), utc(pause.end)] for pause in inputs.pauses],
    }


def due_for(
    dossier: Dossier,
    *,
    start: dt.datetime,
    limit: TimeLimit | None = None,
    pauses: Sequence[Pause] = (),
    steps: Sequence[TraceStep] = (),
    schedule: Schedule | None = None,
) -> DueResult:
    """The lawful due instant for a clock started at ``start`` at the dossier's receiving unit
    (``limit``: the one that applies; the version's general limit when not given)."""
    version = dossier.procedure_version
    result = deadline_explain(
        received_at=start,
        limit=limit or limit_of(version),
        unit=dossier.receiving_unit,
        pauses=pauses,
        policy=due_time_policy(),
        same_day_cutoff=version.same_day_cutoff,
        schedule=schedule,
    )
    if steps:
        result = dataclasses.replace(result, trace=(*steps, *result.trace))
    return result


def current_due(
    dossier: Dossier, events: Sequence[EventLike], *, schedule: Schedule | None = None
) -> DueResult | None:
    inputs = clock_inputs(dossier, events)
    if inputs is None:
        return None
    return due_for(
        dossier,
        start=inputs.start,
        limit=inputs.limit,
        pauses=inputs.pauses,
        steps=inputs.steps,
        schedule=schedule,
    )


def deadline_explanation(dossier: Dossier) -> list[dict[str, Any]]:
    """How the dossier's due date was counted, step by step: as stored by the transition that
    decided it, or computed again from its events where a bulk recomputation left none."""
    if dossier.deadline_trace or dossier.received_at is None:
        return list(dossier.deadline_trace)
    result = current_due(dossier, list(dossier.events.order_by("seq")))
    return [step.as_dict() for step in result.trace] if result is not None else []


def due_data(result: DueResult | DueInstant) -> dict[str, Any]:
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
