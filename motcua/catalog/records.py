"""The catalogue record: one procedure version as plain data, validated field by field.

The JSON file, the Excel workbook and the admin all meet here: each turns its input into a dict,
``parse_record`` checks every field and reports every problem with its field name (nothing is
written until a whole file is clean), and ``record_from_version`` turns a stored version back into
the same dict, so that export → import is the identity. See docs/catalog-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.accounts.models import Role
from motcua.calendars.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarError,
    LimitUnit,
    TimeLimit,
    plain_decimal,
)
from motcua.catalog.models import (
    CHANNEL_CONDITIONS,
    PROCEDURE_CODE_PATTERN,
    TIME_LIMIT_CODE_PATTERN,
    Channel,
    Level,
    LimitCondition,
    OnlineLevel,
    ProcedureFee,
    ProcedureVersion,
    Source,
    SupplementPolicy,
)
from motcua.core.text import INVISIBLE_ONLY, clean_text, only_invisible

FORMAT = "motcua-catalog/1"
VERIFICATION_MARKS = {"V", "P", "U"}
_CODE = re.compile(PROCEDURE_CODE_PATTERN)
_CASE_CODE = re.compile(TIME_LIMIT_CODE_PATTERN)
_CENT = Decimal("0.01")


@dataclass
class Problem:
    field: str
    message: str


@dataclass
class RecordErrors:
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(field_name, message))


def _text(
    data: dict[str, Any],
    key: str,
    errors: RecordErrors,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(key, "phải là chuỗi ký tự")
        return ""
    raw, value = value, clean_text(value)  # NFC, no invisible characters (core.text)
    if required and not value:
        errors.add(key, INVISIBLE_ONLY if only_invisible(raw) else "bắt buộc, không được để trống")
    if max_length is not None and len(value) > max_length:
        errors.add(key, f"dài quá {max_length} ký tự")
    return value


def _bool(data: dict[str, Any], key: str, errors: RecordErrors, default: bool) -> bool:
    value = data.get(key, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "có", "co", "x", "1", "yes"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "không", "khong", "0", "no"}:
        return False
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    errors.add(key, "phải là đúng/sai (true/false, có/không)")
    return default


def _choice(
    data: dict[str, Any],
    key: str,
    errors: RecordErrors,
    choices: set[str],
    default: str | None = None,
) -> str:
    value = data.get(key)
    if value is None or value == "":
        if default is None:
            errors.add(key, "bắt buộc, không được để trống")
            return ""
        return default
    if not isinstance(value, str) or value.strip() not in choices:
        errors.add(
            key, f"giá trị {value!r} không hợp lệ; chọn một trong: {', '.join(sorted(choices))}"
        )
        return default or ""
    return value.strip()


def _decimal(value: Any, where: str, errors: RecordErrors) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        errors.add(where, "bắt buộc, phải là số")
        return None
    try:
        number = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        errors.add(where, f"{value!r} không phải là số")
        return None
    if not number.is_finite() or number < 0:
        errors.add(where, "phải là số không âm")
        return None
    return number


def _count(value: Any, where: str, errors: RecordErrors) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        errors.add(where, "phải là số nguyên không âm")
        return 0
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(where, f"{value!r} không phải là số nguyên")
        return 0
    if number < 0 or number != number.to_integral_value() or number > 999:
        errors.add(where, "phải là số nguyên từ 0 đến 999")
        return 0
    return int(number)


def _list_of_dicts(data: dict[str, Any], key: str, errors: RecordErrors) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors.add(key, "phải là danh sách các đối tượng")
        return []
    return value


def time_limit_problem(value: Decimal, unit: str) -> str | None:
    """Why ``value`` ``unit`` cannot be a statutory time limit, or None.

    The clock's own rules come first (calendars.workdays.TimeLimit: working days and hours may be
    fractional, "1,5 ngày làm việc"; sessions, days and months are whole; a same-day limit is 0;
    at most ten years). A limit of 0 in any other unit is a typing slip: a procedure resolved on
    the day of receipt uses ``same_day`` (ND 61/2018 Điều 18; ND 23/2015 Điều 7).
    """
    try:
        limit = TimeLimit(value, unit)
    except CalendarError as exc:
        return str(exc)
    if value != value.quantize(_CENT):
        return "thời hạn ghi tối đa hai chữ số thập phân"
    if limit.unit != LimitUnit.SAME_DAY and value == 0:
        return (
            f"thời hạn tính bằng {limit.unit.label} phải lớn hơn 0 (thủ tục giải quyết ngay "
            "trong ngày dùng đơn vị same_day)"
        )
    return None


def _limit(container: dict[str, Any], errors: RecordErrors) -> tuple[Decimal, str]:
    """The ``value`` and ``unit`` of a limit (general or per case), checked together."""
    unit = _choice(container, "unit", errors, {u.value for u in LimitUnit})
    value = _decimal(container.get("value"), "value", errors)
    if value is not None and unit:
        problem = time_limit_problem(value, unit)
        if problem:
            errors.add("value", problem)
    return (value if value is not None else Decimal(0)), unit or LimitUnit.WORKING_DAY.value


def _optional_date(data: dict[str, Any], key: str, errors: RecordErrors) -> dt.date | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(key, f"ngày {value!r} không hợp lệ (dạng YYYY-MM-DD)")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.add(key, f"ngày {day.isoformat()}: năm phải trong {FIRST_YEAR}–{LAST_YEAR}")
        return None
    return day


# "3152/QĐ-BTP", "12/2025/QĐ-UBND": the number of a decision (Nghị định 30/2020/NĐ-CP, Phụ lục I).
_DECISION_NUMBER = r"(\d+(?:/\d{4})?/QĐ-[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*)"
_DECISION = re.compile(
    _DECISION_NUMBER
    + r"(?:\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4}))?(?:\s+của\s+(.+?))?\s*"
    + r"(?=công bố\b|[;,()]|\.\s|\.$|$)"
)
# Issuers a decision number names by its suffix (QĐ-BTP: Bộ Tư pháp).
DECISION_ISSUERS = {
    "BTP": "Bộ Tư pháp",
    "BCA": "Bộ Công an",
    "BTC": "Bộ Tài chính",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BXD": "Bộ Xây dựng",
    "BYT": "Bộ Y tế",
    "BNV": "Bộ Nội vụ",
    "TTg": "Thủ tướng Chính phủ",
}


def split_announcement(text: str) -> tuple[str, dt.date | None, str] | None:
    """ "3152/QĐ-BTP ngày 01/02/2025 của Bộ Tư pháp" → (number, date, issuer); None without a
    decision number. Reads the free ``announcement_decision`` text of older catalogue files (the
    data migration 0003 keeps a frozen copy)."""
    match = _DECISION.search(text or "")
    if match is None:
        return None
    number = match.group(1)
    day, month, year = match.group(2, 3, 4)
    date = None
    if day:
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            return None  # a decision date that does not exist: let the caller name the text
    named = (match.group(5) or "").strip()
    issuer = re.sub(r"^UBND\b", "Ủy ban nhân dân", named) if named else ""
    if not issuer:
        issuer = DECISION_ISSUERS.get(number.rsplit("/QĐ-", 1)[-1], "")
    return number, date, issuer


def _time_limit(data: dict[str, Any], errors: RecordErrors) -> dict[str, Any]:
    """The general limit and the per-case limits (``time_limit.cases``)."""
    limit = data.get("time_limit")
    if not isinstance(limit, dict):
        errors.add("time_limit", "bắt buộc: {value, unit, text}")
        limit = {}
    sub = RecordErrors()
    if limit:
        value, unit = _limit(limit, sub)
        text = _text(limit, "text", sub, max_length=500)
    else:
        value, unit, text = Decimal(0), LimitUnit.WORKING_DAY.value, ""
    cases: list[dict[str, Any]] = []
    raw_cases = limit.get("cases") or []
    if not isinstance(raw_cases, list) or not all(isinstance(c, dict) for c in raw_cases):
        sub.add("cases", "phải là danh sách các trường hợp")
        raw_cases = []
    codes: dict[str, int] = {}
    channels: dict[str, int] = {}
    for index, item in enumerate(raw_cases, start=1):
        case = RecordErrors()
        code = _text(item, "code", case, required=True, max_length=40)
        if code and not _CASE_CODE.match(code):
            case.add("code", f"mã {code!r} chỉ gồm chữ thường không dấu, số, '_' và '-'")
        elif code in codes:
            case.add("code", f"mã {code!r} trùng với trường hợp {codes[code]}")
        elif code:
            codes[code] = index
        condition = _choice(
            item, "condition", case, {c.value for c in LimitCondition}, LimitCondition.CASE
        )
        # A channel's own limit applies by itself to every dossier of that channel: two would
        # leave the clock to guess.
        if condition in CHANNEL_CONDITIONS:
            if condition in channels:
                case.add(
                    "condition",
                    f"hình thức {condition!r} đã có thời hạn riêng ở trường hợp "
                    f"{channels[condition]}",
                )
            else:
                channels[condition] = index
        case_value, case_unit = _limit(item, case)
        cases.append(
            {
                "code": code,
                "label": _text(item, "label", case, required=True, max_length=255),
                "condition": condition,
                "value": case_value,
                "unit": case_unit,
                "text": _text(item, "text", case, max_length=500),
                "legal_basis": _text(item, "legal_basis", case, required=True, max_length=500),
            }
        )
        sub.problems.extend(Problem(f"cases[{index}].{p.field}", p.message) for p in case.problems)
    errors.problems.extend(Problem(f"time_limit.{p.field}", p.message) for p in sub.problems)
    return {"value": value, "unit": unit, "text": text, "cases": cases}


def _fee(item: dict[str, Any], errors: RecordErrors) -> dict[str, Any]:
    """One fee: a fixed amount, exempt, or set by the provincial People's Council (decision 11)."""
    raw = item.get("amount")
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    pricing_choices = {p.value for p in ProcedureFee.Pricing}
    amount: Decimal | None = None
    if item.get("pricing") in (None, ""):
        # Files written before ``pricing`` existed: 0 meant exempt (decision 11).
        amount = _decimal(raw, "amount", errors)
        if amount is None:
            pricing = ProcedureFee.Pricing.AMOUNT.value
        elif amount == 0:
            pricing, amount = ProcedureFee.Pricing.EXEMPT.value, None
        else:
            pricing = ProcedureFee.Pricing.AMOUNT.value
    else:
        pricing = _choice(item, "pricing", errors, pricing_choices)
        if pricing == ProcedureFee.Pricing.AMOUNT:
            amount = _decimal(raw, "amount", errors)
            if amount == 0:
                errors.add(
                    "amount",
                    "mức thu cố định phải lớn hơn 0; khoản được miễn ghi pricing = exempt",
                )
        elif pricing == ProcedureFee.Pricing.EXEMPT and not empty:
            errors.add("amount", f"{raw!r}: để trống khi khoản thu được miễn (pricing = exempt)")
        elif pricing == ProcedureFee.Pricing.PROVINCE and not empty:
            errors.add(
                "amount",
                f"{raw!r}: để trống khi mức thu do HĐND tỉnh quyết định (pricing = province); "
                "mỗi tỉnh cấu hình mức thu theo nghị quyết của mình",
            )
    if amount is not None:
        if amount >= Decimal("1e12"):
            errors.add("amount", "quá lớn")
        elif amount != amount.quantize(_CENT):
            errors.add("amount", "số tiền ghi tối đa hai chữ số thập phân")
    return {
        "kind": _choice(item, "kind", errors, {k.value for k in ProcedureFee.Kind}),
        "name": _text(item, "name", errors, required=True, max_length=500),
        "pricing": pricing,
        "amount": amount,
        "unit": _text(item, "unit", errors, max_length=120),
        "channel": _choice(item, "channel", errors, {c.value for c in Channel}, Channel.ALL),
        "description": _text(item, "description", errors),
        "legal_basis": _text(item, "legal_basis", errors, max_length=500),
    }


