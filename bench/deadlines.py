"""Benchmark: due dates per second from the working-day clock.

Run: .venv/bin/python bench/deadlines.py [--count 20000]

Baseline, measured in the same run: wall-clock arithmetic (receipt + N calendar days), what systems
that ignore holidays and working hours do. The ratio says what exactness costs; the absolute figure
says how long recomputing the open dossiers after a calendar change takes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from motcua.calendars.tests.calendar_data import handbook_schedule
from motcua.calendars.workdays import VIETNAM, LimitUnit, TimeLimit, compute_due


def workload(count: int) -> list[tuple[dt.datetime, TimeLimit]]:
    rng = random.Random(20261121)
    start = dt.datetime(2025, 1, 1, tzinfo=VIETNAM)
    units = [LimitUnit.WORKING_DAY] * 6 + [
        LimitUnit.SAME_DAY,
        LimitUnit.WORKING_HOUR,
        LimitUnit.CALENDAR_DAY,
    ]
    items = []
    for _ in range(count):
        received = start + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        unit = rng.choice(units)
        value = (
            Decimal(rng.choice([1, 3, 5, 7, 10, 15, 20]))
            if unit != LimitUnit.SAME_DAY
            else Decimal(0)
        )
        items.append((received, TimeLimit(value, unit)))
    return items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    items = workload(args.count)
    schedule = handbook_schedule()

    began = time.perf_counter()
    for received, limit in items:
        received + dt.timedelta(days=int(limit.value))
    baseline = args.count / (time.perf_counter() - began)

    began = time.perf_counter()
    for received, limit in items:
        compute_due(received, limit, schedule)
    exact = args.count / (time.perf_counter() - began)

    print(f"due dates computed:           {args.count}")
    print(f"baseline (calendar days only): {baseline:12,.0f} /s")
    print(f"working-day clock with trace:  {exact:12,.0f} /s")
    print(f"ratio clock / baseline:        {exact / baseline:12.4f}")
    print(f"recomputing 100,000 open dossiers would take about {100_000 / exact:.1f} s on one core")


if __name__ == "__main__":
    main()
