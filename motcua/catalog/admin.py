"""Back office for the catalogue.

A version that has taken effect is history: it is shown read-only and an edit is always a new
version ("Tạo phiên bản mới"). Every write of a version goes through
``services.procedure_version_create``; a refusal from the service (or from ``records.parse_record``)
is shown on the form, never as an error page. Import and export reuse ``catalog.io``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.deletion import ProtectedError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.catalog.io import (
    JSON_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    catalog_export_json,
    catalog_export_xlsx,
    catalog_import_file,
    format_verification,
    parse_verification,
)
from motcua.catalog.models import (
    Field,
    Level,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
    ProvincialFee,
    Source,
    UnitProcedure,
    procedure_code_validator,
)
from motcua.catalog.records import parse_record, record_from_version
from motcua.catalog.selectors import (
    fees_unconfigured,
    procedure_versions_in_force,
    provinces_administered_by,
    provincial_fee_choices,
)
from motcua.catalog.services import (
    procedure_version_create,
    procedure_version_replace,
    provincial_fee_check,
    provincial_fee_delete,
    provincial_fee_set,
)
from motcua.core import clock
from motcua.core.admin import UnitScopedAdmin, acting_user
from motcua.core.errors import DomainError, ImportRejected
from motcua.core.uploads import UploadField
from motcua.core.validators import civil_year_validator

# Request attributes: the service's refusal of a first save attempt, the version it stored, and
# the version an add form copies.
_REFUSAL = "_catalog_refusal"
_SAVED = "_catalog_saved_version"
_SOURCE = "_catalog_copy_source"


def _actor(request: HttpRequest) -> User | None:
    """The signed-in user (the admin lets no anonymous user reach these views)."""
    return request.user if isinstance(request.user, User) else None


def version_is_editable(version: ProcedureVersion) -> bool:
    """Only a version not yet in force, and not followed by another, may still be edited."""
    return version.effective_from > clock.today() and version.effective_to is None


def version_state(version: ProcedureVersion) -> str:
    today = clock.today()
    if version.effective_from > today:
        return "Chưa có hiệu lực"
    if version.effective_to is not None and version.effective_to < today:
        return "Đã hết hiệu lực"
    return "Đang có hiệu lực"


# --- lĩnh vực, thủ tục ---------------------------------------------------------------------------


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "official_code"]
    search_fields = ["code", "name", "name_en", "official_code"]
    ordering = ["code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Field | None = None) -> list[str]:
        # The code names the field in every catalogue file; renaming it would orphan them.
        return ["code"] if obj is not None else []


class ProcedureVersionListInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "effective_from", "effective_to", "status", "name"]
    readonly_fields = ["number", "effective_from", "effective_to", "status", "name"]
    ordering = ["-effective_from"]
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """A procedure is its code; its content lives in versions (added from the version admin)."""

    list_display = ["code", "latest_name", "version_count"]
    search_fields = ["code", "versions__name"]
    fields = ["code", "created_at"]
    readonly_fields = ["code", "created_at"]
    inlines = [ProcedureVersionListInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Procedure]:
        latest = ProcedureVersion.objects.filter(procedure=OuterRef("pk")).order_by(
            "-effective_from"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                version_count=Count("versions"), latest_name=Subquery(latest.values("name")[:1])
            )
        )

    @admin.display(description="tên (phiên bản mới nhất)")
    def latest_name(self, obj: Procedure) -> str:
        return getattr(obj, "latest_name", "") or ""

    @admin.display(description="số phiên bản", ordering="version_count")
    def version_count(self, obj: Procedure) -> int:
        return int(getattr(obj, "version_count", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.add_procedureversion")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # A new procedure is its first version: the version form creates the code as well.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("admin:catalog_procedureversion_add")

    def has_change_permission(self, request: HttpRequest, obj: Procedure | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Procedure | None = None) -> bool:
        return False


# --- phiên bản thủ tục ---------------------------------------------------------------------------


def _lines(value: Any) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value or "")


def _record_rows(record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The rows of one inline in a record (the per-case limits live in ``time_limit``)."""
    if key == "cases":
        return list(record["time_limit"]["cases"])
    return list(record[key])


