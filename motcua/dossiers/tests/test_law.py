"""The law as it stands (issue 7) through the dossier services: per-case limits, late supplement
requests, the payment wait, forwarding, and 24/11/2026 arriving while dossiers are open."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from motcua.accounts.models import Role
from motcua.calendars.apps import recompute_pending
from motcua.calendars.models import CalendarChange, CalendarDay
from motcua.calendars.selectors import work_calendar
from motcua.calendars.tests.calendar_data import at
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import
from motcua.core import clock
from motcua.core.errors import ImportRejected, InvalidInput, PermissionDenied
from motcua.dossiers.events import derived_field_problems, history_problems
from motcua.dossiers.history_io import dossier_history_export, dossier_history_import
from motcua.dossiers.models import Channel, Dossier, DossierEvent, Outcome, Status, Timeliness
from motcua.dossiers.projection import EventType
from motcua.dossiers.selectors import dossiers_overdue, group_by_urgency, unit_overview_counts
from motcua.dossiers.services import (
    InvalidTransition,
    dossier_assign,
    dossier_change_limit_case,
    dossier_forward,
    dossier_receive,
    dossier_receive_payment,
    dossier_receive_supplement,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_resolve,
)
from motcua.dossiers.tests.fixtures import LAND, MARRIAGE, intake_for, record
from motcua.notifications.models import Notification
from motcua.units.models import Unit
from motcua.units.services import unit_create

pytestmark = pytest.mark.django_db


def receive(desk, code, when, **changes):
    return dossier_receive(intake=intake_for(desk, code, **changes), actor=desk.reception, at=when)


class TestLimitCases:
    """Issue 7 item 4: a kết hôn dossier switched to the verification case is on time on day 5."""

    def test_chosen_at_the_counter_with_its_reason(self, marriage):
        dossier = receive(
            marriage,
            MARRIAGE,
            at(2026, 3, 2, 9),
            limit_case="xac_minh",
            limit_case_reason="Cần xác minh tình trạng hôn nhân tại nơi cư trú trước đây",
        )
        # Mon 02/03: Tue 03 (1) … Mon 09/03 (5).
        assert dossier.due_date == dt.date(2026, 3, 9)
        received = dossier.events.get(type=EventType.RECEIVED)
        assert received.data["limit"]["case"] == "xac_minh"
        assert received.data["limit"]["text"] == "05 ngày làm việc"
        assert received.data["limit"]["reason"].startswith("Cần xác minh")
        dossier = dossier_resolve(
            dossier=dossier,
            actor=marriage.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 3, 9, 16),
        )
        assert dossier.timeliness == Timeliness.ON_TIME

    def test_the_general_limit_is_the_same_day(self, marriage):
        dossier = receive(marriage, MARRIAGE, at(2026, 3, 2, 15))  # 15:00 sharp: same day
        assert dossier.due_at == at(2026, 3, 2, 17)

    def test_switched_later_by_a_recorded_event(self, marriage):
        dossier = receive(marriage, MARRIAGE, at(2026, 3, 2, 9))
        assert dossier.due_date == dt.date(2026, 3, 2)
        dossier = dossier_change_limit_case(
            dossier=dossier,
            actor=marriage.specialist,
            expected_version=dossier.version,
            case="xac_minh",
            reason="Bên nữ từng cư trú tại tỉnh khác, cần xác minh",
            at=at(2026, 3, 2, 10),
        )
        assert dossier.due_date == dt.date(2026, 3, 9)  # the same start, the new limit
        event = dossier.events.get(type=EventType.LIMIT_CASE_CHANGED)
        assert (event.actor, event.reason) == (
            marriage.specialist,
            "Bên nữ từng cư trú tại tỉnh khác, cần xác minh",
        )
        assert event.data["previous_limit"]["case"] == ""
        assert event.data["due_date"] == "2026-03-09"
        assert any(s["reason"] == "receipt_day_not_counted" for s in dossier.deadline_trace)
        dossier = dossier_resolve(
            dossier=dossier,
            actor=marriage.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 3, 9, 9),
        )
        assert dossier.timeliness == Timeliness.ON_TIME
        assert not history_problems(dossier, list(dossier.events.order_by("seq")))
        # The applicant is told the new appointment.
        told = Notification.objects.filter(dossier=dossier, kind=Notification.Kind.DUE_CHANGED)
        assert "09/03/2026" in told.get().body

    def test_the_export_carries_the_case_and_imports_on_time(self, marriage):
        dossier = receive(marriage, MARRIAGE, at(2026, 3, 2, 9))
        dossier = dossier_change_limit_case(
            dossier=dossier,
            actor=marriage.reception,
            expected_version=dossier.version,
            case="xac_minh",
            reason="Cần xác minh",
            at=at(2026, 3, 2, 9, 30),
        )
        dossier_resolve(
            dossier=dossier,
            actor=marriage.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 3, 9, 9),
        )
        line = next(dossier_history_export())
        changed = [e for e in line["events"] if e["type"] == "limit_case_changed"]
        assert changed == [
            {
                "type": "limit_case_changed",
                "at": "2026-03-02T09:30:00+07:00",
                "due_date": "2026-03-09",
                "limit_case": "xac_minh",
                "reason": "Cần xác minh",
                "actor_name": marriage.reception.get_full_name(),
            }
        ]
        Dossier.objects.filter(pk=dossier.pk).update(code=None)  # free the code for a re-import
        line["code"] = line["code"][:-4] + "0099"
        report = dossier_history_import(lines=[json.dumps(line, ensure_ascii=False)])
        assert report.created == 1
        assert report.warnings == []
        imported = Dossier.objects.get(code=line["code"])
        assert (imported.due_date, imported.timeliness) == (dt.date(2026, 3, 9), "on_time")

    def test_bad_switches_are_refused_with_a_message(self, marriage):
        dossier = receive(marriage, MARRIAGE, at(2026, 3, 2, 9))
        with pytest.raises(InvalidInput, match="không có trường hợp thời hạn “gap”"):
            dossier_change_limit_case(
                dossier=dossier,
                actor=marriage.specialist,
                expected_version=dossier.version,
                case="gap",
                reason="x",
            )
        with pytest.raises(InvalidTransition, match="cần ghi rõ lý do"):
            dossier_change_limit_case(
                dossier=dossier,
                actor=marriage.specialist,
                expected_version=dossier.version,
                case="xac_minh",
                reason=" ",
            )
        with pytest.raises(InvalidTransition, match="đang áp dụng"):
            dossier_change_limit_case(
                dossier=dossier,
                actor=marriage.specialist,
                expected_version=dossier.version,
                case="",
                reason="x",
            )
        closed = dossier_resolve(
            dossier=dossier,
            actor=marriage.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 3, 2, 10),
        )
        with pytest.raises(InvalidTransition, match="đổi trường hợp thời hạn"):
            dossier_change_limit_case(
                dossier=closed,
                actor=marriage.specialist,
                expected_version=closed.version,
                case="xac_minh",
                reason="Quá muộn",
            )
        assert closed.events.count() == 2  # nothing half-saved

    def test_a_late_dossier_cannot_be_given_a_longer_limit(self, marriage):
        """Received Mon 02/03, due that day; on Fri 06/03 it is late: switching to the 5-day
        case then would turn it on time (the loophole decision 13 closes for supplements)."""
        dossier = receive(marriage, MARRIAGE, at(2026, 3, 2, 9))
        with pytest.raises(InvalidTransition, match="đã quá hạn 02/03/2026"):
            dossier_change_limit_case(
                dossier=dossier,
                actor=marriage.reception,
                expected_version=dossier.version,
                case="xac_minh",
                reason="Cần xác minh",
                at=at(2026, 3, 6, 9),
            )
        record = next(dossier_history_export())
        record["events"].append(
            {
                "type": "limit_case_changed",
                "at": "2026-03-06T09:00:00+07:00",
                "limit_case": "xac_minh",
                "reason": "Cần xác minh",
            }
        )
        Dossier.objects.filter(pk=dossier.pk).update(code=None)
        with pytest.raises(ImportRejected) as refused:
            dossier_history_import(lines=[json.dumps(record, ensure_ascii=False)])
        assert "đã quá hạn" in str(refused.value.problems)

    def test_a_case_at_the_counter_needs_a_reason(self, marriage):
        with pytest.raises(InvalidInput, match="Cần ghi rõ lý do"):
            receive(marriage, MARRIAGE, at(2026, 3, 2, 9), limit_case="xac_minh")
        assert not Dossier.objects.exists()

    def test_only_officers_of_the_dossier_switch(self, marriage, province, make_officer):
        other = unit_create(
            name="Ủy ban nhân dân xã Hai",
            level=Unit.Level.COMMUNE,
            kind=Unit.Kind.PEOPLES_COMMITTEE,
            parent=province,
            area_code="99002",
            identifier="000.12.35.H99",
            valid_from=dt.date(2025, 7, 1),
        )
        stranger = make_officer(other, Role.SPECIALIST, "nguoila")
        dossier = receive(marriage, MARRIAGE, at(2026, 3, 2, 9))
        with pytest.raises(PermissionDenied):
            dossier_change_limit_case(
                dossier=dossier,
                actor=stranger,
                expected_version=dossier.version,
                case="xac_minh",
                reason="x",
            )


class TestLateSupplementRequests:
    """Decision 13: only a request within 3 working days of receipt restarts the clock."""

    def request(self, desk, dossier, when):
        return dossier_request_supplement(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            missing=["Tờ khai theo mẫu"],
            reason="Tờ khai thiếu chữ ký",
            at=when,
        )

    def back(self, desk, dossier, when):
        return dossier_receive_supplement(
            dossier=dossier, actor=desk.reception, expected_version=dossier.version, at=when
        )

    def test_a_request_within_3_working_days_restarts(self, desk, receive):
        dossier = receive("1.004222", at(2026, 3, 2, 9))  # 7 WD: due Wed 11/03
        dossier = self.request(desk, dossier, at(2026, 3, 5, 10))  # day 3
        request = dossier.events.get(type=EventType.SUPPLEMENT_REQUESTED)
        assert request.data["clock_rule"] == "restart"
        assert request.data["late_request"] is False
        dossier = self.back(desk, dossier, at(2026, 3, 9, 10))
        assert dossier.due_date == dt.date(2026, 3, 18)  # 7 WD from Mon 09/03

    def test_a_later_request_pauses_but_does_not_restart(self, desk, receive):
        dossier = receive("1.004222", at(2026, 3, 2, 9))  # due Wed 11/03 (lawful 09:00)
        dossier = self.request(desk, dossier, at(2026, 3, 6, 9))  # day 4: late
        request = dossier.events.get(type=EventType.SUPPLEMENT_REQUESTED)
        assert (request.data["clock_rule"], request.data["late_request"]) == ("pause", True)
        dossier = self.back(desk, dossier, at(2026, 3, 10, 9))
        # Paused Fri 06/03 09:00 – Tue 10/03 09:00: two working days; the limit did not restart.
        assert dossier.due_date == dt.date(2026, 3, 13)
        rules = [s for s in dossier.deadline_trace if s["kind"] == "rule"]
        assert rules[0]["reason"] == "supplement_pause"
        assert "không được tính lại từ đầu" in rules[0]["message"]

    def test_a_request_after_the_due_date_moves_nothing(self, desk, receive):
        dossier = receive("1.001612", at(2026, 3, 2, 9))  # 3 WD: due Thu 05/03
        dossier = self.request(desk, dossier, at(2026, 3, 6, 10))
        request = dossier.events.get(type=EventType.SUPPLEMENT_REQUESTED)
        assert request.data["clock_rule"] == "no_effect"
        assert request.data["after_due"] is True
        dossier = self.back(desk, dossier, at(2026, 3, 10, 9))
        assert dossier.due_date == dt.date(2026, 3, 5)
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 3, 11, 9),
        )
        assert dossier.timeliness == Timeliness.LATE  # a paper asked for late saves nothing

    def test_waiting_after_a_late_request_is_listed_as_overdue(
        self, desk, receive, client, monkeypatch
    ):
        """The clock did not stop: the officers see the dossier late, not "waiting"."""
        dossier = receive("1.001612", at(2026, 3, 2, 9))  # 3 WD: due Thu 05/03
        late = self.request(desk, dossier, at(2026, 3, 6, 10))
        timely = self.request(desk, receive("1.001612", at(2026, 3, 4, 9)), at(2026, 3, 5, 9))
        assert (late.status, late.clock_paused) == (Status.SUPPLEMENT, False)
        assert timely.clock_paused
        today = dt.date(2026, 3, 9)
        assert late.overdue_on(today)
        assert not timely.overdue_on(dt.date(2026, 4, 30))  # its clock stands still
        overdue = dossiers_overdue(user=desk.leader, on=today)
        assert list(overdue) == [late]
        groups = group_by_urgency(dossiers=[late, timely], on=today)
        assert (groups.overdue, groups.waiting) == ([late], [timely])
        assert unit_overview_counts(user=desk.leader, on=today).overdue == 1
        client.force_login(desk.specialist)
        monkeypatch.setattr(clock, "now", lambda: at(2026, 3, 9, 10))
        page = client.get(f"/can-bo/ho-so/{late.code}/").content.decode()
        assert 'class="tag timeliness-late" id="timeliness"' in page
        page = client.get(f"/can-bo/ho-so/{timely.code}/").content.decode()
        assert 'id="timeliness"' not in page
        # The register (Mẫu 07) reads the same rule from its rows.
        from motcua.documents.selectors import register_entries

        entries = register_entries(
            unit=late.receiving_unit, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 4), actor=None
        )
        assert {entry.code: entry.clock_paused for entry in entries} == {
            late.code: False,
            timely.code: True,
        }


class TestPaymentWait:
    """Decision 11: waiting for payment stops the clock only where the procedure's law says so."""

    def wait(self, desk, dossier):
        dossier = dossier_assign(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            step=2,
            assignee=desk.specialist,
            at=at(2026, 3, 2, 10),
        )
        dossier = dossier_request_payment(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            amount=Decimal("500000"),
            description="Lệ phí",
            at=at(2026, 3, 3, 9),
        )
        return dossier_receive_payment(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            receipt_number="BL-1",
            at=at(2026, 3, 5, 9),
        )

    def test_by_default_the_clock_runs(self, desk, receive):
        dossier = receive("1.004222", at(2026, 3, 2, 9))
        dossier = self.wait(desk, dossier)
        assert dossier.due_date == dt.date(2026, 3, 11)
        request = dossier.events.get(type=EventType.PAYMENT_REQUESTED)
        assert request.data["stops_clock"] is False

    def test_where_the_procedure_says_so_it_stops(self, marriage):
        dossier = receive(marriage, LAND, at(2026, 3, 2, 9))  # 10 WD: due Mon 16/03
        dossier = self.wait(marriage, dossier)
        assert dossier.due_date == dt.date(2026, 3, 18)  # two working days waited
        request = dossier.events.get(type=EventType.PAYMENT_REQUESTED)
        assert request.data["stops_clock"] is True
        assert "nghĩa vụ tài chính" in request.data["basis"]

    def ask(self, desk, dossier):
        """Assigned, then asked to pay; the wait still open."""
        dossier = dossier_assign(
            dossier=dossier,
            actor=desk.leader,
            expected_version=None,
            step=2,
            assignee=desk.specialist,
            at=at(2026, 3, 2, 10),
        )
        return dossier_request_payment(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=None,
            amount=Decimal("500000"),
            description="Lệ phí",
            at=at(2026, 3, 3, 9),
        )

    def test_a_wait_that_does_not_stop_the_clock_can_be_overdue(self, desk, receive):
        running = self.ask(desk, receive("1.004222", at(2026, 3, 2, 9)))  # due Wed 11/03
        assert (running.status, running.clock_paused) == (Status.PAYMENT, False)
        assert running.overdue_on(dt.date(2026, 4, 1))
        assert not derived_field_problems(running, list(running.events.order_by("seq")))

    def test_a_wait_that_stops_it_is_never_overdue(self, marriage):
        stopped = self.ask(marriage, receive(marriage, LAND, at(2026, 3, 2, 9)))
        assert (stopped.status, stopped.clock_paused) == (Status.PAYMENT, True)
        assert not stopped.overdue_on(dt.date(2026, 4, 1))

    def test_the_migration_reads_each_waits_request(self, desk, receive):
        running = self.ask(desk, receive("1.004222", at(2026, 3, 2, 9)))
        stopped = dossier_request_supplement(
            dossier=receive("1.004222", at(2026, 3, 2, 9)),
            actor=desk.specialist,
            expected_version=None,
            missing=["Tờ khai theo mẫu"],
            reason="Thiếu",
            at=at(2026, 3, 3, 9),
        )
        Dossier.objects.update(clock_paused=False)  # as the column arrives
        migration = importlib.import_module("motcua.dossiers.migrations.0010_dossier_clock_paused")
        migration.fill(django_apps, None)
        assert Dossier.objects.get(pk=stopped.pk).clock_paused
        assert not Dossier.objects.get(pk=running.pk).clock_paused


