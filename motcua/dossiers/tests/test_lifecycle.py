"""The dossier lifecycle through its services: the handbook's examples 1–4 end to end (§14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.calendars.tests.calendar_data import at
from motcua.core.errors import PermissionDenied
from motcua.dossiers.events import chain_problems
from motcua.dossiers.models import Channel, Delivery, DossierEvent, Outcome, Status, Timeliness
from motcua.dossiers.projection import EventType
from motcua.dossiers.services import (
    IncompleteDossier,
    InvalidTransition,
    ReceivedComponent,
    StaleDossier,
    dossier_accept,
    dossier_assign,
    dossier_complete_step,
    dossier_issue_apology,
    dossier_propose_apology,
    dossier_receive,
    dossier_receive_supplement,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_submit,
)
from motcua.dossiers.tests.conftest import intake_for

pytestmark = pytest.mark.django_db


def work_through(desk, dossier, when):
    """Assign, appraise and hand to the leader, the internal process of the fixtures."""
    dossier = dossier_assign(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        step=2,
        assignee=desk.specialist,
        at=when,
    )
    return dossier_complete_step(
        dossier=dossier, actor=desk.specialist, expected_version=dossier.version, at=when
    )


class TestExample1:
    """Đăng ký thường trú, 7 working days, received Thu 24/04/2025 10:00 (make-up Saturday)."""

    def test_code_due_date_and_early_return(self, desk, receive):
        first = [receive("1.004222", at(2025, 4, 24, 9, minute)) for minute in range(6)]
        dossier = receive("1.004222", at(2025, 4, 24, 10))
        assert [d.code[-4:] for d in first] == ["0001", "0002", "0003", "0004", "0005", "0006"]
        assert dossier.code == "000.12.34.H99-250424-0007"
        assert dossier.status == Status.RECEIVED
        assert dossier.due_date == dt.date(2025, 5, 7)
        assert dossier.due_at == at(2025, 5, 7, 17)
        assert any("làm bù" in step["message"] for step in dossier.deadline_trace)

        dossier = work_through(desk, dossier, at(2025, 5, 5, 9))
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2025, 5, 6, 14),
        )
        dossier = dossier_return(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            at=at(2025, 5, 6, 15),
        )
        assert dossier.status == Status.RETURNED
        assert dossier.timeliness == Timeliness.EARLY
        assert chain_problems(dossier, list(dossier.events.order_by("seq"))) == []


class TestExample2:
    """Đăng ký khai sinh online, same day, accepted Mon 17/02/2025 08:15."""

    def test_the_code_and_the_clock_start_at_receipt_not_submission(self, desk):
        intake = intake_for(desk, "1.001193", channel=Channel.ONLINE, delivery=Delivery.ELECTRONIC)
        dossier = dossier_submit(intake=intake, actor=None, at=at(2025, 2, 14, 16, 20))
        assert dossier.code is None
        assert dossier.status == Status.SUBMITTED
        assert dossier.due_at is None
        dossier = dossier_accept(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            at=at(2025, 2, 17, 8, 15),
        )
        assert dossier.code == "000.12.34.H99-250217-0001"
        assert dossier.due_at == at(2025, 2, 17, 17)
        assert dossier.submitted_at == at(2025, 2, 14, 16, 20)
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2025, 2, 17, 10, 40),
        )
        assert dossier.timeliness == Timeliness.ON_TIME

    def test_accepted_after_the_cut_off_is_due_the_next_working_day(self, desk):
        intake = intake_for(desk, "1.001193", channel=Channel.ONLINE, delivery=Delivery.ELECTRONIC)
        dossier = dossier_submit(intake=intake, actor=None, at=at(2025, 2, 14, 16, 20))
        dossier = dossier_accept(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            at=at(2025, 2, 17, 15, 30),
        )
        assert dossier.due_at == at(2025, 2, 18, 17)


class TestExample3:
    """Hộ kinh doanh, 3 working days, received Mon 05/01/2026 09:00, supplement 06/01–12/01."""

    def supplement(self, desk, dossier):
        dossier = dossier_assign(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            step=2,
            assignee=desk.specialist,
            at=at(2026, 1, 5, 10),
        )
        dossier = dossier_request_supplement(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            missing=["Giấy tờ chứng minh nơi cư trú"],
            reason="Bản sao không rõ nét",
            at=at(2026, 1, 6, 14),
        )
        assert dossier.status == Status.SUPPLEMENT
        return dossier_receive_supplement(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            components=[ReceivedComponent("Giấy tờ chứng minh nơi cư trú", position=2, copies=1)],
            at=at(2026, 1, 12, 10),
        )

    def test_restart_policy(self, desk, receive):
        dossier = receive("1.001612", at(2026, 1, 5, 9))
        assert dossier.due_date == dt.date(2026, 1, 8)
        dossier = self.supplement(desk, dossier)
        assert dossier.status == Status.PROCESSING
        assert dossier.due_date == dt.date(2026, 1, 15)  # full 3 WD again from 12/01 10:00
        assert dossier.original_due_at == at(2026, 1, 8, 17)
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 1, 14, 16),
        )
        assert dossier.timeliness == Timeliness.EARLY

    def test_pause_policy(self, desk, receive):
        dossier = receive("1.001612.000.00.00.H98", at(2026, 1, 5, 9))
        dossier = self.supplement(desk, dossier)
        assert dossier.due_date == dt.date(2026, 1, 13)  # 12 working hours left from 12/01 10:00
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 1, 14, 16),
        )
        assert dossier.timeliness == Timeliness.LATE

    def test_a_second_supplement_request_is_refused(self, desk, receive):
        dossier = self.supplement(desk, receive("1.001612", at(2026, 1, 5, 9)))
        with pytest.raises(InvalidTransition, match="lần thứ hai"):
            dossier_request_supplement(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                missing=["Tờ khai theo mẫu"],
                reason="x",
                at=at(2026, 1, 13, 9),
            )

    def test_only_published_papers_may_be_requested(self, desk, receive):
        dossier = receive("1.001612", at(2026, 1, 5, 9))
        with pytest.raises(Exception, match="thành phần hồ sơ đã công bố"):
            dossier_request_supplement(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                missing=["Giấy xác nhận không có trong danh mục"],
                reason="x",
                at=at(2026, 1, 6, 9),
            )


class TestExample4:
    """Kết hôn, 5 working days across Tết: received Wed 11/02/2026, apology Tue 24/02."""

    def test_late_with_apology_is_still_late(self, desk, receive):
        dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
        assert dossier.due_date == dt.date(2026, 2, 25)
        dossier = work_through(desk, dossier, at(2026, 2, 12, 9))
        dossier = dossier_propose_apology(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            reason="Cần xác minh tại nơi cư trú trước đây",
            extra_working_days=2,
            at=at(2026, 2, 24, 9),
        )
        dossier = dossier_issue_apology(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            at=at(2026, 2, 24, 10),
        )
        assert dossier.appointment_at == at(2026, 2, 27, 17)
        assert dossier.due_date == dt.date(2026, 2, 25)  # the lawful due date does not move
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 2, 27, 9),
        )
        assert dossier.timeliness == Timeliness.LATE

    def test_an_apology_on_the_due_date_is_too_late(self, desk, receive):
        dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
        with pytest.raises(InvalidTransition, match="24/02/2026"):
            dossier_propose_apology(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                reason="x",
                extra_working_days=2,
                at=at(2026, 2, 25, 8),
            )

    def test_a_second_apology_is_refused(self, desk, receive):
        dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
        for _ in range(1):
            dossier = dossier_propose_apology(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                reason="x",
                extra_working_days=2,
                at=at(2026, 2, 23, 9),
            )
            dossier = dossier_issue_apology(
                dossier=dossier,
                actor=desk.leader,
                expected_version=dossier.version,
                at=at(2026, 2, 23, 10),
            )
        with pytest.raises(InvalidTransition, match="một lần"):
            dossier_propose_apology(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                reason="y",
                extra_working_days=1,
                at=at(2026, 2, 24, 9),
            )

    def test_only_a_leader_signs_the_apology(self, desk, receive):
        dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
        dossier = dossier_propose_apology(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            reason="x",
            extra_working_days=2,
            at=at(2026, 2, 23, 9),
        )
        with pytest.raises(PermissionDenied):
            dossier_issue_apology(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                at=at(2026, 2, 23, 10),
            )


class TestGuards:
    def test_an_incomplete_dossier_is_not_received(self, desk, receive):
        with pytest.raises(IncompleteDossier, match="Giấy tờ chứng minh nơi cư trú"):
            receive("1.004222", at(2026, 3, 2, 9), components=full_first_only())
        assert not DossierEvent.objects.exists()

    def test_a_stale_edit_is_refused(self, desk, receive):
        dossier = receive("1.004222", at(2026, 3, 2, 9))
        stale = dossier.version
        dossier_assign(
            dossier=dossier,
            actor=desk.leader,
            expected_version=stale,
            step=2,
            assignee=desk.specialist,
            at=at(2026, 3, 2, 10),
        )
        with pytest.raises(StaleDossier, match="vừa được người khác cập nhật"):
            dossier_resolve(
                dossier=dossier,
                actor=desk.leader,
                expected_version=stale,
                outcome=Outcome.APPROVED,
                at=at(2026, 3, 2, 11),
            )

    def test_an_illegal_transition_is_refused_and_changes_nothing(self, desk, receive):
        dossier = receive("1.004222", at(2026, 3, 2, 9))
        events = dossier.event_count
        with pytest.raises(InvalidTransition, match="Đã tiếp nhận"):
            dossier_return(
                dossier=dossier,
                actor=desk.reception,
                expected_version=dossier.version,
                at=at(2026, 3, 2, 10),
            )
        dossier.refresh_from_db()
        assert dossier.event_count == events

    def test_roles_are_checked(self, desk, receive, other_commune, make_officer):
        dossier = receive("1.004222", at(2026, 3, 2, 9))
        with pytest.raises(PermissionDenied):
            dossier_resolve(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=dossier.version,
                outcome=Outcome.APPROVED,
                at=at(2026, 3, 2, 10),
            )
        stranger = make_officer(
            other_commune, __import__("motcua.accounts.models", fromlist=["Role"]).Role.LEADER, "la"
        )
        with pytest.raises(PermissionDenied):
            dossier_resolve(
                dossier=dossier,
                actor=stranger,
                expected_version=dossier.version,
                outcome=Outcome.APPROVED,
                at=at(2026, 3, 2, 10),
            )
        with pytest.raises(PermissionDenied):
            dossier_receive(
                intake=intake_for(desk, "1.004222"), actor=desk.specialist, at=at(2026, 3, 2, 11)
            )

    def test_every_transition_is_an_event_with_actor_and_unit(self, desk, receive):
        dossier = receive("1.004222", at(2026, 3, 2, 9))
        dossier = work_through(desk, dossier, at(2026, 3, 3, 9))
        events = list(dossier.events.order_by("seq"))
        assert [e.type for e in events] == [
            EventType.RECEIVED,
            EventType.ASSIGNED,
            EventType.STEP_COMPLETED,
        ]
        assert [e.actor for e in events] == [desk.reception, desk.leader, desk.specialist]
        assert all(e.unit == desk.unit for e in events)
        assert events[1].prev_hash == events[0].hash
        with pytest.raises(PermissionError):
            events[0].save()
        with pytest.raises(PermissionError):
            DossierEvent.objects.filter(dossier=dossier).update(reason="sửa")
        with pytest.raises(PermissionError):
            DossierEvent.objects.filter(dossier=dossier).delete()


def full_first_only() -> list[ReceivedComponent]:
    return [ReceivedComponent("Tờ khai theo mẫu", position=1, originals=1)]


def test_a_wait_of_no_time_stops_nothing(desk, receive):
    from motcua.dossiers.services import dossier_receive_payment, dossier_request_payment

    dossier = work_through(desk, receive("1.004222", at(2026, 3, 2, 9)), at(2026, 3, 2, 10))
    dossier = dossier_request_payment(
        dossier=dossier,
        actor=desk.specialist,
        expected_version=dossier.version,
        amount=Decimal(20000),
        description="Lệ phí",
        at=at(2026, 3, 2, 11),
    )
    dossier = dossier_receive_payment(
        dossier=dossier,
        actor=desk.reception,
        expected_version=dossier.version,
        receipt_number="BL-1",
        at=at(2026, 3, 2, 11),
    )
    assert dossier.due_date == dt.date(2026, 3, 11)


def test_an_intake_sees_a_unit_edit_made_since_the_last_one(desk, receive):
    from motcua.calendars.selectors import schedule_for
    from motcua.units.services import unit_update

    first = receive("1.004222", at(2026, 3, 2, 9))
    assert clock_local_hour(first.due_at) == 17  # the day's end, default working hours
    assert schedule_for(unit=desk.unit) is schedule_for(unit=desk.unit)  # cached per process
    desk.unit.working_hours = "07:00-11:00,13:00-16:00"
    unit_update(unit=desk.unit, parent_changed=False)
    second = receive("1.004222", at(2026, 3, 2, 9, 30))
    assert clock_local_hour(second.due_at) == 16


def clock_local_hour(instant) -> int:
    from motcua.core import clock

    return clock.local(instant).hour
