"""A calendar change recomputes the due dates of the open dossiers it may move, in bulk.

The rule is the per-dossier service's (``services.dossier_recompute_due``): the clock is run again
on the dossier's own inputs (``Dossier.clock``, the fold of its events that verify-history checks)
with today's calendar data, and a dossier whose lawful due instant moved gets one
``due_recomputed`` event, hash-chained like every event, its stored due date, and its applicant's
messages. A province has a million open dossiers; one by one through the service that would take
hours, so this module reads the rows alone, computes with the fast clock (``due_instant``), and
writes the events, the rows and the messages of a batch in a few statements. Each batch is one
transaction that holds its rows locked: an officer acting on one of them meanwhile waits for the
batch, and a version changed by someone else is simply read again by the next run (recomputing
twice moves nothing the second time).

A province's run is split into key ranges (``recompute_slices``), one task each, so that several
workers (and the database's cores) share it; the ranges are disjoint, so two slices never wait for
each other's locks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet

from motcua.calendars.models import CalendarChange
from motcua.calendars.selectors import due_time_policy, schedule_for
from motcua.calendars.workdays import DueInstant, Pause, Schedule, TimeLimit, due_instant
from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.core.db import append_rows, update_rows
from motcua.dossiers.deadlines import clock_inputs, clock_state, recorded_limit
from motcua.dossiers.events import EventDraft, canonical, chain_hash, write_drafts
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import EventType
from motcua.dossiers.selectors import open_dossiers_spanning
from motcua.dossiers.services import recompute_data
from motcua.notifications.models import Notification
from motcua.notifications.services import DueChangedWording, schedule_delivery
from motcua.units.models import Unit

BATCH = 5000
_COLUMNS = (
    "pk",
    "uid",
    "code",
    "procedure_version_id",
    "receiving_unit_id",
    "status",
    "due_at",
    "event_count",
    "last_hash",
    "version",
    "clock",
    "applicant_email",
    "applicant_phone",
)
_NOTIFICATION_COLUMNS = (
    "dossier_id",
    "event_seq",
    "kind",
    "channel",
    "recipient",
    "subject",
    "body",
    "status",
    "attempts",
    "last_error",
    "created_at",
)


@dataclass
class RecomputeReport:
    examined: int = 0
    moved: int = 0
    from_events: int = 0  # dossiers stored before Dossier.clock existed
    notified: int = 0
    batches: int = 0
    by_date: dict[str, int] = field(default_factory=dict)


class _Clocks:
    """Schedules per receiving unit and procedure, and limits, read or built once a run."""

    def __init__(self) -> None:
        self.schedules: dict[tuple[int, int], Schedule] = {}
        self.names: dict[int, str] = {}
        self.limits: dict[tuple[str, str], TimeLimit] = {}
        self.wordings: dict[tuple[int, dt.datetime], DueChangedWording] = {}
        self.policy = due_time_policy()

    def schedule(self, unit_id: int, version_id: int) -> Schedule:
        key = (unit_id, version_id)
        schedule = self.schedules.get(key)
        if schedule is None:
            version = ProcedureVersion.objects.only("same_day_cutoff", "name").get(pk=version_id)
            self.names[version_id] = version.name
            unit = schedule_for(unit=Unit.objects.get(pk=unit_id))
            schedule = self.schedules[key] = unit.with_cutoff(version.same_day_cutoff)
        return schedule

    def wording(
        self, version_id: int, due_at: dt.datetime, data: dict[str, Any]
    ) -> DueChangedWording:
        """The applicant's message for a new due date, built once per procedure and date."""
        key = (version_id, due_at)
        wording = self.wordings.get(key)
        if wording is None:
            wording = self.wordings[key] = DueChangedWording(self.names[version_id], data)
        return wording

    def due(self, state: dict[str, Any], unit_id: int, version_id: int) -> DueInstant:
        """``due_instant`` over a stored ``Dossier.clock`` (deadlines.clock_state's shape), the
        limits kept between dossiers."""
        value, unit = state["limit"]["value"], state["limit"]["unit"]
        limit = self.limits.get((value, unit))
        if limit is None:
            limit = self.limits[(value, unit)] = recorded_limit(state["limit"])
        return due_instant(
            dt.datetime.fromisoformat(state["start"]),
            limit,
            self.schedule(unit_id, version_id),
            pauses=[
                Pause(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b))
                for a, b in state["pauses"]
            ],
            policy=self.policy,
        )


def recompute_candidates(change: CalendarChange) -> QuerySet[Dossier]:
    """The open dossiers ``change`` may move (with a due date to move)."""
    dates = [dt.date.fromisoformat(day) for day in change.changed_dates]
    return open_dossiers_spanning(dates=dates, province=change.province).filter(
        due_at__isnull=False
    )


