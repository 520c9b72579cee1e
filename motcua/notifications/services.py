"""Messages to applicants: written to the outbox with the transition, delivered by a task.

Receipt, supplement request, apology and result (ND 61/2018 Điều 17, 19 khoản 9, 20: the
applicant is told by e-mail, SMS or phone; ND 224/2026 Điều 15: every status change, at once).
Messages never carry the citizen ID number.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from motcua.core import clock
from motcua.core.db import insert
from motcua.core.text import unaccent
from motcua.dossiers.models import Delivery, Dossier, DossierEvent, Outcome
from motcua.dossiers.projection import EventType
from motcua.notifications.models import Notification
from motcua.notifications.sms import SmsError, sms_backend

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
CLAIM_TIME = dt.timedelta(minutes=10)  # far longer than one e-mail or SMS takes
_DELIVERY_TEXT: dict[str, str] = {
    Delivery.COUNTER: "tại Bộ phận Một cửa",
    Delivery.POST: "qua dịch vụ bưu chính",
    Delivery.ELECTRONIC: "bản điện tử trên Cổng dịch vụ công",
}


def _when(value: dt.datetime | str | None) -> str:
    if not value:
        return ""
    instant = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{clock.local(instant):%H:%M ngày %d/%m/%Y}"


def _message(dossier: Dossier, event: DossierEvent) -> tuple[str, str, str] | None:
    """(kind, subject, body) for the events the applicant is told about."""
    unit = dossier.unit_snapshot.get("receiving", {}).get("name", str(dossier.receiving_unit))
    name = dossier.procedure_version.name
    if event.type == EventType.RECEIVED:
        return (
            Notification.Kind.RECEIPT,
            f"Hồ sơ {dossier.code} đã được tiếp nhận",
            f"Hồ sơ {dossier.code} ({name}) đã được {unit} tiếp nhận lúc {_when(event.at)}. "
            f"Hẹn trả kết quả: {_when(dossier.due_at)}. Tra cứu bằng mã hồ sơ {dossier.code}.",
        )
    if event.type == EventType.SUPPLEMENT_REQUESTED:
        papers = "; ".join(event.data.get("missing", []))
        return (
            Notification.Kind.SUPPLEMENT,
            f"Hồ sơ {dossier.code} cần bổ sung",
            f"Hồ sơ {dossier.code} ({name}) cần bổ sung: {papers}. Lý do: {event.reason}. "
            f"Xin liên hệ {unit} để được hướng dẫn.",
        )
    if event.type == EventType.APOLOGY_ISSUED:
        return (
            Notification.Kind.APOLOGY,
            f"Hồ sơ {dossier.code}: xin lỗi và hẹn lại ngày trả kết quả",
            f"Hồ sơ {dossier.code} ({name}) chưa có kết quả đúng hẹn {_when(dossier.due_at)}. "
            f"{unit} xin lỗi ông/bà và hẹn trả kết quả {_when(event.data.get('new_due_at'))}. "
            f"Lý do: {event.reason}.",
        )
    if event.type in (EventType.DUE_RECOMPUTED, EventType.LIMIT_CASE_CHANGED):
        return (
            Notification.Kind.DUE_CHANGED,
            *_due_changed_text(dossier.code or "", name, event.data, _why(event)),
        )
    if event.type == EventType.RESOLVED:
        if event.data.get("outcome") == Outcome.REFUSED:
            body = (
                f"Hồ sơ {dossier.code} ({name}) không được giải quyết. Lý do: {event.reason}. "
                f"Mời ông/bà nhận văn bản trả lời {_DELIVERY_TEXT[dossier.delivery]}."
            )
        else:
            body = (
                f"Hồ sơ {dossier.code} ({name}) đã có kết quả. Mời ông/bà nhận kết quả "
                f"{_DELIVERY_TEXT[dossier.delivery]}."
            )
        return Notification.Kind.RESULT_READY, f"Hồ sơ {dossier.code} đã có kết quả", body
    if (
        event.type == EventType.REFUSED_AT_INTAKE
        and dossier.applicant_email + dossier.applicant_phone
    ):
        return (
            Notification.Kind.REFUSED,
            "Hồ sơ không được tiếp nhận",
            f"Hồ sơ {name} nộp tại {unit} không được tiếp nhận. Lý do: {event.reason}.",
        )
    return None


def _why(event: DossierEvent) -> str | None:
    if event.type == EventType.LIMIT_CASE_CHANGED:
        limit = event.data.get("limit", {})
        return f"do áp dụng thời hạn {limit.get('text', '')} ({limit.get('label', '')})"
    return None


def _due_changed_text(
    code: str, procedure_name: str, data: dict[str, object], why: str | None
) -> tuple[str, str]:
    """The appointment on the receipt moved: the applicant is told the new date at once (ND
    224/2026 Điều 15: every status change), with the reason."""
    due_at = data.get("due_at")
    return (
        f"Hồ sơ {code}: điều chỉnh ngày hẹn trả kết quả",
        f"Hồ sơ {code} ({procedure_name}) có ngày hẹn trả kết quả mới: "
        f"{_when(due_at if isinstance(due_at, str) else None)}, "
        f"{why or 'do lịch nghỉ, làm việc thay đổi'}. Tra cứu bằng mã hồ sơ {code}.",
    )


_CODE = "\ue000"  # a private-use character: in no procedure name, kept as is by unaccent


class DueChangedWording:
    """The messages of a due-date change, word for word those of ``notify_for_event``, for the
    many dossiers of a bulk recomputation that share a procedure and a new due date: the words are
    built and stripped of diacritics once, and only each dossier's code is put in (a code is
    ASCII)."""

    def __init__(self, procedure_name: str, event_data: dict[str, object]) -> None:
        self.subject, self.body = _due_changed_text(_CODE, procedure_name, event_data, None)
        self.sms = unaccent(self.body)

    def messages(self, code: str, email: str, phone: str) -> list[tuple[str, str, str, str]]:
        messages: list[tuple[str, str, str, str]] = []
        if email:
            subject, body = self.subject.replace(_CODE, code), self.body.replace(_CODE, code)
            messages.append((Notification.Channel.EMAIL, email, subject, body))
        if phone:
            messages.append((Notification.Channel.SMS, phone, "", self.sms.replace(_CODE, code)))
        return messages


def _addressed(email: str, phone: str, subject: str, body: str) -> list[tuple[str, str, str, str]]:
    """(channel, recipient, subject, body) for each way the applicant left: an e-mail as
    written, an SMS without subject and without diacritics."""
    messages: list[tuple[str, str, str, str]] = []
    if email:
        messages.append((Notification.Channel.EMAIL, email, subject, body))
    if phone:
        messages.append((Notification.Channel.SMS, phone, "", unaccent(body)))
    return messages


def schedule_delivery() -> None:
    """Have the outbox sent soon (rows written in bulk, whose ids nobody kept): a drain."""
    from motcua.notifications.tasks import drain_outbox

    if drain_outbox.get_backend().supports_defer:
        schedule_drain()
    else:
        drain_outbox.enqueue()


def notify_for_event(dossier: Dossier, event: DossierEvent) -> list[Notification]:
    """Put the applicant's messages about ``event`` in the outbox (same transaction)."""
    message = _message(dossier, event)
    if message is None:
        return []
    kind, subject, body = message
    rows = [
        Notification(
            dossier=dossier,
            event_seq=event.seq,
            kind=kind,
            channel=channel,
            recipient=recipient,
            subject=text_subject,
            body=text,
        )
        for channel, recipient, text_subject, text in _addressed(
            dossier.applicant_email, dossier.applicant_phone, subject, body
        )
    ]
    insert(rows)
    if rows:
        _enqueue_delivery([row.pk for row in rows])
    return rows


