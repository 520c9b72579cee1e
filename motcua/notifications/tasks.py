"""Delivery of the outbox in the background."""

from __future__ import annotations

from django_tasks import task

from motcua.notifications.models import Notification
from motcua.notifications.services import deliver, waiting_messages


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send the given messages (enqueued when their transition commits); returns how many went."""
    sent, _ = deliver(Notification.objects.filter(pk__in=ids).order_by("pk"))
    return sent


DRAIN_BATCH = 500
DRAIN_ROUNDS = 20  # a drain stops after 10,000 messages; the next drain takes the rest


@task()
def drain_outbox() -> int:
    """Send the new messages of the outbox (scheduled by notifications.services.schedule_drain);
    returns how many went. Failures are left for `motcua notifications deliver`, which retries
    them spaced out, instead of burning their attempts here in a tight loop during an outage."""
    total = 0
    for _ in range(DRAIN_ROUNDS):
        batch = list(waiting_messages(retry_failed=False)[:DRAIN_BATCH])
        sent, _failed = deliver(batch)
        total += sent
        # Rows another worker claimed count as neither sent nor failed: stop on what was read.
        if len(batch) < DRAIN_BATCH:
            break
    return total
