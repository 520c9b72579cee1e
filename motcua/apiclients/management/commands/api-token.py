"""motcua api-token: issue, list and revoke the JSON API's tokens.

``create`` prints the token alone on standard output (and the rest on standard error), so that a
script can capture it: ``TOKEN=$(motcua api-token create --user tiepnhan --name "Cổng DVC")``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.accounts.models import User
from motcua.apiclients.models import ApiToken
from motcua.apiclients.services import api_token_create, api_token_prefix, api_token_revoke
from motcua.core import clock
from motcua.core.commands import DomainCommand


def _end_of_day(value: str) -> dt.datetime:
    """``--expires 2026-12-31``: valid through that day, authority time."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--expires phải là ngày dạng YYYY-MM-DD, không phải {value!r}."
        ) from exc
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=clock.authority_tz())


def _when(value: dt.datetime | None) -> str:
    return f"{clock.local(value):%d/%m/%Y %H:%M}" if value else "-"


class Command(DomainCommand):
    help = "Khóa API cho ứng dụng kết nối: tạo (in mã bí mật một lần), liệt kê, thu hồi."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="tạo khóa API hoạt động với quyền của một cán bộ")
        create.add_argument("--user", required=True, metavar="USERNAME", help="tên đăng nhập")
        create.add_argument("--name", required=True, help="tên ứng dụng kết nối")
        create.add_argument(
            "--scope",
            required=True,
            choices=ApiToken.Scope.values,
            help="read: chỉ đọc; act: đọc và thao tác hồ sơ",
        )
        create.add_argument(
            "--expires",
            metavar="YYYY-MM-DD",
            help="dùng được đến hết ngày này (giờ Việt Nam); mặc định: MOTCUA_API_TOKEN_DAYS ngày",
        )
        revoke = sub.add_parser("revoke", help="thu hồi một khóa API")
        revoke.add_argument("token", metavar="PREFIX|TOKEN", help="tiền tố hoặc toàn bộ khóa")
        listing = sub.add_parser("list", help="liệt kê khóa API")
        listing.add_argument("--user", metavar="USERNAME", help="chỉ khóa của cán bộ này")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options)
        elif options["action"] == "revoke":
            self._revoke(options["token"])
        else:
            self._list(options["user"])

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username!r}.")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        expires = _end_of_day(options["expires"]) if options["expires"] else None
        token, secret = api_token_create(
            user=self._user(options["user"]),
            name=options["name"],
            scope=options["scope"],
            expires_at=expires,
        )
        ends = f", hết hạn {_when(token.expires_at)}" if token.expires_at else ""
        self.stderr.write(
            f"Đã tạo khóa API {token.prefix} cho “{token.name}” ({token.get_scope_display()}), "
            f"quyền của {token.user.username}{ends}. Mã dưới đây chỉ hiện một lần:"
        )
        self.stdout.write(secret)

    def _revoke(self, value: str) -> None:
        prefix = api_token_prefix(value) or value.strip()
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"Không có khóa API có tiền tố {prefix!r}.")
        if token.revoked_at is not None:
            self.stdout.write(f"Khóa {token.prefix} đã bị thu hồi lúc {_when(token.revoked_at)}.")
            return
        token = api_token_revoke(token=token)
        self.stdout.write(f"Đã thu hồi khóa {token.prefix} (“{token.name}”).")

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("created_at", "pk")
        if username:
            tokens = tokens.filter(user=self._user(username))
        now = clock.now()
        for token in tokens:
            self.stdout.write(
                "\t".join(
                    [
                        token.prefix,
                        token.user.username,
                        token.name,
                        token.scope,
                        token.state(now),
                        f"tạo {_when(token.created_at)}",
                        f"dùng {_when(token.last_used_at)}",
                        f"hết hạn {_when(token.expires_at)}",
                    ]
                )
            )
