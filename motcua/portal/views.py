"""Public pages: the procedure catalogue, a procedure, a unit's posting sheet, the deadline clock.

Thin views: forms check the input, selectors answer; bad input is a message on the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.calendars.selectors import deadline_for_request
from motcua.calendars.workdays import LimitUnit
from motcua.catalog.models import Field, Level, OnlineLevel
from motcua.catalog.selectors import (
    posting_sheet,
    procedure_detail,
    procedure_history,
    procedure_search,
)
from motcua.core import clock
from motcua.core.errors import DomainError, NotFound
from motcua.units.models import Unit
from motcua.units.selectors import one_stop_units, unit_find

PAGE_SIZE = 25


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("ví dụ: dang ky ket hon"),
            }
        ),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"), required=False, choices=[("", _("Tất cả")), *Level.choices]
    )
    online = forms.ChoiceField(
        label=_("Dịch vụ công trực tuyến"),
        required=False,
        choices=[("", _("Tất cả")), *OnlineLevel.choices],
    )
    unit = forms.ChoiceField(label=_("Nơi tiếp nhận"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Tất cả"))] + [  # type: ignore[attr-defined]
            (unit.identifier or unit.area_code, unit.name)
            for unit in one_stop_units(on=clock.today())
        ]
        self.fields["field"].choices = [("", _("Tất cả"))] + [  # type: ignore[attr-defined]
            (f.code, f.name) for f in Field.objects.order_by("name")
        ]


def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueSearchForm(request.GET or None)
    unit: Unit | None = None
    error: str = ""
    versions: Any = []
    if form.is_bound and not form.is_valid():
        error = str(_("Điều kiện tìm kiếm không hợp lệ; đã bỏ qua các điều kiện sai."))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        if data.get("unit"):
            unit = unit_find(code=data["unit"])
        versions = procedure_search(
            on=clock.today(),
            query=data.get("q", ""),
            field_code=data.get("field", ""),
            level=data.get("level", ""),
            online_level=data.get("online", ""),
            unit=unit,
        )
    except NotFound as exc:
        error = exc.message
        versions = procedure_search(on=clock.today())
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "unit": unit,
        "error": error,
        "query_string": query.urlencode(),
    }
    template = (
        "portal/_results.html" if request.headers.get("HX-Request") else "portal/catalogue.html"
    )
    return render(request, template, context)


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = procedure_detail(code=code, on=clock.today())
    except NotFound as exc:
        raise Http404(exc.message) from exc
    components = list(version.components.all())
    cases: dict[str, list[Any]] = {}
    for component in components:
        cases.setdefault(component.case, []).append(component)
    return render(
        request,
        "portal/procedure.html",
        {
            "version": version,
            "cases": cases,
            "fees": list(version.fees.all()),
            "steps": list(version.steps.all()),
            "history": list(procedure_history(code=code)),
        },
    )


def units(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = Paginator(one_stop_units(query=query, on=clock.today()), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/units.html", {"page": page, "q": query})


def posting_sheet_view(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = unit_find(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    sheet = posting_sheet(unit=unit, on=clock.today())
    return render(request, "portal/posting_sheet.html", {"sheet": sheet})


class DeadlineForm(forms.Form):
    received = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Text, read by the clock's own parser: "1,5" as Vietnamese writes it, or "1.5".
    limit = forms.CharField(
        label=_("Thời hạn"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    unit = forms.ChoiceField(
        label=_("Đơn vị tính"), choices=[(u.value, u.label) for u in LimitUnit]
    )
    province = forms.ModelChoiceField(
        label=_("Tỉnh, thành phố"),
        required=False,
        empty_label=_("Lịch toàn quốc"),
        to_field_name="area_code",
        queryset=Unit.objects.filter(
            level=Unit.Level.PROVINCE, kind=Unit.Kind.PEOPLES_COMMITTEE, valid_to__isnull=True
        ).order_by("name"),
    )


def deadline(request: HttpRequest) -> HttpResponse:
    form = DeadlineForm(request.GET or None)
    result = None
    error = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result, _ = deadline_for_request(
                received=data["received"],
                limit=data["limit"],
                unit=data["unit"],
                province=data["province"].area_code if data["province"] else "",
            )
        except DomainError as exc:
            error = exc.message
    return render(request, "portal/deadline.html", {"form": form, "result": result, "error": error})