@pytest.fixture
def centre_desk(desk, commune, make_officer):
    """A service centre that receives for the commune's committee (it forwards the paper)."""
    centre = unit_create(
        name="Trung tâm Phục vụ hành chính công xã Một",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.SERVICE_CENTRE,
        parent=commune,
        identifier="000.12.34.H98",
        valid_from=dt.date(2025, 7, 1),
    )
    officer = make_officer(centre, Role.RECEPTION, "motcua")
    return centre, officer


class TestForwarding:
    """ND 118/2025 Điều 18 khoản 2: the same working day, or the next morning after 15:00."""

    def make(self, desk, centre_desk, when, channel=Channel.DIRECT):
        centre, officer = centre_desk
        return dossier_receive(
            intake=intake_for(desk, "1.004222", receiving_unit=centre, channel=channel),
            actor=officer,
            at=when,
        )

    def forward(self, centre_desk, dossier, when):
        return dossier_forward(
            dossier=dossier, actor=centre_desk[1], expected_version=dossier.version, at=when
        )

    def test_received_before_15_00_is_forwarded_the_same_day(self, desk, centre_desk):
        dossier = self.make(desk, centre_desk, at(2026, 3, 2, 14, 30))
        dossier = self.forward(centre_desk, dossier, at(2026, 3, 2, 16))
        event = dossier.events.get(type=EventType.FORWARDED)
        assert event.data["deadline_at"] == "2026-03-02T17:00:00+07:00"
        assert event.data["on_time"] is True
        assert event.data["to_unit"] == desk.unit.pk

    def test_received_after_15_00_goes_the_next_morning(self, desk, centre_desk):
        dossier = self.make(desk, centre_desk, at(2026, 3, 6, 15, 30))  # a Friday
        dossier = self.forward(centre_desk, dossier, at(2026, 3, 9, 14))
        event = dossier.events.get(type=EventType.FORWARDED)
        assert event.data["deadline_at"] == "2026-03-09T12:00:00+07:00"
        assert event.data["on_time"] is False

    def test_once_paper_and_not_to_itself(self, desk, centre_desk, receive):
        dossier = self.make(desk, centre_desk, at(2026, 3, 2, 9))
        dossier = self.forward(centre_desk, dossier, at(2026, 3, 2, 10))
        with pytest.raises(InvalidTransition, match="đã được chuyển"):
            self.forward(centre_desk, dossier, at(2026, 3, 2, 11))
        own = receive("1.004222", at(2026, 3, 2, 9))
        with pytest.raises(InvalidTransition, match="không cần chuyển"):
            dossier_forward(
                dossier=own,
                actor=desk.reception,
                expected_version=own.version,
                at=at(2026, 3, 2, 10),
            )


