"""Demo histories look like real ones and are indistinguishable to verify-history."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.calendars.tests.calendar_data import at
from motcua.demo.generate import demo_generate
from motcua.demo.services import demo_load
from motcua.dossiers.models import Dossier, DossierSequence, Status

pytestmark = pytest.mark.django_db


def test_generated_histories_are_realistic_and_verify():
    demo_load(communes_with_staff=1)
    made = demo_generate(
        province_code="42",
        count=400,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 4, 30),
        seed=1,
        now=at(2026, 4, 30, 18),
    )
    assert made == 400
    dossiers = list(Dossier.objects.all())
    statuses = Counter(d.status for d in dossiers)
    assert statuses[Status.RETURNED] > 200
    assert statuses[Status.NOT_RECEIVED] + statuses[Status.WITHDRAWN] > 0
    assert {Status.RECEIVED, Status.PROCESSING} & set(statuses)  # some still in progress
    timeliness = Counter(d.timeliness for d in dossiers if d.timeliness)
    assert timeliness["early"] > timeliness["late"] > 0
    assert timeliness["on_time"] > 0
    assert any(d.appointment_at for d in dossiers)  # some late ones apologised
    codes = [d.code for d in dossiers if d.code]
    assert len(codes) == len(set(codes))
    assert all(d.code is None for d in dossiers if d.status == Status.NOT_RECEIVED)
    for code in codes[:50]:
        unit_id = Dossier.objects.get(code=code).receiving_unit_id
        day = dt.datetime.strptime(code.split("-")[1], "%y%m%d").date()  # noqa: DTZ007
        assert DossierSequence.objects.get(unit_id=unit_id, day=day).last >= int(code.split("-")[2])
    out = StringIO()
    call_command("verify-history", stdout=out)
    assert out.getvalue().startswith("Đã kiểm tra 400 hồ sơ")


def test_a_generation_stopped_half_way_keeps_its_codes_reserved(monkeypatch):
    """The daily counters are saved with each batch: a later receipt never reuses a code."""
    from motcua.demo import generate

    demo_load(communes_with_staff=1)
    monkeypatch.setattr(generate, "BATCH", 50)
    batches = 0
    insert_events = generate._insert_events

    def stop_in_the_third_batch(events):
        nonlocal batches
        batches += 1
        if batches == 3:
            raise KeyboardInterrupt
        insert_events(events)

    monkeypatch.setattr(generate, "_insert_events", stop_in_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        demo_generate(
            province_code="42",
            count=400,
            start=dt.date(2026, 3, 1),
            end=dt.date(2026, 4, 30),
            seed=1,
            now=at(2026, 4, 30, 18),
        )
    coded = list(Dossier.objects.exclude(code=None))
    assert 90 <= len(coded) <= 100  # the two committed batches, less those refused at intake
    for dossier in coded:
        _, day, number = str(dossier.code).rsplit("-", 2)
        day_date = dt.datetime.strptime(day, "%y%m%d").date()  # noqa: DTZ007
        last = DossierSequence.objects.get(unit_id=dossier.receiving_unit_id, day=day_date).last
        assert last >= int(number)


def test_bad_arguments_are_refused():
    from motcua.core.errors import InvalidInput, NotFound

    with pytest.raises(NotFound):
        demo_generate(
            province_code="77", count=10, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1)
        )
    with pytest.raises(InvalidInput):
        demo_generate(
            province_code="42", count=0, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1)
        )


def test_demo_officers_can_work_their_dossiers():
    from motcua.accounts.models import User
    from motcua.dossiers.services import (
        Applicant,
        Intake,
        ReceivedComponent,
        dossier_assign,
        dossier_receive,
        dossier_resolve,
    )
    from motcua.units.models import Unit

    demo_load(communes_with_staff=1)
    reception = User.objects.get(
        username__startswith="tiepnhan.", memberships__unit__level="commune"
    )
    centre = reception.memberships.get().unit
    version = centre.procedures.get(procedure__code="1.004222").procedure.versions.get()
    components = [
        ReceivedComponent(c.name, position=c.position, originals=1)
        for c in version.components.all()
        if c.required
    ]
    dossier = dossier_receive(
        intake=Intake(
            procedure_code=version.procedure.code,
            applicant=Applicant(name="Lê Văn Cường"),
            receiving_unit=centre,
            components=components,
        ),
        actor=reception,
        at=at(2026, 3, 2, 9),
    )
    assert dossier.resolving_unit == centre.parent
    assert centre.parent.kind == Unit.Kind.PEOPLES_COMMITTEE
    slug = reception.username.split(".", 1)[1]
    leader = User.objects.get(username=f"lanhdao.{slug}")
    specialist = User.objects.get(username=f"chuyenvien.{slug}")
    step = version.steps.filter(role="specialist").first()
    dossier = dossier_assign(
        dossier=dossier,
        actor=leader,
        expected_version=dossier.version,
        step=step.position if step else 1,
        assignee=specialist,
        at=at(2026, 3, 2, 10),
    )
    dossier = dossier_resolve(
        dossier=dossier,
        actor=leader,
        expected_version=dossier.version,
        outcome="approved",
        at=at(2026, 3, 2, 11),
    )
    assert dossier.status == "resolved"


def test_loading_the_demo_twice_changes_nothing():
    from motcua.units.models import Unit

    def identifiers() -> list[str]:
        return sorted(
            str(code) for code in Unit.objects.values_list("identifier", flat=True) if code
        )

    demo_load(communes_with_staff=1)
    units, before = Unit.objects.count(), identifiers()
    assert Unit.objects.get(area_code="42", kind="peoples_committee").identifier == "000.00.00.X42"
    demo_load(communes_with_staff=1)
    assert Unit.objects.count() == units
    assert identifiers() == before
