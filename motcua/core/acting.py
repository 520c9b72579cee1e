"""Which client application a request acts through, for the record of what it changes.

An API token acts as an officer (apiclients); the events it causes name the officer as actor and
the application under ``data["client"]``, so an inspector can tell a counter officer's click from
an integration's call (the style guide's audit rule: an event names the officer or the client).
The value lives for one request only (core.middleware.ActingClientMiddleware clears it).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_acting_client: ContextVar[dict[str, Any] | None] = ContextVar("acting_client", default=None)


def set_acting_client(*, name: str, token: str) -> None:
    _acting_client.set({"name": name, "token": token})


def acting_client() -> dict[str, Any] | None:
    """The application the current request acts through, or None (a page, a command, a task)."""
    client = _acting_client.get()
    return dict(client) if client is not None else None


def clear_acting_client() -> None:
    _acting_client.set(None)
