"""Back office for calendar data: days off and make-up days, confirmation, file import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse

from motcua.accounts.selectors import units_visible_to
from motcua.calendars.models import CalendarChange, CalendarDay, CalendarYear
from motcua.calendars.services import (
    calendar_day_confirm,
    calendar_day_delete,
    calendar_day_save,
    calendar_import_file,
    calendar_sync_package,
    calendar_year_confirm,
)
from motcua.core import clock
from motcua.core.admin import (
    UnitScopedAdmin,
    acting_user,
    intermediate_form_view,
    report_domain_error,
)
from motcua.core.errors import DomainError
from motcua.core.uploads import UploadField
from motcua.units.models import Unit


class YearFilter(admin.SimpleListFilter):
    title = "năm"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(date__year=self.value()) if self.value() else queryset


class CalendarFileForm(forms.Form):
    file = UploadField(label="tệp lịch (.json hoặc .csv)")
    province = forms.ModelChoiceField(
        label="tỉnh (để trống: lịch toàn quốc)", queryset=Unit.objects.none(), required=False
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(UnitScopedAdmin):
    unit_path = "province"
    show_unscoped_rows = True  # national days are visible to every administrator, read-only
    list_display = ["date", "name", "kind", "status", "province", "legal_basis"]
    list_filter = ["status", "kind", YearFilter, ("province", admin.EmptyFieldListFilter)]
    search_fields = ["name", "legal_basis"]
    date_hierarchy = "date"
    fields = ["date", "province", "kind", "name", "legal_basis", "status", "note"]
    actions = ["confirm_days"]
    change_list_template = "admin/calendars/calendarday/change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["status"] if not request.user.is_superuser else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "province":
            # Local days belong to a province, never to a commune (see services.check_province).
            field.queryset = field.queryset.filter(
                level=Unit.Level.PROVINCE, kind=Unit.Kind.PEOPLES_COMMITTEE
            )
        return field

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.is_superuser and "province" in form.base_fields:
            form.base_fields["province"].required = True  # local days only; national is central
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.province_id is None and not request.user.is_superuser:
            return False  # the national calendar is decreed centrally
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(
            request, obj
        )

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        if not request.user.is_superuser and obj.province_id is None:
            raise DomainError("Chỉ quản trị hệ thống được sửa lịch toàn quốc; hãy chọn tỉnh.")
        for change_record in calendar_day_save(day=obj, actor=acting_user(request)):
            self._report(request, change_record)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        self._report(request, calendar_day_delete(day=obj, actor=acting_user(request)))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            self.delete_model(request, day)

    def _report(self, request: HttpRequest, change: CalendarChange | None) -> None:
        if change and change.changed_dates:
            messages.info(
                request,
                f"{len(change.changed_dates)} ngày đổi cách tính; hạn xử lý của các hồ sơ đang "
                "giải quyết liên quan sẽ được tính lại.",
            )

    @admin.action(description="Xác nhận là ngày chính thức (áp dụng khi tính hạn)")
    def confirm_days(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        confirmed = 0
        for day in queryset:
            if day.province_id is None and not request.user.is_superuser:
                messages.error(request, f"{day}: lịch toàn quốc chỉ quản trị hệ thống xác nhận.")
                continue
            try:
                calendar_day_confirm(day=day, actor=acting_user(request))
            except DomainError as error:
                report_domain_error(request, error)
            else:
                confirmed += 1
        if confirmed:
            messages.success(request, f"Đã xác nhận {confirmed} ngày.")

    def get_urls(self) -> list[Any]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="calendars_calendarday_import",
            ),
            path(
                "sync-package/",
                self.admin_site.admin_view(self.sync_view),
                name="calendars_calendarday_sync",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        pending = self.get_queryset(request).filter(status=CalendarDay.Status.ANNOUNCED)
        extra = {"pending_days": list(pending[:20]), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            messages.error(request, "Bạn không có quyền nhập lịch.")
            return HttpResponseRedirect(reverse("admin:calendars_calendarday_changelist"))
        visible = Unit.objects.filter(level=Unit.Level.PROVINCE, kind=Unit.Kind.PEOPLES_COMMITTEE)
        if not request.user.is_superuser:
            visible = visible & units_visible_to(user=acting_user(request))

        class Form(CalendarFileForm):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.fields["province"].queryset = visible  # type: ignore[attr-defined]
                if not request.user.is_superuser:
                    self.fields["province"].required = True

        def apply(form: forms.Form) -> str:
            upload = form.cleaned_data["file"]
            parsed, change = calendar_import_file(
                content=upload.read(),
                filename=upload.name,
                province=form.cleaned_data["province"],
                actor=acting_user(request),
            )
            changed = len(change.changed_dates) if change else 0
            return f"Đã nhập {len(parsed.rows)} ngày; {changed} ngày thay đổi cách tính hạn."

        response = intermediate_form_view(
            request=request,
            model_admin=self,
            title="Nhập lịch từ tệp",
            form_class=Form,
            on_valid=apply,
            multipart=True,
            intro="Tệp JSON (motcua-calendar/1) hoặc CSV với các cột date,kind,name,legal_basis. "
            "Tệp có lỗi bị từ chối toàn bộ, kèm danh sách lỗi theo dòng và trường.",
        )
        return response or HttpResponseRedirect(reverse("admin:calendars_calendarday_changelist"))

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_superuser:
            messages.error(request, "Chỉ quản trị hệ thống cập nhật lịch toàn quốc.")
        elif request.method == "POST":
            year = clock.today().year
            report = calendar_sync_package(
                years=list(range(year - 1, year + 3)), actor=acting_user(request)
            )
            messages.success(
                request,
                f"Lịch tạm tính: {', '.join(map(str, report.provisional_years)) or 'không có'}; "
                f"{len(report.announced)} ngày mới chờ xác nhận.",
            )
        return HttpResponseRedirect(reverse("admin:calendars_calendarday_changelist"))


class ConfirmYearForm(forms.Form):
    source = forms.CharField(label="văn bản quyết định lịch nghỉ của năm", max_length=255)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "status", "source", "confirmed_at", "confirmed_by"]
    readonly_fields = ["year", "status", "source", "confirmed_at", "confirmed_by"]
    actions = ["confirm_year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Xác nhận lịch của năm là chính thức")
    def confirm_year(
        self, request: HttpRequest, queryset: QuerySet[CalendarYear]
    ) -> HttpResponse | None:
        if not request.user.is_superuser:
            messages.error(request, "Chỉ quản trị hệ thống xác nhận lịch toàn quốc.")
            return None

        def apply(form: forms.Form) -> str:
            for record in queryset:
                calendar_year_confirm(
                    year=record.year,
                    actor=acting_user(request),
                    source=form.cleaned_data["source"],
                )
            return "Đã xác nhận lịch năm " + ", ".join(str(r.year) for r in queryset) + "."

        return intermediate_form_view(
            request=request,
            model_admin=self,
            title="Xác nhận lịch năm",
            form_class=ConfirmYearForm,
            on_valid=apply,
            queryset=queryset,
            action="confirm_year",
        )


@admin.register(CalendarChange)
class CalendarChangeAdmin(UnitScopedAdmin):
    unit_path = "province"
    show_unscoped_rows = True  # national changes concern everyone
    list_display = ["at", "action", "summary", "province", "actor"]
    list_filter = ["action"]
    readonly_fields = ["at", "action", "summary", "province", "actor", "changed_dates"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
