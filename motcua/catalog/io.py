"""Catalogue files: JSON (``motcua-catalog/1``) and the Excel workbook, both ways.

This module only converts between bytes and the plain records of ``records.py``; every rule about
what a record may contain is checked by ``records.parse_record`` and ``services.catalog_import``.
What is checked here is the file itself: that it is JSON or a workbook, that the sheets and columns
are there, that a cell holds the kind of value its column takes, and that child rows (papers, fees,
steps) point at a procedure of the ThuTuc sheet. Those problems are reported with the sheet, row and
column (or the JSON line) and nothing is imported. Reading never evaluates anything: the workbook is
opened read-only with cached values (formulas are not computed), macros are not loaded.

The workbook layout is documented in docs/catalog-format.md ("Excel workbook").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import ParseError

from django.db import transaction
from django.db.models import QuerySet
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError, InvalidFileException

from motcua.accounts.models import Role, User
from motcua.calendars.workdays import LimitUnit
from motcua.catalog.models import (
    Channel,
    Field,
    Level,
    LimitCondition,
    OnlineLevel,
    ProcedureFee,
    ProcedureVersion,
    Source,
    SupplementPolicy,
)
from motcua.catalog.records import FORMAT, record_from_version
from motcua.catalog.services import ImportReport, catalog_import
from motcua.core.errors import ImportRejected, InvalidInput

REJECTED = "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu."
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_CONTENT_TYPE = "application/json"
EXCEL_MAX_CELL = 32767  # characters Excel keeps in one cell

# The keys of a record and of its parts, as written by ``record_from_version``. A JSON file with any
# other key is refused: a misspelt optional key would otherwise be dropped without a word.
RECORD_KEYS = frozenset(
    {
        "code",
        "effective_from",
        "status",
        "name",
        "name_en",
        "field",
        "sector_code",
        "levels",
        "competent_authority",
        "applicants",
        "steps_text",
        "requirements",
        "result",
        "time_limit",
        "same_day_cutoff",
        "payment_stops_clock",
        "payment_stop_basis",
        "online_level",
        "postal_allowed",
        "boundary_free",
        "boundary_free_basis",
        "legal_basis",
        "announcement_number",
        "announcement_date",
        "announcement_issuer",
        "supplement_policy",
        "components",
        "fees",
        "process",
        "verification",
        "notes",
        "source",
    }
)
# Keys read from older files but never written: the free text of the announcing decision (now
# announcement_number, announcement_date, announcement_issuer).
LEGACY_RECORD_KEYS = frozenset({"announcement_decision"})
PART_KEYS = {
    "time_limit": frozenset({"value", "unit", "text", "cases"}),
    "cases": frozenset({"code", "label", "condition", "value", "unit", "text", "legal_basis"}),
    "components": frozenset(
        {"case", "name", "originals", "copies", "form_template", "required", "note"}
    ),
    "fees": frozenset(
        {"kind", "name", "pricing", "amount", "unit", "channel", "description", "legal_basis"}
    ),
    "process": frozenset({"name", "role", "performer", "share"}),
}
FIELD_KEYS = frozenset({"code", "name", "name_en", "official_code"})
TOP_KEYS = frozenset({"format", "fields", "procedures"})


# --- the workbook layout -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the record key it carries and the kind of cell."""

    header: str
    key: str  # record key; "time_limit.value" for a nested one
    kind: str  # text, code, number, integer, bool, date, time, levels, lines, verification
    meaning: str
    required: bool = False
    values: str = ""  # allowed values, for the instructions sheet
    width: int = 18
    legacy: bool = False  # read from older workbooks, never written


def _choices(values: Iterable[Any]) -> str:
    return ", ".join(str(v.value) for v in values)


SHEET_FIELDS = "LinhVuc"
SHEET_PROCEDURES = "ThuTuc"
SHEET_COMPONENTS = "ThanhPhanHoSo"
SHEET_FEES = "PhiLePhi"
SHEET_STEPS = "QuyTrinh"
SHEET_CASES = "ThoiHanTruongHop"
SHEET_HELP = "HuongDan"
# Sheets added after the first workbooks: a workbook without them still imports.
OPTIONAL_SHEETS = frozenset({SHEET_CASES})

_KEY_COLUMNS = (
    Column("MATTHC", "code", "code", "Mã thủ tục hành chính (d.dddddd)", True, width=14),
    Column(
        "NGAYHIEULUC",
        "effective_from",
        "date",
        "Ngày hiệu lực của phiên bản (YYYY-MM-DD)",
        True,
        width=13,
    ),
)
_POSITION = Column(
    "STT", "position", "integer", "Số thứ tự trong thủ tục (sắp xếp các dòng)", width=6
)

