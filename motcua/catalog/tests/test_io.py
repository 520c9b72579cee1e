"""Catalogue files: export, read, import; round trips and refused files."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from motcua.catalog.io import (
    PART_KEYS,
    RECORD_KEYS,
    SHEETS,
    catalog_export_json,
    catalog_export_xlsx,
    catalog_import_file,
    catalog_read_file,
    format_verification,
    parse_verification,
)
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.records import content_key, parse_record, record_from_version
from motcua.catalog.selectors import procedure_versions_in_force
from motcua.catalog.tests.conftest import BIRTH, FIELDS, MARRIAGE
from motcua.core.errors import ImportRejected

pytestmark = pytest.mark.django_db


def _rejected(content: bytes, filename: str) -> list[dict[str, Any]]:
    with pytest.raises(ImportRejected) as caught:
        catalog_import_file(content=content, filename=filename)
    assert caught.value.message == "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu."
    return caught.value.problems


def _has(problems: list[dict[str, Any]], **expected: Any) -> dict[str, Any]:
    """The one problem that has every expected key and value."""
    found = [p for p in problems if all(p.get(k) == v for k, v in expected.items())]
    assert len(found) == 1, problems
    return found[0]


def _edit(content: bytes, change: Callable[[Workbook], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _col(workbook: Workbook, sheet: str, header: str) -> int:
    headers = [cell.value for cell in workbook[sheet][1]]
    return headers.index(header) + 1


def _procedures_line(content: bytes) -> int:
    """Line of the first record in a file written by the json_file fixture."""
    return _record_lines(content)[0]


def _record_lines(content: bytes) -> list[int]:
    """Lines where the records of a file written by the json_file fixture start."""
    lines = content.decode().splitlines()
    start = lines.index('  "procedures": [')
    return [
        number for number, line in enumerate(lines, start=1) if number > start and line == "    {"
    ]


# --- export --------------------------------------------------------------------------------------


def test_json_export_is_the_documented_format(birth_v1, marriage_v1):
    content = catalog_export_json(ProcedureVersion.objects.all())

    text = content.decode("utf-8")
    assert '"name": "Hộ tịch"' in text  # not \u escapes
    assert text.startswith('{\n  "format": "motcua-catalog/1",\n  "fields": [')
    assert text.endswith("}\n")
    document = json.loads(text)
    assert document["fields"] == FIELDS
    assert [p["code"] for p in document["procedures"]] == ["1.000894", "1.001193"]
    assert document["procedures"][1] == BIRTH
    assert document["procedures"][0] == MARRIAGE


def test_export_lists_versions_by_code_then_date(store, birth_v1):
    store({**copy.deepcopy(BIRTH), "effective_from": "2026-05-01", "name": "Khai sinh (mới)"})

    document = json.loads(catalog_export_json(ProcedureVersion.objects.order_by("-pk")))

    assert [(p["code"], p["effective_from"]) for p in document["procedures"]] == [
        ("1.001193", "2025-07-01"),
        ("1.001193", "2026-05-01"),
    ]


def test_record_keys_match_record_from_version(marriage_v1):
    record = record_from_version(marriage_v1)

    assert set(record) == RECORD_KEYS
    assert set(record["time_limit"]) == PART_KEYS["time_limit"]
    assert set(record["time_limit"]["cases"][0]) == PART_KEYS["cases"]
    for list_key in ("components", "fees", "process"):
        assert set(record[list_key][0]) == PART_KEYS[list_key]


def test_xlsx_export_layout(birth_v1, marriage_v1):
    workbook = load_workbook(io.BytesIO(catalog_export_xlsx(ProcedureVersion.objects.all())))

    assert workbook.sheetnames == [
        "LinhVuc",
        "ThuTuc",
        "ThanhPhanHoSo",
        "PhiLePhi",
        "QuyTrinh",
        "ThoiHanTruongHop",
        "HuongDan",
    ]
    procedures = workbook["ThuTuc"]
    headers = [c.value for c in procedures[1]]
    assert headers[:8] == [
        "MATTHC",
        "NGAYHIEULUC",
        "TRANGTHAI",
        "TENTTHC",
        "TENTTHC_EN",
        "MALINHVUC",
        "MANGANHLINHVUC",
        "CAPTHUCHIEN",
    ]
    assert headers == [c.header for c in SHEETS["ThuTuc"] if not c.legacy]
    assert "QUYETDINHCONGBO" not in headers  # the old free text is read, never written
    row = {h: c.value for h, c in zip(headers, procedures[2], strict=True)}
    assert row["MATTHC"] == "1.000894"
    assert row["NGAYHIEULUC"] == dt.datetime(2025, 7, 1)
    assert row["CAPTHUCHIEN"] == "commune,province"
    assert row["CANCUPHAPLY"] == "Luật Hộ tịch số 60/2014/QH13, Điều 16\nNghị định 123/2015/NĐ-CP"
    assert row["THOIGIANGIAIQUYET"] == 5
    assert row["BUUCHINH"] is False
    assert row["GHICHU"] == "=SUM(A1:A3) không phải công thức"
    assert row["SOQDCONGBO"] == "3152/QĐ-BTP"
    assert row["NGAYQDCONGBO"] == dt.datetime(2025, 6, 20)
    assert row["COQUANCONGBO"] == "Bộ Tư pháp"
    assert row["DUNGKHICHONOPPHI"] is True
    assert row["CANCUDUNGKHICHONOPPHI"] == "Nghị định 101/2024/NĐ-CP"
    assert row["NGUONDULIEU"] == "national"
    assert procedures.cell(row=2, column=headers.index("GHICHU") + 1).data_type == "s"
    birth = {h: c.value for h, c in zip(headers, procedures[3], strict=True)}
    assert birth["KIEMCHUNG"] == "code=P; fees=U"
    assert birth["GIOCHOT"] == "15:00"

    fees = [[c.value for c in row] for row in workbook["PhiLePhi"].iter_rows()]
    assert fees == [
        [
            "MATTHC",
            "NGAYHIEULUC",
            "STT",
            "LOAIPHI",
            "TENPHI",
            "MUCPHI",
            "DONVITINH",
            "HINHTHUC",
            "MOTA",
            "CANCU",
            "CACHTINH",
        ],
        [
            "1.000894",
            dt.datetime(2025, 7, 1),
            1,
            "charge",
            "Lệ phí",
            1234567890.37,
            None,
            "direct",
            None,
            None,
            "amount",
        ],
        [
            "1.000894",
            dt.datetime(2025, 7, 1),
            2,
            "fee",
            "Phí sao lục",
            8000,
            "bản",
            "online",
            None,
            None,
            "amount",
        ],
        [
            "1.001193",
            dt.datetime(2025, 7, 1),
            1,
            "charge",
            "Lệ phí đăng ký khai sinh",
            None,  # exempt: no amount, never 0
            "trường hợp",
            "all",
            "Miễn lệ phí khi đăng ký đúng hạn",
            "Luật Hộ tịch 2014, Điều 11",
            "exempt",
        ],
    ]
    cases = [[c.value for c in row] for row in workbook["ThoiHanTruongHop"].iter_rows()]
    assert cases == [
        [c.header for c in SHEETS["ThoiHanTruongHop"]],
        [
            "1.000894",
            dt.datetime(2025, 7, 1),
            1,
            "xac_minh",
            "Trường hợp cần xác minh",
            "case",
            10,
            "working_day",
            "Không quá 10 ngày làm việc",
            "Luật Hộ tịch 2014, Điều 18 khoản 2",
        ],
        [
            "1.000894",
            dt.datetime(2025, 7, 1),
            2,
            "truc-tuyen",
            "Nộp hồ sơ trực tuyến",
            "online",
            1.5,
            "working_day",
            "1,5 ngày làm việc",
            "Quyết định thử nghiệm",
        ],
    ]
    assert workbook["QuyTrinh"].max_row == 6  # header + 2 + 3 steps
    assert workbook["ThanhPhanHoSo"].max_row == 4  # header + 1 + 2 papers
    assert workbook["LinhVuc"]["A2"].value == "HO_TICH"


def test_verification_text_form():
    assert format_verification({"fees": "U", "code": "P"}) == "code=P; fees=U"
    assert parse_verification(" code = p ;fees=U; ") == {"code": "P", "fees": "U"}
    with pytest.raises(ValueError, match="'code P'"):
        parse_verification("code P")


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("export", "filename"),
    [(catalog_export_json, "danh-muc.json"), (catalog_export_xlsx, "danh-muc.xlsx")],
)
def test_reimporting_an_export_changes_nothing(
    export, filename, today, birth_v1, marriage_v1, table_counts
):
    content = export(procedure_versions_in_force(on=today))
    before = table_counts()

    report = catalog_import_file(content=content, filename=filename)

    assert report.created == []
    assert report.unchanged == ["1.000894 v1", "1.001193 v1"]
    assert report.fields_created == []
    assert table_counts() == before


def test_xlsx_reads_back_every_value_exactly(birth_v1, marriage_v1):
    content = catalog_export_xlsx(ProcedureVersion.objects.all())

    fields, records = catalog_read_file(content, "x.xlsx")

    assert fields == FIELDS
    assert [where for where, _ in records] == [
        {"sheet": "ThuTuc", "row": 2},
        {"sheet": "ThuTuc", "row": 3},
    ]
    for (_, raw), version in zip(records, [marriage_v1, birth_v1], strict=True):
        record, problems = parse_record(raw, known_fields={"HO_TICH"})
        assert problems == []
        assert content_key(record) == content_key(record_from_version(version))
    marriage = parse_record(records[0][1], known_fields={"HO_TICH"})[0]
    assert [f["amount"] for f in marriage["fees"]] == [Decimal("1234567890.37"), Decimal("8000")]
    assert [s["share"] for s in marriage["process"]] == [Decimal("0.3333"), Decimal("0.6667")]
    assert marriage["effective_from"] == dt.date(2025, 7, 1)


def test_json_reads_positions_and_lines(json_file):
    content = json_file(BIRTH, MARRIAGE)

    fields, records = catalog_read_file(content, "catalog.JSON")

    first = _procedures_line(content)
    assert fields == FIELDS
    assert records[0][0] == {"index": 1, "line": first}
    assert records[1][0] == {"index": 2, "line": _record_lines(content)[1]}
    assert _record_lines(content)[1] > first + 50
    assert records[1][1]["code"] == "1.000894"


def test_changed_json_record_makes_a_new_version(today, birth_v1, marriage_v1):
    document = json.loads(catalog_export_json(procedure_versions_in_force(on=today)))
    birth = document["procedures"][1]
    birth["effective_from"] = "2026-04-01"
    birth["fees"][0].update(pricing="amount", amount="5000")

    report = catalog_import_file(content=json.dumps(document).encode(), filename="a.json")

    assert report.created == ["1.001193 v2"]
    assert report.unchanged == ["1.000894 v1"]
    v2 = ProcedureVersion.objects.get(procedure__code="1.001193", number=2)
    assert v2.effective_from == dt.date(2026, 4, 1)
    assert [f.amount for f in v2.fees.all()] == [Decimal("5000")]
    birth_v1.refresh_from_db()
    assert birth_v1.effective_to == dt.date(2026, 3, 31)
    assert v2.effective_to is None


def test_changed_xlsx_record_makes_a_new_version(today, birth_v1, marriage_v1):
    content = catalog_export_xlsx(procedure_versions_in_force(on=today))

    def change(workbook: Workbook) -> None:
        for name in ("ThuTuc", "ThanhPhanHoSo", "PhiLePhi", "QuyTrinh"):
            sheet = workbook[name]
            for row in sheet.iter_rows(min_row=2):
                if row[0].value == "1.001193":
                    row[1].value = dt.date(2026, 4, 1)
        procedures = workbook["ThuTuc"]
        procedures.cell(row=3, column=_col(workbook, "ThuTuc", "TENTTHC")).value = "Khai sinh"
        # Reorder the papers with STT: the second row becomes the first paper.
        papers = workbook["ThanhPhanHoSo"]
        papers.cell(row=3, column=3).value = 2
        papers.cell(row=4, column=3).value = 1

    report = catalog_import_file(content=_edit(content, change), filename="a.xlsx")

    assert report.created == ["1.001193 v2"]
    v2 = ProcedureVersion.objects.get(procedure__code="1.001193", number=2)
    assert v2.name == "Khai sinh"
    assert v2.effective_from == dt.date(2026, 4, 1)
    assert [c.name for c in v2.components.all()] == ["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"]
    assert [s.share for s in v2.steps.all()] == [Decimal("0.25"), Decimal("0.5"), Decimal("0.25")]
    birth_v1.refresh_from_db()
    assert birth_v1.effective_to == dt.date(2026, 3, 31)


def test_dry_run_reports_and_writes_nothing(db, json_file, table_counts):
    report = catalog_import_file(
        content=json_file(BIRTH, MARRIAGE), filename="a.json", dry_run=True
    )

    assert report.created == ["1.000894 v1", "1.001193 v1"]
    assert report.fields_created == ["HO_TICH"]
    assert set(table_counts().values()) == {0}


# --- refused JSON files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": "1.1193"}, {"record": "1.1193", "field": "code"}),
        ({"field": "KHONG_CO"}, {"field": "field"}),
        ({"name": "  "}, {"field": "name", "message": "bắt buộc, không được để trống"}),
        (
            {"fees": [{**BIRTH["fees"][0], "pricing": "amount", "amount": "-1"}]},
            {"field": "fees[1].amount", "message": "phải là số không âm"},
        ),
        (
            {"time_limit": {"value": "2.5", "unit": "calendar_day", "text": ""}},
            {"field": "time_limit.value", "message": "Thời hạn tính bằng ngày phải là số nguyên."},
        ),
        (
            {"process": [{"name": "Một", "share": "1.5"}]},
            {"field": "process[1].share", "message": "tỷ lệ thời hạn phải từ 0 đến 1"},
        ),
        (
            {"process": [{"name": "Một", "share": "0.6"}, {"name": "Hai", "share": "0.6"}]},
            {"field": "process", "message": "tổng tỷ lệ thời hạn các bước là 1.2, vượt quá 1"},
        ),
        ({"time_limit": {"value": "1", "unit": "tuan", "text": ""}}, {"field": "time_limit.unit"}),
        ({"nmae": "Đăng ký khai sinh"}, {"field": "nmae"}),
        ({"fees": [{**BIRTH["fees"][0], "amout": "0"}]}, {"field": "fees[1].amout"}),
    ],
    ids=[
        "bad-code",
        "unknown-field",
        "missing-name",
        "negative-fee",
        "non-integer-days",
        "share-over-1",
        "shares-sum-over-1",
        "bad-unit",
        "unknown-key",
        "unknown-fee-key",
    ],
)
def test_bad_record_is_refused_and_nothing_is_written(
    change, expected, json_file, make_record, table_counts, hotich
):
    # The bad record comes after two good new ones: they must not be stored either.
    content = json_file(
        make_record(MARRIAGE), make_record(BIRTH, code="1.000001"), make_record(**change)
    )
    before = table_counts()

    problems = _rejected(content, "a.json")

    problem = _has(problems, index=3, **expected)
    assert problem["line"] == _record_lines(content)[2]
    assert all(p["index"] == 3 for p in problems)
    assert table_counts() == before


def test_duplicate_code_and_date_is_refused(json_file, table_counts):
    problems = _rejected(json_file(BIRTH, MARRIAGE, BIRTH), "a.json")

    assert problems == [
        {
            "index": 3,
            "line": problems[0]["line"],
            "record": "1.001193",
            "field": "code",
            "message": "trùng mã thủ tục và ngày hiệu lực với một bản ghi khác",
        }
    ]
    assert set(table_counts().values()) == {0}


def test_conflict_found_while_storing_rolls_everything_back(
    json_file, make_record, birth_v1, table_counts
):
    # MARRIAGE is new and would be stored first; the changed BIRTH is dated before its version 1.
    content = json_file(
        make_record(MARRIAGE), make_record(name="Khai sinh", effective_from="2025-01-01")
    )
    before = table_counts()

    problems = _rejected(content, "a.json")

    problem = _has(problems, index=2, record="1.001193", field="effective_from")
    assert "phải có hiệu lực sau ngày 01/07/2025" in problem["message"]
    assert table_counts() == before
    assert not ProcedureVersion.objects.filter(procedure__code="1.000894").exists()


def test_bad_field_entry_is_located(json_file, table_counts):
    content = json_file(BIRTH, fields=[FIELDS[0], {"code": "", "name": "Chứng thực"}])

    problems = _rejected(content, "a.json")

    lines = content.decode().splitlines()
    _has(problems, record="fields[2]", field="code", index=2, line=lines.index('  "fields": [') + 8)
    assert set(table_counts().values()) == {0}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'{"format": "motcua-catalog/1",\n "procedures": [\n  {"code": }]}',
            [
                {
                    "line": 3,
                    "field": "",
                    "message": "JSON không hợp lệ ở dòng 3, cột 12: Expecting value",
                }
            ],
        ),
        (
            b'{"format": "motcua-catalog/2", "procedures": []}',
            [
                {
                    "field": "format",
                    "message": "định dạng 'motcua-catalog/2' không được hỗ trợ; "
                    'cần "motcua-catalog/1"',
                }
            ],
        ),
        (
            b'{"procedures": {}}',
            [
                {
                    "field": "format",
                    "message": 'định dạng None không được hỗ trợ; cần "motcua-catalog/1"',
                },
                {"field": "procedures", "message": "bắt buộc, phải là danh sách thủ tục"},
            ],
        ),
        (
            b"[]",
            [
                {
                    "field": "",
                    "message": 'tệp JSON phải là một đối tượng có khóa "format": '
                    '"motcua-catalog/1", "fields" và "procedures"',
                }
            ],
        ),
        (b"\xff\xfe{}", [{"field": "", "message": "tệp không phải văn bản UTF-8 (byte 0)"}]),
    ],
    ids=["broken", "wrong-format", "no-format-no-list", "not-an-object", "not-utf8"],
)
def test_malformed_json_is_refused(db, content, expected):
    assert _rejected(content, "a.json") == expected


def test_unknown_extension_is_refused(db):
    assert _rejected(b"code;name\n", "danh-muc.csv") == [
        {
            "field": "",
            "message": "tệp 'danh-muc.csv': chỉ nhận tệp .json (motcua-catalog/1) hoặc "
            ".xlsx (Excel)",
        }
    ]


# --- refused workbooks ---------------------------------------------------------------------------


@pytest.fixture
def workbook_bytes(birth_v1, marriage_v1) -> bytes:
    """The two procedures as a workbook: ThuTuc row 2 is 1.000894, row 3 is 1.001193."""
    return catalog_export_xlsx(ProcedureVersion.objects.all())


def _refused_workbook(
    workbook_bytes: bytes,
    change: Callable[[Workbook], None],
    table_counts: Callable[[], dict[str, int]],
) -> list[dict[str, Any]]:
    before = table_counts()
    problems = _rejected(_edit(workbook_bytes, change), "a.xlsx")
    assert table_counts() == before
    return problems


def test_workbook_without_a_sheet(workbook_bytes, table_counts):
    problems = _refused_workbook(workbook_bytes, lambda wb: wb.remove(wb["PhiLePhi"]), table_counts)

    assert problems == [
        {
            "sheet": "PhiLePhi",
            "field": "",
            "message": "thiếu sheet PhiLePhi (cần đủ các sheet LinhVuc, ThuTuc, ThanhPhanHoSo, "
            "PhiLePhi, QuyTrinh)",
        }
    ]


def test_workbook_without_a_required_column(workbook_bytes, table_counts):
    def change(workbook: Workbook) -> None:
        workbook["ThuTuc"].delete_cols(_col(workbook, "ThuTuc", "TENTTHC"))

    problems = _refused_workbook(workbook_bytes, change, table_counts)

    assert problems == [
        {
            "sheet": "ThuTuc",
            "row": 1,
            "field": "TENTTHC",
            "message": "thiếu cột bắt buộc TENTTHC ở dòng tiêu đề",
        }
    ]


def test_child_row_for_an_unknown_procedure(workbook_bytes, table_counts):
    def change(workbook: Workbook) -> None:
        workbook["PhiLePhi"]["A3"] = "1.999999"
        workbook["QuyTrinh"]["B2"] = dt.date(2024, 1, 1)

    problems = _refused_workbook(workbook_bytes, change, table_counts)

    assert problems == [
        {
            "sheet": "PhiLePhi",
            "row": 3,
            "field": "MATTHC",
            "column": "A",
            "record": "1.999999",
            "message": "không có thủ tục 1.999999 với ngày hiệu lực 2025-07-01 trong sheet ThuTuc",
        },
        {
            "sheet": "QuyTrinh",
            "row": 2,
            "field": "MATTHC",
            "column": "A",
            "record": "1.000894",
            "message": "không có thủ tục 1.000894 với ngày hiệu lực 2024-01-01 trong sheet ThuTuc",
        },
    ]


def test_cells_of_the_wrong_kind(workbook_bytes, table_counts):
    def change(workbook: Workbook) -> None:
        sheet = workbook["ThuTuc"]
        sheet.cell(row=3, column=_col(workbook, "ThuTuc", "THOIGIANGIAIQUYET")).value = dt.date(
            2026, 1, 1
        )
        sheet.cell(row=2, column=_col(workbook, "ThuTuc", "TENTTHC")).value = True
        sheet.cell(row=2, column=_col(workbook, "ThuTuc", "KIEMCHUNG")).value = "code P"
        workbook["PhiLePhi"]["F2"] = "50.000"

    problems = _refused_workbook(workbook_bytes, change, table_counts)

    assert problems == [
        {
            "sheet": "ThuTuc",
            "row": 2,
            "field": "TENTTHC",
            "column": "D",
            "message": "phải là chữ, không phải ngày, giờ hay đúng/sai",
        },
        {
            "sheet": "ThuTuc",
            "row": 2,
            "field": "KIEMCHUNG",
            "column": "Y",
            "message": "'code P' phải có dạng thông_tin=V, P hoặc U",
        },
        {
            "sheet": "ThuTuc",
            "row": 3,
            "field": "THOIGIANGIAIQUYET",
            "column": "N",
            "message": "phải là số",
        },
        {
            "sheet": "PhiLePhi",
            "row": 2,
            "field": "MUCPHI",
            "column": "F",
            "message": "'50.000': ghi số không có dấu phân cách hàng nghìn (ví dụ 50000)",
        },
    ]


def test_record_problems_name_the_child_sheet_row_and_column(workbook_bytes, table_counts):
    def change(workbook: Workbook) -> None:
        workbook["PhiLePhi"]["F3"] = -5  # the second fee of 1.000894
        workbook["QuyTrinh"]["G3"] = 0.9  # 1.000894: 0.3333 + 0.9 > 1
        workbook["ThuTuc"].cell(row=3, column=_col(workbook, "ThuTuc", "DONVITINH")).value = "tuan"

    problems = _refused_workbook(workbook_bytes, change, table_counts)

    _has(
        problems,
        sheet="PhiLePhi",
        row=3,
        field="MUCPHI",
        column="F",
        record="1.000894",
        message="phải là số không âm",
    )
    _has(
        problems,
        sheet="QuyTrinh",
        row=2,
        field="TYLE",
        column="G",
        record="1.000894",
        message="tổng tỷ lệ thời hạn các bước là 1.2333, vượt quá 1",
    )
    unit = _has(problems, sheet="ThuTuc", row=3, field="DONVITINH", column="O", record="1.001193")
    assert unit["message"].startswith("giá trị 'tuan' không hợp lệ")
    assert len(problems) == 3


def test_numbers_typed_in_text_cells_are_read_as_text(workbook_bytes, birth_v1, marriage_v1):
    def change(workbook: Workbook) -> None:
        workbook["ThuTuc"]["A3"] = 1.001193  # the code, typed without the text format
        workbook["PhiLePhi"]["B2"] = "01/07/2025"  # a date typed as text, Vietnamese order
        workbook["ThuTuc"].cell(row=3, column=_col(workbook, "ThuTuc", "GIOCHOT")).value = dt.time(
            15, 0
        )

    report = catalog_import_file(content=_edit(workbook_bytes, change), filename="a.xlsx")

    assert report.unchanged == ["1.000894 v1", "1.001193 v1"]


def test_not_a_workbook(db, table_counts):
    problems = _rejected(b"PK\x03\x04 this is not a zip", "a.xlsx")

    assert problems == [
        {"field": "", "message": "tệp không phải là bảng tính Excel .xlsx đọc được (BadZipFile)"}
    ]
    assert set(table_counts().values()) == {0}


def test_workbook_problems_in_the_report(workbook_bytes):
    def change(workbook: Workbook) -> None:
        workbook["PhiLePhi"]["F3"] = -5

    with pytest.raises(ImportRejected) as caught:
        catalog_import_file(content=_edit(workbook_bytes, change), filename="a.xlsx")

    assert caught.value.report() == (
        "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu.\n"
        "  - thủ tục 1.000894, trang tính PhiLePhi, dòng 3, cột F, trường MUCPHI: "
        "phải là số không âm"
    )


# --- input hygiene (issue 10 item 5) ------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"])
def test_effective_from_is_held_to_the_years_of_every_other_date(make_record, day):
    _, problems = parse_record(make_record(effective_from=day), known_fields={"HO_TICH"})
    assert [(p.field, "năm phải trong 1990–2100" in p.message) for p in problems] == [
        ("effective_from", True)
    ]


def test_effective_from_out_of_range_is_refused_on_import(json_file, make_record, table_counts):
    content = json_file(make_record(effective_from="2999-01-01"))
    problems = _rejected(content, "a.json")
    assert [p["field"] for p in problems] == ["effective_from"]
    assert set(table_counts().values()) == {0}


def test_catalogue_texts_are_nfc_without_invisible_characters(make_record):
    import unicodedata

    name = unicodedata.normalize("NFD", "Đăng ký\u200b khai sinh\u00ad")
    record, problems = parse_record(make_record(name=name), known_fields={"HO_TICH"})
    assert problems == []
    assert record["name"] == "Đăng ký khai sinh"
    _, problems = parse_record(make_record(name="\u200b\u2066\u2069"), known_fields={"HO_TICH"})
    assert [(p.field, p.message) for p in problems] == [
        ("name", "chỉ gồm ký tự vô hình (ký tự độ rộng 0 hoặc ký tự điều khiển hướng chữ)")
    ]