class TestHoliday24November2026:
    """NQ 28/2026/QH16 Điều 2, arriving while dossiers are open: migration 0004 confirms the
    pending day with an administrator's act; after migrate every open dossier whose clock crossed
    it is recomputed with an event, its applicant is told, its officers see it."""

    def test_the_migration_recomputes_open_dossiers_that_crossed_it(
        self, desk, receive, client, django_capture_on_commit_callbacks
    ):
        # The state before the release: the holidays package had announced it, nobody confirmed.
        day = dt.date(2026, 11, 24)
        CalendarDay.objects.filter(date=day, province__isnull=True).update(
            status=CalendarDay.Status.ANNOUNCED, source=CalendarDay.Source.PACKAGE
        )
        CalendarChange.objects.filter(changed_dates=["2026-11-24"]).delete()
        assert work_calendar().is_working_day(day)
        crossing = receive("1.004222", at(2026, 11, 20, 10))  # 7 WD: 23, 24, 25, 26, 27, 30, 01
        before = receive("1.004222", at(2026, 11, 10, 10))  # due Thu 19/11: before it
        assert crossing.due_date == dt.date(2026, 12, 1)

        migration = importlib.import_module("motcua.calendars.migrations.0004_holiday_24_11_2026")
        migration.confirm(django_apps, None)
        with django_capture_on_commit_callbacks(execute=True):
            assert recompute_pending() == 1

        crossing.refresh_from_db()
        before.refresh_from_db()
        assert crossing.due_date == dt.date(2026, 12, 2)
        assert before.due_date == dt.date(2026, 11, 19)
        event = DossierEvent.objects.get(dossier=crossing, type=EventType.DUE_RECOMPUTED)
        assert "Nghị quyết 28/2026/QH16" in event.reason
        assert event.data["previous_due_at"] == "2026-12-01T17:00:00+07:00"
        assert not DossierEvent.objects.filter(dossier=before, type=EventType.DUE_RECOMPUTED)
        assert Notification.objects.filter(
            dossier=crossing, kind=Notification.Kind.DUE_CHANGED
        ).exists()
        assert CalendarChange.objects.get(changed_dates=["2026-11-24"]).recomputed_at
        assert recompute_pending() == 0  # done once
        out = StringIO()
        call_command("verify-history", stdout=out)
        assert "toàn vẹn" in out.getvalue()
        # The officers are told which dossiers moved, on their home page.
        client.force_login(desk.specialist)
        page = client.get("/can-bo/").content.decode()
        assert "han-tra-thay-doi" in page
        assert crossing.code in page


