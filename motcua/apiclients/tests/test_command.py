"""motcua api-token: create prints the token alone on stdout; revoke; list."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.accounts.models import Role
from motcua.apiclients.models import ApiToken
from motcua.apiclients.services import Unauthorized, api_token_use
from motcua.core import clock

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def officer(commune, make_officer):
    return make_officer(commune, Role.RECEPTION, "tiepnhan")


def test_create_prints_the_token_and_nothing_else(officer):
    out, err = run("create", "--scope", "act", "--user", "tiepnhan", "--name", "Cổng DVC")
    secret = out.strip()
    token = ApiToken.objects.get()
    assert secret.startswith(f"mc_{token.prefix}_")
    assert "\n" not in secret
    assert token.prefix in err
    assert "một lần" in err
    assert api_token_use(raw=secret, at=clock.now(), writes=False).user == officer


def test_create_with_an_expiry_lasts_through_that_day(officer):
    run("create", "--scope", "act", "--user", "tiepnhan", "--name", "x", "--expires", "2099-12-31")
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert clock.local(token.expires_at) == dt.datetime(2100, 1, 1, tzinfo=clock.authority_tz())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--scope", "act", "--user", "khong-co", "--name", "x"], "Không có tài khoản"),
        (["create", "--scope", "act", "--user", "tiepnhan", "--name", " "], "tên ứng dụng"),
        (
            [
                "create",
                "--scope",
                "act",
                "--user",
                "tiepnhan",
                "--name",
                "x",
                "--expires",
                "31/12/2099",
            ],
            "YYYY-MM-DD",
        ),
        (
            [
                "create",
                "--scope",
                "act",
                "--user",
                "tiepnhan",
                "--name",
                "x",
                "--expires",
                "2000-01-01",
            ],
            "tương lai",
        ),
        (["revoke", "000000000000"], "Không có khóa API"),
    ],
)
def test_mistakes_are_one_clear_line(officer, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


def test_revoke_by_prefix_or_by_the_whole_token(officer):
    first, _ = run("create", "--scope", "act", "--user", "tiepnhan", "--name", "một")
    second, _ = run("create", "--scope", "act", "--user", "tiepnhan", "--name", "hai")
    prefix = first.strip().split("_")[1]
    out, _ = run("revoke", prefix)
    assert "Đã thu hồi" in out
    out, _ = run("revoke", second.strip())
    assert "Đã thu hồi" in out
    out, _ = run("revoke", prefix)
    assert "đã bị thu hồi lúc" in out
    for secret in (first, second):
        with pytest.raises(Unauthorized):
            api_token_use(raw=secret.strip(), at=clock.now(), writes=False)


def test_list(officer, commune, make_officer):
    make_officer(commune, Role.LEADER, "lanhdao")
    run("create", "--scope", "act", "--user", "tiepnhan", "--name", "Cổng DVC")
    run("create", "--scope", "act", "--user", "lanhdao", "--name", "Ứng dụng lãnh đạo")
    out, _ = run("list")
    assert "Cổng DVC" in out
    assert "Ứng dụng lãnh đạo" in out
    assert "Đang dùng" in out
    only, _ = run("list", "--user", "lanhdao")
    assert "Cổng DVC" not in only
    assert "Ứng dụng lãnh đạo" in only
