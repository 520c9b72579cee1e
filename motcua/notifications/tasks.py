"""Delivery of the outbox in the background."""

from __future__ import annotations

from django_tasks import task

from motcua.notifications.models import Notification
from motcua.notifications.services import deliver


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send the given messages (enqueued when their transition commits); returns how many went."""
    sent, _ = deliver(Notification.objects.filter(pk__in=ids).order_by("pk"))
    return sent
