"""Messages to applicants go through the outbox: written with the transition, then delivered."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Outcome
from motcua.dossiers.services import Applicant, dossier_resolve
from motcua.notifications import services
from motcua.notifications.models import Notification
from motcua.notifications.services import deliver, deliver_pending
from motcua.notifications.sms import SmsError
from motcua.notifications.tasks import drain_outbox

pytestmark = pytest.mark.django_db


def sms_lines(settings) -> list[dict]:
    files = sorted((settings.DATA_DIR / "outbox" / "sms").glob("*.jsonl"))
    return [json.loads(line) for path in files for line in path.read_text().splitlines()]


def test_a_receipt_is_mailed_and_texted_once_committed(
    desk, receive, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive(
            "1.004222",
            at(2026, 3, 2, 9),
            applicant=Applicant(
                name="Trần Thị Bình",
                id_number="001099012345",
                phone="0912345678",
                email="binh@example.invalid",
            ),
        )
    rows = list(Notification.objects.order_by("channel"))
    assert [(n.kind, n.channel, n.status) for n in rows] == [
        ("receipt", "email", "sent"),
        ("receipt", "sms", "sent"),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "Hẹn trả kết quả: 17:00 ngày 11/03/2026" in mail.outbox[0].body
    [sms] = sms_lines(settings)
    assert sms["to"] == "0912345678"
    assert sms["text"].startswith(f"Ho so {dossier.code} (Dang ky thuong tru) da duoc")
    for row in rows:
        assert "001099012345" not in row.body  # the citizen ID never travels in a message


def test_a_failed_delivery_is_kept_and_retried(
    desk, receive, monkeypatch, settings, django_capture_on_commit_callbacks
):
    def broken(self, **kwargs):
        raise SmsError("gateway down")

    monkeypatch.setattr("motcua.notifications.sms.FileSmsBackend.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        receive("1.004222", at(2026, 3, 2, 9))
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("failed", 1)
    assert "gateway down" in sms.last_error
    monkeypatch.undo()
    assert deliver_pending() == (1, 0)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 2)
    assert len(sms_lines(settings)) == 1


def test_the_result_and_a_refusal_reason_are_told(desk, receive):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    dossier_resolve(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        outcome=Outcome.REFUSED,
        reason="Không đủ điều kiện đăng ký thường trú",
        at=at(2026, 3, 3, 9),
    )
    result = Notification.objects.get(kind="result_ready", channel="sms")
    assert "khong duoc giai quyet" in result.body
    assert "Ly do: Khong du dieu kien dang ky thuong tru" in result.body


def test_no_contact_no_message(desk, receive):
    receive("1.004222", at(2026, 3, 2, 9), applicant=Applicant(name="Không liên lạc"))
    assert not Notification.objects.exists()


def test_a_message_is_sent_once_when_two_workers_are_given_it(desk, receive, settings):
    # on_commit is not run: the messages wait.
    receive(
        "1.004222",
        at(2026, 3, 2, 9),
        applicant=Applicant(name="Nguyễn Văn An", phone="0912345678", email="an@example.vn"),
    )
    waiting = list(Notification.objects.order_by("pk"))
    assert len(waiting) == 2
    # Two workers read the same pending rows; the first to claim each one sends it.
    stale_copies = [Notification.objects.get(pk=row.pk) for row in waiting]
    assert deliver(waiting) == (2, 0)
    assert deliver(stale_copies) == (0, 0)
    assert deliver_pending() == (0, 0)
    assert len(sms_lines(settings)) == 1
    assert len(mail.outbox) == 1
    assert [row.attempts for row in Notification.objects.order_by("pk")] == [1, 1]


def test_a_claim_held_by_a_worker_is_respected_until_it_lapses(desk, receive, settings):
    receive("1.004222", at(2026, 3, 2, 9))
    sms = Notification.objects.get(channel="sms")
    now = timezone.now()
    Notification.objects.filter(pk=sms.pk).update(claimed_until=now + dt.timedelta(minutes=5))
    assert deliver([sms]) == (0, 0)  # another worker is sending it
    Notification.objects.filter(pk=sms.pk).update(claimed_until=now - dt.timedelta(seconds=1))
    assert deliver([sms]) == (1, 0)  # that worker died: the claim lapsed
    sms.refresh_from_db()
    assert (sms.status, sms.claimed_until) == ("sent", None)


@pytest.fixture
def waiting_queue(settings, monkeypatch):
    """The production set-up: tasks wait in the database for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(services, "_drain_at", None)


def queued_tasks() -> list:
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.order_by("enqueued_at"))


def test_with_a_waiting_queue_one_drain_carries_many_transitions(
    desk, receive, settings, waiting_queue, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        codes = [receive("1.004222", at(2026, 3, 2, 9 + hour)).code for hour in range(3)]
    [task] = queued_tasks()  # one drain for the three receipts, not three tasks
    assert task.task_path == "motcua.notifications.tasks.drain_outbox"
    assert task.run_after >= before + services.DRAIN_DELAY
    assert Notification.objects.filter(status="pending").count() == 3
    assert not sms_lines(settings)  # nothing is sent inside the counter's request
    assert drain_outbox.call() == 3
    assert sorted(line["text"].split()[2] for line in sms_lines(settings)) == sorted(codes)

    # Once the scheduled drain may have started, the next message schedules another.
    services._drain_at = timezone.now() + services.DRAIN_SKEW - dt.timedelta(milliseconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        receive("1.004222", at(2026, 3, 3, 9))
    assert len(queued_tasks()) == 2


def test_a_drain_leaves_failures_to_the_spaced_retries(
    desk, receive, settings, monkeypatch, waiting_queue, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        "motcua.notifications.sms.FileSmsBackend.send",
        lambda self, **kwargs: (_ for _ in ()).throw(SmsError("gateway down")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        receive("1.004222", at(2026, 3, 2, 9))
    assert drain_outbox.call() == 0
    assert drain_outbox.call() == 0  # a second drain does not retry it at once
    sms = Notification.objects.get()
    assert (sms.status, sms.attempts) == ("failed", 1)
    monkeypatch.undo()
    assert deliver_pending() == (1, 0)  # `motcua notifications deliver`, from cron


def test_a_drain_goes_past_messages_another_worker_is_sending(
    desk, receive, settings, monkeypatch, waiting_queue
):
    from motcua.notifications import tasks

    monkeypatch.setattr(tasks, "DRAIN_BATCH", 2)
    for hour in range(5):
        receive("1.004222", at(2026, 3, 2, 8 + hour))
    first, second = Notification.objects.order_by("pk")[:2]
    # Another worker holds the two oldest: a drain sends the three others, in two rounds.
    Notification.objects.filter(pk__in=[first.pk, second.pk]).update(
        claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert drain_outbox.call() == 3
    assert Notification.objects.filter(status="pending").count() == 2


def test_a_failing_queue_does_not_fail_the_committed_transition(
    desk, receive, settings, monkeypatch, waiting_queue, django_capture_on_commit_callbacks
):
    def broken(self, *args, **kwargs):
        raise OSError("queue unreachable")

    monkeypatch.setattr("django_tasks_db.DatabaseBackend.enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive("1.004222", at(2026, 3, 2, 9))
    assert dossier.pk
    assert Notification.objects.filter(status="pending").count() == 1
    assert services._drain_at is None  # not marked as queued: the next commit tries again
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        receive("1.004222", at(2026, 3, 2, 10))
    assert len(queued_tasks()) == 1
