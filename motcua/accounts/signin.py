"""Sign-in policy: the client's address and the lockout page for django-axes, and the second
factor (django-otp's TOTP) that officers holding a required role must use (README, "Sign-in")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from motcua.accounts.models import ADMIN_ROLES, User
from motcua.accounts.selectors import memberships_active

# Pages a signed-in officer reaches before giving the second factor.
_OPEN_URL_NAMES = ("login", "logout", "set_language", "otp-verify", "otp-enrol")


def client_ip(request: HttpRequest) -> str | None:
    """The address failed sign-ins are counted against (``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR``, unless ``MOTCUA_TRUSTED_PROXIES`` reverse proxies stand in front of the app:
    each appends the address it was reached from to ``X-Forwarded-For``, so the client is the entry
    the outermost one wrote, ``N`` from the right. Entries further left come from the client and
    are ignored (anyone can send them).
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.MOTCUA_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, saying that sign-in is locked and for how long (HTTP 429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "motcua/login.html",
        {"form": form, "locked_out": True, "cooloff_minutes": minutes, "next": _next(request)},
        status=429,
    )


def second_factor_required(user: User) -> bool:
    """Whether the officer must sign in with a second factor: they hold, today, a role listed in
    ``MOTCUA_REQUIRE_2FA_ROLES`` (a superuser counts as an administrator)."""
    required = set(settings.MOTCUA_REQUIRE_2FA_ROLES)
    if not required:
        return False
    if user.is_superuser and required & {role.value for role in ADMIN_ROLES}:
        return True
    return memberships_active(user=user).filter(role__in=required).exists()


class SecondFactorMiddleware:
    """After the password, before any other page: an officer with a confirmed TOTP device gives a
    code (``otp-verify``); an officer who must have one and has none enrols (``otp-enrol``).

    Runs after django-otp's OTPMiddleware, which tells whether this session gave a code. API
    requests authenticate by token, not by session, and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            and not self._open(request)
        ):
            if user_has_device(user, confirmed=True):
                return self._to("otp-verify", request)
            if second_factor_required(user):
                return self._to("otp-enrol", request)
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        return request.path in {reverse(name) for name in _OPEN_URL_NAMES}

    @staticmethod
    def _to(name: str, request: HttpRequest) -> HttpResponse:
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(name) + (f"?{query}" if query else ""))


def _next(request: HttpRequest) -> str:
    return str(request.POST.get("next") or request.GET.get("next") or "")