SHEETS: dict[str, tuple[Column, ...]] = {
    SHEET_FIELDS: (
        Column("MALINHVUC", "code", "text", "Mã lĩnh vực", True, width=16),
        Column("TENLINHVUC", "name", "text", "Tên lĩnh vực", True, width=40),
        Column("TENLINHVUC_EN", "name_en", "text", "Tên lĩnh vực bằng tiếng Anh", width=30),
        Column(
            "MALINHVUCQG",
            "official_code",
            "text",
            "Mã lĩnh vực trên Cơ sở dữ liệu quốc gia về TTHC (TT 01/2018 Điều 20), nếu có",
        ),
    ),
    SHEET_PROCEDURES: (
        *_KEY_COLUMNS,
        Column(
            "TRANGTHAI", "status", "text", "Trạng thái", values=_choices(ProcedureVersion.Status)
        ),
        Column("TENTTHC", "name", "text", "Tên thủ tục hành chính", True, width=50),
        Column("TENTTHC_EN", "name_en", "text", "Tên thủ tục bằng tiếng Anh", width=30),
        Column("MALINHVUC", "field", "text", "Mã lĩnh vực (sheet LinhVuc hoặc đã có)", True),
        Column("MANGANHLINHVUC", "sector_code", "text", "Mã ngành, lĩnh vực MX1X2-LV (TT 01/2018)"),
        Column(
            "CAPTHUCHIEN",
            "levels",
            "levels",
            "Cấp thực hiện, cách nhau bởi dấu phẩy",
            True,
            values=_choices(Level),
        ),
        Column(
            "COQUANTHUCHIEN", "competent_authority", "text", "Cơ quan thực hiện", True, width=40
        ),
        Column("DOITUONGTHUCHIEN", "applicants", "text", "Đối tượng thực hiện", width=40),
        Column(
            "TRINHTUTHUCHIEN",
            "steps_text",
            "text",
            "Trình tự thực hiện (mỗi bước một dòng)",
            width=50,
        ),
        Column("YEUCAUDIEUKIEN", "requirements", "text", "Yêu cầu, điều kiện thực hiện", width=40),
        Column("KETQUATHUCHIEN", "result", "text", "Kết quả thực hiện", True, width=40),
        Column("THOIGIANGIAIQUYET", "time_limit.value", "number", "Thời hạn giải quyết (số)", True),
        Column(
            "DONVITINH",
            "time_limit.unit",
            "text",
            "Đơn vị tính của thời hạn",
            True,
            values=_choices(LimitUnit),
        ),
        Column(
            "MOTA", "time_limit.text", "text", "Mô tả thời hạn theo nguyên văn quy định", width=40
        ),
        Column("GIOCHOT", "same_day_cutoff", "time", "Giờ chốt tiếp nhận trong ngày (HH:MM)"),
        Column(
            "MUCDOTRUCTUYEN",
            "online_level",
            "text",
            "Mức độ dịch vụ công trực tuyến",
            True,
            values=_choices(OnlineLevel),
        ),
        Column(
            "BUUCHINH",
            "postal_allowed",
            "bool",
            "Tiếp nhận, trả kết quả qua bưu chính công ích (TRUE/FALSE)",
        ),
        Column(
            "PHIDIAGIOI",
            "boundary_free",
            "bool",
            "Tiếp nhận không phụ thuộc địa giới hành chính (TRUE/FALSE)",
        ),
        Column(
            "CANCUPHIDIAGIOI",
            "boundary_free_basis",
            "text",
            "Văn bản quyết định tiếp nhận không phụ thuộc địa giới",
            width=30,
        ),
        Column(
            "CANCUPHAPLY",
            "legal_basis",
            "lines",
            "Căn cứ pháp lý, mỗi văn bản một dòng",
            True,
            width=50,
        ),
        Column(
            "SOQDCONGBO",
            "announcement_number",
            "text",
            "Số quyết định công bố, ví dụ 3152/QĐ-BTP",
            width=16,
        ),
        Column(
            "CACHTINHBOSUNG",
            "supplement_policy",
            "text",
            "Cách tính thời hạn khi yêu cầu bổ sung hồ sơ",
            values=_choices(SupplementPolicy),
        ),
        Column(
            "KIEMCHUNG",
            "verification",
            "verification",
            "Mức độ kiểm chứng từng thông tin, dạng code=V; fees=U",
            values="V, P, U",
        ),
        Column("GHICHU", "notes", "text", "Ghi chú", width=30),
        Column("NGAYQDCONGBO", "announcement_date", "date", "Ngày quyết định công bố", width=13),
        Column(
            "COQUANCONGBO",
            "announcement_issuer",
            "text",
            "Cơ quan ban hành quyết định công bố",
            width=30,
        ),
        Column(
            "DUNGKHICHONOPPHI",
            "payment_stops_clock",
            "bool",
            "Thời gian chờ nộp phí không tính vào thời hạn (TRUE/FALSE; mặc định FALSE)",
        ),
        Column(
            "CANCUDUNGKHICHONOPPHI",
            "payment_stop_basis",
            "text",
            "Văn bản quy định không tính thời gian chờ nộp phí (bắt buộc khi TRUE)",
            width=30,
        ),
        Column(
            "NGUONDULIEU",
            "source",
            "text",
            "Nguồn dữ liệu (mặc định local)",
            values=_choices(Source),
        ),
        Column(
            "QUYETDINHCONGBO",
            "announcement_decision",
            "text",
            "Quyết định công bố ghi một ô (cách ghi cũ, chỉ đọc khi nhập)",
            legacy=True,
        ),
    ),
    SHEET_COMPONENTS: (
        *_KEY_COLUMNS,
        _POSITION,
        Column(
            "TRUONGHOP", "case", "text", "Trường hợp áp dụng (để trống: mọi trường hợp)", width=30
        ),
        Column("TENGIAYTO", "name", "text", "Tên giấy tờ", True, width=50),
        Column("SOBANCHINH", "originals", "integer", "Số bản chính"),
        Column("SOBANSAO", "copies", "integer", "Số bản sao"),
        Column("MAUDON", "form_template", "text", "Mẫu đơn, tờ khai", width=30),
        Column("BATBUOC", "required", "bool", "Bắt buộc (TRUE/FALSE)"),
        Column("GHICHU", "note", "text", "Ghi chú", width=30),
    ),
    SHEET_FEES: (
        *_KEY_COLUMNS,
        _POSITION,
        Column(
            "LOAIPHI",
            "kind",
            "text",
            "Loại: phí hoặc lệ phí",
            True,
            values=_choices(ProcedureFee.Kind),
        ),
        Column("TENPHI", "name", "text", "Tên khoản phí, lệ phí", True, width=40),
        Column("MUCPHI", "amount", "number", "Số tiền (VND); để trống khi miễn hoặc do HĐND tỉnh"),
        Column("DONVITINH", "unit", "text", "Đơn vị tính (lần, hồ sơ, trang, …)"),
        Column(
            "HINHTHUC",
            "channel",
            "text",
            "Hình thức nộp hồ sơ áp dụng mức này",
            values=_choices(Channel),
        ),
        Column("MOTA", "description", "text", "Mô tả, đối tượng miễn giảm", width=40),
        Column("CANCU", "legal_basis", "text", "Căn cứ quy định mức thu", width=30),
        Column(
            "CACHTINH",
            "pricing",
            "text",
            "Mức thu cố định, miễn, hay do HĐND tỉnh quyết định (để trống: theo MUCPHI, 0 là miễn)",
            values=_choices(ProcedureFee.Pricing),
        ),
    ),
    SHEET_STEPS: (
        *_KEY_COLUMNS,
        _POSITION,
        Column("TENBUOC", "name", "text", "Tên bước xử lý", True, width=40),
        Column(
            "VAITRO",
            "role",
            "text",
            "Vai trò thực hiện (để trống: không định trước)",
            values=_choices(Role),
        ),
        Column(
            "DONVITHUCHIEN",
            "performer",
            "text",
            "Đơn vị thực hiện khi là đơn vị khác (liên thông)",
            width=30,
        ),
        Column("TYLE", "share", "number", "Tỷ lệ thời hạn dành cho bước (0–1)", True),
    ),
    SHEET_CASES: (
        *_KEY_COLUMNS,
        _POSITION,
        Column(
            "MATRUONGHOP",
            "case_code",
            "text",
            "Mã trường hợp: chữ thường không dấu, số, _ và -, ví dụ xac_minh",
            True,
            width=16,
        ),
        Column("TENTRUONGHOP", "label", "text", "Tên trường hợp", True, width=40),
        Column(
            "APDUNGKHI",
            "condition",
            "text",
            "Áp dụng khi: case (cán bộ chọn, ghi lý do) hoặc theo hình thức nộp",
            values=_choices(LimitCondition),
        ),
        Column("THOIHAN", "value", "number", "Thời hạn (số)", True),
        Column(
            "DONVITINH",
            "unit",
            "text",
            "Đơn vị tính của thời hạn",
            True,
            values=_choices(LimitUnit),
        ),
        Column("MOTA", "text", "text", "Mô tả thời hạn theo nguyên văn quy định", width=40),
        Column("CANCU", "legal_basis", "text", "Căn cứ pháp lý của thời hạn", True, width=40),
    ),
}
# Child sheets: which record list each fills (``cases`` lives in ``time_limit``).
CHILD_SHEETS = {
    SHEET_COMPONENTS: "components",
    SHEET_FEES: "fees",
    SHEET_STEPS: "process",
    SHEET_CASES: "cases",
}
_SHEET_OF_LIST = {value: key for key, value in CHILD_SHEETS.items()}


