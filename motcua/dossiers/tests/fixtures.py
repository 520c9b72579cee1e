"""A commune one-stop desk with its officers and four procedures of the handbook's examples."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from motcua.accounts.models import Role
from motcua.catalog.services import catalog_import
from motcua.dossiers.services import Applicant, Intake, ReceivedComponent, dossier_receive

BASE: dict[str, Any] = {
    "effective_from": "2025-01-01",
    "field": "HO_TICH",
    "levels": ["commune"],
    "competent_authority": "Ủy ban nhân dân cấp xã",
    "applicants": "Công dân",
    "steps_text": "Nộp, thẩm định, trả kết quả.",
    "result": "Kết quả",
    "online_level": "partial",
    "legal_basis": ["Luật Hộ tịch 2014"],
    "components": [
        {"name": "Tờ khai theo mẫu", "originals": 1, "copies": 0, "required": True},
        {"name": "Giấy tờ chứng minh nơi cư trú", "originals": 0, "copies": 1, "required": True},
        {"name": "Giấy ủy quyền", "originals": 1, "copies": 0, "required": False},
    ],
    "process": [
        {"name": "Tiếp nhận, chuyển hồ sơ", "role": "reception", "share": "0.1"},
        {"name": "Thẩm định, trình ký", "role": "specialist", "share": "0.6"},
        {"name": "Ký duyệt", "role": "leader", "share": "0.2"},
        {"name": "Trả kết quả", "role": "reception", "share": "0.1"},
    ],
}


def record(code: str, name: str, value: str, unit: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(code=code, name=name, time_limit={"value": value, "unit": unit, "text": ""})
    data.update(changes)
    return data


@pytest.fixture
def procedures(db):
    records = [
        record("1.004222", "Đăng ký thường trú", "7", "working_day"),
        record("1.001193", "Đăng ký khai sinh", "0", "same_day", same_day_cutoff="15:00"),
        record("1.001612", "Đăng ký thành lập hộ kinh doanh", "3", "working_day"),
        record(
            "1.001612.000.00.00.H98",
            "Đăng ký thành lập hộ kinh doanh (tạm dừng)",
            "3",
            "working_day",
            supplement_policy="pause",
        ),
        record("1.000894", "Đăng ký kết hôn", "5", "working_day"),
    ]
    catalog_import(
        fields=[{"code": "HO_TICH", "name": "Hộ tịch"}],
        records=[({"index": i}, r) for i, r in enumerate(records, 1)],
    )


@pytest.fixture
def desk(commune, procedures, make_officer):
    """The commune (identifier 000.12.34.H99, as in the handbook) and its officers."""

    class Desk:
        unit = commune
        reception = make_officer(commune, Role.RECEPTION, "tiepnhan")
        specialist = make_officer(commune, Role.SPECIALIST, "chuyenvien")
        leader = make_officer(commune, Role.LEADER, "lanhdao")
        postal = make_officer(commune, Role.POSTAL, "buuchinh")

    return Desk


def full_papers() -> list[ReceivedComponent]:
    return [
        ReceivedComponent("Tờ khai theo mẫu", position=1, originals=1, digitised=True),
        ReceivedComponent("Giấy tờ chứng minh nơi cư trú", position=2, copies=1, digitised=True),
    ]


def intake_for(desk, code: str, **changes) -> Intake:
    values = {
        "procedure_code": code,
        "applicant": Applicant(
            name="Nguyễn Văn An",
            id_number="001099012345",
            phone="0912345678",
            address="Thôn 1, xã Một",
        ),
        "receiving_unit": desk.unit,
        "components": full_papers(),
    }
    values.update(changes)
    return Intake(**values)


@pytest.fixture
def receive(desk):
    def make(code: str, when: dt.datetime, **changes):
        return dossier_receive(
            intake=intake_for(desk, code, **changes), actor=desk.reception, at=when
        )

    return make


def disable_event_guard(cursor: Any) -> None:
    """Let this test transaction change dossier events behind the application's back, as whoever
    owns the table could: PostgreSQL's append-only trigger (dossiers migration 0004) is disabled
    until the transaction rolls back. Nothing to do on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        cursor.execute(
            "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER dossier_event_append_only"
        )


MARRIAGE = "1.000894.000.00.00.H98"  # đăng ký kết hôn with its two limits
LAND = "1.001612.000.00.00.H97"  # a procedure whose law stops the clock while the applicant pays


@pytest.fixture
def marriage(desk):
    """Đăng ký kết hôn: at once (same day, 15:00 cut-off), or 5 working days when the conditions
    must be verified (Luật Hộ tịch 2014 Điều 18 khoản 2)."""
    limit = {
        "value": "0",
        "unit": "same_day",
        "text": "Ngay sau khi nhận đủ giấy tờ hợp lệ",
        "cases": [
            {
                "code": "xac_minh",
                "label": "Trường hợp cần xác minh điều kiện kết hôn",
                "condition": "case",
                "value": "5",
                "unit": "working_day",
                "text": "Không quá 05 ngày làm việc",
                "legal_basis": "Luật Hộ tịch 2014 Điều 18 khoản 2",
            }
        ],
    }
    data = record(MARRIAGE, "Đăng ký kết hôn", "0", "same_day", same_day_cutoff="15:00")
    data["time_limit"] = limit
    data["payment_stops_clock"] = False
    land = record(
        LAND,
        "Đăng ký biến động (thử nghiệm)",
        "10",
        "working_day",
        payment_stops_clock=True,
        payment_stop_basis="Quy định của thủ tục: không tính thời gian nộp nghĩa vụ tài chính",
    )
    catalog_import(fields=[], records=[({"index": 1}, data), ({"index": 2}, land)])
    return desk
