"""Lateness attribution: each step's budget against the working time it took."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.deadlines import step_timings
from motcua.dossiers.models import Outcome
from motcua.dossiers.services import dossier_assign, dossier_complete_step, dossier_resolve

pytestmark = pytest.mark.django_db


def test_the_step_that_consumed_the_delay_is_flagged(desk, receive):
    dossier = receive("1.000894", at(2026, 3, 2, 8))  # 5 WD: due Mon 09/03 at 17:00
    dossier = dossier_assign(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        step=2,
        assignee=desk.specialist,
        at=at(2026, 3, 2, 9),
    )
    # The specialist holds it until Wed 11/03 12:00: 59 working hours against 0.6 × 48.
    dossier = dossier_complete_step(
        dossier=dossier,
        actor=desk.specialist,
        expected_version=dossier.version,
        at=at(2026, 3, 11, 12),
    )
    dossier = dossier_assign(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        step=3,
        assignee=desk.leader,
        at=at(2026, 3, 11, 13),
    )
    dossier = dossier_resolve(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        outcome=Outcome.APPROVED,
        at=at(2026, 3, 11, 15),
    )
    assert dossier.timeliness == "late"
    rows = step_timings(dossier, list(dossier.events.order_by("seq")), now=at(2026, 3, 12, 9))
    assert [(row["step"], row["used"], row["over"]) for row in rows] == [
        (2, dt.timedelta(hours=59), True),
        (3, dt.timedelta(hours=2), False),
    ]
    total = dt.timedelta(hours=48)  # 08:00 Mon 02/03 to 17:00 Mon 09/03, six working days
    assert rows[0]["budget"] == total * 0.6
    assert rows[0]["unit_id"] == desk.unit.pk