# A case's own code shares its key with the procedure's code (MATTHC): on its sheet it is
# "case_code".
_CASE_CODE_KEY = "case_code"


def _children(record: dict[str, Any], list_key: str) -> list[dict[str, Any]]:
    if list_key == "cases":
        return [
            {_CASE_CODE_KEY if key == "code" else key: value for key, value in case.items()}
            for case in record.get("time_limit", {}).get("cases", [])
        ]
    return list(record[list_key])


# --- writing -----------------------------------------------------------------------------------


def _export_versions(versions: Iterable[ProcedureVersion]) -> list[ProcedureVersion]:
    if isinstance(versions, QuerySet):
        versions = versions.select_related("procedure", "field").prefetch_related(
            "time_limits", "components", "fees", "steps"
        )
    return sorted(versions, key=lambda v: (v.procedure.code, v.effective_from))


def _fields_used(versions: Sequence[ProcedureVersion]) -> list[Field]:
    by_code = {v.field.code: v.field for v in versions}
    return [by_code[code] for code in sorted(by_code)]


def catalog_export_json(versions: Iterable[ProcedureVersion]) -> bytes:
    """The versions as a ``motcua-catalog/1`` document (UTF-8), sorted by code and date."""
    ordered = _export_versions(versions)
    document = {
        "format": FORMAT,
        "fields": [
            {"code": f.code, "name": f.name, "name_en": f.name_en, "official_code": f.official_code}
            for f in _fields_used(ordered)
        ],
        "procedures": [record_from_version(v) for v in ordered],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _get(record: dict[str, Any], key: str) -> Any:
    value: Any = record
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _number_for_cell(text: str) -> int | float | str:
    """A Decimal as a number Excel shows and reads back exactly, else as text."""
    number = Decimal(text)
    if number == number.to_integral_value() and abs(number) < 2**53:
        return int(number)
    as_float = float(number)
    if Decimal(repr(as_float)) == number:
        return as_float
    return text


def format_verification(verification: dict[str, str]) -> str:
    """{"code": "P", "fees": "U"} → "code=P; fees=U" (the workbook's and the admin's spelling)."""
    return "; ".join(f"{key}={mark}" for key, mark in sorted(verification.items()))


def parse_verification(text: str) -> dict[str, str]:
    """The inverse of ``format_verification``; raises ``ValueError`` naming the bad part."""
    result: dict[str, str] = {}
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        key, sep, mark = part.partition("=")
        if not sep or not key.strip() or not mark.strip():
            raise ValueError(f"{part.strip()!r} phải có dạng thông_tin=V, P hoặc U")
        result[key.strip()] = mark.strip().upper()
    return result


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == "number":
        return _number_for_cell(value) if value not in (None, "") else None
    if column.kind == "levels":
        return ",".join(value)
    if column.kind == "lines":
        return "\n".join(value)
    if column.kind == "verification":
        return format_verification(value)
    if column.kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else value
    return value


def _write_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[tuple[str, dict[str, Any]]],
) -> None:
    columns = [c for c in columns if not c.legacy]
    sheet = workbook.create_sheet(title)
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, (label, values) in enumerate(rows, start=2):
        for col_number, column in enumerate(columns, start=1):
            value = _cell_value(column, values.get(column.key))
            if value is None or value == "":
                continue
            if isinstance(value, str) and len(value) > EXCEL_MAX_CELL:
                raise InvalidInput(
                    f"{label}: {column.header} dài quá {EXCEL_MAX_CELL} ký tự, Excel "
                    "không chứa được; hãy xuất JSON.",
                    code="export_cell_too_long",
                )
            try:
                cell = sheet.cell(row=row_number, column=col_number, value=value)
            except IllegalCharacterError as exc:
                raise InvalidInput(
                    f"{label}: {column.header} chứa ký tự điều khiển mà Excel không "
                    "chứa được; hãy xuất JSON.",
                    code="export_illegal_char",
                ) from exc
            if isinstance(value, str):
                # Text stays text: a "=..." or "#N/A" in a catalogue is no formula, no error.
                cell.data_type = "s"
                if "\n" in value:
                    cell.alignment = wrap
            elif column.kind == "date":
                cell.number_format = "yyyy-mm-dd"


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    columns = SHEETS[SHEET_PROCEDURES]
    return {c.key: _get(record, c.key) for c in columns}