def recompute_slices(change: CalendarChange, parts: int) -> list[tuple[int, int]]:
    """Up to ``parts`` disjoint key ranges (first, last), inclusive, that together cover the
    dossiers ``change`` may move, of about equal size (keys are given in order of intake, so equal
    spans of keys hold about equal numbers of dossiers)."""
    bounds = recompute_candidates(change).aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"], bounds["last"]
    if first is None:
        return []
    span = last - first + 1
    parts = max(1, min(parts, span))
    edges = [first + span * index // parts for index in range(parts + 1)]
    return [(edges[index], edges[index + 1] - 1) for index in range(parts)]


def recompute_after_change(
    change: CalendarChange,
    *,
    at: dt.datetime | None = None,
    keys: tuple[int, int] | None = None,
) -> RecomputeReport:
    """Recompute the open dossiers ``change`` may move (those with keys in the inclusive range
    ``keys``, when given); returns what it did."""
    moment = at or clock.now()
    reason = f"Lịch thay đổi: {change.summary} (thay đổi #{change.pk})"
    candidates = recompute_candidates(change)
    if keys is not None:
        candidates = candidates.filter(pk__range=keys)
    report = RecomputeReport()
    clocks = _Clocks()
    last = 0
    while True:
        # By key, a batch at a time: each batch reads its rows locked, in one short transaction.
        with transaction.atomic():
            rows = list(
                candidates.select_for_update()
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list(*_COLUMNS)[:BATCH]
            )
            if not rows:
                break
            _recompute_batch(rows, clocks, reason, moment, report)
        last = rows[-1][0]
        report.batches += 1
    return report


def _fold_clocks(pks: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The clock inputs of dossiers stored before ``Dossier.clock``, folded from their events
    (two queries for the lot)."""
    if not pks:
        return {}
    dossiers = Dossier.objects.filter(pk__in=pks).select_related(
        "procedure_version", "receiving_unit"
    )
    events: dict[int, list[DossierEvent]] = {}
    for event in DossierEvent.objects.filter(dossier__in=pks).order_by("dossier_id", "seq"):
        events.setdefault(event.dossier_id, []).append(event)
    return {
        dossier.pk: clock_state(clock_inputs(dossier, events.get(dossier.pk, [])))
        for dossier in dossiers
    }


def _recompute_batch(
    rows: Sequence[tuple[Any, ...]],
    clocks: _Clocks,
    reason: str,
    moment: dt.datetime,
    report: RecomputeReport,
) -> None:
    events: list[EventDraft] = []
    updates: list[tuple[Any, ...]] = []
    messages: list[tuple[Any, ...]] = []
    recorded = clock.now()
    states = {row[0]: json.loads(row[10]) if isinstance(row[10], str) else row[10] for row in rows}
    # Stored before the clock column existed: their events are folded here, all at once, and
    # the column is filled on the way.
    folded = _fold_clocks([pk for pk, state in states.items() if not state])
    report.from_events += len(folded)
    for row in rows:
        pk, uid, code, version_id, unit_id, _, due_at, count, last, version = row[:10]
        email, phone = row[11:]
        state = states[pk] or folded.get(pk)
        report.examined += 1
        if not state:  # pragma: no cover - an open dossier with a due date was received
            continue
        result = clocks.due(state, unit_id, version_id)
        if result.due_at == due_at:
            continue
        data = recompute_data(due_at, result)
        draft = EventDraft(
            seq=count + 1,
            type=EventType.DUE_RECOMPUTED,
            at=moment,
            reason=reason,
            data=data,
            prev_hash=last,
            dossier_id=pk,
        )
        draft.hash = chain_hash(last, canonical(draft, str(uid)))
        events.append(draft)
        updates.append(
            (pk, result.due_at, result.due_date, draft.seq, draft.hash, version + 1, "[]")
        )
        wording = clocks.wording(version_id, result.due_at, data)
        for channel, recipient, subject, body in wording.messages(code, email, phone):
            kind, pending = Notification.Kind.DUE_CHANGED, Notification.Status.PENDING
            messages.append(
                (pk, draft.seq, kind, channel, recipient, subject, body, pending, 0, "", recorded)
            )
        report.moved += 1
        day = result.due_date.isoformat()
        report.by_date[day] = report.by_date.get(day, 0) + 1
    write_drafts(events, recorded_at=recorded)
    update_rows(
        Dossier,
        ("due_at", "due_date", "event_count", "last_hash", "version", "deadline_trace"),
        updates,
        casts=("timestamptz", "date", "integer", "varchar", "integer", "jsonb"),
    )
    update_rows(
        Dossier,
        ("clock",),
        [(pk, json.dumps(state)) for pk, state in folded.items()],
        casts=("jsonb",),
    )
    append_rows(Notification, _NOTIFICATION_COLUMNS, messages)
    report.notified += len(messages)
    if messages:
        transaction.on_commit(schedule_delivery, robust=True)
