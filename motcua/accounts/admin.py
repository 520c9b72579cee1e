"""Back office for officers: accounts and their roles in units, scoped to what the admin may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.accounts.models import Membership, Role, User
from motcua.accounts.selectors import units_administered_by, users_administered_by
from motcua.accounts.services import membership_grant, membership_update, officer_create
from motcua.core.admin import DomainErrorsAsMessages, UnitScopedAdmin, acting_user
from motcua.units.models import Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("unit", "role", "title", "valid_from", "valid_to")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # roles are granted on the membership screen, through the service


class OfficerCreationForm(UserCreationForm):
    """A unit administrator creates an account together with its first role in their units."""

    unit = forms.ModelChoiceField(label="đơn vị", queryset=Unit.objects.none())
    role = forms.ChoiceField(label="vai trò", choices=Role.choices)
    valid_from = forms.DateField(
        label="hiệu lực từ", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = User
        fields = ("username", "full_name")
        field_classes = {"username": UsernameField}


@admin.register(User)
class UserAdmin(DomainErrorsAsMessages, DjangoUserAdmin):
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
    officer_add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "full_name",
                    "password1",
                    "password2",
                    "unit",
                    "role",
                    "valid_from",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Only accounts this administrator manages: editing one (its password) is taking it over.
        return queryset.filter(pk__in=users_administered_by(user=acting_user(request)).values("pk"))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None and not request.user.is_superuser:
            return self.officer_add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = OfficerCreationForm
            form = super().get_form(request, obj, change=change, **kwargs)
            form.base_fields["unit"].queryset = units_administered_by(  # type: ignore[attr-defined]
                user=acting_user(request)
            )
            return form
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change or request.user.is_superuser:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = officer_create(
            actor=acting_user(request),
            username=data["username"],
            full_name=data.get("full_name", ""),
            password=data["password1"],
            unit=data["unit"],
            role=data["role"],
            valid_from=data["valid_from"],
        )
        obj.pk = created.pk
        obj._state.adding = False

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

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            actor = acting_user(request)
            if db_field.name == "user":
                kwargs["queryset"] = users_administered_by(user=actor)
            elif db_field.name == "unit":
                kwargs["queryset"] = units_administered_by(user=actor)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