class TestBulkRecompute:
    def test_the_bulk_path_gives_what_the_events_give(
        self, desk, receive, django_capture_on_commit_callbacks
    ):
        """The recomputation reads each dossier's stored clock; the service reads its events: they
        agree, supplements and pauses included, and every history still verifies."""
        from motcua.calendars.services import calendar_day_save
        from motcua.dossiers.deadlines import current_due

        dossiers = [receive("1.004222", at(2026, 3, 2, 9 + hour)) for hour in range(4)]
        paused = dossier_request_supplement(
            dossier=receive("1.001612.000.00.00.H98", at(2026, 3, 2, 9)),
            actor=desk.specialist,
            expected_version=None,
            missing=["Tờ khai theo mẫu"],
            reason="Thiếu",
            at=at(2026, 3, 3, 9),
        )
        paused = dossier_receive_supplement(
            dossier=paused, actor=desk.reception, expected_version=None, at=at(2026, 3, 4, 9)
        )
        with django_capture_on_commit_callbacks(execute=True):
            calendar_day_save(
                day=CalendarDay(
                    date=dt.date(2026, 3, 5),
                    kind="day_off",
                    name="Nghỉ thử nghiệm",
                    legal_basis="QĐ thử nghiệm",
                ),
                actor=None,
            )
        for dossier in [*dossiers, paused]:
            dossier.refresh_from_db()
            events = list(dossier.events.order_by("seq"))
            assert events[-1].type == EventType.DUE_RECOMPUTED
            result = current_due(dossier, events)
            assert result is not None
            assert result.due_at == dossier.due_at
            assert not history_problems(dossier, events)
        assert ProcedureVersion.objects.exists()

    def test_workers_share_it_by_key_range_and_the_last_marks_it_done(
        self, desk, receive, settings
    ):
        """With workers, the change is split into key ranges, one task each; together they move
        what one run moves, and the change is marked recomputed when the last range is done."""
        from django_tasks.backends.dummy import DummyBackend

        from motcua.calendars.services import calendar_day_save
        from motcua.dossiers.recompute import recompute_slices
        from motcua.dossiers.tasks import recompute_due_dates, recompute_due_slice

        dossiers = [receive("1.004222", at(2026, 3, 2, 8 + hour)) for hour in range(7)]
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        settings.MOTCUA_RECOMPUTE_SLICES = 3
        calendar_day_save(
            day=CalendarDay(
                date=dt.date(2026, 3, 5), kind="day_off", name="Nghỉ thử", legal_basis="QĐ thử"
            ),
            actor=None,
        )
        change = CalendarChange.objects.latest("at")
        slices = recompute_slices(change, 3)
        keys = sorted(dossier.pk for dossier in dossiers)
        assert slices[0][0] == keys[0]
        assert slices[-1][1] == keys[-1]
        assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(slices))
        backend = recompute_due_dates.get_backend()
        assert isinstance(backend, DummyBackend)
        backend.clear()
        assert recompute_due_dates.call(change.pk) == 0
        queued = [result.args for result in backend.results]
        assert queued == [[change.pk, first, last] for first, last in slices]
        change.refresh_from_db()
        assert change.slices_pending == 3
        assert change.recomputed_at is None
        moved = 0
        for args in queued:
            change.refresh_from_db()
            assert change.recomputed_at is None
            moved += recompute_due_slice.call(*args)
        change.refresh_from_db()
        assert (moved, change.slices_pending) == (7, 0)
        assert change.recomputed_at
        for dossier in dossiers:
            assert dossier.events.filter(type=EventType.DUE_RECOMPUTED).count() == 1

    def test_no_dossier_no_slice(self, desk):
        from motcua.dossiers.recompute import recompute_slices

        change = CalendarChange.objects.create(
            action="add", summary="x", changed_dates=["2031-01-02"]
        )
        assert recompute_slices(change, 4) == []


