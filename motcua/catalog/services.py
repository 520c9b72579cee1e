"""Writes to the catalogue: new versions (never edits of a version in force) and whole imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import user_has_role
from motcua.catalog.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureFee,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
    ProvincialFee,
    Source,
    UnitProcedure,
)
from motcua.catalog.records import content_key, parse_record, record_from_version
from motcua.core.errors import Conflict, ImportRejected, InvalidInput, PermissionDenied
from motcua.core.text import fold
from motcua.units.models import Unit


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # "1.001193 v2"
    unchanged: list[str] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)
    # Same content, now from a better source (sample data confirmed by the national database).
    source_updated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{len(self.created)} phiên bản mới, {len(self.unchanged)} thủ tục không đổi, "
            f"{len(self.fields_created)} lĩnh vực mới."
        )
        if self.source_updated:
            text += f" {len(self.source_updated)} phiên bản đổi nguồn dữ liệu."
        return text


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


CREATED, UNCHANGED, SOURCE_UPDATED = "created", "unchanged", "source_updated"


def _adopt_source(
    version: ProcedureVersion, record: dict[str, Any]
) -> tuple[ProcedureVersion, str]:
    """Sample data whose content an import confirms takes the import's source (provenance only:
    the content, and so the version, stays the same)."""
    if version.source == Source.SAMPLE and record.get("source", Source.SAMPLE) != Source.SAMPLE:
        version.source = record["source"]
        version.save(update_fields=["source"])
        return version, SOURCE_UPDATED
    return version, UNCHANGED


@transaction.atomic
def procedure_version_create(
    *, record: dict[str, Any], actor: User | None = None
) -> tuple[ProcedureVersion, bool]:
    """Store a validated record as a new version; ``False`` when it equals the latest version.

    The new version must take effect after the latest one: a version that has been in force is
    history, and dossiers received under it keep it.
    """
    version, outcome = _store_version(record=record, actor=actor)
    return version, outcome == CREATED


@transaction.atomic
def _store_version(*, record: dict[str, Any], actor: User | None) -> tuple[ProcedureVersion, str]:
    procedure, _ = Procedure.objects.get_or_create(code=record["code"])
    same_day = procedure.versions.filter(effective_from=record["effective_from"]).first()
    if same_day is not None and content_key(record_from_version(same_day)) == content_key(record):
        return _adopt_source(same_day, record)  # re-importing a full history changes nothing
    latest = _latest_version(procedure)
    if latest is not None:
        if content_key(record_from_version(latest)) == content_key(record):
            return _adopt_source(latest, record)
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
        payment_stops_clock=record["payment_stops_clock"],
        payment_stop_basis=record["payment_stop_basis"],
        legal_basis=record["legal_basis"],
        announcement_number=record["announcement_number"],
        announcement_date=record["announcement_date"],
        announcement_issuer=record["announcement_issuer"],
        source=record["source"],
        supplement_policy=record["supplement_policy"],
        verification=record["verification"],
        notes=record["notes"],
        search_text=_search_text(record, field_obj.name),
        created_by=actor,
    )
    ProcedureTimeLimit.objects.bulk_create(
        ProcedureTimeLimit(version=version, position=i, **item)
        for i, item in enumerate(limit["cases"], start=1)
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
    return version, CREATED


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
        official = str(item.get("official_code") or "").strip()
        if len(official) > 40 or any(c.isspace() for c in official):
            problems.append(
                {
                    **where,
                    "field": "official_code",
                    "message": "mã lĩnh vực quốc gia tối đa 40 ký tự, không có khoảng trắng",
                }
            )
        parsed.append(
            {
                "code": code,
                "name": name,
                "name_en": str(item.get("name_en") or "").strip(),
                "official_code": official,
            }
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
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "official_code": item["official_code"],
            },
        )
        if created:
            report.fields_created.append(item["code"])
    for label, record in sorted(
        parsed, key=lambda pair: (pair[1]["code"], pair[1]["effective_from"])
    ):
        try:
            version, outcome = _store_version(record=record, actor=actor)
        except (Conflict, InvalidInput) as exc:
            problems.append({**label, "field": "effective_from", "message": exc.message})
            continue
        outcomes = {
            CREATED: report.created,
            UNCHANGED: report.unchanged,
            SOURCE_UPDATED: report.source_updated,
        }
        outcomes[outcome].append(f"{version.procedure.code} v{version.number}")
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


# --- fees set by the provincial People's Council (decision 11) ----------------------------------


def is_province(unit: Unit) -> bool:
    """A province's People's Committee: the unit whose HĐND sets the provincial fees."""
    return unit.level == Unit.Level.PROVINCE and unit.kind == Unit.Kind.PEOPLES_COMMITTEE


def _check_may_set_fees(actor: User | None, province: Unit) -> None:
    """Only the province's administrators (or those above them) set its fees; commands act as the
    system."""
    if actor is None:
        return
    if not user_has_role(user=actor, unit=province, roles=frozenset({Role.UNIT_ADMIN})):
        raise PermissionDenied(
            f"Bạn không quản trị {province} nên không cấu hình mức thu của tỉnh."
        )


def _resolution_problem(resolution: str) -> str | None:
    if not resolution:
        return "Cần số nghị quyết của HĐND tỉnh, ví dụ: Nghị quyết số 12/2025/NQ-HĐND."
    if len(resolution) > 255:
        return "Số nghị quyết dài quá 255 ký tự."
    if "nq-hdnd" not in fold(resolution).replace(" ", ""):
        return (
            f"{resolution!r} không phải nghị quyết của HĐND tỉnh: ghi số nghị quyết có ký hiệu "
            "NQ-HĐND, ví dụ: Nghị quyết số 12/2025/NQ-HĐND."
        )
    return None


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"Mức thu {value!r} không phải là số.", code="invalid_amount") from exc
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("Mức thu phải là số không âm (0: nghị quyết miễn khoản thu).")
    if amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("Mức thu quá lớn hoặc có hơn hai chữ số thập phân.")
    return amount


def provincial_fee_check(
    *,
    fee: ProcedureFee,
    province: Unit,
    amount: Decimal | str | int,
    resolution: str,
    effective_from: dt.date,
    actor: User | None = None,
) -> dict[str, Any]:
    """Check a province's amount for ``fee`` (raises a DomainError naming the problem) and return
    the row to store. Called by ``provincial_fee_set`` and by the admin form before it saves.

    The fee must be one the catalogue leaves to the province (pricing ``province``; TT 85/2019/
    TT-BTC lists them); 0 records that the resolution exempts it (decision 11).
    """
    if fee.pricing != ProcedureFee.Pricing.PROVINCE:
        raise InvalidInput(
            f"Khoản thu “{fee.name}” không do HĐND tỉnh quyết định "
            f"({fee.get_pricing_display()}); không cấu hình mức thu của tỉnh.",
            code="fee_not_provincial",
        )
    if not is_province(province):
        raise InvalidInput(
            f"{province} không phải Ủy ban nhân dân cấp tỉnh: mức thu do HĐND tỉnh quyết định "
            "được cấu hình cho tỉnh.",
            code="not_a_province",
        )
    _check_may_set_fees(actor, province)
    value = _amount(amount)
    resolution = (resolution or "").strip()
    problem = _resolution_problem(resolution)
    if problem:
        raise InvalidInput(problem, code="invalid_resolution")
    procedure = fee.version.procedure
    row: dict[str, Any] = {
        "procedure": procedure,
        "fee_kind": fee.kind,
        "fee_name": fee.name,
        "fee_channel": fee.channel,
        "province": province,
        "effective_from": effective_from,
    }
    if ProvincialFee.objects.filter(**row).exists():
        raise Conflict(
            f"{province} đã có mức thu “{fee.name}” của thủ tục {procedure.code} áp dụng từ "
            f"{effective_from:%d/%m/%Y}; nghị quyết mới ghi với ngày áp dụng của nó.",
            code="provincial_fee_exists",
        )
    return {**row, "amount": value, "resolution": resolution}


@transaction.atomic
def provincial_fee_set(
    *,
    fee: ProcedureFee,
    province: Unit,
    amount: Decimal | str | int,
    resolution: str,
    effective_from: dt.date,
    actor: User | None = None,
) -> ProvincialFee:
    """Record the amount a province's HĐND resolution sets for ``fee`` from ``effective_from``.

    A later resolution is a new row with its own date: dossiers keep the fee lines they were
    received with, and ``fee_lines`` reads the latest resolution in force on a date.
    """
    row = provincial_fee_check(
        fee=fee,
        province=province,
        amount=amount,
        resolution=resolution,
        effective_from=effective_from,
        actor=actor,
    )
    return ProvincialFee.objects.create(**row, created_by=actor)


@transaction.atomic
def provincial_fee_delete(*, provincial_fee: ProvincialFee, actor: User | None = None) -> None:
    """Remove a configured amount entered by mistake (dossiers keep the lines they snapshot)."""
    _check_may_set_fees(actor, provincial_fee.province)
    provincial_fee.delete()
