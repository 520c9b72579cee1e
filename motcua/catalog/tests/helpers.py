"""Helpers shared by the catalogue's tests (no fixtures: those live in conftest.py)."""

from __future__ import annotations

from typing import Any

from motcua.catalog.io import format_verification
from motcua.catalog.models import Field, ProcedureVersion

_PARTS = {
    "time_limits": (
        "cases",
        ["code", "label", "condition", "value", "unit", "text", "legal_basis"],
    ),
    "components": (
        "components",
        ["case", "name", "originals", "copies", "form_template", "required", "note"],
    ),
    "fees": (
        "fees",
        ["kind", "name", "pricing", "amount", "unit", "channel", "description", "legal_basis"],
    ),
    "steps": ("process", ["name", "role", "performer", "share"]),
}


def post_data(
    record: dict[str, Any], field: Field, existing: ProcedureVersion | None = None
) -> dict[str, Any]:
    """What the version form posts for ``record`` (``existing``: the version being changed)."""
    data: dict[str, Any] = {
        key: record[key]
        for key in (
            "code",
            "effective_from",
            "status",
            "name",
            "name_en",
            "sector_code",
            "levels",
            "competent_authority",
            "applicants",
            "steps_text",
            "requirements",
            "result",
            "same_day_cutoff",
            "online_level",
            "boundary_free_basis",
            "payment_stop_basis",
            "announcement_number",
            "announcement_date",
            "announcement_issuer",
            "source",
            "supplement_policy",
            "notes",
        )
    }
    data.update(
        {
            "field": str(field.pk),
            "time_limit_value": record["time_limit"]["value"],
            "time_limit_unit": record["time_limit"]["unit"],
            "time_limit_text": record["time_limit"]["text"],
            "legal_basis": "\n".join(record["legal_basis"]),
            "verification": format_verification(record["verification"]),
        }
    )
    for flag in ("postal_allowed", "boundary_free", "payment_stops_clock"):
        if record[flag]:
            data[flag] = "on"
    for prefix, (key, names) in _PARTS.items():
        rows = record["time_limit"].get("cases", []) if key == "cases" else record[key]
        old = list(getattr(existing, prefix).all()) if existing else []
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(max(len(rows), len(old))),
                f"{prefix}-INITIAL_FORMS": str(len(old)),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-position"] = str(index + 1)
            for name in names:
                if isinstance(row[name], bool):
                    if row[name]:
                        data[f"{prefix}-{index}-{name}"] = "on"
                else:
                    data[f"{prefix}-{index}-{name}"] = "" if row[name] is None else str(row[name])
        for index, part in enumerate(old):
            data[f"{prefix}-{index}-id"] = str(part.pk)
            data[f"{prefix}-{index}-version"] = str(existing.pk)  # type: ignore[union-attr]
            if index >= len(rows):
                data[f"{prefix}-{index}-DELETE"] = "on"
    return data