# With a queue that can wait (the database backend), each process schedules one drain of the
# whole outbox a moment ahead and lets the messages committed meanwhile ride on it: one task row
# per process and second instead of one per transition, and SMS sent in batches. A message is
# covered only if it committed before the drain starts; the skew margin keeps that true while the
# workers' clocks are within a second of the app servers' (NTP keeps them far closer). Anything
# missed still waits in the outbox for the next drain or `motcua notifications deliver`.
DRAIN_DELAY = dt.timedelta(seconds=2)
DRAIN_SKEW = dt.timedelta(seconds=1)
_drain_lock = threading.Lock()
_drain_at: dt.datetime | None = None


def _enqueue_delivery(ids: list[int]) -> None:
    """Have ``ids`` sent once their transaction commits."""
    from motcua.notifications.tasks import deliver_notifications

    # robust: the transition has committed; a queue or gateway failing now must not turn the
    # officer's answer into an error (the messages wait in the outbox for the next drain or cron).
    if deliver_notifications.get_backend().supports_defer:
        transaction.on_commit(schedule_drain, robust=True)
    else:  # sends at once (the embedded set-up): only what this transaction wrote
        transaction.on_commit(lambda: deliver_notifications.enqueue(ids), robust=True)


def schedule_drain() -> None:
    """Queue a drain of the outbox unless one queued by this process has not started yet."""
    global _drain_at
    from motcua.notifications.tasks import drain_outbox

    with _drain_lock:
        now = timezone.now()
        if _drain_at is not None and now < _drain_at - DRAIN_SKEW:
            return
        run_at = now + DRAIN_DELAY
        drain_outbox.using(run_after=run_at).enqueue()
        _drain_at = run_at  # only once queued: a failed enqueue is tried again next time


