"""Announcements other apps may listen to (the dossiers app knows nothing of them)."""

from django.dispatch import Signal

# Sent after the transaction that appended an event through a transition service commits;
# arguments: dossier_id, event_type, event_seq. (Bulk writers, which append thousands of events
# at once, do not send it.)
event_recorded = Signal()
