"""Public API of the working-day clock: the same computation as `motcua deadline`."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from motcua.calendars.selectors import calendar_days, deadline_explain
from motcua.calendars.workdays import CalendarError, DueTimePolicy, LimitUnit, Pause, TimeLimit
from motcua.core import clock
from motcua.core.errors import InvalidInput
from motcua.core.parsing import parse_instant, parse_interval
from motcua.units.selectors import unit_find

router = Router(tags=["Lịch làm việc"])


class TraceStepOut(Schema):
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
    trace: list[TraceStepOut]


class DeadlineQuery(Schema):
    received: str
    limit: Decimal
    unit: LimitUnit
    province: str = ""
    office: str = ""
    pause: list[str] = []
    due_time: DueTimePolicy | None = None


@router.get("/deadline", response=DeadlineOut, summary="Tính hạn trả kết quả, kèm giải thích")
def deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> dict[str, Any]:
    received = parse_instant(query.received, field="received")
    try:
        limit = TimeLimit(query.limit, query.unit)
        pauses = [Pause(*parse_interval(text, field="pause")) for text in query.pause]
    except CalendarError as exc:
        raise InvalidInput(str(exc)) from exc
    code = query.office or query.province
    unit = unit_find(code=code, on=received.date()) if code else None
    return deadline_explain(
        received_at=received, limit=limit, unit=unit, pauses=pauses, policy=query.due_time
    ).as_dict()


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str
    legal_basis: str
    status: str
    province: str | None


@router.get("/days", response=list[CalendarDayOut], summary="Ngày nghỉ, ngày làm bù của một năm")
def days(request: HttpRequest, year: int | None = None, province: str = "") -> list[dict[str, Any]]:
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
