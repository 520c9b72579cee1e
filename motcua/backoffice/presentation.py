"""How a dossier's history and timings read on the officers' screens (Vietnamese; English on the
officer's choice)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from motcua.accounts.models import User
from motcua.core import clock
from motcua.documents.services import dossier_documents
from motcua.dossiers.models import Dossier, DossierEvent, Outcome, Timeliness
from motcua.dossiers.projection import EventType
from motcua.units.models import Unit

EVENT_LABELS: dict[str, StrOrPromise] = {
    EventType.SUBMITTED: _("Nộp hồ sơ"),
    EventType.RECEIVED: _("Tiếp nhận hồ sơ"),
    EventType.REFUSED_AT_INTAKE: _("Từ chối tiếp nhận"),
    EventType.ASSIGNED: _("Phân công xử lý"),
    EventType.STEP_COMPLETED: _("Hoàn thành bước xử lý"),
    EventType.CONSULTATION_REQUESTED: _("Xin ý kiến, liên thông"),
    EventType.CONSULTATION_ANSWERED: _("Trả lời xin ý kiến"),
    EventType.TRANSFERRED: _("Chuyển xử lý"),
    EventType.SUPPLEMENT_REQUESTED: _("Yêu cầu bổ sung hồ sơ"),
    EventType.SUPPLEMENT_RECEIVED: _("Nhận hồ sơ bổ sung"),
    EventType.PAYMENT_REQUESTED: _("Yêu cầu thực hiện nghĩa vụ tài chính"),
    EventType.PAYMENT_RECEIVED: _("Đã thực hiện nghĩa vụ tài chính"),
    EventType.RESOLVED: _("Có kết quả giải quyết"),
    EventType.WITHDRAWN: _("Rút hồ sơ"),
    EventType.STOPPED: _("Dừng xử lý"),
    EventType.APOLOGY_PROPOSED: _("Đề xuất xin lỗi, hẹn lại"),
    EventType.APOLOGY_ISSUED: _("Ký phiếu xin lỗi, hẹn lại ngày trả"),
    EventType.RETURNED: _("Trả kết quả"),
    EventType.POSTAL_DISPATCHED: _("Giao kết quả cho bưu chính"),
    EventType.DUE_RECOMPUTED: _("Tính lại hạn trả (lịch thay đổi)"),
    EventType.LIMIT_CASE_CHANGED: _("Áp dụng trường hợp thời hạn khác"),
    EventType.FORWARDED: _("Chuyển hồ sơ giấy cho đơn vị giải quyết"),
    EventType.HANDED_OVER: _("Bàn giao do sắp xếp đơn vị"),
}


CLOCK_RULES: dict[str, StrOrPromise] = {
    "restart": _("Thời hạn được tính lại từ đầu khi nhận đủ hồ sơ bổ sung"),
    "pause": _("Thời gian chờ bổ sung không tính vào thời hạn"),
    "continue": _("Thời hạn vẫn tiếp tục trong thời gian chờ bổ sung"),
    "no_effect": _("Yêu cầu sau ngày hết hạn: không làm thay đổi hạn giải quyết"),
}


def dossier_ref(dossier: Dossier) -> str:
    """What a dossier's URL carries: its code, or its number before it has one."""
    return dossier.code or str(dossier.pk)


def _when(value: str | None) -> str:
    if not value:
        return ""
    return f"{clock.local(dt.datetime.fromisoformat(value)):%H:%M %d/%m/%Y}"


