"""The second sign-in step and TOTP enrolment (django-otp). Reached by a signed-in officer
before any other page when SecondFactorMiddleware sends them (accounts/signin.py)."""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.signin import second_factor_required


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Mã xác thực (6 chữ số)"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_otp_token(self) -> str:
        token = "".join(self.cleaned_data["otp_token"].split())
        if not token.isascii() or not token.isdigit():
            raise forms.ValidationError(_("Mã xác thực chỉ gồm chữ số."))
        return token


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required runs first
    return user


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The code from the officer's authenticator app, after the password."""
    user = _user(request)
    if not user_has_device(user, confirmed=True):
        return HttpResponseRedirect(_next(request))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        # Wrong, or refused while django-otp's TOTP throttling makes the officer wait.
        error = _("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trên ứng dụng.")
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "error": error, "next": _next(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: the secret as text and as an otpauth:// address (no QR service,
    nothing leaves the server), confirmed by a first code."""
    user = _user(request)
    if user_has_device(user, confirmed=True):
        return render(request, "accounts/otp_enrolled.html", {"next": _next(request)})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="motcua", confirmed=False)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        error = _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại rồi nhập mã mới.")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "error": error,
            "next": _next(request),
            "required": second_factor_required(user),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "config_url": device.config_url,
        },
    )