def catalog_export_xlsx(versions: Iterable[ProcedureVersion]) -> bytes:
    """The versions as a workbook: LinhVuc, ThuTuc and the child sheets, plus HuongDan."""
    ordered = _export_versions(versions)
    records = [record_from_version(v) for v in ordered]
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    _write_sheet(
        workbook,
        SHEET_FIELDS,
        SHEETS[SHEET_FIELDS],
        (
            (
                f"Lĩnh vực {f.code}",
                {
                    "code": f.code,
                    "name": f.name,
                    "name_en": f.name_en,
                    "official_code": f.official_code,
                },
            )
            for f in _fields_used(ordered)
        ),
    )
    _write_sheet(
        workbook,
        SHEET_PROCEDURES,
        SHEETS[SHEET_PROCEDURES],
        ((f"Thủ tục {r['code']}", _flat(r)) for r in records),
    )
    for sheet_name, list_key in CHILD_SHEETS.items():
        _write_sheet(
            workbook,
            sheet_name,
            SHEETS[sheet_name],
            (
                (
                    f"Thủ tục {r['code']}",
                    {
                        "code": r["code"],
                        "effective_from": r["effective_from"],
                        "position": position,
                        **item,
                    },
                )
                for r in records
                for position, item in enumerate(_children(r, list_key), start=1)
            ),
        )
    _write_help(workbook)
    workbook.properties.creator = "motcua"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_help(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(SHEET_HELP)
    sheet.append(["SHEET", "COT", "Ý NGHĨA", "BẮT BUỘC", "GIÁ TRỊ"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (16, 20, 60, 10, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    for name, columns in SHEETS.items():
        for column in columns:
            if column.legacy:
                continue
            sheet.append(
                [name, column.header, column.meaning, "x" if column.required else "", column.values]
            )


# --- reading -----------------------------------------------------------------------------------


@dataclass
class CatalogFile:
    """A file read into ``catalog_import``'s arguments, plus where each part came from."""

    fields: list[dict[str, Any]] = field(default_factory=list)
    records: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    # Location of each item of ``fields`` (same order).
    field_locations: list[dict[str, Any]] = field(default_factory=list)
    # (ThuTuc row, "fees") → the rows of the fees sheet, in the record's order.
    child_rows: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def locate(self, problem: dict[str, Any]) -> dict[str, Any]:
        """A problem reported by ``catalog_import`` as the place in this file to fix it."""
        record = str(problem.get("record") or "")
        match = re.fullmatch(r"fields\[(\d+)\]", record)
        if match:
            index = int(match.group(1)) - 1
            where = self.field_locations[index] if index < len(self.field_locations) else {}
            located = {**problem, **where}
            if "sheet" in where:
                located["record"] = self.fields[index].get("code") or record
                located.update(_column_of(SHEET_FIELDS, str(problem.get("field") or "")))
            return located
        path = str(problem.get("field") or "")
        if problem.get("sheet") != SHEET_PROCEDURES:
            return problem
        match = re.fullmatch(r"(components|fees|process|time_limit\.cases)\[(\d+)\]\.(\w+)", path)
        if match:
            list_key, index, key = match.group(1), int(match.group(2)), match.group(3)
            list_key = list_key.removeprefix("time_limit.")
            rows = self.child_rows.get((int(problem["row"]), list_key), [])
            if index <= len(rows):
                sheet = _SHEET_OF_LIST[list_key]
                if list_key == "cases" and key == "code":
                    key = _CASE_CODE_KEY
                return {**problem, "sheet": sheet, "row": rows[index - 1], **_column_of(sheet, key)}
            return problem
        if path == "process":
            rows = self.child_rows.get((int(problem["row"]), "process"), [])
            if rows:
                return {
                    **problem,
                    "sheet": SHEET_STEPS,
                    "row": rows[0],
                    **_column_of(SHEET_STEPS, "share"),
                }
            return problem
        return {**problem, **_column_of(SHEET_PROCEDURES, path)}


def _column_of(sheet: str, key: str) -> dict[str, str]:
    for index, column in enumerate(SHEETS[sheet], start=1):
        if column.key == key or (key == "time_limit" and column.key == "time_limit.value"):
            if column.legacy:  # not written by us: its place is the reader's own
                return {"field": column.header}
            return {"field": column.header, "column": get_column_letter(index)}
    return {}


def _rejected(problems: list[dict[str, Any]]) -> ImportRejected:
    return ImportRejected(REJECTED, problems=problems)


def catalog_read_file(
    content: bytes, filename: str
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Read a .json or .xlsx catalogue into ``catalog_import(fields=..., records=...)``'s input.

    Raises ``ImportRejected`` naming the sheet, row and column (or the JSON line) of every problem
    of the file itself; the records' contents are checked by ``catalog_import``.
    """
    parsed = read_catalog_file(content, filename)
    return parsed.fields, parsed.records


def read_catalog_file(content: bytes, filename: str) -> CatalogFile:
    """Like ``catalog_read_file``, keeping the locations needed to place later problems."""
    name = filename.lower()
    if name.endswith(".json"):
        return _read_json(content)
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    raise _rejected(
        [
            {
                "field": "",
                "message": f"tệp {filename!r}: chỉ nhận tệp .json "
                "(motcua-catalog/1) hoặc .xlsx (Excel)",
            }
        ]
    )


def catalog_import_file(
    *, content: bytes, filename: str, actor: User | None = None, dry_run: bool = False
) -> ImportReport:
    """Read a file and import it, all or nothing; ``dry_run`` reports and then rolls back.

    Problems are reported at their place in the file (a fee's problem names the PhiLePhi row and
    the MUCPHI column, not the ThuTuc row). A file that is not a catalogue is refused before the
    database is touched.
    """
    parsed = read_catalog_file(content, filename)
    with transaction.atomic():
        try:
            report = catalog_import(fields=parsed.fields, records=parsed.records, actor=actor)
        except ImportRejected as exc:
            raise ImportRejected(
                exc.message, problems=[parsed.locate(p) for p in exc.problems]
            ) from exc
        if dry_run:
            transaction.set_rollback(True)
    return report


# JSON


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _array_item_lines(text: str) -> dict[str, list[int]]:
    """Line of each item of the top-level arrays of a valid JSON object (for problem reports)."""
    decoder = json.JSONDecoder()
    lines: dict[str, list[int]] = {}
    counted_to, line = 0, 1

    def line_at(pos: int) -> int:
        nonlocal counted_to, line
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        return line

    def skip(pos: int) -> int:
        match = _JSON_SPACE.match(text, pos)
        return match.end() if match else pos

    pos = skip(0)
    if text[pos : pos + 1] != "{":
        return lines
    pos = skip(pos + 1)
    while text[pos : pos + 1] == '"':
        key, pos = decoder.raw_decode(text, pos)
        pos = skip(skip(pos) + 1)  # the colon
        if text[pos : pos + 1] == "[":
            starts: list[int] = []
            pos = skip(pos + 1)
            while text[pos : pos + 1] not in ("]", ""):
                starts.append(line_at(pos))
                _, pos = decoder.raw_decode(text, pos)
                pos = skip(pos)
                if text[pos : pos + 1] == ",":
                    pos = skip(pos + 1)
            pos += 1
            lines[key] = starts
        else:
            _, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos : pos + 1] == ",":
            pos = skip(pos + 1)
    return lines


def _unknown_keys(item: dict[str, Any], allowed: frozenset[str], prefix: str) -> list[str]:
    return [f"{prefix}{key}" for key in item if key not in allowed]


def _record_key_problems(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, dict):
        return []  # parse_record reports it
    found = [
        (key, "khóa không có trong định dạng " + FORMAT)
        for key in _unknown_keys(raw, RECORD_KEYS | LEGACY_RECORD_KEYS, "")
    ]
    limit = raw.get("time_limit")
    if isinstance(limit, dict):
        found += [
            (key, "khóa không có trong định dạng " + FORMAT)
            for key in _unknown_keys(limit, PART_KEYS["time_limit"], "time_limit.")
        ]
        cases = limit.get("cases")
        for index, item in enumerate(cases if isinstance(cases, list) else [], start=1):
            if isinstance(item, dict):
                found += [
                    (key, "khóa không có trong định dạng " + FORMAT)
                    for key in _unknown_keys(
                        item, PART_KEYS["cases"], f"time_limit.cases[{index}]."
                    )
                ]
    for list_key in ("components", "fees", "process"):
        items = raw.get(list_key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items, start=1):
            if isinstance(item, dict):
                found += [
                    (key, "khóa không có trong định dạng " + FORMAT)
                    for key in _unknown_keys(item, PART_KEYS[list_key], f"{list_key}[{index}].")
                ]
    return found


def _read_json(content: bytes) -> CatalogFile:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _rejected(
            [{"field": "", "message": f"tệp không phải văn bản UTF-8 (byte {exc.start})"}]
        ) from exc
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise _rejected(
            [
                {
                    "line": exc.lineno,
                    "field": "",
                    "message": f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}",
                }
            ]
        ) from exc
    if not isinstance(document, dict):
        raise _rejected(
            [
                {
                    "field": "",
                    "message": "tệp JSON phải là một đối tượng có khóa "
                    f'"format": "{FORMAT}", "fields" và "procedures"',
                }
            ]
        )
    problems: list[dict[str, Any]] = []
    if document.get("format") != FORMAT:
        problems.append(
            {
                "field": "format",
                "message": f"định dạng {document.get('format')!r} "
                f'không được hỗ trợ; cần "{FORMAT}"',
            }
        )
    problems += [
        {"field": key, "message": "khóa không có trong định dạng " + FORMAT}
        for key in document
        if key not in TOP_KEYS
    ]
    fields = document.get("fields", [])
    if not isinstance(fields, list):
        problems.append({"field": "fields", "message": "phải là danh sách các lĩnh vực"})
        fields = []
    procedures = document.get("procedures")
    if not isinstance(procedures, list):
        problems.append({"field": "procedures", "message": "bắt buộc, phải là danh sách thủ tục"})
        procedures = []
    lines = _array_item_lines(text)
    field_lines = lines.get("fields", [])
    procedure_lines = lines.get("procedures", [])

    parsed = CatalogFile()
    for index, item in enumerate(fields, start=1):
        where: dict[str, Any] = {"index": index}
        if index <= len(field_lines):
            where["line"] = field_lines[index - 1]
        parsed.field_locations.append(where)
        if isinstance(item, dict):
            problems += [
                {
                    **where,
                    "record": f"fields[{index}]",
                    "field": key,
                    "message": "khóa không có trong định dạng " + FORMAT,
                }
                for key in _unknown_keys(item, FIELD_KEYS, "")
            ]
        parsed.fields.append(item)
    for index, raw in enumerate(procedures, start=1):
        location: dict[str, Any] = {"index": index}
        if index <= len(procedure_lines):
            location["line"] = procedure_lines[index - 1]
        code = raw.get("code", "") if isinstance(raw, dict) else ""
        problems += [
            {**location, "record": code, "field": key, "message": message}
            for key, message in _record_key_problems(raw)
        ]
        parsed.records.append((location, raw))
    if problems:
        raise _rejected(problems)
    return parsed


# Excel


class _CellError(Exception):
    pass


# "50.000" or "1,500,000" typed as text: thousands separators that Decimal would misread.
_GROUPED_NUMBER = re.compile(r"^[1-9]\d{0,2}([.,]\d{3})+$")


def _text_cell(value: Any, kind: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dt.date | dt.time):
        raise _CellError("phải là chữ, không phải ngày, giờ hay đúng/sai")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if kind == "code" and 0 < value < 10:
            # A code typed into a number cell: 1.00119 was 1.001190 (the code is d.dddddd).
            return f"{value:.6f}"
        return str(int(value)) if value.is_integer() else repr(value)
    raise _CellError(f"giá trị {value!r} không đọc được")


def _date_cell(value: Any) -> dt.date | str:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parse in (dt.date.fromisoformat, lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date()):  # noqa: DTZ007
            try:
                return parse(text)
            except ValueError:
                continue
        return text  # parse_record names it
    raise _CellError("phải là ngày (YYYY-MM-DD)")


def _cell(column: Column, value: Any) -> Any:
    """A cell's value as the record takes it; raises ``_CellError`` for a wrong kind of cell."""
    if isinstance(value, str) and value in ERROR_CODES:
        raise _CellError(f"ô chứa lỗi công thức {value}")
    if value is None or (isinstance(value, str) and not value.strip()):
        return {} if column.kind == "verification" else ""
    kind = column.kind
    if kind in ("text", "code", "levels", "lines"):
        return _text_cell(value, kind)
    if kind in ("number", "integer"):
        if isinstance(value, bool | dt.date | dt.time):
            raise _CellError("phải là số")
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, str) and _GROUPED_NUMBER.match(value.strip()):
            raise _CellError(f"{value!r}: ghi số không có dấu phân cách hàng nghìn (ví dụ 50000)")
        return value  # int, or text that parse_record reads (or names)
    if kind == "bool":
        if isinstance(value, dt.date | dt.time):
            raise _CellError("phải là đúng/sai (TRUE/FALSE, có/không)")
        return value
    if kind == "date":
        return _date_cell(value)
    if kind == "time":
        if isinstance(value, dt.datetime):
            return value.time().strftime("%H:%M")
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, str):
            return value
        raise _CellError("phải là giờ dạng HH:MM")
    if kind == "verification":
        try:
            return parse_verification(_text_cell(value, "text"))
        except ValueError as exc:
            raise _CellError(str(exc)) from exc
    raise AssertionError(kind)  # pragma: no cover - the layout above uses only these kinds


@dataclass
class _Sheet:
    name: str
    rows: list[tuple[int, dict[str, Any]]]  # row number, record key → value


def _read_sheet(workbook: Any, name: str, problems: list[dict[str, Any]]) -> _Sheet | None:
    titles = {title.casefold(): title for title in workbook.sheetnames}
    if name.casefold() not in titles:
        if name in OPTIONAL_SHEETS:
            return _Sheet(name, [])
        required = [sheet for sheet in SHEETS if sheet not in OPTIONAL_SHEETS]
        problems.append(
            {
                "sheet": name,
                "field": "",
                "message": f"thiếu sheet {name} (cần đủ các sheet {', '.join(required)})",
            }
        )
        return None
    worksheet = workbook[titles[name.casefold()]]
    columns = {c.header: c for c in SHEETS[name]}
    rows = worksheet.iter_rows(values_only=True)
    header_row = next(rows, ())
    positions: dict[int, Column] = {}
    seen: set[str] = set()
    for index, header in enumerate(header_row):
        title = str(header).strip().upper() if header is not None else ""
        if title in seen:
            problems.append(
                {
                    "sheet": name,
                    "row": 1,
                    "column": get_column_letter(index + 1),
                    "field": title,
                    "message": "cột bị lặp lại",
                }
            )
        seen.add(title)
        if title in columns:
            positions[index] = columns[title]
    missing = [c.header for c in SHEETS[name] if c.required and c.header not in seen]
    for header in missing:
        problems.append(
            {
                "sheet": name,
                "row": 1,
                "field": header,
                "message": f"thiếu cột bắt buộc {header} ở dòng tiêu đề",
            }
        )
    if missing:
        return None
    sheet = _Sheet(name, [])
    for row_number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        data: dict[str, Any] = {}
        for index, column in positions.items():
            raw = values[index] if index < len(values) else None
            try:
                data[column.key] = _cell(column, raw)
            except _CellError as exc:
                problems.append(
                    {
                        "sheet": name,
                        "row": row_number,
                        "field": column.header,
                        "column": get_column_letter(index + 1),
                        "message": str(exc),
                    }
                )
        sheet.rows.append((row_number, data))
    return sheet


def _nest(data: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in data.items():
        if "." in key:
            outer, inner = key.split(".", 1)
            record.setdefault(outer, {})[inner] = value
        else:
            record[key] = value
    return record


def _ordered_children(
    sheet: _Sheet, problems: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a child sheet in STT order (rows without STT keep their place after them)."""
    keyed = []
    for row_number, data in sheet.rows:
        position = data.pop("position", "")
        order = 10**9
        if position != "":
            try:
                number = Decimal(str(position))
            except InvalidOperation:
                number = Decimal(-1)
            if number < 0 or number != number.to_integral_value():
                problems.append(
                    {
                        "sheet": sheet.name,
                        "row": row_number,
                        "field": _POSITION.header,
                        "message": f"{position!r} không phải là số thứ tự",
                    }
                )
            else:
                order = int(number)
        keyed.append((order, row_number, data))
    return [(row_number, data) for _, row_number, data in sorted(keyed, key=lambda k: k[:2])]


def _read_xlsx(content: bytes) -> CatalogFile:
    problems: list[dict[str, Any]] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (data validation, styles): harmless.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(
                io.BytesIO(content), read_only=True, data_only=True, keep_links=False
            )
            try:
                sheets = {name: _read_sheet(workbook, name, problems) for name in SHEETS}
            finally:
                workbook.close()
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        ParseError,
    ) as exc:
        raise _rejected(
            [
                {
                    "field": "",
                    "message": "tệp không phải là bảng tính Excel .xlsx đọc "
                    f"được ({exc.__class__.__name__})",
                }
            ]
        ) from exc

    parsed = CatalogFile()
    fields_sheet = sheets[SHEET_FIELDS]
    for row_number, data in fields_sheet.rows if fields_sheet else []:
        parsed.fields.append(data)
        parsed.field_locations.append({"sheet": SHEET_FIELDS, "row": row_number})

    procedures_sheet = sheets[SHEET_PROCEDURES]
    by_key: dict[tuple[str, Any], list[tuple[int, dict[str, Any]]]] = {}
    for row_number, data in procedures_sheet.rows if procedures_sheet else []:
        record = _nest(data)
        for list_key in CHILD_SHEETS.values():
            if list_key == "cases":
                if isinstance(record.get("time_limit"), dict):
                    record["time_limit"]["cases"] = []
            else:
                record[list_key] = []
        by_key.setdefault(
            (str(record.get("code", "")).strip(), record.get("effective_from")), []
        ).append((row_number, record))
        parsed.records.append(({"sheet": SHEET_PROCEDURES, "row": row_number}, record))

    for sheet_name, list_key in CHILD_SHEETS.items():
        child_sheet = sheets[sheet_name]
        if child_sheet is None or procedures_sheet is None:
            continue  # already reported; matching rows to an unread ThuTuc would only add noise
        for row_number, data in _ordered_children(child_sheet, problems):
            code = str(data.pop("code", "")).strip()
            effective = data.pop("effective_from", "")
            parents = by_key.get((code, effective))
            if parents is None:
                day = effective.isoformat() if isinstance(effective, dt.date) else effective
                problems.append(
                    {
                        "sheet": sheet_name,
                        "row": row_number,
                        "field": "MATTHC",
                        "column": "A",
                        "record": code,
                        "message": f"không có thủ tục {code or '(trống)'} với ngày hiệu "
                        f"lực {day or '(trống)'} trong sheet {SHEET_PROCEDURES}",
                    }
                )
                continue
            for parent_row, record in parents:
                if list_key == "cases":
                    case = {"code" if k == _CASE_CODE_KEY else k: v for k, v in data.items()}
                    record.setdefault("time_limit", {}).setdefault("cases", []).append(case)
                else:
                    record[list_key].append(dict(data))
                parsed.child_rows.setdefault((parent_row, list_key), []).append(row_number)
    if problems:
        raise _rejected(problems)
    return parsed