class ProcedureVersionForm(forms.ModelForm):
    """The version as an officer types it; the record checks happen in ``parse_record``."""

    code = forms.CharField(
        label="Mã thủ tục",
        max_length=40,
        validators=[procedure_code_validator],
        help_text="Mã trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193. Mã mới tạo thủ tục mới.",
    )
    levels = forms.MultipleChoiceField(
        label="Cấp thực hiện", choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )
    legal_basis = forms.CharField(
        label="Căn cứ pháp lý",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi văn bản một dòng.",
    )
    verification = forms.CharField(
        label="Mức độ kiểm chứng",
        required=False,
        help_text="Dạng code=V; fees=U — V: đã đối chiếu văn bản, P: nguồn thứ cấp, "
        "U: chưa kiểm chứng.",
    )

    # Problems the service found on the first attempt to save (see ProcedureVersionAdmin).
    service_problems: list[tuple[str, str]] = []

    class Meta:
        model = ProcedureVersion
        # The record's own fields (the admin narrows them to its fieldsets).
        fields = (
            "effective_from", "status", "name", "name_en", "field", "sector_code",
            "competent_authority", "applicants", "steps_text", "requirements", "result",
            "time_limit_value", "time_limit_unit", "time_limit_text", "same_day_cutoff",
            "supplement_policy", "online_level", "postal_allowed", "boundary_free",
            "boundary_free_basis", "payment_stops_clock", "payment_stop_basis",
            "announcement_number", "announcement_date", "announcement_issuer", "source", "notes",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The version belongs to its procedure; another code is another procedure.
            self.fields["code"].disabled = True
            self.initial["code"] = self.instance.procedure.code
        levels = self.initial.get("levels")
        if isinstance(levels, str):
            self.initial["levels"] = [level for level in levels.split(",") if level]
        if "legal_basis" in self.initial:
            self.initial["legal_basis"] = _lines(self.initial["legal_basis"])
        if isinstance(self.initial.get("verification"), dict):
            self.initial["verification"] = format_verification(self.initial["verification"])

    def clean_levels(self) -> str:
        return ",".join(self.cleaned_data["levels"])

    def clean_legal_basis(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["legal_basis"].splitlines() if line.strip()
        ]

    def clean_verification(self) -> dict[str, str]:
        try:
            return parse_verification(self.cleaned_data["verification"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, message in self.service_problems:
            if name in self.fields and name in cleaned:
                self.add_error(name, message)
            else:
                self.add_error(None, message)
        return cleaned


class _PartForm(forms.ModelForm):
    position = forms.IntegerField(
        label="Thứ tự",
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
    )


def copy_source(request: HttpRequest) -> ProcedureVersion | None:
    """The version an add form copies (``?copy_from=<id>`` from "Tạo phiên bản mới")."""
    if not hasattr(request, _SOURCE):
        pk = request.GET.get("copy_from", "")
        source = None
        if pk.isdigit():
            source = (
                ProcedureVersion.objects.select_related("procedure", "field")
                .prefetch_related("time_limits", "components", "fees", "steps")
                .filter(pk=int(pk))
                .first()
            )
        setattr(request, _SOURCE, source)
    return getattr(request, _SOURCE)


class _VersionPartInline(admin.TabularInline):
    """Papers, fees and steps belong to their version: editable exactly when it is."""

    form = _PartForm
    record_key = ""  # the list of the record this inline fills
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def _may_edit(self, request: HttpRequest, obj: ProcedureVersion | None) -> bool:
        if obj is None or obj.pk is None:
            return request.user.has_perm("catalog.add_procedureversion")
        return request.user.has_perm("catalog.change_procedureversion") and version_is_editable(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("catalog.view_procedureversion") or self._may_edit(
            request, obj
        )

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        source = copy_source(request)
        if source is not None and request.method != "POST":
            return len(_record_rows(record_from_version(source), self.record_key))
        return 1 if obj is None or obj.pk is None else 0


class TimeLimitInline(_VersionPartInline):
    """Per-case limits beside the general one (a case chosen by an officer, or a channel's)."""

    model = ProcedureTimeLimit
    record_key = "cases"
    fields = ["position", "code", "label", "condition", "value", "unit", "text", "legal_basis"]
    verbose_name = "thời hạn theo trường hợp"
    verbose_name_plural = "Thời hạn theo trường hợp (ngoài thời hạn chung ở trên)"


class ComponentInline(_VersionPartInline):
    model = ProcedureComponent
    record_key = "components"
    fields = [
        "position",
        "case",
        "name",
        "originals",
        "copies",
        "form_template",
        "required",
        "note",
    ]


class FeeInline(_VersionPartInline):
    model = ProcedureFee
    record_key = "fees"
    fields = [
        "position",
        "kind",
        "name",
        "pricing",
        "amount",
        "unit",
        "channel",
        "description",
        "legal_basis",
    ]


class ProcessStepInline(_VersionPartInline):
    model = ProcessStep
    record_key = "process"
    fields = ["position", "name", "role", "performer", "share"]


_INLINE_KEYS = {
    ProcedureTimeLimit: "cases",
    ProcedureComponent: "components",
    ProcedureFee: "fees",
    ProcessStep: "process",
}
_PART_LABELS = {
    "time_limit.cases": "Thời hạn theo trường hợp",
    "components": "Thành phần hồ sơ",
    "fees": "Phí, lệ phí",
    "process": "Quy trình nội bộ",
}
# Record keys that are not the form's field names.
_FORM_FIELD = {
    "time_limit": "time_limit_value",
    "time_limit.value": "time_limit_value",
    "time_limit.unit": "time_limit_unit",
    "time_limit.text": "time_limit_text",
}

_EDIT_FIELDSETS: list[tuple[str | None, dict[str, Any]]] = [
    (
        None,
        {
            "fields": [
                "code",
                "effective_from",
                "status",
                "name",
                "name_en",
                "field",
                "sector_code",
                "levels",
            ]
        },
    ),
    (
        "Thực hiện",
        {"fields": ["competent_authority", "applicants", "steps_text", "requirements", "result"]},
    ),
    (
        "Thời hạn giải quyết",
        {
            "fields": [
                "time_limit_value",
                "time_limit_unit",
                "time_limit_text",
                "same_day_cutoff",
                "supplement_policy",
                "payment_stops_clock",
                "payment_stop_basis",
            ]
        },
    ),
    (
        "Cách thức thực hiện",
        {"fields": ["online_level", "postal_allowed", "boundary_free", "boundary_free_basis"]},
    ),
    (
        "Căn cứ, kiểm chứng",
        {
            "fields": [
                "legal_basis",
                "announcement_number",
                "announcement_date",
                "announcement_issuer",
                "source",
                "verification",
                "notes",
            ]
        },
    ),
]
_VERSION_INFO = ["number", "effective_to", "created_at", "created_by"]
_DISPLAY_NAMES = {
    "code": "procedure_code",
    "levels": "levels_display",
    "legal_basis": "legal_basis_display",
    "verification": "verification_display",
}
_VIEW_FIELDSETS = [
    (title, {"fields": [_DISPLAY_NAMES.get(name, name) for name in options["fields"]]})
    for title, options in _EDIT_FIELDSETS
] + [("Phiên bản", {"fields": _VERSION_INFO})]


class _Refused(Exception):
    """The service refused the version; carries (form field or record key, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _part_rows(formset: BaseInlineFormSet, keys: list[str]) -> list[dict[str, Any]]:
    rows = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append((data.get("position") or 10**6, index, {key: data.get(key) for key in keys}))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def _raw_record(form: forms.ModelForm, formsets: list[BaseInlineFormSet]) -> dict[str, Any]:
    """The version form and its inlines as a catalogue record (the JSON file's shape)."""
    data = form.cleaned_data
    cutoff = data.get("same_day_cutoff")
    raw: dict[str, Any] = {
        key: data.get(key)
        for key in (
            "code",
            "effective_from",
            "status",
            "name",
            "name_en",
            "sector_code",
            "levels",
            "competent_authority",
            "applicants",
            "steps_text",
            "requirements",
            "result",
            "online_level",
            "postal_allowed",
            "boundary_free",
            "boundary_free_basis",
            "legal_basis",
            "payment_stops_clock",
            "payment_stop_basis",
            "announcement_number",
            "announcement_date",
            "announcement_issuer",
            "source",
            "supplement_policy",
            "verification",
            "notes",
        )
    }
    raw["field"] = data["field"].code
    raw["time_limit"] = {
        "value": data.get("time_limit_value"),
        "unit": data.get("time_limit_unit"),
        "text": data.get("time_limit_text"),
        "cases": [],
    }
    raw["same_day_cutoff"] = cutoff.strftime("%H:%M") if cutoff else ""
    for formset in formsets:
        key = _INLINE_KEYS[formset.model]
        rows = _part_rows(formset, [f for f in formset.form.base_fields if f != "position"])
        if key == "cases":
            raw["time_limit"]["cases"] = rows
        else:
            raw[key] = rows
    return raw


def _problem_target(path: str) -> tuple[str, str]:
    """Where a record problem is shown: a form field, or a readable label for the whole form."""
    for key, label in _PART_LABELS.items():
        if path.startswith(key + "["):
            index, _, part = path[len(key) + 1 :].partition("].")
            return "", f"{label}, dòng {index}, {part}"
        if path == key:
            return "", label
    return _FORM_FIELD.get(path, path), ""


class NewVersionForm(forms.Form):
    effective_from = forms.DateField(
        label="Hiệu lực từ",
        validators=[civil_year_validator],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Ngày văn bản mới có hiệu lực; phải sau ngày hiệu lực của phiên bản mới nhất.",
    )


class CatalogUploadForm(forms.Form):
    file = UploadField(
        label="Tệp danh mục",
        help_text="Tệp .json (motcua-catalog/1) hoặc .xlsx (Excel), trong giới hạn "
        "MOTCUA_UPLOAD_MAX_MB.",
    )
    dry_run = forms.BooleanField(label="Chỉ kiểm tra, chưa lưu", required=False)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = ProcedureVersionForm
    inlines = [TimeLimitInline, ComponentInline, FeeInline, ProcessStepInline]
    list_display = [
        "procedure_code",
        "number",
        "name",
        "effective_from",
        "effective_to",
        "status",
        "state",
    ]
    list_display_links = ["procedure_code", "name"]
    list_filter = ["status", "source", "field", "online_level", "time_limit_unit"]
    list_select_related = ["procedure", "field"]
    search_fields = ["procedure__code", "name", "search_text"]
    actions = ["new_version_action"]
    change_list_template = "admin/catalog/procedureversion/change_list.html"
    change_form_template = "admin/catalog/procedureversion/change_form.html"

    # display ------------------------------------------------------------------------------------

    @admin.display(description="mã thủ tục", ordering="procedure__code")
    def procedure_code(self, obj: ProcedureVersion) -> str:
        return obj.procedure.code

    @admin.display(description="tình trạng")
    def state(self, obj: ProcedureVersion) -> str:
        return version_state(obj)

    @admin.display(description="cấp thực hiện")
    def levels_display(self, obj: ProcedureVersion) -> str:
        return ", ".join(obj.level_labels)

    @admin.display(description="căn cứ pháp lý")
    def legal_basis_display(self, obj: ProcedureVersion) -> str:
        return "; ".join(obj.legal_basis)

    @admin.display(description="mức độ kiểm chứng")
    def verification_display(self, obj: ProcedureVersion) -> str:
        return format_verification(obj.verification)

    # permissions: history is read-only, nothing is deleted -----------------------------------

    def has_change_permission(
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or version_is_editable(obj))

    def has_delete_permission(
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> bool:
        # Dossiers keep the version of their intake day; a version is never deleted here.
        return False

    def get_fieldsets(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> Any:
        if obj is None:
            return _EDIT_FIELDSETS
        if not self.has_change_permission(request, obj):
            return _VIEW_FIELDSETS
        return [*_EDIT_FIELDSETS, ("Phiên bản", {"fields": _VERSION_INFO})]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> list[str]:
        return list(_VERSION_INFO) if obj is not None else []

    # the form: prefilled from a copied version; refusals shown as form errors --------------------

    def get_form(
        self,
        request: HttpRequest,
        obj: ProcedureVersion | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        problems = getattr(request, _REFUSAL, None)
        if problems:
            form = type(form.__name__, (form,), {"service_problems": problems})
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        source = copy_source(request)
        if source is None:
            return initial
        record = record_from_version(source)
        limit = record.pop("time_limit")
        for key in ("components", "fees", "process", "field"):
            record.pop(key)
        initial.update(record)
        initial.update(
            {
                "field": source.field_id,
                # A version typed in here is the unit's own, whatever the copy came from.
                "source": Source.LOCAL,
                "time_limit_value": limit["value"],
                "time_limit_unit": limit["unit"],
                "time_limit_text": limit["text"],
                "effective_from": request.GET.get("effective_from")
                or clock.today() + dt.timedelta(1),
            }
        )
        return initial

    def get_formset_kwargs(
        self, request: HttpRequest, obj: ProcedureVersion, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        source = copy_source(request)
        # Initial rows only on GET: posted rows equal to their initial value would count as empty.
        if source is not None and request.method != "POST" and obj.pk is None:
            rows = _record_rows(record_from_version(source), inline.record_key)
            kwargs["initial"] = [{**row, "position": i} for i, row in enumerate(rows, start=1)]
        return kwargs

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {**(extra_context or {}), **self._version_context(request, object_id)}
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except _Refused as refused:
            # The transaction of the first attempt is rolled back; show the same form again with
            # the service's problems as form errors (see ProcedureVersionForm.clean).
            setattr(request, _REFUSAL, refused.problems)
            return super().changeform_view(request, object_id, form_url, context)

    def _version_context(self, request: HttpRequest, object_id: str | None) -> dict[str, Any]:
        context: dict[str, Any] = {"has_new_version_permission": self.has_add_permission(request)}
        source = copy_source(request)
        if object_id is None and source is not None:
            context["version_notice"] = (
                f"Phiên bản mới của thủ tục {source.procedure.code}, chép từ phiên bản "
                f"{source.number}. Sửa nội dung cần thay đổi rồi lưu."
            )
            return context
        version = self.get_object(request, unquote(object_id)) if object_id else None
        if version is None:
            return context
        if version.effective_from <= clock.today():
            context["version_notice"] = (
                f"Phiên bản này có hiệu lực từ {version.effective_from:%d/%m/%Y} nên là lịch sử, "
                "chỉ xem được."
            )
            if context["has_new_version_permission"]:
                context["version_notice"] += " Muốn sửa, bấm “Tạo phiên bản mới”."
        elif version.effective_to is not None:
            context["version_notice"] = (
                "Phiên bản này chưa có hiệu lực nhưng đã có phiên bản sau nó, nên chỉ xem được."
            )
        else:
            context["version_notice"] = (
                "Phiên bản này chưa có hiệu lực: lưu sẽ thay nội dung của nó "
                "(số phiên bản giữ nguyên)."
            )
        return context

    # saving: the whole version through the service ---------------------------------------------

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: Any
    ) -> None:
        """Nothing is stored here: ``save_related`` hands the whole version to the service."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        raw = _raw_record(form, formsets)
        record, problems = parse_record(raw, known_fields={raw["field"]})
        if problems:
            raise _Refused([self._problem(p.field, p.message) for p in problems])
        try:
            if change:
                version, created = procedure_version_replace(
                    version=form.instance,
                    record=record,
                    today=clock.today(),
                    actor=_actor(request),
                )
            else:
                version, created = procedure_version_create(record=record, actor=_actor(request))
        except DomainError as exc:
            field = "effective_from" if exc.code == "version_not_after_latest" else ""
            raise _Refused([(field, exc.message)]) from exc
        except ProtectedError as exc:
            raise _Refused([("", "Phiên bản đã được hồ sơ sử dụng nên không thay được.")]) from exc
        if not created:
            raise _Refused(
                [
                    (
                        "",
                        f"Nội dung giống hệt phiên bản {version.number} (hiệu lực từ "
                        f"{version.effective_from:%d/%m/%Y}); không có gì để lưu.",
                    )
                ]
            )
        setattr(request, _SAVED, version)

    @staticmethod
    def _problem(path: str, message: str) -> tuple[str, str]:
        field, label = _problem_target(path)
        return (field, f"{label}: {message}" if label else message)

    def _saved(self, request: HttpRequest, obj: ProcedureVersion) -> ProcedureVersion:
        return getattr(request, _SAVED, obj)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        if add:
            return [{"added": {}}]
        return [
            {
                "changed": {
                    "fields": [
                        str(form.fields[name].label)
                        for name in form.changed_data
                        if name in form.fields
                    ]
                }
            }
        ]

    def log_addition(self, request: HttpRequest, obj: ProcedureVersion, message: Any) -> Any:
        return super().log_addition(request, self._saved(request, obj), message)

    def log_change(self, request: HttpRequest, obj: ProcedureVersion, message: Any) -> Any:
        return super().log_change(request, self._saved(request, obj), message)

    def response_add(
        self, request: HttpRequest, obj: ProcedureVersion, post_url_continue: str | None = None
    ) -> HttpResponse:
        return super().response_add(request, self._saved(request, obj), post_url_continue)

    def response_change(self, request: HttpRequest, obj: ProcedureVersion) -> HttpResponse:
        saved = self._saved(request, obj)
        if saved.pk != obj.pk and "_continue" in request.POST:
            # The replacement has a new id: "save and continue" must not go back to the old page.
            self.message_user(request, f"Đã lưu “{saved}”.", messages.SUCCESS)
            return redirect("admin:catalog_procedureversion_change", saved.pk)
        return super().response_change(request, saved)

    # "Tạo phiên bản mới" ------------------------------------------------------------------------

    @admin.action(description="Tạo phiên bản mới", permissions=["add"])
    def new_version_action(
        self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, "Chọn đúng một phiên bản để tạo phiên bản mới từ nó.", messages.WARNING
            )
            return None
        return redirect("admin:catalog_procedureversion_new_version", queryset.get().pk)

    def new_version_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = self.get_object(request, unquote(object_id))
        if version is None:
            self.message_user(request, "Không có phiên bản này.", messages.WARNING)
            return redirect("admin:catalog_procedureversion_changelist")
        form = NewVersionForm(
            request.POST or None,
            initial={"effective_from": clock.today() + dt.timedelta(days=1)},
        )
        if request.method == "POST" and form.is_valid():
            query = urlencode(
                {
                    "copy_from": version.pk,
                    "effective_from": form.cleaned_data["effective_from"].isoformat(),
                }
            )
            return HttpResponseRedirect(f"{reverse('admin:catalog_procedureversion_add')}?{query}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Tạo phiên bản mới",
            "subtitle": str(version),
            "original": version,
            "form": form,
        }
        return TemplateResponse(request, "admin/catalog/procedureversion/new_version.html", context)

    # import and export ---------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("nhap/", wrap(self.import_view), name=f"{name}_import"),
            path(
                "xuat/json/",
                wrap(self.export_view),
                {"file_format": "json"},
                name=f"{name}_export_json",
            ),
            path(
                "xuat/xlsx/",
                wrap(self.export_view),
                {"file_format": "xlsx"},
                name=f"{name}_export_xlsx",
            ),
            path(
                "<path:object_id>/phien-ban-moi/",
                wrap(self.new_version_view),
                name=f"{name}_new_version",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "has_import_permission": self.has_add_permission(request),
        }
        return super().changelist_view(request, context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CatalogUploadForm(request.POST or None, request.FILES or None)
        context: dict[str, Any] = {}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                report = catalog_import_file(
                    content=upload.read(),
                    filename=upload.name or "",
                    actor=_actor(request),
                    dry_run=dry_run,
                )
            except ImportRejected as exc:
                context["problems"] = exc.problems
                messages.error(request, exc.message)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if not dry_run:
                    messages.success(request, "Đã nhập: " + report.summary())
                    return redirect("admin:catalog_procedureversion_changelist")
                context["report"] = report
        context.update(
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Nhập danh mục thủ tục",
                "form": form,
            }
        )
        return TemplateResponse(request, "admin/catalog/procedureversion/import.html", context)

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = clock.today()
        versions = procedure_versions_in_force(on=today)
        try:
            if file_format == "xlsx":
                content, content_type = catalog_export_xlsx(versions), XLSX_CONTENT_TYPE
            else:
                content, content_type = catalog_export_json(versions), JSON_CONTENT_TYPE
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("admin:catalog_procedureversion_changelist")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="danh-muc-thu-tuc-{today.isoformat()}.{file_format}"'
        )
        return response


# --- thủ tục áp dụng tại đơn vị ------------------------------------------------------------------


@admin.register(UnitProcedure)
class UnitProcedureAdmin(UnitScopedAdmin):
    """Which procedures a unit receives; an officer sees and assigns only the units they may see."""

    list_display = ["procedure", "unit", "valid_from", "valid_to"]
    list_filter = ["unit__level"]
    list_select_related = ["procedure", "unit"]
    search_fields = ["procedure__code", "unit__name"]
    autocomplete_fields = ["procedure"]
    ordering = ["unit__path", "procedure__code"]


# --- mức thu do HĐND tỉnh quyết định (decision 11) -----------------------------------------------


def _may_configure_fees(request: HttpRequest) -> bool:
    user = request.user
    if not isinstance(user, User) or not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or provinces_administered_by(user=user).exists()


class _FeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        channel = f" ({obj.get_channel_display().lower()})" if obj.channel != "all" else ""
        version = obj.version
        return f"{version.procedure.code} — {obj.name}{channel} [phiên bản {version.number}]"


class ProvincialFeeForm(forms.ModelForm):
    """One HĐND resolution's amount for one fee; every rule is ``provincial_fee_check``'s."""

    fee = _FeeChoiceField(
        label="Khoản thu",
        queryset=ProcedureFee.objects.none(),
        help_text="Các khoản thu do HĐND tỉnh quyết định của các thủ tục đang hoặc sắp có hiệu "
        "lực.",
    )
    actor: User | None = None

    class Meta:
        model = ProvincialFee
        fields = ["province", "amount", "resolution", "effective_from"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fee"].queryset = provincial_fee_choices(on=clock.today())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ("fee", "province", "amount", "resolution", "effective_from")
        if all(cleaned.get(name) not in (None, "") for name in needed):
            try:
                provincial_fee_check(**{name: cleaned[name] for name in needed}, actor=self.actor)
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(ProvincialFee)
class ProvincialFeeAdmin(admin.ModelAdmin):
    """The amounts each province's People's Council set: its administrators see and add their own
    province's; a row is never edited (a new resolution is a new row with its date)."""

    form = ProvincialFeeForm
    list_display = [
        "province",
        "procedure",
        "fee_name",
        "fee_channel",
        "amount_display",
        "resolution",
        "effective_from",
    ]
    list_filter = ["province", "fee_kind"]
    list_select_related = ["province", "procedure"]
    search_fields = ["procedure__code", "fee_name", "resolution"]
    change_list_template = "admin/catalog/provincialfee/change_list.html"

    @admin.display(description="mức thu", ordering="amount")
    def amount_display(self, obj: ProvincialFee) -> str:
        return "Miễn" if not obj.amount else f"{obj.amount:,.0f}".replace(",", ".") + " đồng"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProvincialFee]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(province__in=provinces_administered_by(user=acting_user(request)))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_configure_fees(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_configure_fees(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_configure_fees(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_configure_fees(request)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["fee", "province", "amount", "resolution", "effective_from"]
        return [
            "province",
            "procedure",
            "fee_kind",
            "fee_name",
            "fee_channel",
            "amount",
            "resolution",
            "effective_from",
            "created_at",
            "created_by",
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": _actor(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "province":
            provinces = provinces_administered_by(user=acting_user(request))
            kwargs["queryset"] = provinces.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        initial.setdefault("effective_from", clock.today())
        return initial

    def save_model(self, request: HttpRequest, obj: ProvincialFee, form: Any, change: Any) -> None:
        data = form.cleaned_data
        saved = provincial_fee_set(
            fee=data["fee"],
            province=data["province"],
            amount=data["amount"],
            resolution=data["resolution"],
            effective_from=data["effective_from"],
            actor=_actor(request),
        )
        obj.pk = saved.pk
        obj.procedure, obj.fee_name = saved.procedure, saved.fee_name

    def delete_model(self, request: HttpRequest, obj: ProvincialFee) -> None:
        provincial_fee_delete(provincial_fee=obj, actor=_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProvincialFee]) -> None:
        for row in queryset:
            provincial_fee_delete(provincial_fee=row, actor=_actor(request))

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "chua-cau-hinh/",
                self.admin_site.admin_view(self.unconfigured_view),
                name=f"{name}_unconfigured",
            ),
            *super().get_urls(),
        ]

    def unconfigured_view(self, request: HttpRequest) -> HttpResponse:
        """Every fee left to the HĐND tỉnh with no amount yet, per receiving unit."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        user = acting_user(request)
        units = None if user.is_superuser else units_visible_to(user=user)
        today = clock.today()
        add_url = reverse("admin:catalog_provincialfee_add")
        rows = []
        for item in fees_unconfigured(on=today, units=units):
            query = {"fee": item.fee.pk, "province": item.province.pk if item.province else ""}
            rows.append({"item": item, "add_url": f"{add_url}?{urlencode(query)}"})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Khoản thu do HĐND tỉnh quyết định chưa cấu hình",
            "rows": rows,
            "on": today,
        }
        return TemplateResponse(request, "admin/catalog/provincialfee/unconfigured.html", context)
