"""Reads of API tokens, scoped to who asks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.selectors import users_administered_by
from motcua.apiclients.models import ApiToken


def api_tokens_visible_to(*, user: User) -> QuerySet[ApiToken]:
    """Tokens of the accounts the user manages, and the user's own."""
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by")
    if user.is_superuser:
        return tokens
    return tokens.filter(Q(user=user) | Q(user__in=users_administered_by(user=user).values("pk")))


def api_tokens_acting_as(*, user: User, at: dt.datetime) -> QuerySet[ApiToken]:
    """The live tokens through which applications act as ``user`` (shown on their home page: an
    officer knows every application that acts in their name, whoever made its token)."""
    return (
        ApiToken.objects.select_related("created_by")
        .filter(user=user, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .order_by("created_at", "pk")
    )
