"""Back office for officers: accounts and their roles in units, scoped to what the admin may see."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.accounts.models import Membership, User
from motcua.accounts.selectors import users_visible_to
from motcua.accounts.services import membership_grant, membership_update
from motcua.core.admin import UnitScopedAdmin, acting_user


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("unit", "role", "title", "valid_from", "valid_to")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # roles are granted on the membership screen, through the service


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "is_staff", "is_active"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Thông tin cá nhân", {"fields": ["full_name", "email", "phone"]}),
        ("Quyền", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Thời gian", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=users_visible_to(user=acting_user(request)).values("pk"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            # Only a superuser hands out superuser rights or arbitrary permission groups.
            readonly += ["is_superuser", "is_staff", "groups"]
        return readonly


@admin.register(Membership)
class MembershipAdmin(UnitScopedAdmin):
    list_display = ["user", "user__username", "unit", "role", "title", "valid_from", "valid_to"]
    list_filter = ["role", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__identifier"]
    autocomplete_fields = ["user", "unit"]
    fields = ["user", "unit", "role", "title", "valid_from", "valid_to"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Who, where and what are the membership itself; a change of them is a new membership.
        return ["user", "unit", "role", "valid_from"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        actor = None if request.user.is_superuser else acting_user(request)
        if change:
            membership_update(
                actor=actor,
                membership=obj,
                title=obj.title,
                valid_to=obj.valid_to,
            )
            return
        created = membership_grant(
            actor=actor,
            user=obj.user,
            unit=obj.unit,
            role=obj.role,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            title=obj.title,
        )
        obj.pk = created.pk
