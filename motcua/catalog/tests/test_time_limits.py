"""Per-case time limits and the rules every limit obeys: import, admin, API."""

from __future__ import annotations

import copy
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.calendars.workdays import LimitUnit
from motcua.catalog.io import catalog_export_xlsx, catalog_import_file
from motcua.catalog.models import ProcedureTimeLimit, ProcedureVersion
from motcua.catalog.records import parse_record, time_limit_problem
from motcua.catalog.selectors import UNIT_WORDS, limit_words
from motcua.catalog.tests.conftest import BIRTH, MARRIAGE
from motcua.catalog.tests.helpers import post_data as _post_data
from motcua.core.errors import ImportRejected

pytestmark = pytest.mark.django_db

CHECK = {
    "code": "xac_minh",
    "label": "Trường hợp cần xác minh",
    "condition": "case",
    "value": "5",
    "unit": "working_day",
    "text": "Không quá 05 ngày làm việc",
    "legal_basis": "Luật Hộ tịch 2014, Điều 18 khoản 2",
}


def _with_cases(base: dict[str, Any], *cases: dict[str, Any], **limit: Any) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record["time_limit"] = {**record["time_limit"], **limit, "cases": [dict(c) for c in cases]}
    return record


def _problems(content: bytes, filename: str = "a.json") -> list[dict[str, Any]]:
    with pytest.raises(ImportRejected) as caught:
        catalog_import_file(content=content, filename=filename)
    return caught.value.problems


# --- the rules, once ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "problem"),
    [
        ("1.5", "working_day", None),  # "1,5 ngày làm việc" exists in procedure records
        ("0.5", "working_day", None),
        ("2.25", "working_hour", None),
        ("3", "month", None),
        ("0", "same_day", None),
        ("1.5", "calendar_day", "Thời hạn tính bằng ngày phải là số nguyên."),
        ("1.5", "half_day", "Thời hạn tính bằng buổi làm việc phải là số nguyên."),
        ("1.5", "month", "Thời hạn tính bằng tháng phải là số nguyên."),
        ("0", "month", "thời hạn tính bằng tháng phải lớn hơn 0"),
        ("0", "calendar_day", "thời hạn tính bằng ngày phải lớn hơn 0"),
        ("0", "working_day", "thời hạn tính bằng ngày làm việc phải lớn hơn 0"),
        ("1", "same_day", "Thủ tục giải quyết trong ngày có thời hạn 0."),
        ("1.555", "working_day", "thời hạn ghi tối đa hai chữ số thập phân"),
        ("121", "month", "Thời hạn quá lớn: tối đa 120 tháng (10 năm)."),
    ],
)
def test_time_limit_rules(value, unit, problem):
    found = time_limit_problem(Decimal(value), unit)

    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


# --- JSON import ----------------------------------------------------------------------------------


def test_cases_are_imported_in_order_with_their_legal_basis(json_file, today):
    postal = {**CHECK, "code": "buu-chinh", "label": "Gửi qua bưu chính", "condition": "postal"}
    record = _with_cases(BIRTH, CHECK, {**postal, "value": "1.5"})

    report = catalog_import_file(content=json_file(record), filename="a.json")

    assert report.created == ["1.001193 v1"]
    version = ProcedureVersion.objects.get()
    cases = list(version.time_limits.all())
    assert [(c.position, c.code, c.condition, c.value, c.unit) for c in cases] == [
        (1, "xac_minh", "case", Decimal("5"), "working_day"),
        (2, "buu-chinh", "postal", Decimal("1.5"), "working_day"),
    ]
    assert cases[0].legal_basis == "Luật Hộ tịch 2014, Điều 18 khoản 2"
    assert cases[0].label == "Trường hợp cần xác minh"
    # The general limit stays the version's own.
    assert (version.time_limit_value, version.time_limit_unit) == (Decimal("0"), "same_day")


def test_month_and_fractional_working_days_are_accepted_as_general_limits(json_file, today):
    months = {**copy.deepcopy(MARRIAGE), "time_limit": {"value": "3", "unit": "month"}}
    halves = {
        **copy.deepcopy(BIRTH),
        "code": "1.010041",
        "same_day_cutoff": "",
        "time_limit": {"value": "0.5", "unit": "working_day", "text": "1/2 ngày làm việc"},
    }

    catalog_import_file(content=json_file(months, halves), filename="a.json")

    limits = {
        v.procedure.code: (v.time_limit_value, v.time_limit_unit)
        for v in ProcedureVersion.objects.select_related("procedure")
    }
    assert limits == {
        "1.000894": (Decimal("3"), "month"),
        "1.010041": (Decimal("0.5"), "working_day"),
    }