# Drawing texts is slow on a loaded CI machine: the speed of generation is not under test.
@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(st.characters(blacklist_characters="\ue000"), max_size=60),
    code=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-", min_size=1, max_size=30),
    email=st.sampled_from(["", "an@example.vn"]),
    phone=st.sampled_from(["", "0912345678"]),
)
def test_bulk_wording_is_the_services_wording(name, code, email, phone):
    """A bulk recomputation builds the applicant's words once per procedure and date and puts
    each code in: the messages are those the per-dossier path sends, character for character."""
    from motcua.notifications.services import DueChangedWording, _addressed, _due_changed_text

    data: dict[str, object] = {"due_at": "2026-12-02T17:00:00+07:00"}
    expected = _addressed(email, phone, *_due_changed_text(code, name, data, None))
    assert DueChangedWording(name, data).messages(code, email, phone) == expected


class TestFeesSetByTheProvince:
    """Decision 11, issue 7 item 8: a fee the provincial People's Council sets is "not yet
    configured" until the province records it, never 0 đồng, on the page, the API and the PDF."""

    @pytest.fixture
    def procedure(self, desk):
        data = record("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "3", "working_day")
        data["fees"] = [
            {
                "kind": "charge",
                "name": "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân",
                "pricing": "province",
                "unit": "bản",
                "legal_basis": "Nghị quyết của HĐND tỉnh",
            },
            {"kind": "fee", "name": "Phí khai thác", "pricing": "exempt", "legal_basis": "x"},
        ]
        catalog_import(fields=[], records=[({"index": 1}, data)])
        return desk

    def test_nowhere_0_dong(self, procedure, client):
        from motcua.apiclients.services import api_token_create
        from motcua.documents.services import render_dossier_form
        from motcua.documents.tests.test_forms import read_pdf

        dossier = receive(procedure, "1.004873", at(2026, 3, 2, 9))
        assert [(f["status"], f["amount"]) for f in dossier.fees] == [
            ("unconfigured", None),
            ("exempt", "0"),
        ]
        client.force_login(procedure.reception)
        page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert "Chưa cấu hình theo nghị quyết HĐND tỉnh" in page
        assert "0 đồng" not in page
        _, secret = api_token_create(scope="act", user=procedure.reception, name="Ứng dụng thử")
        body = client.get(
            f"/api/dossiers/{dossier.code}", headers={"Authorization": f"Bearer {secret}"}
        ).json()
        assert [(f["amount"], f["amount_text"]) for f in body["fees"]] == [
            (None, "Chưa cấu hình theo nghị quyết HĐND tỉnh"),
            ("0", "Miễn"),
        ]
        text = read_pdf(render_dossier_form(form="01", dossier=dossier, now=at(2026, 3, 2, 9)))
        assert "Chưa cấu hình theo nghị quyết HĐND tỉnh" in text.flat
        assert "0 đồng" not in text.flat


class TestDossiersReceivedBeforeThisRelease:
    """A dossier received under the counting rules before 12/2026 (no limit recorded on its
    receipt, no stored clock) keeps the due date it was told; the 24/11 recomputation moves it
    only by the day the calendar changed (never earlier)."""

    @pytest.fixture
    def legacy_receive(self, desk, monkeypatch):
        from motcua.calendars.selectors import schedule_for
        from motcua.dossiers import services
        from motcua.dossiers.deadlines import _legacy_start, due_for, limit_of

        prepare = services.prepare_event

        def old_prepare(dossier, **fields):
            if fields.get("type") == EventType.RECEIVED:
                fields["data"] = {k: v for k, v in fields["data"].items() if k != "limit"}
            return prepare(dossier, **fields)

        def old_due_for(dossier, *, start, limit=None, **kwargs):
            version = dossier.procedure_version
            schedule = schedule_for(unit=dossier.receiving_unit).with_cutoff(
                version.same_day_cutoff
            )
            return due_for(
                dossier, start=_legacy_start(start, limit_of(version), schedule), **kwargs
            )

        def make(code, when):
            with monkeypatch.context() as patch:
                patch.setattr(services, "prepare_event", old_prepare)
                patch.setattr(services, "due_for", old_due_for)
                dossier = dossier_receive(
                    intake=intake_for(desk, code), actor=desk.reception, at=when
                )
            Dossier.objects.filter(pk=dossier.pk).update(clock={})
            dossier.refresh_from_db()
            return dossier

        return make

    def test_the_24_11_recomputation_keeps_their_rules(
        self, desk, legacy_receive, django_capture_on_commit_callbacks
    ):
        day = dt.date(2026, 11, 24)
        CalendarDay.objects.filter(date=day, province__isnull=True).update(
            status=CalendarDay.Status.ANNOUNCED
        )
        CalendarChange.objects.filter(changed_dates=["2026-11-24"]).delete()
        # Same-day, received at 15:00 sharp: the old rule said the next day (24/11).
        same_day = legacy_receive("1.001193", at(2026, 11, 23, 15))
        assert same_day.due_date == day
        # 7 working days, received on Saturday: the old rule counted from Monday's opening.
        weekend = legacy_receive("1.004222", at(2026, 11, 21, 9))
        assert weekend.due_date == dt.date(2026, 12, 2)
        assert not history_problems(same_day, list(same_day.events.order_by("seq")))

        migration = importlib.import_module("motcua.calendars.migrations.0004_holiday_24_11_2026")
        migration.confirm(django_apps, None)
        with django_capture_on_commit_callbacks(execute=True):
            recompute_pending()

        same_day.refresh_from_db()
        weekend.refresh_from_db()
        assert same_day.due_date == dt.date(2026, 11, 25)  # later by the holiday, never earlier
        assert weekend.due_date == dt.date(2026, 12, 3)
        for dossier in (same_day, weekend):
            events = list(dossier.events.order_by("seq"))
            assert events[-1].type == EventType.DUE_RECOMPUTED
            assert not history_problems(dossier, events)
