"""API tokens in the back office: an officer's administrator issues and revokes them.

The secret is shown once, in a message right after creation; afterwards only the prefix is known.
Tokens are never deleted (who had access, and until when, stays on record): they are revoked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.accounts.models import User
from motcua.accounts.selectors import users_administered_by
from motcua.apiclients.models import ApiToken
from motcua.apiclients.selectors import api_tokens_visible_to
from motcua.apiclients.services import api_token_create, api_token_revoke
from motcua.core import clock
from motcua.core.admin import DomainErrorsAsMessages, acting_user, report_domain_error
from motcua.core.errors import DomainError

DISPLAY_FIELDS = [
    "user",
    "name",
    "scope",
    "prefix",
    "status",
    "created_at",
    "created_by",
    "last_used_at",
    "expires_at",
    "revoked_at",
    "revoked_by",
]


class ApiTokenCreationForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope", "expires_at"]
        help_texts = {
            "scope": "Chỉ cấp quyền thao tác cho ứng dụng thật sự ghi nhận hồ sơ.",
            "expires_at": "Để trống: hết hạn sau thời hạn mặc định (MOTCUA_API_TOKEN_DAYS); "
            "có thể thu hồi bất cứ lúc nào.",
        }


@admin.register(ApiToken)
class ApiTokenAdmin(DomainErrorsAsMessages):
    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "status",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username", "user__full_name"]
    list_select_related = ["user"]
    form = ApiTokenCreationForm
    actions = ["revoke_tokens"]

    @admin.display(description="trạng thái")
    def status(self, obj: ApiToken) -> str:
        return obj.state(clock.now())

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return api_tokens_visible_to(user=acting_user(request))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "name", "scope", "expires_at"] if obj is None else DISPLAY_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Nothing of an issued token changes but its revocation (the action).
        return [] if obj is None else DISPLAY_FIELDS

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            users = User.objects.filter(is_active=True)
            if not request.user.is_superuser:
                users = users_administered_by(user=acting_user(request)).filter(is_active=True)
            kwargs["queryset"] = users.order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only once issued
        token, secret = api_token_create(
            actor=acting_user(request),
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk = token.pk
        obj.prefix = token.prefix
        obj.created_at = token.created_at
        obj._state.adding = False
        messages.warning(
            request,
            f"Khóa API của “{token.name}” (chỉ hiển thị một lần, hãy sao chép ngay và lưu "
            f"ở nơi an toàn): {secret}",
        )

    @admin.action(description="Thu hồi các khóa API đã chọn", permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = acting_user(request)
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(token=token, actor=actor)
            except DomainError as error:
                report_domain_error(request, error)
            else:
                revoked += 1
        messages.success(request, f"Đã thu hồi {revoked} khóa API.")
