"""Announcements other apps may listen to (the calendar knows nothing of dossiers)."""

from django.dispatch import Signal

# Sent after the transaction that recorded a CalendarChange commits; argument: change.
calendar_changed = Signal()