@pytest.mark.parametrize(
    ("cases", "limit", "expected"),
    [
        (
            [{**CHECK, "unit": "tuan"}],
            {},
            {"field": "time_limit.cases[1].unit", "message": "giá trị 'tuan' không hợp lệ"},
        ),
        (
            [{**CHECK, "condition": "sometimes"}],
            {},
            {"field": "time_limit.cases[1].condition", "message": "giá trị 'sometimes'"},
        ),
        (
            [CHECK, {**CHECK, "label": "Lần hai"}],
            {},
            {"field": "time_limit.cases[2].code", "message": "trùng với trường hợp 1"},
        ),
        (
            [
                {**CHECK, "code": "a", "condition": "online"},
                {**CHECK, "code": "b", "condition": "online"},
            ],
            {},
            {"field": "time_limit.cases[2].condition", "message": "đã có thời hạn riêng"},
        ),
        (
            [{**CHECK, "value": "0", "unit": "month"}],
            {},
            {"field": "time_limit.cases[1].value", "message": "tháng phải lớn hơn 0"},
        ),
        (
            [{**CHECK, "value": "0", "unit": "calendar_day"}],
            {},
            {"field": "time_limit.cases[1].value", "message": "ngày phải lớn hơn 0"},
        ),
        (
            [{**CHECK, "value": "0"}],
            {},
            {"field": "time_limit.cases[1].value", "message": "ngày làm việc phải lớn hơn 0"},
        ),
        (
            [{**CHECK, "value": "2.5", "unit": "calendar_day"}],
            {},
            {"field": "time_limit.cases[1].value", "message": "phải là số nguyên"},
        ),
        (
            [{**CHECK, "value": "1.5", "unit": "half_day"}],
            {},
            {"field": "time_limit.cases[1].value", "message": "phải là số nguyên"},
        ),
        (
            [{**CHECK, "legal_basis": " "}],
            {},
            {"field": "time_limit.cases[1].legal_basis", "message": "bắt buộc"},
        ),
        (
            [{**CHECK, "code": "Xác minh"}],
            {},
            {"field": "time_limit.cases[1].code", "message": "chỉ gồm chữ thường không dấu"},
        ),
        (
            [{**CHECK, "code": ""}],
            {},
            {"field": "time_limit.cases[1].code", "message": "bắt buộc"},
        ),
        (
            [{**CHECK, "label": ""}],
            {},
            {"field": "time_limit.cases[1].label", "message": "bắt buộc"},
        ),
        (
            [{**CHECK, "code": "x" * 41}],
            {},
            {"field": "time_limit.cases[1].code", "message": "dài quá 40 ký tự"},
        ),
        (
            [{**CHECK, "days": "5"}],
            {},
            {"field": "time_limit.cases[1].days", "message": "khóa không có"},
        ),
        (
            "xac_minh",
            {},
            {"field": "time_limit.cases", "message": "phải là danh sách"},
        ),
        # The typical slip: a month (or days) limit on a same-day procedure, cut-off kept.
        (
            [],
            {"value": "1", "unit": "month"},
            {"field": "same_day_cutoff", "message": "giờ chốt chỉ dùng cho thủ tục giải quyết"},
        ),
        (
            [{**CHECK, "code": "buu_chinh", "condition": "postal"}],
            {},
            {"field": "time_limit.cases[1].condition", "message": "không tiếp nhận qua bưu chính"},
        ),
    ],
    ids=[
        "unknown-unit",
        "unknown-condition",
        "duplicate-code",
        "duplicate-channel",
        "zero-months",
        "zero-days",
        "zero-working-days",
        "fractional-days",
        "fractional-half-days",
        "no-legal-basis",
        "code-with-diacritics",
        "empty-code",
        "empty-label",
        "long-code",
        "unknown-key",
        "cases-not-a-list",
        "month-on-same-day",
        "postal-case-without-postal",
    ],
)
def test_bad_cases_are_refused_with_the_field_and_nothing_is_saved(
    cases, limit, expected, json_file, table_counts, hotich
):
    base = copy.deepcopy(BIRTH)
    if expected["field"].endswith("condition") and "bưu chính" in expected["message"]:
        base["postal_allowed"] = False
    record = copy.deepcopy(base)
    record["time_limit"] = {**record["time_limit"], **limit, "cases": cases}
    before = table_counts()

    problems = _problems(json_file(MARRIAGE, record))

    found = [
        p
        for p in problems
        if p["field"] == expected["field"] and expected["message"] in p["message"]
    ]
    assert len(found) == 1, problems
    assert found[0]["record"] == "1.001193"
    assert table_counts() == before