def _claim(notification: Notification, *, now: dt.datetime) -> bool:
    """Take the message for this worker, or False if it is sent or another worker has it.

    One conditional UPDATE, atomic on SQLite and PostgreSQL alike: two workers handed the same
    ids (a task retried, ``deliver_pending`` run beside the queue) never both send it.
    """
    claimed = Notification.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=notification.pk,
        status__in=[Notification.Status.PENDING, Notification.Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(claimed_until=now + CLAIM_TIME, attempts=F("attempts") + 1)
    if claimed:
        notification.attempts += 1
    return bool(claimed)


def deliver(notifications: Iterable[Notification]) -> tuple[int, int]:
    """Send each message; a failure is recorded and retried later, never lost. (sent, failed)"""
    sent = failed = 0
    for notification in notifications:
        if not _claim(notification, now=timezone.now()):
            continue
        try:
            if notification.channel == Notification.Channel.EMAIL:
                send_mail(
                    notification.subject,
                    notification.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [notification.recipient],
                )
            else:
                sms_backend().send(
                    to=notification.recipient,
                    text=notification.body,
                    reference=f"motcua-{notification.pk}",
                )
        except (OSError, SmsError) as exc:
            notification.status = Notification.Status.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            failed += 1
            # The recipient and the body are personal data: the log names the row only.
            logger.warning(
                "notification %s failed (attempt %s)", notification.pk, notification.attempts
            )
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            sent += 1
        notification.claimed_until = None
        notification.save(update_fields=["status", "last_error", "sent_at", "claimed_until"])
    return sent, failed


def waiting_messages(*, retry_failed: bool = True) -> QuerySet[Notification]:
    """Messages not yet sent nor being sent by a worker, oldest first; failures too unless
    ``retry_failed`` is False."""
    statuses = [Notification.Status.PENDING]
    if retry_failed:
        statuses.append(Notification.Status.FAILED)
    return Notification.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()),
        status__in=statuses,
        attempts__lt=MAX_ATTEMPTS,
    ).order_by("pk")


def deliver_pending(*, limit: int = 1000) -> tuple[int, int]:
    """Deliver what is waiting (at most ``limit``), and retry failures a few times."""
    return deliver(list(waiting_messages()[:limit]))
