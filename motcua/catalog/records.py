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
from motcua.calendars.workdays import LimitUnit
from motcua.catalog.models import (
    PROCEDURE_CODE_PATTERN,
    Channel,
    Level,
    OnlineLevel,
    ProcedureFee,
    ProcedureVersion,
    SupplementPolicy,
)

FORMAT = "motcua-catalog/1"
VERIFICATION_MARKS = {"V", "P", "U"}
_CODE = re.compile(PROCEDURE_CODE_PATTERN)
_WHOLE_UNITS = {LimitUnit.WORKING_DAY, LimitUnit.HALF_DAY, LimitUnit.CALENDAR_DAY}


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
    value = value.strip()
    if required and not value:
        errors.add(key, "bắt buộc, không được để trống")
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

    limit = data.get("time_limit")
    if not isinstance(limit, dict):
        errors.add("time_limit", "bắt buộc: {value, unit, text}")
        limit = {}
    sub = RecordErrors()
    unit = _choice(limit, "unit", sub, {u.value for u in LimitUnit}) if limit else ""
    if unit == "":
        unit = LimitUnit.WORKING_DAY.value
    value = _decimal(limit.get("value"), "value", sub) if limit else None
    if value is not None and LimitUnit(unit) in _WHOLE_UNITS and value != value.to_integral_value():
        sub.add("value", f"thời hạn tính bằng {LimitUnit(unit).label} phải là số nguyên")
    if value is not None and value > Decimal("99999"):
        sub.add("value", "quá lớn")
    record["time_limit"] = {
        "value": value if value is not None else Decimal(0),
        "unit": unit,
        "text": _text(limit, "text", sub, max_length=500) if limit else "",
    }
    errors.problems.extend(Problem(f"time_limit.{p.field}", p.message) for p in sub.problems)

    cutoff = data.get("same_day_cutoff") or ""
    record["same_day_cutoff"] = None
    if cutoff:
        try:
            record["same_day_cutoff"] = dt.time.fromisoformat(str(cutoff).strip())
        except ValueError:
            errors.add("same_day_cutoff", f"giờ {cutoff!r} không hợp lệ (dạng HH:MM)")

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
    record["announcement_decision"] = _text(data, "announcement_decision", errors, max_length=255)
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
        where = f"fees[{index}]"
        sub = RecordErrors()
        amount = _decimal(item.get("amount"), "amount", sub)
        if amount is not None and amount >= Decimal("1e12"):
            sub.add("amount", "quá lớn")
        fees.append(
            {
                "kind": _choice(item, "kind", sub, {k.value for k in ProcedureFee.Kind}),
                "name": _text(item, "name", sub, required=True, max_length=500),
                "amount": amount if amount is not None else Decimal(0),
                "unit": _text(item, "unit", sub, max_length=120),
                "channel": _choice(item, "channel", sub, {c.value for c in Channel}, Channel.ALL),
                "description": _text(item, "description", sub),
                "legal_basis": _text(item, "legal_basis", sub, max_length=500),
            }
        )
        errors.problems.extend(Problem(f"{where}.{p.field}", p.message) for p in sub.problems)
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


def _plain_decimal(value: Decimal) -> str:
    normalised = value.normalize()
    if normalised == normalised.to_integral_value():
        return str(normalised.quantize(Decimal(1)))
    return format(normalised, "f")


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
            "value": _plain_decimal(version.time_limit_value),
            "unit": version.time_limit_unit,
            "text": version.time_limit_text,
        },
        "same_day_cutoff": version.same_day_cutoff.strftime("%H:%M")
        if version.same_day_cutoff
        else "",
        "online_level": version.online_level,
        "postal_allowed": version.postal_allowed,
        "boundary_free": version.boundary_free,
        "boundary_free_basis": version.boundary_free_basis,
        "legal_basis": list(version.legal_basis),
        "announcement_decision": version.announcement_decision,
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
                "amount": _plain_decimal(f.amount),
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
                "share": _plain_decimal(s.share),
            }
            for s in version.steps.all()
        ],
        "verification": dict(sorted(version.verification.items())),
        "notes": version.notes,
    }


def content_key(record: dict[str, Any]) -> dict[str, Any]:
    """What makes two versions the same content: everything but the effective date."""
    comparable = json.loads(json.dumps(record, default=str))
    comparable.pop("effective_from", None)
    for key in ("time_limit",):
        comparable[key]["value"] = _plain_decimal(Decimal(str(comparable[key]["value"])))
    for item in comparable["fees"]:
        item["amount"] = _plain_decimal(Decimal(str(item["amount"])))
    for item in comparable["process"]:
        item["share"] = _plain_decimal(Decimal(str(item["share"])))
    if comparable.get("same_day_cutoff") and len(comparable["same_day_cutoff"]) > 5:
        comparable["same_day_cutoff"] = comparable["same_day_cutoff"][:5]
    comparable["same_day_cutoff"] = comparable.get("same_day_cutoff") or ""
    return comparable
