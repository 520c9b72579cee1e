"""Bearer-token authentication for the JSON API: ``Authorization: Bearer mc_<prefix>_<secret>``.

``request.auth`` becomes the officer the token belongs to, so every service sees exactly that
officer's roles and scope. Every refusal is a 401 ``{"code": "unauthorized", "detail": ...}``
through the API's DomainError handler (config/api.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from motcua.accounts.models import User
from motcua.apiclients.services import Unauthorized, api_token_use
from motcua.core import clock
from motcua.core.acting import set_acting_client


class ApiTokenAuth(HttpBearer):
    # Whether this operation only reads even when it is a POST (a search sends its terms in the
    # body so that ID numbers stay out of URLs): a read-only token may then use it.
    reads_only = False

    def __call__(self, request: HttpRequest) -> User:
        # ninja's HttpBearer returns None for a missing or foreign header, which ends in its own
        # {"detail": "Unauthorized"}; ours names the problem and keeps the stable error shape.
        header = request.headers.get(self.header, "")
        if not header.strip():
            raise Unauthorized(
                "Thiếu khóa API: gửi tiêu đề Authorization: Bearer <khóa API>.",
            )
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise Unauthorized("Tiêu đề Authorization phải có dạng: Bearer <khóa API>.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        used = api_token_use(
            raw=token,
            at=clock.now(),
            writes=not self.reads_only and request.method not in ("GET", "HEAD", "OPTIONS"),
        )
        # The events this request causes name the application besides the officer.
        set_acting_client(name=used.name, token=used.prefix)
        return used.user


class ApiTokenReadAuth(ApiTokenAuth):
    """For a POST that only reads (the dossier search)."""

    reads_only = True


def api_actor(request: HttpRequest) -> User:
    """The officer the request's token acts as (set by ApiTokenAuth)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise Unauthorized("Cần khóa API.")
    return user
