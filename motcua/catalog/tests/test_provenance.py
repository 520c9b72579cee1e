"""Where a version comes from: its announcing decision, its source, the national field code."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from motcua.catalog.io import catalog_export_xlsx, catalog_import_file
from motcua.catalog.models import Field, ProcedureVersion
from motcua.catalog.records import split_announcement
from motcua.catalog.tests.conftest import BIRTH, FIELDS, MARRIAGE
from motcua.core.errors import ImportRejected

pytestmark = pytest.mark.django_db


def _refused(content: bytes, filename: str = "a.json") -> list[dict[str, Any]]:
    with pytest.raises(ImportRejected) as caught:
        catalog_import_file(content=content, filename=filename)
    return caught.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "3152/QĐ-BTP ngày 20/06/2025 của Bộ Tư pháp",
            ("3152/QĐ-BTP", dt.date(2025, 6, 20), "Bộ Tư pháp"),
        ),
        (
            "Quyết định số 12/2025/QĐ-UBND ngày 3/4/2025 của UBND tỉnh Hà Tĩnh",
            ("12/2025/QĐ-UBND", dt.date(2025, 4, 3), "Ủy ban nhân dân tỉnh Hà Tĩnh"),
        ),
        ("Quyết định 2304/QĐ-BNNMT", ("2304/QĐ-BNNMT", None, "Bộ Nông nghiệp và Môi trường")),
        ("Quyết định 7/QĐ-UBND", ("7/QĐ-UBND", None, "")),
        ("quyết định công bố của Bộ", None),
        ("Quyết định 99/QĐ-UBND ngày 31/02/2025", None),  # no such day
    ],
)
def test_split_announcement(text, expected):
    assert split_announcement(text) == expected


def test_announcement_is_stored_as_number_date_and_issuer(marriage_v1):
    assert marriage_v1.announcement_number == "3152/QĐ-BTP"
    assert marriage_v1.announcement_date == dt.date(2025, 6, 20)
    assert marriage_v1.announcement_issuer == "Bộ Tư pháp"
    assert marriage_v1.announcement == "3152/QĐ-BTP ngày 20/06/2025 của Bộ Tư pháp"


def test_an_old_file_with_the_free_text_reads_into_the_fields(json_file, marriage_v1, today):
    old = copy.deepcopy(MARRIAGE)
    for key in ("announcement_number", "announcement_date", "announcement_issuer"):
        del old[key]
    old["announcement_decision"] = "Quyết định 3152/QĐ-BTP ngày 20/6/2025 của Bộ Tư pháp"

    report = catalog_import_file(content=json_file(old), filename="cu.json")

    assert report.unchanged == ["1.000894 v1"]  # the same decision: no new version


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {
                "announcement_decision": "QĐ công bố của Bộ Tư pháp",
                "announcement_number": "",
                "announcement_date": "",
                "announcement_issuer": "",
            },
            "announcement_decision",
            "không tách được số, ngày quyết định",
        ),
        (
            {"announcement_decision": "3152/QĐ-BTP", "announcement_number": "3152/QĐ-BTP"},
            "announcement_decision",
            "bỏ announcement_decision (cách ghi cũ)",
        ),
        (
            {"announcement_number": "", "announcement_issuer": "Bộ Tư pháp"},
            "announcement_number",
            "bắt buộc khi có ngày hoặc cơ quan ban hành",
        ),
        (
            {"announcement_date": "20/06/2025"},
            "announcement_date",
            "không hợp lệ (dạng YYYY-MM-DD)",
        ),
        ({"announcement_number": "x" * 101}, "announcement_number", "dài quá 100 ký tự"),
        ({"source": "internet"}, "source", "giá trị 'internet' không hợp lệ"),
    ],
)
def test_bad_provenance_is_refused(change, field, message, json_file, table_counts, hotich):
    before = table_counts()

    problems = _refused(json_file({**copy.deepcopy(MARRIAGE), **change}))

    assert [p for p in problems if p["field"] == field and message in p["message"]], problems
    assert table_counts() == before


def test_an_old_workbook_with_the_free_text_column(marriage_v1, today):
    workbook = load_workbook(io.BytesIO(catalog_export_xlsx(ProcedureVersion.objects.all())))
    sheet = workbook["ThuTuc"]
    headers = [c.value for c in sheet[1]]
    for header in ("SOQDCONGBO", "NGAYQDCONGBO", "COQUANCONGBO"):
        sheet.cell(row=2, column=headers.index(header) + 1).value = None
    sheet.cell(row=1, column=len(headers) + 1).value = "QUYETDINHCONGBO"
    sheet.cell(row=2, column=len(headers) + 1).value = "3152/QĐ-BTP ngày 20/06/2025 của Bộ Tư pháp"
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = catalog_import_file(content=buffer.getvalue(), filename="cu.xlsx")

    assert report.unchanged == ["1.000894 v1"]


# --- source ---------------------------------------------------------------------------------------


def test_sample_data_confirmed_by_a_national_import_takes_its_source(json_file, today):
    catalog_import_file(
        content=json_file({**copy.deepcopy(BIRTH), "source": "sample"}), filename="mau.json"
    )
    before = ProcedureVersion.objects.get()

    again = catalog_import_file(
        content=json_file({**copy.deepcopy(BIRTH), "source": "sample"}), filename="mau.json"
    )
    national = catalog_import_file(
        content=json_file({**copy.deepcopy(BIRTH), "source": "national"}), filename="qg.json"
    )
    local = catalog_import_file(
        content=json_file({**copy.deepcopy(BIRTH), "source": "local"}), filename="dp.json"
    )

    assert before.source == "sample"
    assert again.source_updated == []
    assert national.source_updated == ["1.001193 v1"]
    assert national.created == []
    assert "1 phiên bản đổi nguồn dữ liệu" in national.summary()
    assert local.unchanged == ["1.001193 v1"]  # national data stays national
    assert ProcedureVersion.objects.get().source == "national"


def test_a_changed_national_record_is_a_new_version_that_is_not_sample(json_file, today):
    catalog_import_file(
        content=json_file({**copy.deepcopy(BIRTH), "source": "sample"}), filename="mau.json"
    )
    newer = {
        **copy.deepcopy(BIRTH),
        "source": "national",
        "effective_from": "2026-01-01",
        "name": "Đăng ký khai sinh (cập nhật)",
    }

    report = catalog_import_file(content=json_file(newer), filename="qg.json")

    assert report.created == ["1.001193 v2"]
    sources = dict(ProcedureVersion.objects.values_list("number", "source"))
    assert sources == {1: "sample", 2: "national"}


# --- field codes ----------------------------------------------------------------------------------


def test_the_national_field_code_is_imported_and_exported(json_file, today):
    catalog_import_file(content=json_file(BIRTH), filename="a.json")

    assert Field.objects.get().official_code == "LV01"
    workbook = load_workbook(io.BytesIO(catalog_export_xlsx(ProcedureVersion.objects.all())))
    assert [c.value for c in workbook["LinhVuc"][2]] == [
        "HO_TICH",
        "Hộ tịch",
        "Civil status",
        "LV01",
    ]


def test_a_bad_national_field_code_is_refused(json_file, table_counts):
    fields = [{**FIELDS[0], "official_code": "LV 01"}]

    problems = _refused(json_file(BIRTH, fields=fields))

    assert problems[0]["field"] == "official_code"
    assert "không có khoảng trắng" in problems[0]["message"]
    assert set(table_counts().values()) == {0}