def parse_record(data: Any, *, known_fields: set[str]) -> tuple[dict[str, Any], list[Problem]]:
    """Validate one procedure record; returns the normalised record and every problem found."""
    errors = RecordErrors()
    if not isinstance(data, dict):
        return {}, [Problem("", "mỗi thủ tục phải là một đối tượng JSON")]
    record: dict[str, Any] = {}

    code = _text(data, "code", errors, required=True)
    if code and not _CODE.match(code):
        errors.add("code", f"mã {code!r} không đúng dạng d.dddddd (ví dụ 1.001193)")
    record["code"] = code

    effective = data.get("effective_from")
    if isinstance(effective, dt.datetime):
        effective = effective.date()
    if isinstance(effective, dt.date):
        record["effective_from"] = effective
    else:
        try:
            record["effective_from"] = dt.date.fromisoformat(str(effective).strip())
        except ValueError:
            errors.add("effective_from", f"ngày {effective!r} không hợp lệ (dạng YYYY-MM-DD)")
            record["effective_from"] = None
    day = record["effective_from"]
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        # The years every date of the system is held to (the calendar, the clock, dossiers).
        errors.add(
            "effective_from", f"ngày {day.isoformat()}: năm phải trong {FIRST_YEAR}–{LAST_YEAR}"
        )

    record["status"] = _choice(
        data,
        "status",
        errors,
        {s.value for s in ProcedureVersion.Status},
        ProcedureVersion.Status.ACTIVE,
    )
    record["name"] = _text(data, "name", errors, required=True, max_length=500)
    record["name_en"] = _text(data, "name_en", errors, max_length=500)
    record["field"] = _text(data, "field", errors, required=True)
    if record["field"] and record["field"] not in known_fields:
        errors.add("field", f"lĩnh vực {record['field']!r} chưa có trong danh mục lĩnh vực")
    record["sector_code"] = _text(data, "sector_code", errors, max_length=40)

    levels = data.get("levels")
    if isinstance(levels, str):
        levels = [part.strip() for part in levels.split(",") if part.strip()]
    valid_levels = {level.value for level in Level}
    if not isinstance(levels, list) or not levels:
        errors.add("levels", "cần ít nhất một cấp thực hiện")
        levels = []
    else:
        bad = [level for level in levels if level not in valid_levels]
        if bad:
            errors.add(
                "levels",
                f"cấp không hợp lệ: {', '.join(map(str, bad))}; "
                f"chọn trong: {', '.join(sorted(valid_levels))}",
            )
    record["levels"] = [level for level in levels if level in valid_levels]

    record["competent_authority"] = _text(
        data, "competent_authority", errors, required=True, max_length=500
    )
    record["applicants"] = _text(data, "applicants", errors)
    record["steps_text"] = _text(data, "steps_text", errors)
    record["requirements"] = _text(data, "requirements", errors)
    record["result"] = _text(data, "result", errors, required=True, max_length=500)

    record["time_limit"] = _time_limit(data, errors)

    cutoff = data.get("same_day_cutoff") or ""
    record["same_day_cutoff"] = None
    if cutoff:
        try:
            record["same_day_cutoff"] = dt.time.fromisoformat(str(cutoff).strip())
        except ValueError:
            errors.add("same_day_cutoff", f"giờ {cutoff!r} không hợp lệ (dạng HH:MM)")
    units = [record["time_limit"]["unit"]] + [c["unit"] for c in record["time_limit"]["cases"]]
    limit_problems = any(p.field.startswith("time_limit") for p in errors.problems)
    if record["same_day_cutoff"] and LimitUnit.SAME_DAY not in units and not limit_problems:
        # The 15:00 cut-off belongs to same-day procedures (ND 61/2018 Điều 18; domain README,
        # decision 2): on a limit in days or months it is a slip (often a unit typed wrongly).
        errors.add(
            "same_day_cutoff",
            "giờ chốt chỉ dùng cho thủ tục giải quyết trong ngày (same_day), nhưng thời hạn "
            "chung và các thời hạn theo trường hợp đều không phải same_day; bỏ giờ chốt hoặc "
            "sửa đơn vị thời hạn",
        )

    record["payment_stops_clock"] = _bool(data, "payment_stops_clock", errors, False)
    record["payment_stop_basis"] = _text(data, "payment_stop_basis", errors, max_length=500)
    # Decision 11: waiting for payment stops the clock only where the procedure's law says so.
    if record["payment_stops_clock"] and not record["payment_stop_basis"]:
        errors.add(
            "payment_stop_basis",
            "bắt buộc khi thời gian chờ nộp phí không tính vào thời hạn (payment_stops_clock): "
            "ghi văn bản quy định, ví dụ Nghị định 101/2024/NĐ-CP",
        )
    elif record["payment_stop_basis"] and not record["payment_stops_clock"]:
        errors.add(
            "payment_stop_basis",
            "chỉ ghi khi thời gian chờ nộp phí không tính vào thời hạn (payment_stops_clock = "
            "true); mặc định thời hạn vẫn chạy khi chờ nộp phí",
        )

    record["online_level"] = _choice(
        data, "online_level", errors, {o.value for o in OnlineLevel}, OnlineLevel.NONE
    )
    record["postal_allowed"] = _bool(data, "postal_allowed", errors, True)
    record["boundary_free"] = _bool(data, "boundary_free", errors, False)
    record["boundary_free_basis"] = _text(data, "boundary_free_basis", errors, max_length=500)
    if record["boundary_free"] and not record["boundary_free_basis"]:
        errors.add(
            "boundary_free_basis",
            "cần văn bản quyết định khi thủ tục được tiếp nhận không phụ thuộc địa giới",
        )
    # A channel's own limit on a channel the procedure does not offer can never apply.
    for index, case in enumerate(record["time_limit"]["cases"], start=1):
        if case["condition"] == LimitCondition.POSTAL and not record["postal_allowed"]:
            errors.add(
                f"time_limit.cases[{index}].condition",
                "thủ tục không tiếp nhận qua bưu chính (postal_allowed = false) nên không có "
                "thời hạn riêng cho hồ sơ gửi qua bưu chính",
            )
        if case["condition"] == LimitCondition.ONLINE and record["online_level"] == "none":
            errors.add(
                f"time_limit.cases[{index}].condition",
                "thủ tục không cung cấp trực tuyến (online_level = none) nên không có thời hạn "
                "riêng cho hồ sơ nộp trực tuyến",
            )

    basis = data.get("legal_basis")
    if isinstance(basis, str):
        basis = [line.strip() for line in basis.splitlines() if line.strip()]
    if (
        not isinstance(basis, list)
        or not basis
        or not all(isinstance(b, str) and b.strip() for b in basis)
    ):
        errors.add("legal_basis", "cần ít nhất một căn cứ pháp lý")
        basis = []
    record["legal_basis"] = [b.strip() for b in basis]
    record.update(_announcement(data, errors))
    record["source"] = _choice(data, "source", errors, {x.value for x in Source}, Source.LOCAL)
    record["supplement_policy"] = _choice(
        data,
        "supplement_policy",
        errors,
        {p.value for p in SupplementPolicy},
        SupplementPolicy.RESTART,
    )

    components = []
    for index, item in enumerate(_list_of_dicts(data, "components", errors), start=1):
        where = f"components[{index}]"
        sub = RecordErrors()
        components.append(
            {
                "case": _text(item, "case", sub, max_length=500),
                "name": _text(item, "name", sub, required=True, max_length=1000),
                "originals": _count(item.get("originals"), "originals", sub),
                "copies": _count(item.get("copies"), "copies", sub),
                "form_template": _text(item, "form_template", sub, max_length=500),
                "required": _bool(item, "required", sub, True),
                "note": _text(item, "note", sub),
            }
        )
        errors.problems.extend(Problem(f"{where}.{p.field}", p.message) for p in sub.problems)
    record["components"] = components

    fees = []
    for index, item in enumerate(_list_of_dicts(data, "fees", errors), start=1):
        sub = RecordErrors()
        fees.append(_fee(item, sub))
        errors.problems.extend(Problem(f"fees[{index}].{p.field}", p.message) for p in sub.problems)
    record["fees"] = fees

    steps = []
    total_share = Decimal(0)
    for index, item in enumerate(_list_of_dicts(data, "process", errors), start=1):
        where = f"process[{index}]"
        sub = RecordErrors()
        share = _decimal(item.get("share"), "share", sub)
        if share is not None:
            if share > 1:
                sub.add("share", "tỷ lệ thời hạn phải từ 0 đến 1")
            total_share += share
        steps.append(
            {
                "name": _text(item, "name", sub, required=True, max_length=500),
                "role": _choice(item, "role", sub, {r.value for r in Role}, ""),
                "performer": _text(item, "performer", sub, max_length=255),
                "share": share if share is not None else Decimal(0),
            }
        )
        errors.problems.extend(Problem(f"{where}.{p.field}", p.message) for p in sub.problems)
    if total_share > 1:
        errors.add("process", f"tổng tỷ lệ thời hạn các bước là {total_share}, vượt quá 1")
    record["process"] = steps

    verification = data.get("verification") or {}
    if not isinstance(verification, dict) or not all(
        isinstance(k, str) and v in VERIFICATION_MARKS for k, v in verification.items()
    ):
        errors.add("verification", "phải là bảng tên thông tin → V, P hoặc U")
        verification = {}
    record["verification"] = dict(sorted(verification.items()))
    record["notes"] = _text(data, "notes", errors)
    return record, errors.problems


