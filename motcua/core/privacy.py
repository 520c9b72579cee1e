"""Personal data at rest and in caches (issue 10 item 6).

The data directory holds the SQLite database, the outbox of e-mails and SMS and the uploaded
files: citizens' names, ID numbers and addresses. It is created readable by its owner only, and
so is the SQLite file; an existing directory left open to others is closed at start. Responses
to a signed-in officer or an API token are marked ``private, no-store`` so that no shared proxy or
browser cache on a counter PC keeps them.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

OWNER_ONLY_DIRECTORY = 0o700
OWNER_ONLY_FILE = 0o600


def private_directory(path: Path) -> Path:
    """``path`` as a directory that only its owner can enter (created if missing)."""
    path.mkdir(mode=OWNER_ONLY_DIRECTORY, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(OWNER_ONLY_DIRECTORY)
    return path


def private_file(path: Path) -> None:
    """Make an existing file readable and writable by its owner only."""
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(OWNER_ONLY_FILE)


def close_sqlite_file(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On a new SQLite connection, its database file is the owner's alone (the file is created
    with the process's umask, usually readable by all)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if name and name != ":memory:" and not name.startswith("file:"):
        private_file(Path(name))


class PrivateResponsesMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user or an API token:
    officers' pages, PDFs and API answers carry personal data. Public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A session cookie or a token is enough to tell: asking whether the user is signed in
        # would read the session of every request, for pages that never needed it.
        if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, no_store=True)
        return response
