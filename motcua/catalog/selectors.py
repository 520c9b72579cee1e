"""Reads over the catalogue: what is in force on a date, search, and what a unit must post."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypedDict

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.accounts.selectors import units_administered_by
from motcua.calendars.workdays import LimitUnit, decimal_text, plain_decimal
from motcua.catalog.models import (
    CATALOG_VERSION,
    Channel,
    Procedure,
    ProcedureFee,
    ProcedureVersion,
    ProvincialFee,
    UnitProcedure,
)
from motcua.core.db import read_version
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.templatetags.motcua import vnd
from motcua.core.text import fold
from motcua.units.models import Unit
from motcua.units.selectors import unit_province


def procedure_versions_in_force(*, on: dt.date) -> QuerySet[ProcedureVersion]:
    """The version of each procedure in force on ``on``, abolished procedures left out."""
    latest = (
        ProcedureVersion.objects.filter(procedure=OuterRef("procedure"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("pk")[:1]
    )
    return (
        ProcedureVersion.objects.filter(pk=Subquery(latest))
        .exclude(status=ProcedureVersion.Status.ABOLISHED)
        .select_related("procedure", "field")
    )


# Versions never change once stored (an edit is a new version, a replaced future version gets a
# new id), so each process keeps the ones it read, keyed by the latest version id: a counter desk
# receiving all day reads each procedure once.
_versions: dict[tuple[str, dt.date, str], ProcedureVersion] = {}
_versions_lock = threading.Lock()


def catalog_version() -> str:
    return read_version(CATALOG_VERSION)


def procedure_version_in_force(
    *, code: str, on: dt.date, catalog: str | None = None
) -> ProcedureVersion:
    """The version of procedure ``code`` in force on ``on`` (what a dossier received then keeps);
    ``catalog``: the catalogue's version, when the caller has just read it."""
    key = (code, on, catalog_version() if catalog is None else catalog)
    cached = _versions.get(key)
    if cached is not None:
        return cached
    version = (
        ProcedureVersion.objects.filter(procedure__code=code, effective_from__lte=on)
        .select_related("procedure", "field")
        .prefetch_related("time_limits", "components", "fees", "steps")
        .order_by("-effective_from")
        .first()
    )
    if version is None or version.status == ProcedureVersion.Status.ABOLISHED:
        raise NotFound(
            f"Không có thủ tục mã {code} có hiệu lực ngày {on:%d/%m/%Y}.",
            code="procedure_not_found",
        )
    with _versions_lock:
        if len(_versions) > 4096:
            _versions.clear()
        _versions[key] = version
    return version