def test_a_case_may_be_same_day_and_carry_the_cut_off(json_file, today):
    same_day = {**CHECK, "code": "bo_sung", "value": "0", "unit": "same_day"}
    record = _with_cases(MARRIAGE, same_day)
    record["same_day_cutoff"] = "15:00"

    catalog_import_file(content=json_file(record), filename="a.json")

    assert ProcedureTimeLimit.objects.get().unit == "same_day"


def test_same_cases_make_no_new_version_and_a_changed_case_does(json_file, today):
    record = _with_cases(BIRTH, CHECK)
    catalog_import_file(content=json_file(record), filename="a.json")

    again = catalog_import_file(content=json_file(copy.deepcopy(record)), filename="a.json")
    # "5.00" and "5" are the same limit.
    record_decimals = _with_cases(BIRTH, {**CHECK, "value": "5.00"})
    decimals = catalog_import_file(content=json_file(record_decimals), filename="a.json")
    changed = _with_cases(BIRTH, {**CHECK, "value": "7"})
    changed["effective_from"] = "2026-04-01"
    report = catalog_import_file(content=json_file(changed), filename="a.json")

    assert again.created == []
    assert again.unchanged == ["1.001193 v1"]
    assert decimals.created == []
    assert report.created == ["1.001193 v2"]
    assert [c.value for c in ProcedureTimeLimit.objects.filter(version__number=2)] == [7]
    assert [c.value for c in ProcedureTimeLimit.objects.filter(version__number=1)] == [5]


def test_an_old_record_without_cases_still_imports(json_file, today):
    record = copy.deepcopy(BIRTH)
    del record["time_limit"]["cases"]
    for key in ("payment_stops_clock", "payment_stop_basis", "source"):
        del record[key]

    report = catalog_import_file(content=json_file(record), filename="a.json")

    assert report.created == ["1.001193 v1"]
    version = ProcedureVersion.objects.get()
    assert version.time_limits.count() == 0
    assert version.payment_stops_clock is False
    assert version.source == "local"


# --- Excel --------------------------------------------------------------------------------------


def _xlsx(edit: Any) -> bytes:
    workbook = load_workbook(io.BytesIO(catalog_export_xlsx(ProcedureVersion.objects.all())))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_without_the_cases_sheet_still_imports(marriage_v1, birth_v1, today):
    def drop(workbook: Any) -> None:
        del workbook["ThoiHanTruongHop"]

    content = _xlsx(drop)
    ProcedureVersion.objects.all().delete()
    # The old workbook has no per-case limits: the marriage record now has none.
    report = catalog_import_file(content=content, filename="cu.xlsx")

    assert sorted(report.created) == ["1.000894 v1", "1.001193 v1"]
    assert ProcedureTimeLimit.objects.count() == 0


def test_a_case_problem_names_its_sheet_row_and_column(marriage_v1, birth_v1, table_counts):
    def edit(workbook: Any) -> None:
        workbook["ThoiHanTruongHop"]["H3"] = "tuan"  # DONVITINH of the second case
        workbook["ThoiHanTruongHop"]["D2"] = "Xác Minh"  # MATRUONGHOP of the first

    content = _xlsx(edit)
    before = table_counts()

    problems = _problems(content, "a.xlsx")

    located = {(p["sheet"], p["row"], p.get("column"), p["field"]) for p in problems}
    assert ("ThoiHanTruongHop", 3, "H", "DONVITINH") in located
    assert ("ThoiHanTruongHop", 2, "D", "MATRUONGHOP") in located
    assert len(problems) == 2, problems
    assert table_counts() == before


def test_workbook_round_trip_keeps_the_cases(marriage_v1, today):
    content = catalog_export_xlsx(ProcedureVersion.objects.all())

    report = catalog_import_file(content=content, filename="a.xlsx")

    assert report.unchanged == ["1.000894 v1"]
    assert [(c.code, c.value) for c in marriage_v1.time_limits.all()] == [
        ("xac_minh", Decimal("10")),
        ("truc-tuyen", Decimal("1.5")),
    ]


