"""Sign-in: lockout per account and per address (django-axes), idle sessions, the TOTP second
factor (django-otp) and the roles that must use it."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Role
from motcua.accounts.signin import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-nghiem"  # make_officer's
WRONG = "doan-mo-Bi-Mat-7431"
LOGIN = "/dang-nhap/"
LOCKED_VI = "Đăng nhập tạm bị khóa vì nhập sai mật khẩu quá nhiều lần"


def sign_in(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def specialist(commune, make_officer):
    return make_officer(commune, Role.SPECIALIST, "chuyenvien")


@pytest.fixture
def leader(commune, make_officer):
    return make_officer(commune, Role.LEADER, "lanhdao")


# ---------------------------------------------------------------------------------------------
# Throttling
# ---------------------------------------------------------------------------------------------


def test_an_account_is_locked_after_five_failures_from_any_addresses(client, specialist):
    for n in range(4):
        response = sign_in(client, "chuyenvien", WRONG, address=f"198.51.100.{n}")
        assert response.status_code == 200
        assert LOCKED_VI not in response.content.decode()
    # The fifth failure locks the account, and says so.
    response = sign_in(client, "chuyenvien", WRONG, address="198.51.100.4")
    assert response.status_code == 429
    assert LOCKED_VI in response.content.decode()
    # The right password, from a sixth address, is refused: the account is locked.
    response = sign_in(client, "chuyenvien", PASSWORD, address="198.51.100.99")
    assert response.status_code == 429
    assert LOCKED_VI in response.content.decode()
    assert "15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_five_failures_on_any_accounts(client, specialist, leader):
    for n in range(5):
        sign_in(client, f"khong-co-{n}", WRONG, address="192.0.2.10")
    response = sign_in(client, "chuyenvien", PASSWORD, address="192.0.2.10")
    assert response.status_code == 429
    assert LOCKED_VI in response.content.decode()
    # Another address signs in.
    response = sign_in(client, "chuyenvien", PASSWORD, address="192.0.2.11")
    assert response.status_code == 302


def test_the_lockout_is_told_in_english_when_english_was_chosen(client, specialist):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        sign_in(client, "chuyenvien", WRONG)
    response = sign_in(client, "chuyenvien", WRONG)
    assert response.status_code == 429
    assert "Sign-in is locked" in response.content.decode()
    assert "15 minutes" in response.content.decode()


def test_failed_sign_ins_are_recorded_and_logged_without_the_password(client, specialist, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        sign_in(client, "chuyenvien", WRONG)
    assert "AXES: Locking out" in caplog.text  # the failures are logged …
    assert WRONG not in caplog.text  # … never with the password
    attempt = AccessAttempt.objects.get(username="chuyenvien")
    assert attempt.failures_since_start >= 5
    stored = " ".join(
        str(value) for value in AccessAttempt.objects.values_list("get_data", "post_data")
    )
    assert WRONG not in stored
    assert not AccessLog.objects.filter(user_agent__contains=WRONG).exists()


def test_the_lockout_ends_after_the_cool_off(client, specialist):
    for _ in range(5):
        sign_in(client, "chuyenvien", WRONG)
    assert sign_in(client, "chuyenvien", PASSWORD).status_code == 429
    # Sixteen minutes later (the cool-off is 15): the attempts are older than the window.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = sign_in(client, "chuyenvien", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(specialist.pk)


def test_the_client_address_is_remote_addr_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    settings.MOTCUA_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"  # a forged header is not believed
    settings.MOTCUA_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.5"  # what nginx appended, not what the client sent
    settings.MOTCUA_TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.2"


# ---------------------------------------------------------------------------------------------
# Sessions on shared counter PCs
# ---------------------------------------------------------------------------------------------


def test_a_session_ends_with_the_browser_and_after_thirty_idle_minutes(client, specialist):
    start = timezone.now()
    moment = [start]
    with mock.patch("django.utils.timezone.now", side_effect=lambda: moment[0]):
        response = sign_in(client, "chuyenvien", PASSWORD)
        assert response.status_code == 302
        cookie = response.cookies["sessionid"]
        assert cookie["expires"] == ""  # a browser-session cookie
        assert cookie["max-age"] == ""
        for minutes in (20, 45, 70):  # each request within 30 minutes keeps the session alive
            moment[0] = start + dt.timedelta(minutes=minutes)
            assert client.get("/can-bo/").status_code == 200
        moment[0] = start + dt.timedelta(minutes=101)  # 31 idle minutes
        response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# ---------------------------------------------------------------------------------------------
# The second factor
# ---------------------------------------------------------------------------------------------


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def allow_another_try(device: TOTPDevice) -> None:
    """django-otp makes one wait (1 s, doubling) after a wrong code; the test does not wait."""
    device.refresh_from_db()
    device.throttle_reset()


def test_an_officer_enrols_a_totp_app_then_signs_in_with_a_code(client, specialist):
    assert sign_in(client, "chuyenvien", PASSWORD).status_code == 302
    page = client.get(reverse("otp-enrol"))
    assert page.status_code == 200
    text = page.content.decode()
    device = TOTPDevice.objects.get(user=specialist, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(re.findall(".{1,4}", secret)) in text
    assert f"otpauth://totp/motcua%3Achuyenvien?secret={secret}" in text
    assert "http" not in re.sub(r'href="[^"]*"', "", text).replace("http://www.w3.org", "")

    refused = client.post(reverse("otp-enrol"), {"otp_token": "000000"})
    assert "Mã xác thực không đúng" in refused.content.decode()
    assert not TOTPDevice.objects.get(user=specialist).confirmed
    allow_another_try(device)
    response = client.post(reverse("otp-enrol"), {"otp_token": code(device), "next": "/can-bo/"})
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"
    assert TOTPDevice.objects.get(user=specialist).confirmed

    # The next sign-in asks for the code before any officer page.
    client.logout()
    assert sign_in(client, "chuyenvien", PASSWORD).status_code == 302
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"] == reverse("otp-verify") + "?next=%2Fcan-bo%2F"
    assert client.get("/quan-tri/").status_code == 302
    wrong = client.post(reverse("otp-verify"), {"otp_token": "123456", "next": "/can-bo/"})
    assert wrong.status_code == 200
    assert "Mã xác thực không đúng" in wrong.content.decode()
    allow_another_try(device)
    response = client.post(
        reverse("otp-verify"), {"otp_token": code(device, steps_ahead=1), "next": "/can-bo/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"
    assert client.get("/can-bo/").status_code == 200


def test_a_leader_must_enrol_before_reaching_any_officer_page(client, settings, leader, specialist):
    settings.MOTCUA_REQUIRE_2FA_ROLES = ["leader", "unit_admin"]
    assert sign_in(client, "lanhdao", PASSWORD).status_code == 302
    for path in ("/can-bo/", "/can-bo/lanh-dao/", "/quan-tri/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("otp-enrol") + "?next=")
    page = client.get(reverse("otp-enrol"))
    assert "bắt buộc xác thực hai bước" in page.content.decode()
    device = TOTPDevice.objects.get(user=leader)
    client.post(reverse("otp-enrol"), {"otp_token": code(device)})
    assert client.get("/can-bo/lanh-dao/").status_code == 200

    # A specialist's role is not in the list: the password is enough.
    other = client_class_for(client)
    assert sign_in(other, "chuyenvien", PASSWORD).status_code == 302
    assert other.get("/can-bo/").status_code == 200


def test_a_superuser_must_enrol_when_administrators_must(client, settings, superuser):
    settings.MOTCUA_REQUIRE_2FA_ROLES = ["unit_admin"]
    client.force_login(superuser)
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-enrol"))


def client_class_for(client):
    return type(client)()


def test_the_admin_never_shows_an_officers_totp_secret(client, superuser, specialist):
    """Whoever reads the secret could make the officer's codes: the admin hides it, its QR code
    and the page that shows them (the second factor is not required of anyone in tests)."""
    device = TOTPDevice.objects.create(user=specialist, name="Điện thoại", confirmed=True)
    client.force_login(superuser)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    config = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
    assert client.get(config).status_code == 403
