"""API tokens: made once, stored as a digest, checked on every request, revoked at once."""

from __future__ import annotations

import datetime as dt
import hashlib
from unittest.mock import patch

import pytest

from motcua.accounts.models import Role
from motcua.apiclients.models import ApiToken
from motcua.apiclients.services import (
    LAST_USED_RESOLUTION,
    Unauthorized,
    api_token_create,
    api_token_revoke,
    api_token_use,
)
from motcua.calendars.tests.calendar_data import at
from motcua.core.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

URL = "/api/dossiers/"
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội


@pytest.fixture
def officer(commune, make_officer):
    return make_officer(commune, Role.RECEPTION, "tiepnhan")


def call(client, token: str | None = None, *, header: str | None = None, when=T0):
    headers = {}
    if header is not None:
        headers["Authorization"] = header
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with patch("motcua.core.clock.now", return_value=when):
        return client.get(URL, headers=headers)


def refused(response, words: str) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["code"] == "unauthorized"
    assert words in body["detail"]


# --- making and storing ------------------------------------------------------------------------


def test_the_secret_is_returned_once_and_only_its_digest_is_stored(officer):
    token, secret = api_token_create(scope="act", user=officer, name=" Cổng dịch vụ công ", at=T0)
    scheme, prefix, rest = secret.split("_", 2)
    assert scheme == "mc"
    assert prefix == token.prefix
    assert len(prefix) == 12
    assert len(rest) >= 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.name == "Cổng dịch vụ công"
    assert stored.secret_hash == hashlib.sha256(rest.encode()).hexdigest()
    assert rest not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert stored.created_at == T0
    assert stored.last_used_at is None
    assert stored.state(T0) == "Đang dùng"
    other, other_secret = api_token_create(scope="act", user=officer, name="Khác", at=T0)
    assert other.prefix != token.prefix
    assert other_secret != secret


@pytest.mark.parametrize(
    ("name", "expires_at", "code"),
    [
        ("", None, "name_required"),
        ("   ", None, "name_required"),
        ("x" * 101, None, "invalid_input"),
        ("Ứng dụng", T0 - dt.timedelta(seconds=1), "expiry_in_past"),
        ("Ứng dụng", dt.datetime(2030, 1, 1), "invalid_input"),  # naive: refused
    ],
)
def test_a_token_needs_a_name_and_a_future_expiry(officer, name, expires_at, code):
    with pytest.raises(InvalidInput) as caught:
        api_token_create(scope="act", user=officer, name=name, expires_at=expires_at, at=T0)
    assert caught.value.code == code
    assert not ApiToken.objects.exists()


def test_no_token_for_a_disabled_account(officer):
    officer.is_active = False
    officer.save()
    with pytest.raises(InvalidInput, match="đã bị khóa"):
        api_token_create(scope="act", user=officer, name="x", at=T0)


def test_only_the_officers_administrators_issue_or_revoke(
    officer, commune, other_commune, make_officer, superuser
):
    own_admin = make_officer(commune, Role.UNIT_ADMIN, "quantri")
    foreign_admin = make_officer(other_commune, Role.UNIT_ADMIN, "quantri2")
    with pytest.raises(PermissionDenied):
        api_token_create(scope="act", user=officer, name="x", actor=foreign_admin, at=T0)
    token, _ = api_token_create(scope="act", user=officer, name="x", actor=own_admin, at=T0)
    assert token.created_by == own_admin
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=foreign_admin, at=T0)
    # An officer may revoke their own token; a superuser any.
    assert api_token_revoke(token=token, actor=officer, at=T0).revoked_by == officer
    second, _ = api_token_create(scope="act", user=officer, name="y", actor=superuser, at=T0)
    assert api_token_revoke(token=second, actor=superuser, at=T0).revoked_at == T0


def test_revoking_twice_keeps_the_first_time(officer):
    token, _ = api_token_create(scope="act", user=officer, name="x", at=T0)
    api_token_revoke(token=token, at=T0)
    again = api_token_revoke(token=token, at=T0 + dt.timedelta(hours=1))
    assert again.revoked_at == T0
    assert again.state(T0) == "Đã thu hồi"


# --- using -------------------------------------------------------------------------------------


def test_a_token_acts_as_its_officer_with_their_scope(
    client, desk, receive, other_commune, make_officer
):
    receive("1.004222", at(2026, 3, 2, 8))
    _, secret = api_token_create(scope="act", user=desk.reception, name="x", at=T0)
    response = call(client, secret)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
    _, stranger = api_token_create(
        scope="act", user=make_officer(other_commune, Role.RECEPTION, "tiepnhan2"), name="x", at=T0
    )
    assert call(client, stranger).json()["count"] == 0