def event_details(event: DossierEvent) -> list[str]:
    """The facts an event recorded, each as a short line."""
    data = event.data or {}
    lines: list[str] = []
    kind = event.type
    if data.get("code"):
        lines.append(_g("Mã hồ sơ %(code)s") % {"code": data["code"]})
    if data.get("step_name") or data.get("assignee_name"):
        step, name = data.get("step"), data.get("step_name", "")
        lines.append(
            _g("Bước %(step)s: %(name)s — %(assignee)s")
            % {"step": step, "name": name, "assignee": data.get("assignee_name", "")}
        )
    if data.get("missing"):
        lines.append(_g("Cần bổ sung: %(papers)s") % {"papers": "; ".join(data["missing"])})
    if data.get("late_request"):
        lines.append(_g("Yêu cầu bổ sung quá 03 ngày làm việc kể từ khi tiếp nhận"))
    rule = CLOCK_RULES.get(data.get("clock_rule", ""))
    if rule:
        lines.append(str(rule))
    limit = data.get("limit")
    if isinstance(limit, dict) and (kind == EventType.LIMIT_CASE_CHANGED or limit.get("case")):
        lines.append(
            _g("Thời hạn áp dụng: %(text)s — %(label)s")
            % {"text": limit.get("text", ""), "label": limit.get("label", "")}
        )
        if limit.get("reason"):
            lines.append(_g("Lý do: %(reason)s") % {"reason": limit["reason"]})
    if kind == EventType.PAYMENT_REQUESTED and "stops_clock" in data:
        lines.append(
            _g("Thời gian chờ không tính vào thời hạn (%(basis)s)") % {"basis": data["basis"]}
            if data["stops_clock"]
            else _g("Thời hạn vẫn tiếp tục trong thời gian chờ")
        )
    if kind == EventType.FORWARDED and data.get("deadline_at"):
        lines.append(
            _g("Hạn chuyển: %(when)s — %(flag)s")
            % {
                "when": _when(data["deadline_at"]),
                "flag": _g("đúng hạn") if data.get("on_time") else _g("quá hạn"),
            }
        )
    if data.get("to_unit_name"):
        lines.append(_g("Đến: %(unit)s") % {"unit": data["to_unit_name"]})
    if data.get("consultation_due_at"):
        lines.append(_g("Hạn trả lời: %(when)s") % {"when": _when(data["consultation_due_at"])})
    if kind == EventType.CONSULTATION_ANSWERED and data.get("late"):
        lines.append(_g("Trả lời quá hạn"))
    if data.get("amount"):
        lines.append(_g("Số tiền: %(amount)s đồng") % {"amount": data["amount"]})
    if data.get("receipt_number"):
        lines.append(_g("Biên lai: %(number)s") % {"number": data["receipt_number"]})
    if data.get("outcome"):
        lines.append(str(Outcome(data["outcome"]).label))
    if kind == EventType.APOLOGY_PROPOSED and data.get("extra_working_days"):
        until = _when(data.get("new_due_at"))
        lines.append(
            _g("Hẹn thêm %(days)s ngày làm việc (đến %(until)s)")
            % {"days": data["extra_working_days"], "until": until}
        )
    if kind == EventType.APOLOGY_ISSUED and data.get("new_due_at"):
        lines.append(_g("Hẹn lại: %(when)s") % {"when": _when(data["new_due_at"])})
    if data.get("due_at") and kind != EventType.APOLOGY_ISSUED:
        lines.append(_g("Hạn trả: %(when)s") % {"when": _when(data["due_at"])})
    if data.get("tracking_number"):
        lines.append(_g("Số hiệu bưu gửi: %(number)s") % {"number": data["tracking_number"]})
    if data.get("recipient"):
        lines.append(_g("Người nhận: %(name)s") % {"name": data["recipient"]})
    return lines


def dossier_forms(
    dossier: Dossier, events: list[DossierEvent]
) -> list[tuple[str, str, int | None]]:
    """The official forms of the dossier, numbered as in its form set: (number, title, event of
    the notice or None); every notice ever issued is listed (documents.services)."""
    links = dossier_documents(dossier=dossier, events=events)
    return [(link.form, link.title, link.event) for link in links]


@dataclass
class StepRow:
    step: Any
    name: str
    unit: Unit | None
    assignee: User | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    budget: dt.timedelta | None
    used: dt.timedelta
    over: bool
    culprit: bool = False


def step_rows(dossier: Dossier, timings: list[dict[str, Any]], *, today: dt.date) -> list[StepRow]:
    """``deadlines.step_timings`` with names, and for a late dossier the step that consumed the
    delay flagged: the one furthest over its budget."""
    units = Unit.objects.in_bulk({row["unit_id"] for row in timings if row.get("unit_id")})
    users = User.objects.in_bulk({row["assignee_id"] for row in timings if row.get("assignee_id")})
    rows = [
        StepRow(
            step=row["step"],
            name=row["name"],
            unit=units.get(row.get("unit_id")),
            assignee=users.get(row.get("assignee_id")),
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            budget=row["budget"],
            used=row["used"],
            over=bool(row["over"]),
        )
        for row in timings
    ]
    late = dossier.timeliness == Timeliness.LATE or (
        dossier.is_open and dossier.due_date is not None and dossier.due_date < today
    )
    over = [row for row in rows if row.over and row.budget is not None]
    if late and over:
        max(over, key=lambda row: row.used - (row.budget or dt.timedelta())).culprit = True
    return rows
