"""A change of calendar data recomputes the due dates of open dossiers and records why."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.calendars.models import CalendarDay
from motcua.calendars.services import calendar_day_save
from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import DossierEvent, Outcome
from motcua.dossiers.projection import EventType
from motcua.dossiers.services import dossier_resolve

pytestmark = pytest.mark.django_db


def test_a_new_day_off_moves_open_dossiers_only(
    desk, receive, province, django_capture_on_commit_callbacks
):
    open_dossier = receive("1.004222", at(2026, 3, 2, 9))  # 7 WD: due Wed 11/03
    closed = receive("1.004222", at(2026, 3, 2, 10))
    closed = dossier_resolve(
        dossier=closed,
        actor=desk.leader,
        expected_version=closed.version,
        outcome=Outcome.APPROVED,
        at=at(2026, 3, 3, 9),
    )
    other = receive("1.004222", at(2026, 3, 20, 9))  # due after the new day off: unaffected
    assert open_dossier.due_date == dt.date(2026, 3, 11)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_save(
            day=CalendarDay(
                date=dt.date(2026, 3, 5),
                province=province,
                kind="day_off",
                name="Nghỉ do bão số 3",
                legal_basis="QĐ 12/QĐ-UBND",
            ),
            actor=None,
        )

    open_dossier.refresh_from_db()
    closed.refresh_from_db()
    other.refresh_from_db()
    assert open_dossier.due_date == dt.date(2026, 3, 12)
    assert closed.due_date == dt.date(2026, 3, 11)
    assert other.due_date == dt.date(2026, 3, 31)
    event = DossierEvent.objects.get(dossier=open_dossier, type=EventType.DUE_RECOMPUTED)
    assert "Nghỉ do bão số 3" in event.reason
    assert event.data["previous_due_at"] == "2026-03-11T17:00:00+07:00"
    assert not DossierEvent.objects.filter(dossier=other, type=EventType.DUE_RECOMPUTED).exists()
