"""Public read API over the unit tree."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from motcua.core import clock
from motcua.core.schemas import PUBLIC_ERRORS
from motcua.core.text import fold
from motcua.units.models import Unit
from motcua.units.selectors import unit_find, unit_subtree

router = Router(tags=["Đơn vị"])


class UnitDetailOut(Schema):
    id: int
    name: str
    identifier: str | None
    area_code: str
    level: str
    kind: str
    parent_id: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    working_hours: str


@router.get("/", response={200: list[UnitDetailOut], **PUBLIC_ERRORS}, summary="Danh sách đơn vị")
@paginate(LimitOffsetPagination)
def list_units(
    request: HttpRequest, under: str = "", q: str = "", level: str = "", current: bool = True
) -> QuerySet[Unit]:
    units = unit_subtree(unit=unit_find(code=under)) if under else Unit.objects.all()
    if current:
        today = clock.today()
        units = units.exclude(valid_to__lt=today)
    if level:
        units = units.filter(level=level)
    result = units.order_by("path")
    if q:
        wanted = fold(q)
        ids = [unit.pk for unit in result if wanted in fold(unit.name)]
        result = result.filter(pk__in=ids)
    return result


@router.get(
    "/{code}",
    response={200: UnitDetailOut, **PUBLIC_ERRORS},
    summary="Một đơn vị theo mã định danh hoặc mã hành chính",
)
def get_unit(request: HttpRequest, code: str) -> Unit:
    return unit_find(code=code)
