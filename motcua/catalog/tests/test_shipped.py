"""The catalogue shipped with motcua: the law's per-case limits, fees and provenance as encoded."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.catalog.io import catalog_export_json
from motcua.catalog.management.commands.catalog import SHIPPED_CATALOG
from motcua.catalog.models import ProcedureFee, ProcedureVersion
from motcua.catalog.records import content_key
from motcua.core.text import fold

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(db) -> dict[str, ProcedureVersion]:
    call_command("catalog", "load-shipped", stdout=StringIO())
    return {
        v.procedure.code: v
        for v in ProcedureVersion.objects.select_related("procedure").prefetch_related(
            "time_limits", "fees"
        )
    }


def _cases(version: ProcedureVersion) -> list[tuple[str, str, Decimal, str, str]]:
    return [
        (c.code, c.condition, c.value, c.unit, c.legal_basis) for c in version.time_limits.all()
    ]


def test_everything_shipped_is_sample_data(shipped):
    assert len(shipped) == 56
    assert {v.source for v in shipped.values()} == {"sample"}


def test_loading_the_shipped_catalogue_twice_changes_nothing(shipped):
    out = StringIO()

    call_command("catalog", "load-shipped", stdout=out)

    assert "0 phiên bản mới, 56 thủ tục không đổi" in out.getvalue()


def test_export_of_the_shipped_catalogue_is_the_shipped_file(shipped):
    exported = json.loads(catalog_export_json(ProcedureVersion.objects.all()))
    shipped_file = json.loads(SHIPPED_CATALOG.read_text())

    by_code = {p["code"]: p for p in shipped_file["procedures"]}
    assert len(exported["procedures"]) == len(by_code)
    for record in exported["procedures"]:
        original = by_code[record["code"]]
        assert content_key(record) == content_key(original), record["code"]
        assert (record["source"], record["effective_from"]) == (
            "sample",
            original["effective_from"],
        )


@pytest.mark.parametrize(
    ("code", "general", "cases"),
    [
        (
            "1.000894",  # Đăng ký kết hôn
            (Decimal(0), "same_day"),
            [
                (
                    "xac_minh",
                    "case",
                    Decimal(5),
                    "working_day",
                    "Luật Hộ tịch số 60/2014/QH13, Điều 18 khoản 2",
                )
            ],
        ),
        (
            "1.001022",  # Đăng ký nhận cha, mẹ, con: 3 WD, +5 WD to verify
            (Decimal(3), "working_day"),
            [
                (
                    "xac_minh",
                    "case",
                    Decimal(8),
                    "working_day",
                    "Luật Hộ tịch số 60/2014/QH13, Điều 25 khoản 2",
                )
            ],
        ),
        (
            "2.000815",  # Chứng thực bản sao: same day, large batches ≤ 2 WD
            (Decimal(0), "same_day"),
            [
                (
                    "so_luong_lon",
                    "case",
                    Decimal(2),
                    "working_day",
                    "Nghị định 23/2015/NĐ-CP, Điều 7",
                )
            ],
        ),
        (
            "2.000908",  # Cấp bản sao từ sổ gốc: postal requests ≤ 3 WD
            (Decimal(0), "same_day"),
            [("buu_chinh", "postal", Decimal(3), "working_day", "Nghị định 23/2015/NĐ-CP, Điều 7")],
        ),
        (
            "3.000333",  # Lý lịch tư pháp: 10 days, 15 when verifying
            (Decimal(10), "calendar_day"),
            [
                (
                    "xac_minh",
                    "case",
                    Decimal(15),
                    "calendar_day",
                    "Luật Lý lịch tư pháp số 28/2009/QH12, Điều 48",
                )
            ],
        ),
        (
            "1.010041",  # Xác nhận thông tin về cư trú: ½ WD, 3 WD when verifying
            (Decimal("0.5"), "working_day"),
            [
                (
                    "xac_minh",
                    "case",
                    Decimal(3),
                    "working_day",
                    "Thông tư 55/2021/TT-BCA, Điều 17 (sửa đổi bởi Thông tư 66/2023/TT-BCA)",
                )
            ],
        ),
    ],
)
def test_the_laws_per_case_limits(shipped, code, general, cases):
    version = shipped[code]

    assert (version.time_limit_value, version.time_limit_unit) == general
    assert _cases(version) == cases


def test_the_marriage_case_label(shipped):
    case = shipped["1.000894"].time_limits.get()

    assert case.label == "Trường hợp cần xác minh điều kiện kết hôn"
    assert shipped["1.000894"].same_day_cutoff == dt.time(15, 0)


def test_case_limits_carry_a_verification_mark(shipped):
    with_cases = [v for v in shipped.values() if v.time_limits.exists()]

    assert len(with_cases) == 10
    assert all(v.verification.get("time_limit_cases") in {"V", "P", "U"} for v in with_cases)
    assert shipped["2.000908"].verification["time_limit_cases"] == "U"
    assert shipped["1.000894"].verification["time_limit_cases"] == "V"


def test_only_land_registration_stops_the_clock_for_payment(shipped):
    stopping = {code for code, v in shipped.items() if v.payment_stops_clock}

    assert stopping == {"1.012753", "1.013978"}
    assert {shipped[code].payment_stop_basis for code in stopping} == {"Nghị định 101/2024/NĐ-CP"}


def test_fees_set_by_the_council_are_left_to_the_province_and_none_is_0(shipped):
    fees = list(ProcedureFee.objects.all())

    assert not [f for f in fees if f.pricing == "amount" and not f.amount]
    assert not [f for f in fees if f.pricing != "amount" and f.amount is not None]
    council = [
        f for f in fees if "muc thu do hoi dong nhan dan cap tinh quyet dinh" in fold(f.description)
    ]
    assert len(council) == 19
    assert {f.pricing for f in council} == {"province"}
    assert "số tiền ở đây là 0" not in " ".join(f.description for f in fees)
    marriage = shipped["1.000894"].fees.get()
    assert marriage.pricing == "exempt"  # Luật Hộ tịch Điều 11
    counts = {p: sum(f.pricing == p for f in fees) for p in ("amount", "exempt", "province")}
    assert counts == {"amount": 32, "exempt": 23, "province": 20}


def test_announcing_decisions_named_in_the_records(shipped):
    announced = {
        code: (v.announcement_number, v.announcement_date, v.announcement_issuer)
        for code, v in shipped.items()
        if v.announcement_number
    }

    assert announced["2.000815"] == ("3152/QĐ-BTP", None, "Bộ Tư pháp")
    assert announced["1.001612"] == (
        "2831/QĐ-UBND",
        dt.date(2025, 7, 10),
        "Ủy ban nhân dân thành phố Hải Phòng",
    )
    assert announced["1.012753"] == (
        "2304/QĐ-BNNMT",
        dt.date(2025, 6, 23),
        "Bộ Nông nghiệp và Môi trường",
    )
    assert len(announced) == 10
