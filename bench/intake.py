"""Benchmark: counter intake, dossiers per second, beside a bare-insert baseline in the same run.

Run (PostgreSQL, as in production; the role needs CREATEDB):

    DATABASE_URL=postgres://motcua:motcua@127.0.0.1:5432/motcua \\
        .venv/bin/python bench/intake.py [--dossiers 3000] [--workers 2] [--rounds 3] [--receipt]

It creates a throw-away database (test_<name>), migrates it, and loads one province's desks. Each
worker process receives dossiers at its own desks, one transaction per dossier, as officers at
counters do: the code (atomic daily sequence), the due date from the working-day clock, the
hash-chained event, the derived fields, the outbox rows; with ``--receipt`` also the receipt
(Mẫu 01) as PDF. The baseline inserts the same number of bare dossier rows, one per transaction,
with the same number of processes. Without DATABASE_URL it runs on an SQLite file (the figures are
then not the ones the issue's goal is about).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
# As in production: messages are queued for workers, not delivered inside the counter's request.
os.environ.setdefault("MOTCUA_TASKS", "database")


from province import province_with_communes


def _setup(units: int) -> dict[str, object]:
    """Create the benchmark database and its desks; returns ids the workers need."""
    import datetime as dt

    from django.conf import settings
    from django.test.utils import setup_databases

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        # Processes cannot share an in-memory database: use a file.
        database["TEST"] = {"NAME": str(Path(os.environ["MOTCUA_DATA_DIR"]) / "bench.sqlite3")}
    config = setup_databases(verbosity=0, interactive=False)
    from motcua.accounts.models import Role
    from motcua.accounts.services import officer_create
    from motcua.catalog.models import Procedure

    desks = []
    for index, commune in enumerate(province_with_communes(units)):
        officer = officer_create(
            actor=None,
            username=f"tiepnhan{index}",
            full_name="Cán bộ",
            password="x",  # noqa: S106 - a throw-away benchmark account
            unit=commune,
            role=Role.RECEPTION,
            valid_from=dt.date(2025, 1, 1),
        )
        desks.append((commune.pk, officer.pk))
    assert Procedure.objects.count() == 1
    return {"desks": desks, "config": config}


WorkerArgs = tuple[list[tuple[int, int]], int, bool, str, "multiprocessing.Queue[float]"]


def _intake_worker(args: WorkerArgs) -> None:
    desks, count, receipt, db_name, results = args
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"]["NAME"] = db_name
    connections.close_all()
    from motcua.accounts.models import User
    from motcua.core import clock
    from motcua.dossiers.services import Applicant, Intake, ReceivedComponent, dossier_receive
    from motcua.units.models import Unit

    prepared = [
        (Unit.objects.get(pk=unit_id), User.objects.get(pk=user_id)) for unit_id, user_id in desks
    ]
    began = time.perf_counter()
    for number in range(count):
        unit, officer = prepared[number % len(prepared)]
        dossier = dossier_receive(
            intake=Intake(
                procedure_code="1.004222",
                applicant=Applicant(
                    name="Nguyễn Văn Bình", id_number="001099012345", phone="0912345678"
                ),
                receiving_unit=unit,
                components=[
                    ReceivedComponent(
                        "Tờ khai thay đổi thông tin cư trú", position=1, originals=1, digitised=True
                    )
                ],
            ),
            actor=officer,
        )
        if receipt:
            from motcua.documents.services import render_dossier_form

            render_dossier_form(form="01", dossier=dossier, now=clock.now())
    results.put(time.perf_counter() - began)


def _baseline_worker(args: WorkerArgs) -> None:
    desks, count, _, db_name, results = args
    from django.conf import settings
    from django.db import connections, transaction

    settings.DATABASES["default"]["NAME"] = db_name
    connections.close_all()
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.models import Dossier

    version = ProcedureVersion.objects.get()
    began = time.perf_counter()
    for number in range(count):
        unit_id = desks[number % len(desks)][0]
        with transaction.atomic():
            Dossier.objects.create(
                procedure_version=version,
                receiving_unit_id=unit_id,
                resolving_unit_id=unit_id,
                channel="direct",
                delivery="counter",
                applicant_name="Nguyễn Văn Bình",
                status="received",
            )
    results.put(time.perf_counter() - began)


def _run(
    worker: object,
    desks: list[tuple[int, int]],
    total: int,
    workers: int,
    receipt: bool,
    db_name: str,
) -> float:
    """Dossiers per second with ``workers`` processes sharing ``total`` intakes."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[float] = context.Queue()
    share = total // workers
    processes = [
        context.Process(
            target=worker, args=((desks[i::workers], share, receipt, db_name, results),)
        )
        for i in range(workers)
    ]
    began = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a worker failed (exit {process.exitcode})")
    elapsed = time.perf_counter() - began
    return share * workers / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--receipt", action="store_true", help="also render the receipt PDF")
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections

    ids = _setup(units=max(args.workers * 4, 8))
    db_name = settings.DATABASES["default"]["NAME"]
    vendor = connection.vendor
    connections.close_all()
    desks = ids["desks"]
    assert isinstance(desks, list)
    # Rounds alternate baseline and intake, so that a machine whose speed drifts (a shared
    # virtual machine) weighs on both alike; the medians are printed.
    baselines, intakes = [], []
    for _ in range(args.rounds):
        baselines.append(_run(_baseline_worker, desks, args.dossiers, args.workers, False, db_name))
        intakes.append(
            _run(_intake_worker, desks, args.dossiers, args.workers, args.receipt, db_name)
        )
    baseline, intake = statistics.median(baselines), statistics.median(intakes)
    ratio = statistics.median(i / b for i, b in zip(intakes, baselines, strict=True))

    print(f"database:                       {vendor} ({db_name})")
    print(f"processes:                      {args.workers}")
    print(f"dossiers per run:               {args.dossiers}  ({args.rounds} rounds, medians)")
    print(f"baseline (bare insert):         {baseline:10.1f} dossiers/s")
    label = "counter intake + receipt PDF" if args.receipt else "counter intake"
    print(f"{label + ':':<32}{intake:10.1f} dossiers/s")
    print(f"ratio intake / baseline:        {ratio:10.3f}")
    print(
        "each round (baseline, intake):  "
        + ", ".join(f"({b:.0f}, {i:.0f})" for b, i in zip(baselines, intakes, strict=True))
    )

    from django.test.utils import teardown_databases

    teardown_databases(ids["config"], verbosity=0)


if __name__ == "__main__":
    main()
