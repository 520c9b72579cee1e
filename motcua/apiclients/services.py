"""Making, checking and revoking API tokens.

A token reads ``mc_<prefix>_<secret>``: ``prefix`` (12 hex digits, public) finds the row, ``secret``
(32 random bytes, URL-safe base64) proves possession. Only ``sha256(secret)`` is stored.

Why SHA-256 and not Django's password hashers: those are deliberately slow (PBKDF2, hundreds of
thousands of rounds) because passwords are guessable; a 256-bit random secret is not, so a stolen
digest cannot be reversed by trying candidates, while a slow hash would add tens to hundreds of
milliseconds to every API request. SHA-256 is also unsalted-safe here for the same reason (no two
secrets collide, nothing to precompute), and it does not depend on SECRET_KEY, whose rotation
must not log every client out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from motcua.accounts.models import User
from motcua.accounts.selectors import users_administered_by
from motcua.apiclients.models import ApiToken
from motcua.core import clock
from motcua.core.errors import DomainError, InvalidInput, PermissionDenied

TOKEN_SCHEME = "mc"  # noqa: S105 (the tokens' marker, no secret)
PREFIX_BYTES = 6  # 12 hex digits: collisions are retried, never silently accepted
SECRET_BYTES = 32
NAME_MAX_LENGTH = 100
# A token is "used" to the minute: enough to see which clients are alive, without a database
# write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

_TOKEN_RE = re.compile(
    rf"^{TOKEN_SCHEME}_(?P<prefix>[0-9a-f]{{12}})_(?P<secret>[A-Za-z0-9_-]{{20,128}})$"
)
# Compared against when the prefix is unknown, so that a miss costs what a hit costs.
_DUMMY_HASH = hashlib.sha256(b"motcua: no such token").hexdigest()


class Unauthorized(DomainError):
    """The request carries no valid API token (missing, malformed, unknown, revoked, expired)."""

    code = "unauthorized"
    http_status = 401


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_may_manage(actor: User | None, user: User) -> None:
    """Whoever may manage the officer's account (and so could reset their password) may give or
    take away their tokens; an officer may also revoke their own."""
    if actor is None or actor.is_superuser:
        return
    if not users_administered_by(user=actor).filter(pk=user.pk).exists():
        raise PermissionDenied(
            f"Bạn không quản lý tài khoản {user.username}: không cấp hoặc thu hồi khóa API của nó."
        )


def default_expiry(moment: dt.datetime) -> dt.datetime | None:
    """When a token made at ``moment`` without an expiry ends (MOTCUA_API_TOKEN_DAYS; 0: never)."""
    days = settings.MOTCUA_API_TOKEN_DAYS
    return moment + dt.timedelta(days=days) if days > 0 else None


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_at: dt.datetime | None = None,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Give a client application a token acting as ``user`` within ``scope`` (ApiToken.Scope),
    ending at ``expires_at`` or after the configured lifetime; the full token is returned once."""
    moment = at or clock.now()
    _check_may_manage(actor, user)
    if scope not in ApiToken.Scope.values:
        raise InvalidInput(
            f"Phạm vi khóa API phải là một trong: {', '.join(ApiToken.Scope.values)}.",
            code="invalid_scope",
        )
    if expires_at is None:
        expires_at = default_expiry(moment)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Cần tên ứng dụng kết nối.", code="name_required")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"Tên ứng dụng tối đa {NAME_MAX_LENGTH} ký tự.")
    if not user.is_active:
        raise InvalidInput(f"Tài khoản {user.username} đã bị khóa.", code="user_inactive")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("Thời điểm hết hạn phải kèm múi giờ.")
        if expires_at <= moment:
            raise InvalidInput("Thời điểm hết hạn phải ở tương lai.", code="expiry_in_past")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    for _ in range(5):
        prefix = secrets.token_hex(PREFIX_BYTES)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    secret_hash=_digest(secret),
                    created_at=moment,
                    created_by=actor,
                    expires_at=expires_at,
                    scope=scope,
                )
        except IntegrityError:  # the prefix is taken: draw another
            continue
        if actor is None or actor.pk != user.pk:  # made by someone else, or by a command
            transaction.on_commit(partial(_tell_officer, token), robust=True)
        return token, f"{TOKEN_SCHEME}_{prefix}_{secret}"
    raise DomainError("Không tạo được khóa API, hãy thử lại.", code="token_prefix_exhausted")


def _tell_officer(token: ApiToken) -> None:
    """A token made by someone else acts in the officer's name: they are told at once (by e-mail,
    through the outbox, when the account has an address) and see it on their home page."""
    user = token.user
    if not user.email:
        return
    maker = token.created_by.username if token.created_by else "hệ thống"
    ends = f"{clock.local(token.expires_at):%d/%m/%Y}" if token.expires_at else "không tự hết hạn"
    send_mail(
        subject=f"Ứng dụng “{token.name}” được cấp khóa API hoạt động với quyền của bạn",
        message=(
            f"{maker} đã cấp khóa API {token.prefix} cho ứng dụng “{token.name}” "
            f"({token.get_scope_display()}), hoạt động với quyền của tài khoản {user.username}; "
            f"hết hạn: {ends}. Mọi thao tác của ứng dụng ghi tên bạn kèm tên ứng dụng. Nếu bạn "
            "không biết việc này, hãy đề nghị quản trị viên thu hồi khóa."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, actor: User | None = None, at: dt.datetime | None = None
) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing (the first time is kept)."""
    if actor is not None and actor.pk != token.user_id:
        _check_may_manage(actor, token.user)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = at or clock.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_prefix(raw: str) -> str | None:
    """The prefix of a full token, or None when ``raw`` is not shaped like one."""
    match = _TOKEN_RE.match(raw.strip())
    return match["prefix"] if match else None


def api_token_use(*, raw: str, at: dt.datetime, writes: bool) -> ApiToken:
    """The live token ``raw`` names, its use noted (to the minute); Unauthorized otherwise, and
    PermissionDenied for a request that ``writes`` with a read-only token."""
    match = _TOKEN_RE.match(raw.strip())
    if match is None:
        raise Unauthorized("Khóa API không đúng định dạng (mc_<tiền tố>_<mã bí mật>).")
    token = ApiToken.objects.select_related("user").filter(prefix=match["prefix"]).first()
    expected = token.secret_hash if token is not None else _DUMMY_HASH
    # Constant time: the comparison does not reveal how much of the digest matched.
    if not hmac.compare_digest(expected, _digest(match["secret"])) or token is None:
        raise Unauthorized("Khóa API không hợp lệ.")
    if token.revoked_at is not None:
        raise Unauthorized("Khóa API đã bị thu hồi.")
    if token.expires_at is not None and token.expires_at <= at:
        raise Unauthorized("Khóa API đã hết hạn.")
    if not token.user.is_active:
        raise Unauthorized("Tài khoản gắn với khóa API đã bị khóa.")
    if writes and token.scope == ApiToken.Scope.READ:
        raise PermissionDenied(
            "Khóa API này chỉ được đọc: không dùng để tiếp nhận hay thao tác hồ sơ.",
            code="token_read_only",
        )
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = at
        token.save(update_fields=["last_used_at"])
    return token
