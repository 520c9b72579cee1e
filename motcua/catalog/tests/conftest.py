"""Fixtures for the catalogue's file, command and admin tests."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
    ProvincialFee,
    UnitProcedure,
)
from motcua.catalog.records import parse_record
from motcua.catalog.services import procedure_version_create
from motcua.core import clock

# 10:00 in Hà Nội on Tuesday 10 March 2026.
FIXED_NOW = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)

BIRTH: dict[str, Any] = {
    "code": "1.001193",
    "effective_from": "2025-07-01",
    "status": "active",
    "name": "Đăng ký khai sinh",
    "name_en": "Birth registration",
    "field": "HO_TICH",
    "sector_code": "",
    "levels": ["commune"],
    "competent_authority": "Ủy ban nhân dân cấp xã",
    "applicants": "Cha, mẹ, ông, bà hoặc người thân thích khác",
    "steps_text": "Bước 1: nộp hồ sơ\nBước 2: nhận kết quả",
    "requirements": "",
    "result": "Giấy khai sinh",
    "time_limit": {"value": "0", "unit": "same_day", "text": "Ngay trong ngày", "cases": []},
    "same_day_cutoff": "15:00",
    "payment_stops_clock": False,
    "payment_stop_basis": "",
    "online_level": "full",
    "postal_allowed": True,
    "boundary_free": False,
    "boundary_free_basis": "",
    "legal_basis": ["Luật Hộ tịch số 60/2014/QH13, Điều 16", "Nghị định 123/2015/NĐ-CP"],
    "announcement_number": "",
    "announcement_date": "",
    "announcement_issuer": "",
    "supplement_policy": "restart",
    "components": [
        {
            "case": "",
            "name": "Tờ khai đăng ký khai sinh",
            "originals": 1,
            "copies": 0,
            "form_template": "Mẫu TK-KS",
            "required": True,
            "note": "",
        },
        {
            "case": "Trẻ sinh tại cơ sở y tế",
            "name": "Giấy chứng sinh",
            "originals": 1,
            "copies": 0,
            "form_template": "",
            "required": True,
            "note": "bản chính",
        },
    ],
    "fees": [
        {
            "kind": "charge",
            "name": "Lệ phí đăng ký khai sinh",
            "pricing": "exempt",
            "amount": None,
            "unit": "trường hợp",
            "channel": "all",
            "description": "Miễn lệ phí khi đăng ký đúng hạn",
            "legal_basis": "Luật Hộ tịch 2014, Điều 11",
        },
    ],
    "process": [
        {"name": "Tiếp nhận hồ sơ", "role": "reception", "performer": "", "share": "0.25"},
        {"name": "Thẩm định", "role": "specialist", "performer": "", "share": "0.5"},
        {"name": "Ký duyệt", "role": "leader", "performer": "", "share": "0.25"},
    ],
    "verification": {"code": "P", "fees": "U"},
    "notes": "",
    "source": "local",
}

MARRIAGE: dict[str, Any] = {
    **copy.deepcopy(BIRTH),
    "code": "1.000894",
    "name": "Đăng ký kết hôn",
    "name_en": "",
    "levels": ["commune", "province"],
    "result": "Giấy chứng nhận kết hôn",
    "time_limit": {
        "value": "5",
        "unit": "working_day",
        "text": "",
        "cases": [
            {
                "code": "xac_minh",
                "label": "Trường hợp cần xác minh",
                "condition": "case",
                "value": "10",
                "unit": "working_day",
                "text": "Không quá 10 ngày làm việc",
                "legal_basis": "Luật Hộ tịch 2014, Điều 18 khoản 2",
            },
            {
                "code": "truc-tuyen",
                "label": "Nộp hồ sơ trực tuyến",
                "condition": "online",
                "value": "1.5",
                "unit": "working_day",
                "text": "1,5 ngày làm việc",
                "legal_basis": "Quyết định thử nghiệm",
            },
        ],
    },
    "same_day_cutoff": "",
    "payment_stops_clock": True,
    "payment_stop_basis": "Nghị định 101/2024/NĐ-CP",
    "announcement_number": "3152/QĐ-BTP",
    "announcement_date": "2025-06-20",
    "announcement_issuer": "Bộ Tư pháp",
    "online_level": "partial",
    "postal_allowed": False,
    "components": [
        {
            "case": "",
            "name": "Tờ khai đăng ký kết hôn",
            "originals": 1,
            "copies": 2,
            "form_template": "",
            "required": True,
            "note": "",
        },
    ],
    "fees": [
        {
            "kind": "charge",
            "name": "Lệ phí",
            "pricing": "amount",
            "amount": "1234567890.37",
            "unit": "",
            "channel": "direct",
            "description": "",
            "legal_basis": "",
        },
        {
            "kind": "fee",
            "name": "Phí sao lục",
            "pricing": "amount",
            "amount": "8000",
            "unit": "bản",
            "channel": "online",
            "description": "",
            "legal_basis": "",
        },
    ],
    "process": [
        {"name": "Tiếp nhận", "role": "reception", "performer": "", "share": "0.3333"},
        {"name": "Giải quyết", "role": "", "performer": "Công an xã", "share": "0.6667"},
    ],
    "verification": {},
    "notes": "=SUM(A1:A3) không phải công thức",
    "source": "national",
}

FIELDS = [
    {"code": "HO_TICH", "name": "Hộ tịch", "name_en": "Civil status", "official_code": "LV01"}
]


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Freeze the project clock (motcua.core.clock) at 10:00 on 10 March 2026, Hà Nội time."""
    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
    return TODAY