def _announcement(data: dict[str, Any], errors: RecordErrors) -> dict[str, Any]:
    number = _text(data, "announcement_number", errors, max_length=100)
    date = _optional_date(data, "announcement_date", errors)
    issuer = _text(data, "announcement_issuer", errors, max_length=255)
    legacy = _text(data, "announcement_decision", errors, max_length=255)
    if legacy:
        split = split_announcement(legacy)
        if number or date or issuer:
            errors.add(
                "announcement_decision",
                "đã có announcement_number, announcement_date, announcement_issuer; bỏ "
                "announcement_decision (cách ghi cũ)",
            )
        elif split is None:
            errors.add(
                "announcement_decision",
                f"không tách được số, ngày quyết định từ {legacy!r}; ghi riêng "
                "announcement_number (ví dụ 3152/QĐ-BTP), announcement_date (YYYY-MM-DD) và "
                "announcement_issuer",
            )
        else:
            number, date, issuer = split
    if (date or issuer) and not number:
        errors.add(
            "announcement_number",
            "bắt buộc khi có ngày hoặc cơ quan ban hành quyết định công bố",
        )
    return {
        "announcement_number": number,
        "announcement_date": date,
        "announcement_issuer": issuer,
    }


def record_from_version(version: ProcedureVersion) -> dict[str, Any]:
    """The JSON-ready record of a stored version (the inverse of ``parse_record``)."""
    return {
        "code": version.procedure.code,
        "effective_from": version.effective_from.isoformat(),
        "status": version.status,
        "name": version.name,
        "name_en": version.name_en,
        "field": version.field.code,
        "sector_code": version.sector_code,
        "levels": version.level_list,
        "competent_authority": version.competent_authority,
        "applicants": version.applicants,
        "steps_text": version.steps_text,
        "requirements": version.requirements,
        "result": version.result,
        "time_limit": {
            "value": plain_decimal(version.time_limit_value),
            "unit": version.time_limit_unit,
            "text": version.time_limit_text,
            "cases": [
                {
                    "code": c.code,
                    "label": c.label,
                    "condition": c.condition,
                    "value": plain_decimal(c.value),
                    "unit": c.unit,
                    "text": c.text,
                    "legal_basis": c.legal_basis,
                }
                for c in version.time_limits.all()
            ],
        },
        "same_day_cutoff": version.same_day_cutoff.strftime("%H:%M")
        if version.same_day_cutoff
        else "",
        "payment_stops_clock": version.payment_stops_clock,
        "payment_stop_basis": version.payment_stop_basis,
        "online_level": version.online_level,
        "postal_allowed": version.postal_allowed,
        "boundary_free": version.boundary_free,
        "boundary_free_basis": version.boundary_free_basis,
        "legal_basis": list(version.legal_basis),
        "announcement_number": version.announcement_number,
        "announcement_date": version.announcement_date.isoformat()
        if version.announcement_date
        else "",
        "announcement_issuer": version.announcement_issuer,
        "supplement_policy": version.supplement_policy,
        "components": [
            {
                "case": c.case,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "form_template": c.form_template,
                "required": c.required,
                "note": c.note,
            }
            for c in version.components.all()
        ],
        "fees": [
            {
                "kind": f.kind,
                "name": f.name,
                "pricing": f.pricing,
                "amount": plain_decimal(f.amount) if f.amount is not None else None,
                "unit": f.unit,
                "channel": f.channel,
                "description": f.description,
                "legal_basis": f.legal_basis,
            }
            for f in version.fees.all()
        ],
        "process": [
            {
                "name": s.name,
                "role": s.role,
                "performer": s.performer,
                "share": plain_decimal(s.share),
            }
            for s in version.steps.all()
        ],
        "verification": dict(sorted(version.verification.items())),
        "notes": version.notes,
        "source": version.source,
    }


def _same_decimal(value: Any) -> str | None:
    return None if value in (None, "") else plain_decimal(Decimal(str(value)))


def content_key(record: dict[str, Any]) -> dict[str, Any]:
    """What makes two versions the same content: everything but the effective date and the
    provenance (``source``: the same text from another source is the same version)."""
    comparable = json.loads(json.dumps(record, default=str))
    comparable.pop("effective_from", None)
    comparable.pop("source", None)
    comparable["time_limit"]["value"] = _same_decimal(comparable["time_limit"]["value"])
    for case in comparable["time_limit"].get("cases", []):
        case["value"] = _same_decimal(case["value"])
    comparable["announcement_date"] = comparable.get("announcement_date") or ""
    for item in comparable["fees"]:
        item["amount"] = _same_decimal(item["amount"])
    for item in comparable["process"]:
        item["share"] = plain_decimal(Decimal(str(item["share"])))
    if comparable.get("same_day_cutoff") and len(comparable["same_day_cutoff"]) > 5:
        comparable["same_day_cutoff"] = comparable["same_day_cutoff"][:5]
    comparable["same_day_cutoff"] = comparable.get("same_day_cutoff") or ""
    return comparable
