"""The outbox: every message to an applicant is a row first, delivered afterwards.

A message is written in the same transaction as the transition that causes it, so nothing is
sent for a change that did not happen and nothing is lost if delivery fails; a worker delivers
and retries.
"""

from __future__ import annotations

from django.db import models


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Thư điện tử"
        SMS = "sms", "Tin nhắn SMS"

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Tiếp nhận hồ sơ"
        SUPPLEMENT = "supplement", "Yêu cầu bổ sung"
        APOLOGY = "apology", "Xin lỗi, hẹn lại"
        RESULT_READY = "result_ready", "Có kết quả"
        REFUSED = "refused", "Từ chối tiếp nhận"
        DUE_CHANGED = "due_changed", "Điều chỉnh ngày hẹn trả"

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"

    # Indexed by the (dossier, event_seq, channel) constraint below.
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="notifications", db_index=False
    )
    event_seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by the worker that is sending the message; others leave it alone until then (a worker
    # that died mid-send lets it go when the time passes).
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        # A plain index: the one db_index adds on PostgreSQL brings a LIKE twin nobody uses.
        indexes = [models.Index(fields=["status"], name="notification_status")]
        constraints = [
            # One message per event and channel: a retried task never duplicates it.
            models.UniqueConstraint(
                fields=["dossier", "event_seq", "channel"],
                name="notification_once_per_event_channel",
            ),
        ]

    def __str__(self) -> str:
        kind, channel = self.get_kind_display(), self.get_channel_display()
        return f"{kind} → {channel} ({self.get_status_display()})"