# --- admin ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_admin_adds_a_version_with_its_cases(admin_client, hotich, today):
    response = admin_client.post(
        reverse("admin:catalog_procedureversion_add"), _post_data(MARRIAGE, hotich)
    )

    assert response.status_code == 302, response.context["errors"]
    version = ProcedureVersion.objects.get()
    assert [(c.code, c.condition, c.value) for c in version.time_limits.all()] == [
        ("xac_minh", "case", Decimal("10")),
        ("truc-tuyen", "online", Decimal("1.5")),
    ]
    assert version.payment_stops_clock is True


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"cases": [{**CHECK, "unit": "month", "value": "0"}]},
            "Thời hạn theo trường hợp, dòng 1, value: thời hạn tính bằng tháng phải lớn hơn 0",
        ),
        # The inline forms catch these two first (the model's own unique code, required basis).
        ({"cases": [CHECK, CHECK]}, "Hãy sửa các dữ liệu trùng lặp cho code"),
        ({"cases": [{**CHECK, "legal_basis": ""}]}, "Trường này là bắt buộc."),
        (
            {
                "cases": [
                    {**CHECK, "code": "a", "condition": "online"},
                    {**CHECK, "code": "b", "condition": "online"},
                ]
            },
            "Thời hạn theo trường hợp, dòng 2, condition: hình thức &#x27;online&#x27; đã có "
            "thời hạn riêng ở trường hợp 1",
        ),
        (
            {"payment_stop_basis": ""},
            "bắt buộc khi thời gian chờ nộp phí không tính vào thời hạn",
        ),
        (
            {"same_day_cutoff": "15:00"},
            "giờ chốt chỉ dùng cho thủ tục giải quyết trong ngày",
        ),
    ],
    ids=[
        "zero-month",
        "duplicate-code",
        "no-basis",
        "duplicate-channel",
        "payment-basis",
        "cut-off",
    ],
)
def test_admin_refuses_bad_cases_and_saves_nothing(
    admin_client, hotich, today, table_counts, change, error
):
    record = copy.deepcopy(MARRIAGE)
    if "cases" in change:
        record["time_limit"]["cases"] = change.pop("cases")
    record.update(change)
    before = table_counts()

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_add"), _post_data(record, hotich)
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert table_counts() == before


def test_a_new_version_copies_the_cases(admin_client, marriage_v1, today):
    url = (
        f"{reverse('admin:catalog_procedureversion_add')}"
        f"?copy_from={marriage_v1.pk}&effective_from=2026-04-01"
    )

    page = admin_client.get(url)

    cases = page.context["inline_admin_formsets"][0].formset
    assert [f.initial["code"] for f in cases.forms] == ["xac_minh", "truc-tuyen"]
    assert page.context["adminform"].form.initial["source"] == "local"


# --- API ------------------------------------------------------------------------------------------


def test_the_api_shows_the_cases(client, marriage_v1, today):
    body = client.get("/api/catalog/procedures/1.000894").json()

    assert body["time_limit"]["cases"][0] == {
        "code": "xac_minh",
        "label": "Trường hợp cần xác minh",
        "condition": "case",
        "value": "10",
        "unit": "working_day",
        "text": "Không quá 10 ngày làm việc",
        "legal_basis": "Luật Hộ tịch 2014, Điều 18 khoản 2",
    }
    assert body["time_limit"]["cases"][1]["condition"] == "online"
    assert body["time_limit"]["cases"][1]["value"] == "1.5"
    assert body["payment_stops_clock"] is True
    assert body["payment_stop_basis"] == "Nghị định 101/2024/NĐ-CP"


def test_parse_record_keeps_general_limit_and_cases_apart(hotich):
    record, problems = parse_record(_with_cases(MARRIAGE, CHECK), known_fields={"HO_TICH"})

    assert problems == []
    assert record["time_limit"]["value"] == Decimal("5")
    assert record["time_limit"]["cases"][0]["value"] == Decimal("5")
    assert record["time_limit"]["cases"][0]["code"] == "xac_minh"


def test_cutoff_needs_a_same_day_limit_somewhere_only(hotich):
    dated = _with_cases(BIRTH, CHECK, value="2", unit="working_day")
    dated["time_limit"]["cases"].append({**CHECK, "code": "ngay", "value": "0", "unit": "same_day"})

    _, problems = parse_record(dated, known_fields={"HO_TICH"})

    assert problems == []


def test_limit_words_use_the_clocks_units_and_the_decimal_comma():
    assert {unit: str(word) for unit, word in UNIT_WORDS.items()} == {
        unit: unit.label for unit in LimitUnit
    }
    assert limit_words(Decimal("1.50"), "working_day") == "1,5 ngày làm việc"
    assert limit_words(Decimal("10.00"), "calendar_day") == "10 ngày"
    assert limit_words(Decimal("3"), "month") == "3 tháng"
    assert limit_words(Decimal("0"), "same_day") == "trong ngày"
