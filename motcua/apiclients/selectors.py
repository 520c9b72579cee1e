"""Reads of API tokens, scoped to who asks."""

from __future__ import annotations

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
