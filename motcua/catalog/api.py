"""Public read API over the procedure catalogue (what the portal pages show, as JSON)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from motcua.catalog.models import Field, ProcedureVersion
from motcua.catalog.records import record_from_version
from motcua.catalog.selectors import posting_sheet, procedure_detail, procedure_search
from motcua.core import clock
from motcua.units.selectors import unit_find

router = Router(tags=["Thủ tục hành chính"])


class FieldOut(Schema):
    code: str
    name: str
    name_en: str


class ProcedureSummaryOut(Schema):
    code: str
    version: int
    name: str
    name_en: str
    field: str
    levels: list[str]
    competent_authority: str
    time_limit_value: float
    time_limit_unit: str
    online_level: str


class SearchQuery(Schema):
    q: str = ""
    field: str = ""
    level: str = ""
    unit: str = ""
    online_level: str = ""
    on: dt.date | None = None


def _summary(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "code": version.procedure.code,
        "version": version.number,
        "name": version.name,
        "name_en": version.name_en,
        "field": version.field.code,
        "levels": version.level_list,
        "competent_authority": version.competent_authority,
        "time_limit_value": float(version.time_limit_value),
        "time_limit_unit": version.time_limit_unit,
        "online_level": version.online_level,
    }


@router.get("/fields", response=list[FieldOut], summary="Danh mục lĩnh vực")
def list_fields(request: HttpRequest) -> QuerySet[Field]:
    return Field.objects.order_by("name")


@router.get(
    "/procedures",
    response=list[ProcedureSummaryOut],
    summary="Tìm thủ tục (không phân biệt dấu, hoa thường)",
)
@paginate(LimitOffsetPagination)
def search_procedures(request: HttpRequest, filters: Query[SearchQuery]) -> list[dict[str, Any]]:
    unit = unit_find(code=filters.unit) if filters.unit else None
    versions = procedure_search(
        on=filters.on or clock.today(),
        query=filters.q,
        field_code=filters.field,
        level=filters.level,
        unit=unit,
        online_level=filters.online_level,
    )
    return [_summary(version) for version in versions]


@router.get("/procedures/{code}", summary="Toàn bộ thông tin một thủ tục (phiên bản có hiệu lực)")
def get_procedure(request: HttpRequest, code: str, on: dt.date | None = None) -> dict[str, Any]:
    version = procedure_detail(code=code, on=on or clock.today())
    return {
        "version": version.number,
        "effective_to": version.effective_to,
        **record_from_version(version),
    }


class PostingItemOut(Schema):
    code: str
    name: str
    posted: bool
    missing: list[str]


class PostingSheetOut(Schema):
    unit: str
    on: dt.date
    posted: int
    total: int
    items: list[PostingItemOut]


@router.get(
    "/units/{code}/posting",
    response=PostingSheetOut,
    summary="Danh mục thủ tục niêm yết tại một đơn vị và mức độ đầy đủ",
)
def unit_posting(request: HttpRequest, code: str, on: dt.date | None = None) -> dict[str, Any]:
    sheet = posting_sheet(unit=unit_find(code=code), on=on or clock.today())
    return {
        "unit": sheet.unit.name,
        "on": sheet.on,
        "posted": sheet.posted,
        "total": sheet.total,
        "items": [
            {
                "code": item.version.procedure.code,
                "name": item.version.name,
                "posted": item.posted,
                "missing": item.missing,
            }
            for item in sheet.items
        ],
    }
