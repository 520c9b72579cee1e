"""Benchmark: recomputing the due dates of open dossiers after a calendar change.

Run (PostgreSQL, as in production; the role needs CREATEDB):

    DATABASE_URL=postgres://motcua:motcua@127.0.0.1:5432/motcua \\
        .venv/bin/python bench/recompute.py [--dossiers 1000000] [--units 50] [--workers 2]

It creates a throw-away database (test_<name>), migrates it, and stores ``--dossiers`` open
dossiers received at ``--units`` communes over the four weeks before a date D, each with its
receipt event (hash-chained, sealed) and its clock inputs, as the counter would have left them
(7 working days). Then an administrator declares D a day off, and the recomputation runs as the
task does after the change: every open dossier whose clock crossed D gets a ``due_recomputed``
event, its new due date and its applicant's messages. With ``--workers N`` the dossiers are split
into N key ranges and N processes run one range each, as N task workers do in production
(``MOTCUA_RECOMPUTE_SLICES``).

Baseline, in the same run on the same rows: the bare database work of the same result, one
``UPDATE`` moving the due dates of the dossiers that moved and a ``COPY`` of as many event rows,
with nothing computed. The ratio says what the clock, the hash chain and the messages cost on top.
The issue's goal: under 30 s for 1,000,000 open dossiers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ.setdefault("MOTCUA_TASKS", "database")  # messages wait for workers, as in production

import django

django.setup()

from province import province_with_communes  # noqa: E402 - after django.setup()

DAY_OFF = dt.date(2027, 3, 17)  # a Wednesday; the dossiers are received in the 4 weeks before


def _setup(units: int) -> tuple[list[int], object]:
    from django.conf import settings
    from django.test.utils import setup_databases

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        print("Không có DATABASE_URL: chạy trên SQLite (không phải số liệu mục tiêu).")
    config = setup_databases(verbosity=0, interactive=False)
    communes = [unit.pk for unit in province_with_communes(units)]
    return communes, config


def _store(count: int, communes: list[int]) -> None:
    """Open dossiers as intake leaves them: row, receipt event, clock inputs (written in bulk)."""
    from django.db import transaction

    from motcua.calendars.selectors import schedule_for
    from motcua.calendars.workdays import VIETNAM, due_instant
    from motcua.catalog.models import ProcedureVersion
    from motcua.core import clock
    from motcua.dossiers.deadlines import (
        ClockInputs,
        clock_state,
        due_data,
        limit_record,
        recorded_limit,
    )
    from motcua.dossiers.events import (
        EventDraft,
        canonical,
        chain_hash,
        dossier_header,
        write_drafts,
    )
    from motcua.dossiers.models import Dossier, Status
    from motcua.units.models import Unit

    rng = random.Random(20261205)
    version = ProcedureVersion.objects.get()
    units = {pk: Unit.objects.get(pk=pk) for pk in communes}
    schedule = schedule_for(unit=units[communes[0]])
    limit = limit_record(version)
    time_limit = recorded_limit(limit)
    first = DAY_OFF - dt.timedelta(days=28)
    days = [
        first + dt.timedelta(days=n)
        for n in range(28)
        if schedule.is_working_day(first + dt.timedelta(days=n))
    ]
    sequences: dict[tuple[int, dt.date], int] = {}
    recorded = clock.now()
    batch = 20_000
    for start in range(0, count, batch):
        dossiers, planned = [], []
        for _ in range(min(batch, count - start)):
            unit_id = rng.choice(communes)
            day = rng.choice(days)
            received = dt.datetime.combine(
                day, dt.time(8 + rng.randrange(8), rng.randrange(60)), tzinfo=VIETNAM
            )
            key = (unit_id, day)
            sequences[key] = sequences.get(key, 0) + 1
            unit = units[unit_id]
            due = due_instant(received, time_limit, schedule)
            dossier = Dossier(
                code=f"{unit.identifier}-{day:%y%m%d}-{sequences[key]:05d}",
                procedure_version=version,
                receiving_unit=unit,
                resolving_unit=unit,
                unit_snapshot={},
                channel="direct",
                delivery="counter",
                applicant_name="Nguyễn Văn An",
                applicant_phone="0912345678",
                summary=version.name,
                status=Status.RECEIVED,
                received_at=received,
                original_due_at=due.due_at,
                due_at=due.due_at,
                due_date=due.due_date,
                clock=clock_state(ClockInputs(start=received, limit=time_limit)),
                event_count=1,
                version=1,
            )
            event = EventDraft(
                type="received",
                at=received,
                seq=1,
                data={"code": dossier.code, "limit": limit, **due_data(due)},
            )
            event.data["dossier"] = dossier_header(dossier)
            event.hash = chain_hash("", canonical(event, str(dossier.uid)))
            dossier.last_hash = event.hash
            dossiers.append(dossier)
            planned.append(event)
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers, batch_size=5000)
            for dossier, event in zip(dossiers, planned, strict=True):
                event.dossier = dossier
            write_drafts(planned, recorded_at=recorded)
        print(f"  đã lưu {start + len(dossiers):,} hồ sơ", flush=True)


def _baseline(moved_ids: list[int]) -> float:
    """The bare database work of the same result: move the due dates, copy as many events."""
    from django.db import transaction

    from motcua.core import clock
    from motcua.core.db import update_rows
    from motcua.dossiers.events import EventDraft, write_drafts
    from motcua.dossiers.models import Dossier

    began = time.perf_counter()
    now = clock.now()
    with transaction.atomic():
        update_rows(
            Dossier,
            ("due_date", "event_count"),
            [(pk, DAY_OFF + dt.timedelta(days=1), 2) for pk in moved_ids],
            casts=("date", "integer"),
        )
        write_drafts(
            [
                EventDraft(type="baseline", at=now, seq=99, hash="x" * 64, dossier_id=pk)
                for pk in moved_ids
            ],
            recorded_at=now,
        )
        transaction.set_rollback(True)  # leave the rows as the recomputation left them
    return time.perf_counter() - began


def _run_slice(args: tuple[int, int, int]) -> int:
    from motcua.dossiers.tasks import recompute_due_slice

    return recompute_due_slice.call(*args)


def _recompute(change, workers: int):
    """What the tasks do: one run, or ``workers`` key ranges in as many processes."""
    import multiprocessing

    from django.db import connections

    from motcua.calendars.models import CalendarChange
    from motcua.dossiers.recompute import recompute_after_change, recompute_slices

    if workers <= 1:
        return recompute_after_change(change).moved, 1
    slices = recompute_slices(change, workers)
    CalendarChange.objects.filter(pk=change.pk).update(slices_pending=len(slices))
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(len(slices)) as pool:
        moved = pool.map(_run_slice, [(change.pk, first, last) for first, last in slices])
    return sum(moved), len(slices)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    from django.test.utils import teardown_databases

    communes, config = _setup(args.units)
    try:
        began = time.perf_counter()
        _store(args.dossiers, communes)
        prepared = time.perf_counter() - began
        print(f"chuẩn bị {args.dossiers:,} hồ sơ đang giải quyết: {prepared:.0f} s")

        from motcua.calendars.models import CalendarChange, CalendarDay
        from motcua.calendars.services import calendar_day_save
        from motcua.dossiers.models import DossierEvent
        from motcua.dossiers.recompute import recompute_candidates
        from motcua.notifications.models import Notification

        calendar_day_save(
            day=CalendarDay(
                date=DAY_OFF,
                kind="day_off",
                name="Nghỉ đột xuất (đo tải)",
                legal_basis="Quyết định thử nghiệm",
            ),
            actor=None,
        )
        change = CalendarChange.objects.latest("at")
        examined = recompute_candidates(change).count()
        began = time.perf_counter()
        moved, slices = _recompute(change, args.workers)
        elapsed = time.perf_counter() - began
        moved_ids = list(
            DossierEvent.objects.filter(type="due_recomputed").values_list("dossier_id", flat=True)
        )
        baseline = _baseline(moved_ids)
        print(f"hồ sơ đang giải quyết:           {args.dossiers:>12,}")
        print(f"hồ sơ xét lại (hạn qua ngày nghỉ): {examined:>10,}")
        print(f"hồ sơ đổi hạn trả:               {moved:>12,}")
        print(f"tin nhắn cho người nộp:          {Notification.objects.count():>12,}")
        print(f"tính lại (toàn bộ):              {elapsed:>12.1f} s  ({slices} tiến trình)")
        print(f"nền: UPDATE + COPY cùng số dòng: {baseline:>12.1f} s")
        print(f"tỉ lệ tính lại / nền:            {elapsed / baseline:>12.2f}")
        print(f"mục tiêu: dưới 30 s cho 1.000.000 hồ sơ; đo được {elapsed:.1f} s")
    finally:
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
