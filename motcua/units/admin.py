"""Back office for units: the tree, and reorganisations as dated succession records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from motcua.accounts.selectors import units_visible_to
from motcua.core.admin import UnitScopedAdmin, acting_user, intermediate_form_view
from motcua.units.models import Unit, UnitSuccession
from motcua.units.services import unit_create, unit_merge, unit_rename, unit_split, unit_update


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    can_delete = False
    verbose_name_plural = "đơn vị kế thừa"
    fields = ("successor", "kind", "effective_date", "legal_basis")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReorganiseForm(forms.Form):
    kind = forms.ChoiceField(label="hình thức", choices=UnitSuccession.Kind.choices[:3])
    effective_date = forms.DateField(
        label="ngày có hiệu lực", widget=forms.DateInput(attrs={"type": "date"})
    )
    legal_basis = forms.CharField(label="căn cứ pháp lý", max_length=255)
    new_name = forms.CharField(label="tên mới (đổi tên)", max_length=255, required=False)
    successors = forms.ModelMultipleChoiceField(
        label="đơn vị kế thừa (sáp nhập: một; chia tách: từ hai)",
        queryset=Unit.objects.filter(valid_to__isnull=True),
        required=False,
    )

    def __init__(
        self, *args: Any, predecessors: QuerySet[Unit] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.predecessors = list(predecessors or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        successors = list(data.get("successors") or [])
        if kind == UnitSuccession.Kind.RENAME:
            if len(self.predecessors) != 1:
                raise ValidationError("Đổi tên áp dụng cho đúng một đơn vị.")
            if not data.get("new_name"):
                self.add_error("new_name", "Cần tên mới.")
        elif kind == UnitSuccession.Kind.MERGE and len(successors) != 1:
            self.add_error("successors", "Sáp nhập cần đúng một đơn vị kế thừa.")
        elif kind == UnitSuccession.Kind.SPLIT:
            if len(self.predecessors) != 1:
                raise ValidationError("Chia tách áp dụng cho đúng một đơn vị.")
            if len(successors) < 2:
                self.add_error("successors", "Chia tách cần ít nhất hai đơn vị kế thừa.")
        return data


@admin.register(Unit)
class UnitAdmin(UnitScopedAdmin):
    unit_path = ""
    list_display = ["name", "identifier", "area_code", "level", "kind", "valid_from", "valid_to"]
    list_filter = ["level", "kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["name", "identifier", "area_code"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]
    actions = ["reorganise"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "short_name",
                    "parent",
                    "level",
                    "kind",
                    "identifier",
                    "area_code",
                    "valid_from",
                    "valid_to",
                    "address",
                    "phone",
                ]
            },
        ),
        (
            "Giờ làm việc",
            {
                "fields": [
                    "working_hours",
                    "summer_working_hours",
                    "summer_from",
                    "summer_to",
                    "same_day_cutoff",
                    "saturday_reception",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser or obj is None:
            return ()
        # Where a unit sits and when it exists are decided by law and recorded through a
        # reorganisation, by the system administrator.
        return ("parent", "level", "kind", "valid_from", "valid_to")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and not request.user.is_superuser:
            form.base_fields["parent"].required = True  # a new unit sits inside the admin's own
        return form

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("reorganise", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        if not change:
            data = {
                name: form.cleaned_data[name]
                for name in form.cleaned_data
                if name not in {"name", "level", "kind", "parent"}
            }
            created = unit_create(
                name=obj.name, level=obj.level, kind=obj.kind, parent=obj.parent, **data
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        unit_update(unit=obj, parent_changed="parent" in form.changed_data)

    @admin.action(description="Sắp xếp lại: sáp nhập, chia tách, đổi tên (ghi nhận kế thừa)")
    def reorganise(self, request: HttpRequest, queryset: QuerySet[Unit]) -> HttpResponse | None:
        if not request.user.is_superuser:
            raise PermissionDenied
        predecessors = queryset.order_by("path")

        class Bound(ReorganiseForm):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, predecessors=predecessors, **kwargs)

        def apply(form: forms.Form) -> str:
            data = form.cleaned_data
            date: dt.date = data["effective_date"]
            if data["kind"] == UnitSuccession.Kind.RENAME:
                renamed = unit_rename(
                    unit=predecessors[0],
                    new_name=data["new_name"],
                    effective_date=date,
                    legal_basis=data["legal_basis"],
                )
                return f"Đã đổi tên thành {renamed} từ {date:%d/%m/%Y}."
            successors = list(data["successors"])
            if data["kind"] == UnitSuccession.Kind.MERGE:
                unit_merge(
                    predecessors=list(predecessors),
                    successor=successors[0],
                    effective_date=date,
                    legal_basis=data["legal_basis"],
                )
                return f"Đã sáp nhập {len(predecessors)} đơn vị vào {successors[0]}."
            unit_split(
                predecessor=predecessors[0],
                successors=successors,
                effective_date=date,
                legal_basis=data["legal_basis"],
            )
            return f"Đã chia tách {predecessors[0]} thành {len(successors)} đơn vị."

        return intermediate_form_view(
            request=request,
            model_admin=self,
            title="Sắp xếp lại đơn vị",
            form_class=Bound,
            on_valid=apply,
            queryset=predecessors,
            action="reorganise",
            intro="Đơn vị cũ được đóng từ ngày trước ngày hiệu lực; lịch sử hồ sơ của đơn vị "
            "cũ được giữ nguyên và cộng dồn cho đơn vị kế thừa.",
        )


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[UnitSuccession]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = units_visible_to(user=acting_user(request))
        return queryset.filter(Q(predecessor__in=visible) | Q(successor__in=visible))

    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_basis"]
    list_filter = ["kind", "effective_date"]
    search_fields = ["predecessor__name", "successor__name", "legal_basis"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the reorganisation action, which closes and links units together

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
