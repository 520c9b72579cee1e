"""Writes to users and memberships."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.accounts.models import ADMIN_ROLES, Membership, Role, User
from motcua.accounts.selectors import user_has_role, users_administered_by
from motcua.core.errors import InvalidInput, PermissionDenied
from motcua.units.models import Unit

# What a unit administrator may do in the back office. Which rows they see is scoped separately
# (accounts.selectors), so a commune administrator edits only their commune's officers and days.
UNIT_ADMIN_GROUP = "Quản trị đơn vị"
UNIT_ADMIN_PERMISSIONS = {
    "accounts": [
        "view_user",
        "add_user",
        "change_user",
        "view_membership",
        "add_membership",
        "change_membership",
        "delete_membership",
    ],
    "units": ["view_unit", "change_unit", "view_unitsuccession"],
    "calendars": [
        "view_calendarday",
        "add_calendarday",
        "change_calendarday",
        "delete_calendarday",
        "view_calendaryear",
        "view_calendarchange",
    ],
    "catalog": [
        "view_field",
        "view_procedure",
        "view_procedureversion",
        "view_procedurecomponent",
        "view_procedurefee",
        "view_processstep",
        "view_unitprocedure",
        "add_unitprocedure",
        "change_unitprocedure",
        "delete_unitprocedure",
    ],
    "apiclients": ["view_apitoken", "add_apitoken", "change_apitoken"],
}


def unit_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=UNIT_ADMIN_GROUP)
    wanted = [
        permission
        for app_label, codenames in UNIT_ADMIN_PERMISSIONS.items()
        for permission in Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    ]
    if set(group.permissions.all()) != set(wanted):
        group.permissions.set(wanted)
    return group


def _check_may_administer(actor: User | None, unit: Unit) -> None:
    """Only a superuser or an administrator of the unit (or above it) manages its officers."""
    if actor is None:  # commands and the demo loader act as the system
        return
    if not user_has_role(user=actor, unit=unit, roles=frozenset({Role.UNIT_ADMIN})):
        raise PermissionDenied(f"Bạn không có quyền quản trị cán bộ của {unit}.")


def _check_may_manage(actor: User | None, user: User) -> None:
    """An administrator gives roles only to accounts they manage (see users_administered_by)."""
    if actor is None or actor.is_superuser:
        return
    if not users_administered_by(user=actor).filter(pk=user.pk).exists():
        raise PermissionDenied(
            f"Tài khoản {user.username} do cấp trên quản lý: bạn không giao vai trò cho nó."
        )


def _check_not_self_granted(actor: User | None, user: User, unit: Unit) -> None:
    """A role for oneself comes from the level above: an administrator of a unit above ``unit``,
    or a superuser. Otherwise a unit administrator could make themself leader and approve."""
    if actor is None or actor.is_superuser or actor.pk != user.pk:
        return
    parent = unit.parent
    if parent is None or not user_has_role(
        user=actor, unit=parent, roles=frozenset({Role.UNIT_ADMIN})
    ):
        raise PermissionDenied(
            f"Bạn không tự giao hoặc gia hạn vai trò cho mình tại {unit}: việc này do quản trị "
            "viên cấp trên (hoặc quản trị hệ thống) thực hiện.",
            code="self_grant",
        )


@transaction.atomic
def membership_grant(
    *,
    actor: User | None,
    user: User,
    unit: Unit,
    role: Role | str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    title: str = "",
) -> Membership:
    """Give ``user`` a role in ``unit``; administrators also get back-office access."""
    _check_may_administer(actor, unit)
    _check_may_manage(actor, user)
    _check_not_self_granted(actor, user, unit)
    return _grant(
        user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to, title=title
    )


def _grant(
    *,
    user: User,
    unit: Unit,
    role: Role | str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    title: str,
) -> Membership:
    membership = Membership(
        user=user, unit=unit, role=Role(role), valid_from=valid_from, valid_to=valid_to, title=title
    )
    try:
        membership.full_clean()
    except ValidationError as exc:
        raise InvalidInput("Phân công không hợp lệ: " + " ".join(exc.messages)) from exc
    membership.save()
    if membership.role in ADMIN_ROLES:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(unit_admin_group())
    return membership


@transaction.atomic
def membership_update(
    *, actor: User | None, membership: Membership, title: str, valid_to: dt.date | None
) -> Membership:
    """Change a role's title or last day (who, where and what stay: that would be a new role)."""
    _check_may_administer(actor, membership.unit)
    if valid_to is not None and valid_to < membership.valid_from:
        raise InvalidInput("Ngày kết thúc phải sau ngày bắt đầu phân công.")
    # The stored last day: the admin's form has already set the new one on ``membership``.
    ends = Membership.objects.values_list("valid_to", flat=True).get(pk=membership.pk)
    if ends is not None and (valid_to is None or valid_to > ends):
        # A longer role grants the added days: not to oneself (see membership_grant).
        _check_not_self_granted(actor, membership.user, membership.unit)
    membership.title = title
    membership.valid_to = valid_to
    membership.save(update_fields=["title", "valid_to"])
    return membership


@transaction.atomic
def membership_end(*, actor: User | None, membership: Membership, last_day: dt.date) -> Membership:
    """End a role on ``last_day`` (the officer keeps their history)."""
    _check_may_administer(actor, membership.unit)
    if last_day < membership.valid_from:
        raise InvalidInput("Ngày kết thúc phải sau ngày bắt đầu phân công.")
    membership.valid_to = last_day
    membership.save(update_fields=["valid_to"])
    return membership


@transaction.atomic
def officer_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str,
    unit: Unit,
    role: Role | str,
    valid_from: dt.date,
    email: str = "",
    title: str = "",
) -> User:
    """Create an officer account with its first role."""
    _check_may_administer(actor, unit)
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"Tên đăng nhập {username!r} đã được dùng.", code="username_taken")
    user = User.objects.create_user(
        username=username, password=password, full_name=full_name, email=email
    )
    # A new account is the creating administrator's to manage: no check on the user.
    _grant(user=user, unit=unit, role=role, valid_from=valid_from, valid_to=None, title=title)
    return user