def units_receiving(*, on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def procedure_search(
    *,
    on: dt.date,
    query: str = "",
    field_code: str = "",
    level: str = "",
    unit: Unit | None = None,
    online_level: str = "",
) -> QuerySet[ProcedureVersion]:
    """Procedures in force, searched ignoring case and diacritics ("dang ky ket hon")."""
    versions = procedure_versions_in_force(on=on)
    for token in fold(query).split():
        versions = versions.filter(search_text__contains=token)
    if field_code:
        versions = versions.filter(field__code=field_code)
    if level:
        versions = versions.filter(levels__contains=level)
    if online_level:
        versions = versions.filter(online_level=online_level)
    if unit is not None:
        receiving = UnitProcedure.objects.filter(units_receiving(on=on), unit=unit)
        versions = versions.filter(procedure__in=receiving.values("procedure"))
    return versions.order_by("search_text")


def procedure_detail(*, code: str, on: dt.date) -> ProcedureVersion:
    return procedure_version_in_force(code=code, on=on)


def procedure_history(*, code: str) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(procedure__code=code).order_by("-effective_from")


# The constituent parts every published procedure must carry (ND 63/2010 Điều 8 khoản 2;
# handbook §12.3). Fees are "where applicable": a procedure may have none.
def missing_public_parts(version: ProcedureVersion) -> list[str]:
    missing = []
    checks = [
        ("tên thủ tục", version.name),
        ("trình tự thực hiện", version.steps_text),
        ("thành phần, số lượng hồ sơ", list(version.components.all())),
        ("thời hạn giải quyết", version.time_limit_unit),
        ("đối tượng thực hiện", version.applicants),
        ("cơ quan thực hiện", version.competent_authority),
        ("kết quả thực hiện", version.result),
        ("căn cứ pháp lý", version.legal_basis),
    ]
    for label, value in checks:
        if not value:
            missing.append(label)
    return missing


@dataclass
class PostingItem:
    version: ProcedureVersion
    missing: list[str]
    fees: list[FeeLine] = field(default_factory=list)

    @property
    def posted(self) -> bool:
        return not self.missing


@dataclass
class PostingSheet:
    """The list a one-stop desk posts (niêm yết) and how much of it is complete."""

    unit: Unit
    on: dt.date
    items: list[PostingItem]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def posted(self) -> int:
        return sum(item.posted for item in self.items)

    @property
    def has_sample(self) -> bool:
        return any(item.version.is_sample for item in self.items)


def posting_sheet(*, unit: Unit, on: dt.date) -> PostingSheet:
    """What ``unit`` receives on ``on``, each procedure with the public parts it still lacks, its
    per-case limits and its fees as the unit's province sets them."""
    receiving = UnitProcedure.objects.filter(units_receiving(on=on), unit=unit)
    versions = (
        procedure_versions_in_force(on=on)
        .filter(procedure__in=receiving.values("procedure"))
        .prefetch_related(Prefetch("components"), "fees", "time_limits")
        .order_by("field__code", "search_text")
    )
    province = unit_province(unit=unit)
    return PostingSheet(
        unit=unit,
        on=on,
        items=[
            PostingItem(
                v,
                missing_public_parts(v),
                fee_lines(version=v, channel="all", province=province, on=on),
            )
            for v in versions
        ],
    )


def procedure_exists(*, code: str) -> bool:
    return Procedure.objects.filter(code=code).exists()


# --- time limits in words ------------------------------------------------------------------------


# The clock's unit labels (calendars.workdays), spelt out here so that the message catalogue
# finds them; tests check that they stay the same words.
UNIT_WORDS = {
    LimitUnit.WORKING_DAY: gettext_lazy("ngày làm việc"),
    LimitUnit.WORKING_HOUR: gettext_lazy("giờ làm việc"),
    LimitUnit.HALF_DAY: gettext_lazy("buổi làm việc"),
    LimitUnit.CALENDAR_DAY: gettext_lazy("ngày"),
    LimitUnit.MONTH: gettext_lazy("tháng"),
    LimitUnit.SAME_DAY: gettext_lazy("trong ngày"),
}


def limit_words(value: Decimal, unit: str) -> str:
    """A limit as the posting sheet writes it: "5 ngày làm việc", "1,5 ngày làm việc" (the
    Vietnamese decimal comma), "3 tháng", "trong ngày"."""
    limit_unit = LimitUnit(unit)
    if limit_unit == LimitUnit.SAME_DAY:
        return str(UNIT_WORDS[limit_unit])
    return f"{decimal_text(Decimal(value))} {UNIT_WORDS[limit_unit]}"


# --- fees: fixed, exempt, or set by the province (decision 11) ----------------------------------


class FeeLine(TypedDict):
    """One fee as a dossier, a page or the API shows it (the contract between the streams)."""

    kind: str
    name: str
    unit: str
    channel: str
    legal_basis: str
    status: Literal["amount", "exempt", "unconfigured"]
    amount: str | None  # plain decimal ("12000"), "0" when exempt, None when unconfigured
    resolution: str  # the HĐND resolution of a province-set amount, else ""


FEE_CHANNELS = frozenset({"all", Channel.DIRECT, Channel.ONLINE, Channel.POSTAL})
_FeeKey = tuple[str, str, str]  # kind, name, channel: a fee across the procedure's versions


def _fee_key(fee: ProcedureFee) -> _FeeKey:
    return (fee.kind, fee.name, fee.channel)


def provincial_amounts(
    *, procedure_ids: list[int], province: Unit, on: dt.date
) -> dict[tuple[int, _FeeKey], ProvincialFee]:
    """The amount each fee of these procedures has in ``province`` on ``on`` (the latest
    resolution in force), keyed by procedure id and fee."""
    rows = ProvincialFee.objects.filter(
        procedure_id__in=procedure_ids, province=province, effective_from__lte=on
    ).order_by("effective_from", "pk")
    return {(r.procedure_id, (r.fee_kind, r.fee_name, r.fee_channel)): r for r in rows}


def fee_lines(
    *, version: ProcedureVersion, channel: str, province: Unit | None, on: dt.date
) -> list[FeeLine]:
    """The fees of ``version`` for a dossier of ``channel`` ("direct", "online", "postal"; "all"
    for every fee, as the public pages list them) received in ``province`` on ``on``.

    A fee the provincial People's Council sets is ``unconfigured`` (amount None, never 0) until
    the province records its resolution; a resolution of 0 exempts it (decision 11).
    """
    if channel not in FEE_CHANNELS:
        raise InvalidInput(
            f"Hình thức {channel!r} không hợp lệ; chọn direct, online, postal hoặc all.",
            code="invalid_channel",
        )
    fees = [
        fee
        for fee in version.fees.all()
        if channel == "all" or fee.channel in (Channel.ALL, channel)
    ]
    configured: dict[tuple[int, _FeeKey], ProvincialFee] = {}
    if province is not None and any(f.pricing == ProcedureFee.Pricing.PROVINCE for f in fees):
        configured = provincial_amounts(
            procedure_ids=[version.procedure_id], province=province, on=on
        )
    lines: list[FeeLine] = []
    for fee in fees:
        status: Literal["amount", "exempt", "unconfigured"]
        amount: str | None
        resolution = ""
        if fee.pricing == ProcedureFee.Pricing.AMOUNT and fee.amount:
            status, amount = "amount", plain_decimal(fee.amount)
        elif fee.pricing == ProcedureFee.Pricing.EXEMPT:
            status, amount = "exempt", "0"
        else:
            row = configured.get((version.procedure_id, _fee_key(fee)))
            if row is None:
                status, amount = "unconfigured", None
            else:
                status = "amount" if row.amount else "exempt"
                amount, resolution = plain_decimal(row.amount), row.resolution
        lines.append(
            {
                "kind": fee.kind,
                "name": fee.name,
                "unit": fee.unit,
                "channel": fee.channel,
                "legal_basis": fee.legal_basis,
                "status": status,
                "amount": amount,
                "resolution": resolution,
            }
        )
    return lines


def fee_amount_text(line: Mapping[str, Any]) -> str:
    """ "12.000 đồng", "Miễn", "Chưa cấu hình theo nghị quyết HĐND tỉnh".

    A line without ``status`` was snapshot by a dossier received before fees had one: its amount
    is shown, except 0, which cannot tell an exempt fee from one the province had still to set.
    """
    status = line.get("status")
    if status == "exempt":
        return _("Miễn")
    if status == "unconfigured":
        return _("Chưa cấu hình theo nghị quyết HĐND tỉnh")
    try:
        amount = Decimal(str(line.get("amount")))
    except InvalidOperation:
        return _("Chưa xác định")
    if not amount.is_finite() or (status is None and amount == 0):
        return _("Chưa xác định")
    return vnd(amount)


@dataclass(frozen=True)
class UnconfiguredFee:
    """A fee the HĐND of ``province`` sets, for a procedure ``unit`` receives, with no amount."""

    unit: Unit
    province: Unit | None
    version: ProcedureVersion
    fee: ProcedureFee


def fees_unconfigured(*, on: dt.date, units: QuerySet[Unit] | None = None) -> list[UnconfiguredFee]:
    """Every province-set fee still without an amount, per unit that receives its procedure on
    ``on`` (UnitProcedure), judged by the unit's province; ``units`` narrows the units."""
    receiving = (
        UnitProcedure.objects.filter(units_receiving(on=on))
        .select_related("unit")
        .order_by("unit__path", "procedure__code")
    )
    if units is not None:
        receiving = receiving.filter(unit__in=units)
    versions = {
        version.procedure_id: version
        for version in procedure_versions_in_force(on=on)
        .filter(
            procedure__in=receiving.values("procedure"),
            fees__pricing=ProcedureFee.Pricing.PROVINCE,
        )
        .distinct()
        .prefetch_related("fees")
    }
    result: list[UnconfiguredFee] = []
    seen: set[tuple[int, int]] = set()
    amounts: dict[int | None, dict[tuple[int, _FeeKey], ProvincialFee]] = {}
    for row in receiving:
        version = versions.get(row.procedure_id)
        if version is None or (row.unit_id, row.procedure_id) in seen:
            continue
        seen.add((row.unit_id, row.procedure_id))
        province = unit_province(unit=row.unit)
        key = province.pk if province is not None else None
        if key not in amounts:
            amounts[key] = (
                provincial_amounts(procedure_ids=list(versions), province=province, on=on)
                if province is not None
                else {}
            )
        for fee in version.fees.all():
            if fee.pricing != ProcedureFee.Pricing.PROVINCE:
                continue
            if (version.procedure_id, _fee_key(fee)) not in amounts[key]:
                result.append(UnconfiguredFee(row.unit, province, version, fee))
    return result


def provinces_administered_by(*, user: User) -> QuerySet[Unit]:
    """The provinces whose fees ``user`` configures: where they (or someone above) administer."""
    return units_administered_by(user=user).filter(
        level=Unit.Level.PROVINCE, kind=Unit.Kind.PEOPLES_COMMITTEE
    )


def provincial_fee_choices(*, on: dt.date) -> QuerySet[ProcedureFee]:
    """The fees a province may configure: those left to the HĐND tỉnh in versions in force on
    ``on`` or later."""
    current = procedure_versions_in_force(on=on).values("pk")
    return (
        ProcedureFee.objects.filter(pricing=ProcedureFee.Pricing.PROVINCE)
        .filter(Q(version__in=current) | Q(version__effective_from__gt=on))
        .select_related("version__procedure")
        .order_by("version__procedure__code", "-version__effective_from", "position")
    )
