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
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from motcua.calendars.models import CalendarChange
from motcua.calendars.selectors import due_time_policy, schedule_for
from motcua.calendars.workdays import DueInstant, Schedule, due_instant
from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.core.db import append_rows, update_rows
from motcua.dossiers.deadlines import clock_from_state
from motcua.dossiers.events import EventDraft, canonical, chain_hash
from motcua.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent
from motcua.dossiers.projection import EventType
from motcua.dossiers.selectors import open_dossiers_spanning
from motcua.dossiers.services import dossier_recompute_due, recompute_data
from motcua.notifications.models import Notification
from motcua.notifications.services import due_changed_messages, schedule_delivery
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
_EVENT_COLUMNS = (
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
    """Schedules per receiving unit and the procedure facts the clock needs, read once a run."""

    def __init__(self) -> None:
        self.schedules: dict[int, Schedule] = {}
        self.versions: dict[int, tuple[dt.time | None, str]] = {}
        self.policy = due_time_policy()

    def schedule(self, unit_id: int, version_id: int) -> Schedule:
        if unit_id not in self.schedules:
            self.schedules[unit_id] = schedule_for(unit=Unit.objects.get(pk=unit_id))
        if version_id not in self.versions:
            version = ProcedureVersion.objects.only("same_day_cutoff", "name").get(pk=version_id)
            self.versions[version_id] = (version.same_day_cutoff, version.name)
        return self.schedules[unit_id].with_cutoff(self.versions[version_id][0])

    def due(self, state: dict[str, Any], unit_id: int, version_id: int) -> DueInstant:
        inputs = clock_from_state(state)
        if inputs is None:  # pragma: no cover - the caller passes non-empty states only
            raise ValueError("empty clock state")
        return due_instant(
            inputs.start,
            inputs.limit,
            self.schedule(unit_id, version_id),
            pauses=inputs.pauses,
            policy=self.policy,
        )


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def recompute_after_change(
    change: CalendarChange, *, at: dt.datetime | None = None
) -> RecomputeReport:
    """Recompute the open dossiers ``change`` may move; returns what it did."""
    moment = at or clock.now()
    dates = [dt.date.fromisoformat(day) for day in change.changed_dates]
    reason = f"Lịch thay đổi: {change.summary} (thay đổi #{change.pk})"
    ids = list(
        open_dossiers_spanning(dates=dates, province=change.province)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    report = RecomputeReport()
    clocks = _Clocks()
    for batch in _batches(ids):
        with transaction.atomic():
            _recompute_batch(batch, clocks, reason, moment, report)
        report.batches += 1
    return report


def _recompute_batch(
    ids: Sequence[int],
    clocks: _Clocks,
    reason: str,
    moment: dt.datetime,
    report: RecomputeReport,
) -> None:
    rows = (
        Dossier.objects.select_for_update()
        .filter(pk__in=ids, status__in=OPEN_STATUSES, due_at__isnull=False)
        .order_by("pk")
        .values_list(*_COLUMNS)
    )
    events: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    messages: list[tuple[Any, ...]] = []
    recorded = clock.now()
    for row in rows:
        pk, uid, code, version_id, unit_id, _, due_at, count, last, version, state = row[:11]
        email, phone = row[11:]
        report.examined += 1
        if isinstance(state, str):  # SQLite hands JSON back as text
            state = json.loads(state)
        if not state:
            # Stored before the clock column existed: the service reads its events.
            moved = dossier_recompute_due(
                dossier=Dossier.objects.get(pk=pk), reason=reason, at=moment
            )
            report.from_events += 1
            report.moved += moved
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
        )
        draft.hash = chain_hash(last, canonical(draft, str(uid)))
        text = json.dumps(data, ensure_ascii=False)
        events.append(
            (
                pk,
                draft.seq,
                draft.type,
                moment,
                None,
                "",
                None,
                reason,
                text,
                "[]",
                last,
                *(
                    draft.hash,
                    recorded,
                ),
            )
        )
        updates.append(
            (pk, result.due_at, result.due_date, draft.seq, draft.hash, version + 1, "[]")
        )
        name = clocks.versions[version_id][1]
        for channel, recipient, subject, body in due_changed_messages(
            code=code, procedure_name=name, email=email, phone=phone, event_data=data, why=None
        ):
            kind, pending = Notification.Kind.DUE_CHANGED, Notification.Status.PENDING
            messages.append(
                (pk, draft.seq, kind, channel, recipient, subject, body, pending, 0, "", recorded)
            )
        report.moved += 1
        day = result.due_date.isoformat()
        report.by_date[day] = report.by_date.get(day, 0) + 1
    append_rows(DossierEvent, _EVENT_COLUMNS, events)
    update_rows(
        Dossier,
        ("due_at", "due_date", "event_count", "last_hash", "version", "deadline_trace"),
        updates,
        casts=("timestamptz", "date", "integer", "varchar", "integer", "jsonb"),
    )
    append_rows(Notification, _NOTIFICATION_COLUMNS, messages)
    report.notified += len(messages)
    if messages:
        transaction.on_commit(schedule_delivery, robust=True)
