"""Benchmark: due dates per second from the working-day clock, beside a minimal loop.

Run: .venv/bin/python bench/deadlines.py [--count 200000] [--rounds 5]

Baseline, measured in the same run on the same receipts and limits: the smallest correct program
for a limit in working days, a loop that steps one calendar day at a time and counts Monday to
Friday minus the days off plus the make-up Saturdays of the same calendar. It gives the same due
dates as the clock (checked on every item), and nothing else: no working hours, no pauses, no
other units, no explanation.

Measured: ``due_instant`` (the fast path: the due instant and date, no explanation) and
``compute_due`` (with the explanation, as the ``--explain`` command and the dossier page show it).
Rounds alternate baseline and clock, and medians are printed, because a shared machine's speed
drifts. The issue's goal is a fast-path rate of at least half the loop's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from motcua.calendars.tests.calendar_data import handbook_schedule
from motcua.calendars.workdays import (
    VIETNAM,
    LimitUnit,
    Schedule,
    TimeLimit,
    compute_due,
    due_instant,
)

ONE_DAY = dt.timedelta(days=1)


def workload(count: int) -> list[tuple[dt.datetime, TimeLimit]]:
    """Receipts at any minute of 2024–2026 (weekends and evenings included), limits of 1 to 20
    working days as procedure records carry them."""
    rng = random.Random(20261205)
    start = dt.datetime(2024, 1, 1, tzinfo=VIETNAM)
    limits = [TimeLimit(days, LimitUnit.WORKING_DAY) for days in (1, 2, 3, 5, 7, 10, 15, 20)]
    return [
        (start + dt.timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60)), rng.choice(limits))
        for _ in range(count)
    ]


def minimal_loop(schedule: Schedule) -> Callable[[dt.datetime, int], dt.date]:
    """The baseline: N working days after the civil date of receipt, one day at a time."""
    entries = schedule.calendar.entries
    off = frozenset(day for day, entry in entries.items() if not entry.is_working)
    extra = frozenset(day for day, entry in entries.items() if entry.is_working)

    def due_date(received: dt.datetime, days: int) -> dt.date:
        day = received.astimezone(VIETNAM).date()
        counted = 0
        while counted < days:
            day += ONE_DAY
            if day in extra or (day.weekday() < 5 and day not in off):
                counted += 1
        return day

    return due_date


def rate(count: int, run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return count / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    items = workload(args.count)
    schedule = handbook_schedule()
    loop = minimal_loop(schedule)
    explained_items = items[: max(1, args.count // 10)]

    # Same answers, item by item, before anything is timed.
    for received, limit in items:
        fast = due_instant(received, limit, schedule)
        if fast.due_date != loop(received, limit.whole):
            raise SystemExit(f"the clock and the loop disagree for {received} + {limit}")
    for received, limit in explained_items:
        if compute_due(received, limit, schedule).due_date != loop(received, limit.whole):
            raise SystemExit(f"the explained clock disagrees for {received} + {limit}")

    baseline, fast, explained = [], [], []
    for number in range(1, args.rounds + 1):
        baseline.append(
            rate(len(items), lambda: [loop(received, limit.whole) for received, limit in items])
        )
        fast.append(
            rate(
                len(items),
                lambda: [due_instant(received, limit, schedule) for received, limit in items],
            )
        )
        explained.append(
            rate(
                len(explained_items),
                lambda: [compute_due(r, limit, schedule) for r, limit in explained_items],
            )
        )
        print(
            f"round {number}: loop {baseline[-1]:10,.0f}/s  fast path {fast[-1]:10,.0f}/s  "
            f"explained {explained[-1]:9,.0f}/s  ratio {fast[-1] / baseline[-1]:.2f}"
        )

    loop_rate, fast_rate, explained_rate = (
        statistics.median(values) for values in (baseline, fast, explained)
    )
    print(f"due dates per round:             {len(items):,} ({len(explained_items):,} explained)")
    print(f"minimal working-day loop:        {loop_rate:12,.0f} /s (median)")
    print(f"clock, fast path (due_instant):  {fast_rate:12,.0f} /s (median)")
    print(f"clock, explained (compute_due):  {explained_rate:12,.0f} /s (median)")
    print(f"ratio fast path / loop:          {fast_rate / loop_rate:12.2f}  (goal >= 0.5)")
    print(f"ratio explained / loop:          {explained_rate / loop_rate:12.2f}")


if __name__ == "__main__":
    main()
