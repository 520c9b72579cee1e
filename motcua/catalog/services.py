"""Writes to the catalogue: new versions (never edits of a version in force) and whole imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from motcua.accounts.models import User
from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureVersion,
    ProcessStep,
    UnitProcedure,
)
from motcua.catalog.records import content_key, parse_record, record_from_version
from motcua.core.errors import Conflict, ImportRejected, InvalidInput
from motcua.core.text import fold
from motcua.units.models import Unit


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # "1.001193 v2"
    unchanged: list[str] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} phiên bản mới, {len(self.unchanged)} thủ tục không đổi, "
            f"{len(self.fields_created)} lĩnh vực mới."
        )


def _search_text(record: dict[str, Any], field_name: str) -> str:
    # The folded name comes first: ordering by this column sorts names the same way on SQLite and
    # PostgreSQL whatever the database collation ("kết hôn" before "khai sinh").
    return fold(
        " ".join(
            [
                record["name"],
                record["code"],
                record["name_en"],
                field_name,
                record["competent_authority"],
            ]
        )
    )


def _latest_version(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.order_by("-effective_from").first()


def _refresh_effective_to(procedure: Procedure) -> None:
    versions = list(procedure.versions.order_by("effective_from"))
    for current, following in zip(versions, [*versions[1:], None], strict=True):
        effective_to = following.effective_from - dt.timedelta(days=1) if following else None
        if current.effective_to != effective_to:
            current.effective_to = effective_to
            current.save(update_fields=["effective_to"])


@transaction.atomic
def procedure_version_create(
    *, record: dict[str, Any], actor: User | None = None
) -> tuple[ProcedureVersion, bool]:
    """Store a validated record as a new version; ``False`` when it equals the latest version.

    The new version must take effect after the latest one: a version that has been in force is
    history, and dossiers received under it keep it.
    """
    procedure, _ = Procedure.objects.get_or_create(code=record["code"])
    same_day = procedure.versions.filter(effective_from=record["effective_from"]).first()
    if same_day is not None and content_key(record_from_version(same_day)) == content_key(record):
        return same_day, False  # re-importing a full history changes nothing
    latest = _latest_version(procedure)
    if latest is not None:
        if content_key(record_from_version(latest)) == content_key(record):
            return latest, False
        if record["effective_from"] <= latest.effective_from:
            raise Conflict(
                f"Thủ tục {procedure.code}: phiên bản mới phải có hiệu lực sau ngày "
                f"{latest.effective_from:%d/%m/%Y} của phiên bản {latest.number}.",
                code="version_not_after_latest",
            )
    try:
        field_obj = Field.objects.get(code=record["field"])
    except Field.DoesNotExist as exc:
        raise InvalidInput(f"Lĩnh vực {record['field']!r} chưa có trong danh mục.") from exc
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    limit = record["time_limit"]
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        effective_from=record["effective_from"],
        status=record["status"],
        name=record["name"],
        name_en=record["name_en"],
        field=field_obj,
        sector_code=record["sector_code"],
        levels=",".join(record["levels"]),
        competent_authority=record["competent_authority"],
        applicants=record["applicants"],
        steps_text=record["steps_text"],
        requirements=record["requirements"],
        result=record["result"],
        time_limit_value=limit["value"],
        time_limit_unit=limit["unit"],
        time_limit_text=limit["text"],
        same_day_cutoff=record["same_day_cutoff"],
        online_level=record["online_level"],
        postal_allowed=record["postal_allowed"],
        boundary_free=record["boundary_free"],
        boundary_free_basis=record["boundary_free_basis"],
        legal_basis=record["legal_basis"],
        announcement_decision=record["announcement_decision"],
        supplement_policy=record["supplement_policy"],
        verification=record["verification"],
        notes=record["notes"],
        search_text=_search_text(record, field_obj.name),
        created_by=actor,
    )
    ProcedureComponent.objects.bulk_create(
        ProcedureComponent(version=version, position=i, **item)
        for i, item in enumerate(record["components"], start=1)
    )
    ProcedureFee.objects.bulk_create(
        ProcedureFee(version=version, position=i, **item)
        for i, item in enumerate(record["fees"], start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(version=version, position=i, **item)
        for i, item in enumerate(record["process"], start=1)
    )
    _refresh_effective_to(procedure)
    return version, True


@transaction.atomic
def procedure_version_replace(
    *, version: ProcedureVersion, record: dict[str, Any], today: dt.date, actor: User | None = None
) -> tuple[ProcedureVersion, bool]:
    """Replace a version that has not taken effect yet (and is the latest) with ``record``.

    A version in force, or one followed by another, is history and cannot be replaced: a new
    version is made instead.
    """
    version = (
        ProcedureVersion.objects.select_for_update().select_related("procedure").get(pk=version.pk)
    )  # the stored row, not a form's unsaved copy
    if version.effective_from <= today:
        raise Conflict(
            f"Phiên bản {version.number} đã có hiệu lực từ {version.effective_from:%d/%m/%Y}; "
            "hãy tạo phiên bản mới.",
            code="version_in_force",
        )
    if version.effective_to is not None:
        raise Conflict(
            f"Phiên bản {version.number} đã có phiên bản sau nó.", code="version_not_latest"
        )
    if record["code"] != version.procedure.code:
        raise InvalidInput("Không đổi được mã thủ tục của một phiên bản.")
    number = version.number
    version.delete()
    replacement, created = procedure_version_create(record=record, actor=actor)
    if created and replacement.number != number:
        replacement.number = number
        replacement.save(update_fields=["number"])
    return replacement, created


def _parse_fields(fields: Sequence[Any], problems: list[dict[str, Any]]) -> list[dict[str, str]]:
    parsed = []
    for index, item in enumerate(fields, start=1):
        where = {"record": f"fields[{index}]"}
        if not isinstance(item, dict):
            problems.append({**where, "field": "", "message": "mỗi lĩnh vực phải là một đối tượng"})
            continue
        code = str(item.get("code") or "").strip()
        name = str(item.get("name") or "").strip()
        if not code:
            problems.append({**where, "field": "code", "message": "bắt buộc, không được để trống"})
        if not name:
            problems.append({**where, "field": "name", "message": "bắt buộc, không được để trống"})
        if len(code) > 40:
            problems.append({**where, "field": "code", "message": "dài quá 40 ký tự"})
        parsed.append(
            {"code": code, "name": name, "name_en": str(item.get("name_en") or "").strip()}
        )
    return parsed


@transaction.atomic
def catalog_import(
    *,
    fields: Sequence[Any],
    records: Iterable[tuple[dict[str, Any], Any]],
    actor: User | None = None,
) -> ImportReport:
    """Import fields and procedure records, all or nothing.

    ``records`` pairs each raw record with where it came from (``{"line": 3}``, ``{"sheet":
    "ThuTuc", "row": 7}``) so that every problem names its place. Nothing is written unless every
    record is clean and every new version can be stored.
    """
    problems: list[dict[str, Any]] = []
    parsed_fields = _parse_fields(fields, problems)
    known = set(Field.objects.values_list("code", flat=True)) | {f["code"] for f in parsed_fields}
    parsed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    seen: dict[tuple[Any, Any], dict[str, Any]] = {}
    for where, raw in records:
        record, record_problems = parse_record(raw, known_fields=known)
        code = record.get("code") or (raw.get("code", "") if isinstance(raw, dict) else "")
        label = {**where, "record": code}
        problems.extend({**label, "field": p.field, "message": p.message} for p in record_problems)
        key = (record.get("code"), record.get("effective_from"))
        if not record_problems and key in seen:
            problems.append(
                {
                    **label,
                    "field": "code",
                    "message": "trùng mã thủ tục và ngày hiệu lực với một bản ghi khác",
                }
            )
        seen[key] = where
        parsed.append((label, record))
    if problems:
        raise ImportRejected(
            "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu.", problems=problems
        )

    report = ImportReport()
    for item in parsed_fields:
        _, created = Field.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "name_en": item["name_en"]}
        )
        if created:
            report.fields_created.append(item["code"])
    for label, record in sorted(
        parsed, key=lambda pair: (pair[1]["code"], pair[1]["effective_from"])
    ):
        try:
            version, created = procedure_version_create(record=record, actor=actor)
        except (Conflict, InvalidInput) as exc:
            problems.append({**label, "field": "effective_from", "message": exc.message})
            continue
        (report.created if created else report.unchanged).append(
            f"{version.procedure.code} v{version.number}"
        )
    if problems:
        raise ImportRejected(
            "Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu.", problems=problems
        )
    return report


@transaction.atomic
def unit_procedures_assign(
    *, unit: Unit, procedures: Iterable[Procedure], valid_from: dt.date
) -> int:
    """Declare that ``unit`` receives these procedures from ``valid_from``; count the new ones."""
    current = set(
        UnitProcedure.objects.filter(unit=unit)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .values_list("procedure_id", flat=True)
    )
    new = [
        UnitProcedure(unit=unit, procedure=procedure, valid_from=valid_from)
        for procedure in procedures
        if procedure.pk not in current
    ]
    UnitProcedure.objects.bulk_create(new)
    return len(new)
