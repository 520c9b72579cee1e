"""Who may see what: every query for officers' data is scoped to the actor through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from motcua.accounts.models import SUBTREE_ROLES, Membership, Role, User
from motcua.core import clock
from motcua.units.models import Unit
from motcua.units.selectors import unit_ancestor_ids


def memberships_active(*, user: User, on: dt.date | None = None) -> QuerySet[Membership]:
    """The user's memberships in force on ``on`` (today by default)."""
    day = on or clock.today()
    return (
        Membership.objects.filter(user=user, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("unit")
    )


def units_visible_to(*, user: User, on: dt.date | None = None) -> QuerySet[Unit]:
    """Units whose data the user may see: their own units, and whole subtrees for subtree roles."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for membership in memberships_active(user=user, on=on):
        if membership.role in SUBTREE_ROLES:
            condition |= Q(path__startswith=membership.unit.path)
        else:
            condition |= Q(pk=membership.unit_id)
    return Unit.objects.filter(condition)


def user_has_role(
    *, user: User, unit: Unit, roles: set[Role] | frozenset[Role], on: dt.date | None = None
) -> bool:
    """Whether the user holds one of ``roles`` for ``unit``, directly or above it.

    Read fresh every time (a revoked role stops at once), as one indexed statement written by hand:
    it runs on every transition, and the ORM would spend longer compiling it than the database
    spends answering (core.db).
    """
    if user.is_superuser:
        return True
    if not roles:
        return False
    day = connection.ops.adapt_datefield_value(on or clock.today())
    direct = sorted(roles)
    from_above = sorted(role for role in roles if role in SUBTREE_ROLES)
    ancestors = unit_ancestor_ids(unit=unit)
    conditions = [f"(unit_id = %s AND role IN ({_marks(direct)}))"]
    params: list[Any] = [user.pk, day, day, unit.pk, *direct]
    if from_above and ancestors:
        conditions.append(f"(unit_id IN ({_marks(ancestors)}) AND role IN ({_marks(from_above)}))")
        params += [*ancestors, *from_above]
    sql = (
        f"SELECT 1 FROM {Membership._meta.db_table} WHERE user_id = %s AND valid_from <= %s "  # noqa: S608 - names from the model
        f"AND (valid_to IS NULL OR valid_to >= %s) AND ({' OR '.join(conditions)}) LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _marks(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def memberships_visible_to(*, user: User) -> QuerySet[Membership]:
    """Memberships of the units the user may see (officer lists, the admin)."""
    return Membership.objects.filter(unit__in=units_visible_to(user=user)).select_related(
        "user", "unit"
    )


def users_visible_to(*, user: User) -> QuerySet[User]:
    """Officers of the units the user may see, and the user themself."""
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(
        Q(pk=user.pk) | Q(memberships__unit__in=units_visible_to(user=user))
    ).distinct()


def units_administered_by(*, user: User, on: dt.date | None = None) -> QuerySet[Unit]:
    """Units whose officers the user manages: the subtrees where they are unit administrator."""
    if user.is_superuser:
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for membership in memberships_active(user=user, on=on).filter(role=Role.UNIT_ADMIN):
        condition |= Q(path__startswith=membership.unit.path)
    return Unit.objects.filter(condition)


def users_administered_by(*, user: User, on: dt.date | None = None) -> QuerySet[User]:
    """Accounts the user may edit: officers of their units who hold no role elsewhere.

    A superuser, or an officer who also works in a unit outside the administrator's subtree, is
    managed from above: otherwise granting them a role here would hand over their account.
    """
    if user.is_superuser:
        return User.objects.all()
    day = on or clock.today()
    managed = units_administered_by(user=user, on=day)
    active_elsewhere = (
        Membership.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .exclude(unit__in=managed)
        .values("user")
    )
    return (
        User.objects.filter(is_superuser=False, memberships__unit__in=managed)
        .exclude(pk__in=active_elsewhere)
        .distinct()
    )
