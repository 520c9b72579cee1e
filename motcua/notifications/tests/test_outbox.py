"""Messages to applicants go through the outbox: written with the transition, then delivered."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Outcome
from motcua.dossiers.services import Applicant, dossier_resolve
from motcua.notifications.models import Notification
from motcua.notifications.services import deliver_pending
from motcua.notifications.sms import SmsError

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
            applicant=__import__("motcua.dossiers.services", fromlist=["Applicant"]).Applicant(
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