@pytest.fixture
def make_record() -> Callable[..., dict[str, Any]]:
    """make_record(base=BIRTH, **overrides) -> a fresh raw record (JSON form)."""

    def make(base: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        return {**copy.deepcopy(base if base is not None else BIRTH), **overrides}

    return make


@pytest.fixture
def hotich(db: None) -> Field:
    return Field.objects.create(
        code="HO_TICH", name="Hộ tịch", name_en="Civil status", official_code="LV01"
    )


@pytest.fixture
def store(hotich: Field) -> Callable[..., ProcedureVersion]:
    """store(raw) -> the version created from a raw record through the service."""

    def make(raw: dict[str, Any]) -> ProcedureVersion:
        record, problems = parse_record(raw, known_fields={"HO_TICH"})
        assert problems == []
        version, created = procedure_version_create(record=record)
        assert created
        return version

    return make


@pytest.fixture
def birth_v1(store: Callable[..., ProcedureVersion]) -> ProcedureVersion:
    return store(copy.deepcopy(BIRTH))


@pytest.fixture
def marriage_v1(store: Callable[..., ProcedureVersion]) -> ProcedureVersion:
    return store(copy.deepcopy(MARRIAGE))


@pytest.fixture
def json_file() -> Callable[..., bytes]:
    """json_file(*records, fields=FIELDS, format=...) -> the bytes of a catalogue file."""

    def make(
        *records: dict[str, Any],
        fields: list[dict[str, Any]] | None = None,
        format: str = "motcua-catalog/1",
    ) -> bytes:
        document = {
            "format": format,
            "fields": FIELDS if fields is None else fields,
            "procedures": list(records),
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode()

    return make


@pytest.fixture
def table_counts(db: None) -> Callable[[], dict[str, int]]:
    """table_counts() -> rows in every catalogue table, to show that nothing was written."""

    def count() -> dict[str, int]:
        return {
            model.__name__: model.objects.count()
            for model in (
                Field,
                Procedure,
                ProcedureVersion,
                ProcedureTimeLimit,
                ProcedureComponent,
                ProcedureFee,
                ProcessStep,
                UnitProcedure,
                ProvincialFee,
            )
        }

    return count
