"""Public read API over the procedure catalogue (what the portal pages show, as JSON)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from motcua.calendars.workdays import plain_decimal
from motcua.catalog.models import Field, ProcedureVersion
from motcua.catalog.records import record_from_version
from motcua.catalog.selectors import (
    fee_lines,
    limit_words,
    posting_sheet,
    procedure_detail,
    procedure_search,
)
from motcua.core import clock
from motcua.core.schemas import PUBLIC_ERRORS
from motcua.units.selectors import unit_find, unit_province

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
    source: str
    sample: bool


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
        "source": version.source,
        "sample": version.is_sample,
    }


@router.get("/fields", response={200: list[FieldOut], **PUBLIC_ERRORS}, summary="Danh mục lĩnh vực")
def list_fields(request: HttpRequest) -> QuerySet[Field]:
    return Field.objects.order_by("name")


@router.get(
    "/procedures",
    response={200: list[ProcedureSummaryOut], **PUBLIC_ERRORS},
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


@router.get(
    "/procedures/{code}",
    response={200: dict[str, Any], **PUBLIC_ERRORS},
    summary="Toàn bộ thông tin một thủ tục (phiên bản có hiệu lực)",
    description="Bản ghi theo định dạng motcua-catalog/1 (docs/catalog-format.md), kèm "
    "`fee_lines`: các khoản thu với `status` (amount, exempt, unconfigured) và `amount` (null "
    "khi HĐND tỉnh chưa quy định, không bao giờ 0). `unit` (mã đơn vị tiếp nhận) cho mức thu "
    "của tỉnh nơi nộp hồ sơ; không có `unit` thì khoản thu do HĐND tỉnh quyết định là "
    "unconfigured.",
)
def get_procedure(
    request: HttpRequest, code: str, on: dt.date | None = None, unit: str = ""
) -> dict[str, Any]:
    day = on or clock.today()
    version = procedure_detail(code=code, on=day)
    province = unit_province(unit=unit_find(code=unit, on=day)) if unit else None
    return {
        "version": version.number,
        "effective_to": version.effective_to,
        "sample": version.is_sample,
        **record_from_version(version),
        "province": province.name if province else None,
        "fee_lines": fee_lines(version=version, channel="all", province=province, on=day),
    }


class CaseOut(Schema):
    code: str
    label: str
    condition: str
    value: str
    unit: str
    limit: str
    text: str
    legal_basis: str


class FeeLineOut(Schema):
    kind: str
    name: str
    unit: str
    channel: str
    legal_basis: str
    status: str
    amount: str | None
    resolution: str


class PostingItemOut(Schema):
    code: str
    name: str
    posted: bool
    missing: list[str]
    sample: bool
    time_limit: str
    cases: list[CaseOut]
    fees: list[FeeLineOut]


class PostingSheetOut(Schema):
    unit: str
    on: dt.date
    posted: int
    total: int
    items: list[PostingItemOut]


@router.get(
    "/units/{code}/posting",
    response={200: PostingSheetOut, **PUBLIC_ERRORS},
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
                "sample": item.version.is_sample,
                "time_limit": limit_words(
                    item.version.time_limit_value, item.version.time_limit_unit
                ),
                "cases": [
                    {
                        "code": case.code,
                        "label": case.label,
                        "condition": case.condition,
                        "value": plain_decimal(case.value),
                        "unit": case.unit,
                        "limit": limit_words(case.value, case.unit),
                        "text": case.text,
                        "legal_basis": case.legal_basis,
                    }
                    for case in item.version.time_limits.all()
                ],
                "fees": item.fees,
            }
            for item in sheet.items
        ],
    }