def test_the_token_lifecycle(client, officer):
    token, secret = api_token_create(scope="act", user=officer, name="x", at=T0)
    assert call(client, secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == T0

    api_token_revoke(token=token, at=T0 + dt.timedelta(minutes=5))
    refused(call(client, secret, when=T0 + dt.timedelta(minutes=6)), "thu hồi")


def test_last_use_is_written_at_most_once_a_minute(client, officer):
    token, secret = api_token_create(scope="act", user=officer, name="x", at=T0)
    call(client, secret, when=T0)
    within = T0 + LAST_USED_RESOLUTION - dt.timedelta(seconds=1)
    with patch.object(ApiToken, "save") as save:
        api_token_use(raw=secret, at=within, writes=False)
        save.assert_not_called()
    assert call(client, secret, when=within).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == T0
    later = T0 + LAST_USED_RESOLUTION
    assert call(client, secret, when=later).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == later


def test_an_expired_token_is_refused(client, officer):
    expiry = T0 + dt.timedelta(days=30)
    _, secret = api_token_create(scope="act", user=officer, name="x", expires_at=expiry, at=T0)
    assert call(client, secret, when=expiry - dt.timedelta(seconds=1)).status_code == 200
    refused(call(client, secret, when=expiry), "hết hạn")


def test_a_wrong_secret_is_refused(client, officer):
    token, secret = api_token_create(scope="act", user=officer, name="x", at=T0)
    scheme, prefix, rest = secret.split("_", 2)
    wrong = f"{scheme}_{prefix}_{'A' if rest[0] != 'A' else 'B'}{rest[1:]}"
    refused(call(client, wrong), "không hợp lệ")
    unknown = f"{scheme}_{'0' * 12}_{rest}"
    refused(call(client, unknown), "không hợp lệ")
    token.refresh_from_db()
    assert token.last_used_at is None


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (None, "Thiếu khóa API"),
        ("", "Thiếu khóa API"),
        ("Bearer", "Bearer <khóa API>"),
        ("Bearer   ", "Bearer <khóa API>"),
        ("Basic dXNlcjpwYXNz", "Bearer <khóa API>"),
        ("Token mc_abc", "Bearer <khóa API>"),
        ("Bearer không-phải-khóa", "định dạng"),
        ("Bearer mc_0123456789ab_" + "x" * 500, "định dạng"),
        ("Bearer mc_0123456789ab_abc\x00defghijklmnopqrstuvwxyz", "định dạng"),
    ],
)
def test_missing_or_malformed_headers_are_refused(client, officer, header, words):
    api_token_create(scope="act", user=officer, name="x", at=T0)
    refused(call(client, header=header) if header is not None else call(client), words)


def test_a_disabled_account_loses_its_tokens(client, officer):
    _, secret = api_token_create(scope="act", user=officer, name="x", at=T0)
    officer.is_active = False
    officer.save()
    refused(call(client, secret), "bị khóa")


def test_the_scheme_is_case_insensitive(client, officer):
    _, secret = api_token_create(scope="act", user=officer, name="x", at=T0)
    assert call(client, header=f"bearer {secret}").status_code == 200


def test_use_outside_http_raises_unauthorized(officer):
    with pytest.raises(Unauthorized):
        api_token_use(raw="", at=T0, writes=False)


# --- scopes and lifetime (issue 10 item 3) -------------------------------------------------------


def test_a_read_only_token_reads_but_never_acts(client, desk, receive):
    dossier = receive("1.004222", at(2026, 3, 2, 8))
    _, reader = api_token_create(scope="read", user=desk.leader, name="Báo cáo", at=T0)
    headers = {"Authorization": f"Bearer {reader}"}
    with patch("motcua.core.clock.now", return_value=T0):
        assert client.get("/api/dossiers/", headers=headers).status_code == 200
        refused = client.post(
            f"/api/dossiers/{dossier.code}/assign",
            {"version": dossier.version, "step": 2, "assignee": desk.specialist.username},
            content_type="application/json",
            headers=headers,
        )
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_read_only"
    dossier.refresh_from_db()
    assert dossier.event_count == 1  # nothing recorded


def test_a_scope_is_chosen_from_the_list(officer):
    with pytest.raises(InvalidInput, match="Phạm vi"):
        api_token_create(scope="admin", user=officer, name="x", at=T0)
    assert not ApiToken.objects.exists()


def test_a_token_ends_after_the_configured_lifetime(officer, settings):
    token, _ = api_token_create(scope="read", user=officer, name="x", at=T0)
    assert token.expires_at == T0 + dt.timedelta(days=365)
    settings.MOTCUA_API_TOKEN_DAYS = 0
    forever, _ = api_token_create(scope="read", user=officer, name="y", at=T0)
    assert forever.expires_at is None
    chosen = T0 + dt.timedelta(days=30)
    short, _ = api_token_create(scope="read", user=officer, name="z", expires_at=chosen, at=T0)
    assert short.expires_at == chosen


def test_the_officer_is_told_of_a_token_made_in_their_name(
    client, officer, commune, make_officer, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 10 item 3: an application acting as an officer through a token someone else made
    is told to them by e-mail and listed on their home page, until revoked."""
    officer.email = "tiepnhan@xa-mot.gov.vn"
    officer.save(update_fields=["email"])
    admin = make_officer(commune, Role.UNIT_ADMIN, "quantri")
    with django_capture_on_commit_callbacks(execute=True):
        made, _ = api_token_create(scope="act", user=officer, name="Cổng tỉnh", actor=admin)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["tiepnhan@xa-mot.gov.vn"]
    assert "Cổng tỉnh" in mailoutbox[0].subject
    assert "quantri" in mailoutbox[0].body
    assert made.prefix in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):  # by a command: told as well
        own, _ = api_token_create(scope="read", user=officer, name="Của tôi")
    assert len(mailoutbox) == 2
    client.force_login(officer)
    page = client.get("/can-bo/").content.decode()
    assert 'id="ung-dung-ket-noi"' in page
    assert "Cổng tỉnh" in page
    assert "Của tôi" in page
    api_token_revoke(token=made, actor=admin)
    api_token_revoke(token=own, actor=officer)  # an officer may revoke their own
    assert 'id="ung-dung-ket-noi"' not in client.get("/can-bo/").content.decode()
