"""How a dossier's history and timings read on the officers' screens (Vietnamese)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from motcua.accounts.models import User
from motcua.core import clock
from motcua.dossiers.models import Dossier, DossierEvent, Outcome, Status, Timeliness
from motcua.dossiers.projection import EventType
from motcua.units.models import Unit

EVENT_LABELS: dict[str, str] = {
    EventType.SUBMITTED: "Nộp hồ sơ",
    EventType.RECEIVED: "Tiếp nhận hồ sơ",
    EventType.REFUSED_AT_INTAKE: "Từ chối tiếp nhận",
    EventType.ASSIGNED: "Phân công xử lý",
    EventType.STEP_COMPLETED: "Hoàn thành bước xử lý",
    EventType.CONSULTATION_REQUESTED: "Xin ý kiến, liên thông",
    EventType.CONSULTATION_ANSWERED: "Trả lời xin ý kiến",
    EventType.TRANSFERRED: "Chuyển xử lý",
    EventType.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung hồ sơ",
    EventType.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung",
    EventType.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    EventType.PAYMENT_RECEIVED: "Đã thực hiện nghĩa vụ tài chính",
    EventType.RESOLVED: "Có kết quả giải quyết",
    EventType.WITHDRAWN: "Rút hồ sơ",
    EventType.STOPPED: "Dừng xử lý",
    EventType.APOLOGY_PROPOSED: "Đề xuất xin lỗi, hẹn lại",
    EventType.APOLOGY_ISSUED: "Ký phiếu xin lỗi, hẹn lại ngày trả",
    EventType.RETURNED: "Trả kết quả",
    EventType.POSTAL_DISPATCHED: "Giao kết quả cho bưu chính",
    EventType.DUE_RECOMPUTED: "Tính lại hạn trả (lịch thay đổi)",
    EventType.HANDED_OVER: "Bàn giao do sắp xếp đơn vị",
}

FORM_TITLES = {
    "01": "In giấy tiếp nhận (Mẫu 01)",
    "02": "Phiếu yêu cầu bổ sung (Mẫu 02)",
    "03": "Phiếu từ chối tiếp nhận (Mẫu 03)",
    "04": "Phiếu xin lỗi, hẹn lại (Mẫu 04)",
    "05": "Phiếu kiểm soát quá trình (Mẫu 05)",
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
        lines.append(f"Mã hồ sơ {data['code']}")
    if data.get("step_name") or data.get("assignee_name"):
        step, name = data.get("step"), data.get("step_name", "")
        lines.append(f"Bước {step}: {name} — {data.get('assignee_name', '')}")
    if data.get("missing"):
        lines.append("Cần bổ sung: " + "; ".join(data["missing"]))
    if data.get("late_request"):
        lines.append("Yêu cầu bổ sung quá 03 ngày làm việc kể từ khi tiếp nhận")
    if data.get("to_unit_name"):
        lines.append(f"Đến: {data['to_unit_name']}")
    if data.get("consultation_due_at"):
        lines.append(f"Hạn trả lời: {_when(data['consultation_due_at'])}")
    if kind == EventType.CONSULTATION_ANSWERED and data.get("late"):
        lines.append("Trả lời quá hạn")
    if data.get("amount"):
        lines.append(f"Số tiền: {data['amount']} đồng")
    if data.get("receipt_number"):
        lines.append(f"Biên lai: {data['receipt_number']}")
    if data.get("outcome"):
        lines.append(Outcome(data["outcome"]).label)
    if kind == EventType.APOLOGY_PROPOSED and data.get("extra_working_days"):
        until = _when(data.get("new_due_at"))
        lines.append(f"Hẹn thêm {data['extra_working_days']} ngày làm việc (đến {until})")
    if kind == EventType.APOLOGY_ISSUED and data.get("new_due_at"):
        lines.append(f"Hẹn lại: {_when(data['new_due_at'])}")
    if data.get("due_at") and kind != EventType.APOLOGY_ISSUED:
        lines.append(f"Hạn trả: {_when(data['due_at'])}")
    if data.get("tracking_number"):
        lines.append(f"Số hiệu bưu gửi: {data['tracking_number']}")
    if data.get("recipient"):
        lines.append(f"Người nhận: {data['recipient']}")
    return lines


def dossier_forms(dossier: Dossier, events: list[DossierEvent]) -> list[tuple[str, str]]:
    """The official forms that apply to the dossier now: (number, title)."""
    kinds = {event.type for event in events}
    forms: list[str] = []
    if dossier.received_at is not None:
        forms.append("01")
    if EventType.SUPPLEMENT_REQUESTED in kinds:
        forms.append("02")
    if dossier.status == Status.NOT_RECEIVED:
        forms.append("03")
    if EventType.APOLOGY_ISSUED in kinds:
        forms.append("04")
    if dossier.received_at is not None:
        forms.append("05")
    return [(number, FORM_TITLES[number]) for number in forms]


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
