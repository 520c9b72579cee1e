"""Dossiers in the back office: read-only. Every change goes through the services (the officers'
screens, the API); the history cannot be edited anywhere."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.core.admin import acting_user
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossiers_visible_to


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("seq", "type", "at", "actor_name", "unit", "reason", "hash")
    readonly_fields = fields
    ordering = ("seq",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnly):
    list_display = [
        "code",
        "procedure_version",
        "receiving_unit",
        "status",
        "due_date",
        "timeliness",
        "received_at",
    ]
    list_filter = ["status", "timeliness", "channel"]
    search_fields = ["code", "applicant_name"]
    date_hierarchy = "received_at"
    inlines = [EventInline]
    list_select_related = ["procedure_version__procedure", "receiving_unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dossier]:
        if request.user.is_superuser:
            return super().get_queryset(request)
        return dossiers_visible_to(user=acting_user(request))
