"""Realistic dossier histories for a demo or a benchmark, fast enough for a million dossiers.

The histories are what the services would have written (same event types and data, same hash
chain, same projection, due dates from the same working-day clock), but built in memory and
stored in bulk: one dossier at a time through the services would take hours for a million.
``motcua verify-history`` accepts them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Membership, Role
from motcua.calendars.selectors import schedule_for
from motcua.calendars.workdays import (
    DueTimePolicy,
    Pause,
    Schedule,
    TimeLimit,
    WorkCalendar,
    add_working_hours,
    compute_due,
)
from motcua.catalog.models import ProcedureVersion, UnitProcedure
from motcua.catalog.selectors import procedure_versions_in_force
from motcua.core import clock
from motcua.core.errors import InvalidInput
from motcua.dossiers.deadlines import (
    ClockRule,
    clock_inputs,
    clock_state,
    due_data,
    limit_record,
    recorded_limit,
    supplement_decision,
)
from motcua.dossiers.events import (
    HEADER,
    EventDraft,
    canonical,
    chain_hash,
    dossier_header,
    write_drafts,
)
from motcua.dossiers.models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierSequence,
    Outcome,
)
from motcua.dossiers.projection import EventType, project
from motcua.units.models import Unit
from motcua.units.selectors import unit_find, unit_subtree

BATCH = 2000
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Anh"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]


@dataclass
class Desk:
    """A receiving unit, what it receives, who works there."""

    unit: Unit
    resolving: Unit
    versions: list[ProcedureVersion]
    schedule: Schedule
    officers: dict[str, tuple[int | None, str]] = field(default_factory=dict)


def _without(schedule: Schedule, days: Collection[dt.date]) -> Schedule:
    """The schedule as it was before ``days`` were entered in the calendar."""
    if not days:
        return schedule
    calendar = schedule.calendar
    entries = {day: entry for day, entry in calendar.entries.items() if day not in days}
    return Schedule(WorkCalendar(entries, calendar.covered_years), schedule.hours, schedule.tz)


def _desks(province: Unit, unknown_days: Collection[dt.date] = ()) -> list[Desk]:
    centres = list(
        unit_subtree(unit=province).filter(
            kind=Unit.Kind.SERVICE_CENTRE, valid_to__isnull=True, identifier__isnull=False
        )
    )
    if not centres:
        raise InvalidInput(f"{province} chưa có Trung tâm Phục vụ hành chính công có mã định danh.")
    on = clock.today()
    in_force = {
        v.procedure_id: v
        for v in procedure_versions_in_force(on=on).prefetch_related(
            "steps", "components", "time_limits"
        )
    }
    received = defaultdict(list)
    for row in UnitProcedure.objects.filter(unit__in=centres).values("unit_id", "procedure_id"):
        if row["procedure_id"] in in_force:
            received[row["unit_id"]].append(in_force[row["procedure_id"]])
    staff: dict[int, dict[str, tuple[int | None, str]]] = defaultdict(dict)
    for membership in Membership.objects.select_related("user").filter(
        unit__in=[*centres, *[c.parent for c in centres if c.parent]]
    ):
        for unit_id in (membership.unit_id,):
            staff[unit_id].setdefault(
                membership.role, (membership.user_id, membership.user.get_full_name())
            )
    desks = []
    for centre in centres:
        if not received[centre.pk]:
            continue
        resolving = centre.parent or centre
        officers = {**staff.get(resolving.pk, {}), **staff.get(centre.pk, {})}
        schedule = _without(schedule_for(unit=centre), unknown_days)
        desks.append(Desk(centre, resolving, received[centre.pk], schedule, officers))
    if not desks:
        raise InvalidInput("Chưa có đơn vị nào được giao thủ tục: chạy `motcua demo load` trước.")
    return desks


def _working_instant(
    rng: random.Random, schedule: Schedule, start: dt.date, end: dt.date
) -> dt.datetime:
    span = (end - start).days
    for _ in range(100):
        day = start + dt.timedelta(days=rng.randint(0, max(span, 0)))
        periods = schedule.periods(day)
        if periods:
            begin, finish = rng.choice(periods)
            seconds = rng.randint(0, int((finish - begin).total_seconds()) - 60)
            return (begin + dt.timedelta(seconds=seconds)).replace(microsecond=0)
    raise InvalidInput("Khoảng thời gian không có ngày làm việc nào.")


def _person(rng: random.Random) -> tuple[str, str, str]:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return (
        name,
        f"0{rng.randint(10, 99)}{rng.randint(0, 999999999):09d}"[:12],
        f"09{rng.randint(0, 99999999):08d}",
    )


class Generator:
    def __init__(
        self,
        *,
        province: Unit,
        start: dt.date,
        end: dt.date,
        seed: int,
        now: dt.datetime,
        unknown_days: Collection[dt.date] = (),
    ):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed
        self.desks = _desks(province, unknown_days)
        self.start, self.end, self.now = start, end, now
        self.unsaved_sequences: set[tuple[int, dt.date]] = set()
        self.sequences: dict[tuple[int, dt.date], int] = {
            (row.unit_id, row.day): row.last
            for row in DossierSequence.objects.filter(
                unit__in=[d.unit for d in self.desks], day__range=(start, end)
            )
        }

    def officer(self, desk: Desk, role: str) -> tuple[int | None, str]:
        return desk.officers.get(
            role,
            (
                None,
                {
                    "reception": "Cán bộ một cửa",
                    "specialist": "Chuyên viên",
                    "leader": "Lãnh đạo",
                }.get(role, "Cán bộ"),
            ),
        )

    def due(
        self,
        desk: Desk,
        version: ProcedureVersion,
        start: dt.datetime,
        limit: TimeLimit,
        pauses: Sequence[Pause] = (),
    ) -> dict[str, Any]:
        schedule = desk.schedule.with_cutoff(version.same_day_cutoff)
        return due_data(
            compute_due(start, limit, schedule, pauses=pauses, policy=DueTimePolicy.END_OF_DAY)
        )

    def dossier(self) -> tuple[Dossier, list[EventDraft]] | None:
        rng = self.rng
        desk = rng.choice(self.desks)
        version = rng.choice(desk.versions)
        roll = rng.random()
        channel = (
            Channel.DIRECT
            if roll < 0.6
            else (Channel.ONLINE if roll < 0.95 or not version.postal_allowed else Channel.POSTAL)
        )
        received_at = _working_instant(rng, desk.schedule, self.start, self.end)
        if received_at > self.now:
            return None
        name, id_number, phone = _person(rng)
        delivery = {Channel.ONLINE: Delivery.ELECTRONIC, Channel.POSTAL: Delivery.POST}.get(
            channel, Delivery.COUNTER
        )
        refused = rng.random() < 0.01  # refused at intake: never received, no code
        code = None
        if not refused:
            local_day = clock.local(received_at).date()
            key = (desk.unit.pk, local_day)
            self.sequences[key] = self.sequences.get(key, 0) + 1
            self.unsaved_sequences.add(key)
            code = f"{desk.unit.identifier}-{local_day:%y%m%d}-{self.sequences[key]:04d}"
        dossier = Dossier(
            code=code,
            procedure_version=version,
            receiving_unit=desk.unit,
            resolving_unit=desk.resolving,
            channel=channel,
            delivery=delivery,
            unit_snapshot={
                "receiving": {"name": desk.unit.name, "identifier": desk.unit.identifier},
                "resolving": {"name": desk.resolving.name, "identifier": desk.resolving.identifier},
            },
            applicant_kind=ApplicantKind.CITIZEN,
            applicant_name=name,
            applicant_id_number=id_number,
            applicant_phone=phone,
            summary=version.name,
            components=[
                {
                    "position": c.position,
                    "name": c.name,
                    "originals": c.originals,
                    "copies": c.copies,
                    "digitised": True,
                }
                for c in version.components.all()
                if c.required
            ],
        )
        return dossier, self.history(desk, version, channel, received_at, code)

    def history(
        self,
        desk: Desk,
        version: ProcedureVersion,
        channel: str,
        received_at: dt.datetime,
        code: str | None,
    ) -> list[EventDraft]:
        rng = self.rng
        reception, specialist, leader = (
            self.officer(desk, r) for r in ("reception", "specialist", "leader")
        )
        events: list[EventDraft] = []

        def add(kind: str, at: dt.datetime, who: tuple[int | None, str], **kwargs: Any) -> bool:
            if at > self.now:
                return False
            events.append(EventDraft(kind, at, who[0], who[1], desk.unit.pk, **kwargs))
            return True

        if channel != Channel.DIRECT:
            add(
                EventType.SUBMITTED,
                received_at - dt.timedelta(minutes=rng.randint(20, 2000)),
                (None, ""),
                data={"channel": channel},
            )
        if code is None:
            add(
                EventType.REFUSED_AT_INTAKE,
                received_at,
                reception,
                reason="Thủ tục không thuộc thẩm quyền giải quyết của đơn vị",
            )
            return events
        cases = [row for row in version.time_limits.all() if row.condition == "case"]
        record = limit_record(version)
        if cases and rng.random() < 0.3:  # a case chosen at the counter, with its reason
            record = {**limit_record(version, rng.choice(cases).code), "reason": "Theo hồ sơ"}
        limit = recorded_limit(record)
        due = self.due(desk, version, received_at, limit)
        add(
            EventType.RECEIVED,
            received_at,
            reception,
            data={"code": code, "limit": record, **due},
        )
        hour = dt.timedelta(hours=1)
        step = next((s.position for s in version.steps.all() if s.role == Role.SPECIALIST), 1)
        if not add(
            EventType.ASSIGNED,
            add_working_hours(received_at, hour, desk.schedule),
            leader,
            data={
                "step": step,
                "assignee": specialist[0],
                "assignee_name": specialist[1],
                "unit": desk.resolving.pk,
            },
        ):
            return events
        lawful = dt.datetime.fromisoformat(due["due_at"])
        if rng.random() < 0.08:  # one supplement request, within 3 working days
            asked = add_working_hours(
                received_at, dt.timedelta(hours=rng.randint(2, 20)), desk.schedule
            )
            decision = supplement_decision(
                version=version,
                received_at=received_at,
                due_date=dt.date.fromisoformat(due["due_date"]),
                at=asked,
                schedule=desk.schedule,
            )
            if not add(
                EventType.SUPPLEMENT_REQUESTED,
                asked,
                specialist,
                reason="Giấy tờ chưa hợp lệ",
                data={
                    "missing": [next(iter(c.name for c in version.components.all()), "Tờ khai")],
                    **decision.data(),
                },
            ):
                return events
            back = add_working_hours(asked, dt.timedelta(hours=rng.randint(8, 48)), desk.schedule)
            if decision.rule == ClockRule.RESTART:
                due = self.due(desk, version, back, limit)
            elif decision.rule == ClockRule.PAUSE:
                due = self.due(desk, version, received_at, limit, [Pause(asked, back)])
            if not add(
                EventType.SUPPLEMENT_RECEIVED, back, reception, data={"components": [], **due}
            ):
                return events
            lawful = dt.datetime.fromisoformat(due["due_at"])
        fate = rng.random()
        if fate < 0.03:
            add(
                EventType.WITHDRAWN,
                add_working_hours(
                    received_at, dt.timedelta(hours=rng.randint(2, 30)), desk.schedule
                ),
                reception,
                reason="Công dân đề nghị rút hồ sơ",
            )
            return events
        start = events[-1].at
        total = max(lawful - start, dt.timedelta(hours=1))
        # 70 % early, 15 % on the due date, 15 % late (of them, half apologise in time).
        if fate < 0.70:
            done = start + total * rng.uniform(0.1, 0.7)
        elif fate < 0.85:
            done = lawful - dt.timedelta(minutes=rng.randint(5, 90))
        else:
            done = add_working_hours(lawful, dt.timedelta(hours=rng.randint(2, 40)), desk.schedule)
            if rng.random() < 0.5:
                proposal = lawful - dt.timedelta(days=2)
                proposal = add_working_hours(proposal - dt.timedelta(hours=12), hour, desk.schedule)
                if (
                    proposal > events[-1].at
                    and clock.local(proposal).date() < clock.local(lawful).date()
                ):
                    new_date = desk.schedule.calendar.next_working_day(
                        desk.schedule.calendar.next_working_day(clock.local(lawful).date())
                    )
                    new_due = desk.schedule.end_of_day(new_date)
                    reason = "Cần xác minh thêm thông tin"
                    if add(
                        EventType.APOLOGY_PROPOSED,
                        proposal,
                        specialist,
                        reason=reason,
                        data={"extra_working_days": 2, "new_due_at": new_due.isoformat()},
                    ):
                        add(
                            EventType.APOLOGY_ISSUED,
                            proposal + hour,
                            leader,
                            reason=reason,
                            data={
                                "proposal_seq": len(events),
                                "original_due_at": lawful.isoformat(),
                                "new_due_at": new_due.isoformat(),
                                "new_due_date": new_date.isoformat(),
                            },
                        )
        done = max(done, events[-1].at + dt.timedelta(minutes=10))
        if not add(
            EventType.STEP_COMPLETED,
            done - dt.timedelta(minutes=5),
            specialist,
            data={"step": step},
        ):
            return events
        outcome = Outcome.REFUSED if rng.random() < 0.02 else Outcome.APPROVED
        if not add(
            EventType.RESOLVED,
            done,
            leader,
            reason="Không đủ điều kiện" if outcome == Outcome.REFUSED else "",
            data={"outcome": outcome},
        ):
            return events
        returned = add_working_hours(done, dt.timedelta(hours=rng.randint(1, 16)), desk.schedule)
        add(
            EventType.RETURNED,
            returned,
            reception,
            data={"delivery": "counter", "recipient": "", "tracking_number": ""},
        )
        return events


def _chain(dossier: Dossier, planned: list[EventDraft]) -> list[EventDraft]:
    """Number and hash the events as ``events.append_event`` does, and derive the dossier."""
    rows = []
    previous = ""
    planned.sort(key=lambda e: e.at)
    if planned:
        planned[0].data = {**planned[0].data, HEADER: dossier_header(dossier)}
    for seq, item in enumerate(planned, start=1):
        item.seq = seq
        item.prev_hash = previous
        item.hash = chain_hash(previous, canonical(item, str(dossier.uid)))
        previous = item.hash
        item.dossier = dossier
        rows.append(item)
    dossier.event_count = len(rows)
    dossier.last_hash = previous
    for name, value in project(planned).values().items():
        setattr(dossier, name, value)
    dossier.clock = clock_state(clock_inputs(dossier, planned))
    return rows


def _insert_events(events: list[EventDraft]) -> None:
    """Insert the batch's events in bulk: the ORM's per-field preparation would be most of the
    time of a million-dossier run."""
    write_drafts(events, recorded_at=timezone.now())


def _batches(generator: Generator, count: int) -> Iterator[list[tuple[Dossier, list[EventDraft]]]]:
    batch: list[tuple[Dossier, list[EventDraft]]] = []
    made = attempts = 0
    while made < count and attempts < count * 3:
        attempts += 1
        item = generator.dossier()
        if item is None:
            continue
        batch.append(item)
        made += 1
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _save_sequences(generator: Generator) -> None:
    """Raise the daily counters to the numbers this batch used, in the batch's transaction: codes
    are never reissued, even if the generation stops half-way or a receipt is made meanwhile."""
    keys = generator.unsaved_sequences
    if not keys:
        return
    stored = {
        (row.unit_id, row.day): row
        for row in DossierSequence.objects.select_for_update().filter(
            unit__in={unit for unit, _ in keys}, day__in={day for _, day in keys}
        )
    }
    raised, new = [], []
    for key in keys:
        last = generator.sequences[key]
        row = stored.get(key)
        if row is None:
            new.append(DossierSequence(unit_id=key[0], day=key[1], last=last))
        elif row.last < last:
            row.last = last
            raised.append(row)
    DossierSequence.objects.bulk_update(raised, ["last"], batch_size=2000)
    DossierSequence.objects.bulk_create(new, batch_size=2000)
    generator.unsaved_sequences = set()


def demo_generate(
    *,
    province_code: str,
    count: int,
    start: dt.date,
    end: dt.date,
    seed: int = 2026,
    now: dt.datetime | None = None,
    unknown_days: Collection[dt.date] = (),
) -> int:
    """Generate ``count`` dossiers received between ``start`` and ``end``; returns how many.

    ``unknown_days``: calendar days the system learned of only now (their due dates are computed
    as before them; the caller then recomputes the open dossiers, as a calendar change does).
    """
    if count < 1:
        raise InvalidInput("Số hồ sơ phải lớn hơn 0.")
    if end < start:
        raise InvalidInput("Ngày kết thúc phải sau ngày bắt đầu.")
    province = unit_find(code=province_code)
    generator = Generator(
        province=province,
        start=start,
        end=end,
        seed=seed,
        now=now or clock.now(),
        unknown_days=unknown_days,
    )
    made = 0
    involved = Dossier.involved_units.through
    for batch in _batches(generator, count):
        with transaction.atomic():
            events: list[EventDraft] = []
            dossiers = [dossier for dossier, _ in batch]
            for dossier, planned in batch:
                events.extend(_chain(dossier, planned))
            Dossier.objects.bulk_create(dossiers)
            _insert_events(events)
            involved.objects.bulk_create(
                [
                    involved(dossier_id=d.pk, unit_id=u)
                    for d in dossiers
                    for u in {d.receiving_unit_id, d.resolving_unit_id}
                ],
                batch_size=5000,
            )
            _save_sequences(generator)
        made += len(batch)
    return made
