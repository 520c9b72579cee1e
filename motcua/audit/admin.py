"""The access log in /quan-tri/: read-only, for superusers (inspectors read it at
/can-bo/nhat-ky-truy-cap/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.audit.models import AccessRecord


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "username",
        "channel",
        "client",
        "action",
        "dossier",
        "what",
        "query_kind",
        "results",
        "address",
    ]
    list_filter = ["action", "channel", "query_kind"]
    search_fields = ["username", "dossier__code"]
    date_hierarchy = "at"
    list_select_related = ["dossier"]
    actions = None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
