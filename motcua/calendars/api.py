"""Public API of the working-day clock: the same computation as `motcua deadline`."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from motcua.calendars.selectors import calendar_days, deadline_for_request
from motcua.calendars.services import check_years
from motcua.calendars.workdays import DueTimePolicy, LimitUnit
from motcua.core import clock
from motcua.core.schemas import PUBLIC_ERRORS
from motcua.units.selectors import unit_find

router = Router(tags=["Lịch làm việc"])


class DeadlineStepOut(Schema):
    kind: str
    date: dt.date | None
    message: str
    reason: str
    basis: str


class LimitOut(Schema):
    value: float
    unit: LimitUnit


class DeadlineOut(Schema):
    received_at: dt.datetime
    counted_from: dt.datetime
    limit: LimitOut
    policy: DueTimePolicy
    due_date: dt.date
    due_at: dt.datetime
    provisional: bool
    trace: list[DeadlineStepOut]


class DeadlineQuery(Schema):
    received: str
    limit: Decimal
    unit: LimitUnit
    province: str = ""
    office: str = ""
    pause: list[str] = []
    due_time: DueTimePolicy | None = None


@router.get(
    "/deadline",
    response={200: DeadlineOut, **PUBLIC_ERRORS},
    summary="Tính hạn trả kết quả, kèm giải thích",
)
def deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> dict[str, Any]:
    result, _ = deadline_for_request(
        received=query.received,
        limit=query.limit,
        unit=query.unit,
        province=query.province,
        office=query.office,
        pauses=query.pause,
        due_time=query.due_time,
    )
    return result.as_dict()


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str
    legal_basis: str
    status: str
    province: str | None


@router.get(
    "/days",
    response={200: list[CalendarDayOut], **PUBLIC_ERRORS},
    summary="Ngày nghỉ, ngày làm bù của một năm",
)
def days(request: HttpRequest, year: int | None = None, province: str = "") -> list[dict[str, Any]]:
    if year is not None:
        check_years([year])
    unit = unit_find(code=province) if province else None
    return [
        {
            "date": day.date,
            "kind": day.kind,
            "name": day.name,
            "legal_basis": day.legal_basis,
            "status": day.status,
            "province": day.province.area_code if day.province else None,
        }
        for day in calendar_days(year=year or clock.today().year, province=unit)
    ]
