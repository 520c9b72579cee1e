"""Pieces shared by the back-office (Django admin) screens of every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.core.errors import DomainError, ImportRejected
from motcua.units.models import Unit


class DomainErrorsAsMessages(admin.ModelAdmin):
    """A service's refusal while saving becomes a page message and nothing is stored.

    Forms validate what they can first; this is the safety net for rules only services know, so
    that an officer never sees a 500.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:  # the admin's own transaction has been rolled back
            report_domain_error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            report_domain_error(request, error)
            return HttpResponseRedirect(request.get_full_path())


class UnitScopedAdmin(DomainErrorsAsMessages):
    """Rows and unit choices limited to the units the signed-in officer may see.

    ``unit_path`` is the lookup from the model to its unit ("unit", "province", "" for Unit itself).
    Superusers see everything.
    """

    unit_path = "unit"
    # Rows with no unit (national data) are shown read-only to non-superusers when True.
    show_unscoped_rows = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = units_visible_to(user=acting_user(request))
        if not self.unit_path:
            return queryset.filter(pk__in=visible.values("pk"))
        condition = {f"{self.unit_path}__in": visible}
        scoped = queryset.filter(**condition)
        if self.show_unscoped_rows:
            scoped = scoped | queryset.filter(**{f"{self.unit_path}__isnull": True})
        return scoped

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if (
            db_field.related_model is Unit
            and not request.user.is_superuser
            and "queryset" not in kwargs
        ):
            kwargs["queryset"] = units_visible_to(user=acting_user(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def acting_user(request: HttpRequest) -> User:
    """The signed-in officer (the admin only lets authenticated staff in)."""
    user = request.user
    if not isinstance(user, User):
        raise DomainError("Cần đăng nhập.", code="not_authenticated")
    return user


def report_domain_error(request: HttpRequest, error: DomainError) -> None:
    """Show a service's refusal as a page message (Vietnamese), never a 500."""
    messages.error(request, error.message)
    if isinstance(error, ImportRejected):
        for line in error.problem_lines()[:200]:
            messages.error(request, line)


def intermediate_form_view(
    *,
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    title: str,
    form_class: type[forms.Form],
    on_valid: Callable[[forms.Form], str | None],
    queryset: QuerySet[Any] | None = None,
    action: str = "",
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse | None:
    """An admin page with one form (an action's second step, or an upload page).

    ``on_valid`` calls the service and returns a success message; a DomainError it raises is shown
    on the page and nothing is changed. Returns None when the caller should redirect back.
    """
    submitted = request.method == "POST" and "confirm" in request.POST
    form = form_class(request.POST, request.FILES) if submitted else form_class()
    if submitted and form.is_valid():
        try:
            message = on_valid(form)
        except DomainError as error:
            report_domain_error(request, error)
        else:
            if message:
                messages.success(request, message)
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "intro": intro,
        "form": form,
        "queryset": queryset,
        "action": action,
        "multipart": multipart,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/motcua/form_page.html", context)
