"""Writes to the unit tree: creation, moves, and the reorganisations of handbook §11.

Reorganisations never edit a unit in place: the old row is closed the day before the effective date,
a new row opens on it, and a succession edge records the legal basis, so every dossier stays
attributable to the unit of its day and rolls up to today's successor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.accounts.models import Membership
from motcua.core.db import bump_version
from motcua.core.errors import Conflict, InvalidInput
from motcua.core.text import fold
from motcua.units.models import UNITS_VERSION, Unit, UnitSuccession

# Fields a reorganisation copies from the old row to the new one.
_COPIED_FIELDS = (
    "short_name",
    "identifier",
    "area_code",
    "level",
    "kind",
    "working_hours",
    "summer_working_hours",
    "summer_from",
    "summer_to",
    "same_day_cutoff",
    "saturday_reception",
    "address",
    "phone",
)


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def _set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1


@transaction.atomic
def unit_create(
    *, name: str, level: str, kind: str, parent: Unit | None = None, **fields: Any
) -> Unit:
    """Create a unit under ``parent`` (or as a root) after validating every field."""
    unit = Unit(name=name, level=level, kind=kind, parent=parent, search_name=fold(name), **fields)
    try:
        unit.full_clean(exclude=["path", "depth"])
    except ValidationError as exc:
        raise InvalidInput(f"Đơn vị {name!r}: {_validation_message(exc)}") from exc
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None) -> Unit:
    """Attach ``unit`` (and its whole subtree) under ``new_parent``."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise InvalidInput("Không thể đặt một đơn vị dưới chính nó hoặc đơn vị cấp dưới của nó.")
    old_prefix = unit.path
    unit.parent = new_parent
    _set_path(unit)
    unit.save(update_fields=["parent", "path", "depth"])
    descendants = list(Unit.objects.filter(path__startswith=old_prefix).exclude(pk=unit.pk))
    for child in descendants:
        child.path = unit.path + child.path[len(old_prefix) :]
        child.depth = child.path.count("/") - 2
    Unit.objects.bulk_update(descendants, ["path", "depth"])
    # Again: whatever this transaction cached before the descendants moved has the older key.
    bump_version(UNITS_VERSION)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, parent_changed: bool) -> Unit:
    """Save corrections to a unit (a typo, working hours, a newly issued identifier).

    A change of name or level that the law decreed is a reorganisation: use ``unit_rename``.
    """
    try:
        unit.full_clean(exclude=["path", "depth"])
    except ValidationError as exc:
        raise InvalidInput(f"Đơn vị {unit.name!r}: {_validation_message(exc)}") from exc
    unit.search_name = fold(unit.name)
    unit.save()
    if parent_changed:
        unit_move(unit=unit, new_parent=unit.parent)
    return unit


def _close(unit: Unit, effective_date: dt.date) -> None:
    if unit.valid_to is not None and unit.valid_to < effective_date:
        raise Conflict(f"Đơn vị {unit} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}.")
    if unit.valid_from is not None and unit.valid_from >= effective_date:
        raise InvalidInput(f"Ngày hiệu lực phải sau ngày đơn vị {unit} bắt đầu hoạt động.")
    unit.valid_to = effective_date - dt.timedelta(days=1)
    unit.save(update_fields=["valid_to"])


def _close_memberships(units: Iterable[Unit], effective_date: dt.date) -> None:
    """Officers' roles in a reorganised unit end at the cut-over (handbook §11, design rule 8)."""
    last_day = effective_date - dt.timedelta(days=1)
    for membership in Membership.objects.filter(
        unit__in=list(units), valid_from__lte=last_day
    ).exclude(valid_to__lt=effective_date):
        membership.valid_to = last_day
        membership.save(update_fields=["valid_to"])
    Membership.objects.filter(unit__in=list(units), valid_from__gte=effective_date).delete()


def _reparent_children(old: Unit, new: Unit, effective_date: dt.date) -> None:
    for child in Unit.objects.filter(parent=old):
        if child.valid_to is None or child.valid_to >= effective_date:
            unit_move(unit=child, new_parent=new)


def _link(
    predecessors: Sequence[Unit],
    successors: Sequence[Unit],
    *,
    kind: str,
    effective_date: dt.date,
    legal_basis: str,
    note: str = "",
) -> None:
    if not legal_basis.strip():
        raise InvalidInput("Cần ghi căn cứ pháp lý của việc sắp xếp đơn vị.")
    for predecessor in predecessors:
        for successor in successors:
            UnitSuccession.objects.create(
                predecessor=predecessor,
                successor=successor,
                kind=kind,
                effective_date=effective_date,
                legal_basis=legal_basis,
                note=note,
            )


@transaction.atomic
def unit_rename(
    *,
    unit: Unit,
    new_name: str,
    effective_date: dt.date,
    legal_basis: str,
    new_identifier: str | None = None,
) -> Unit:
    """Close ``unit`` and open its renamed row; children and officers move to the new row."""
    _close(unit, effective_date)
    fields = {name: getattr(unit, name) for name in _COPIED_FIELDS}
    if new_identifier is not None:
        fields["identifier"] = new_identifier or None
    renamed = unit_create(
        name=new_name,
        parent=unit.parent,
        valid_from=effective_date,
        **{k: v for k, v in fields.items() if k not in {"level", "kind"}},
        level=unit.level,
        kind=unit.kind,
    )
    _reparent_children(unit, renamed, effective_date)
    for membership in Membership.objects.filter(unit=unit).exclude(valid_to__lt=effective_date):
        Membership.objects.create(
            user=membership.user,
            unit=renamed,
            role=membership.role,
            title=membership.title,
            valid_from=max(effective_date, membership.valid_from),
            valid_to=membership.valid_to,
        )
    _close_memberships([unit], effective_date)
    _link(
        [unit],
        [renamed],
        kind=UnitSuccession.Kind.RENAME,
        effective_date=effective_date,
        legal_basis=legal_basis,
    )
    return renamed


@transaction.atomic
def unit_merge(
    *,
    predecessors: Sequence[Unit],
    successor: Unit,
    effective_date: dt.date,
    legal_basis: str,
    note: str = "",
) -> Unit:
    """Merge ``predecessors`` into ``successor`` (an existing or freshly created unit)."""
    if not predecessors:
        raise InvalidInput("Cần ít nhất một đơn vị được sáp nhập.")
    if successor in predecessors:
        raise InvalidInput("Đơn vị kế thừa không thể là một trong các đơn vị bị sáp nhập.")
    if not successor.is_valid_on(effective_date):
        raise InvalidInput(
            f"Đơn vị kế thừa {successor} không có hiệu lực ngày {effective_date:%d/%m/%Y}."
        )
    for predecessor in predecessors:
        _close(predecessor, effective_date)
        _reparent_children(predecessor, successor, effective_date)
    _close_memberships(predecessors, effective_date)
    _link(
        predecessors,
        [successor],
        kind=UnitSuccession.Kind.MERGE,
        effective_date=effective_date,
        legal_basis=legal_basis,
        note=note,
    )
    return successor


@transaction.atomic
def unit_split(
    *,
    predecessor: Unit,
    successors: Sequence[Unit],
    effective_date: dt.date,
    legal_basis: str,
    note: str = "",
) -> list[Unit]:
    """Split ``predecessor`` into ``successors``; its history rolls up to all of them."""
    if len(successors) < 2:
        raise InvalidInput("Chia tách cần ít nhất hai đơn vị kế thừa.")
    for successor in successors:
        if not successor.is_valid_on(effective_date):
            raise InvalidInput(
                f"Đơn vị {successor} không có hiệu lực ngày {effective_date:%d/%m/%Y}."
            )
    _close(predecessor, effective_date)
    _close_memberships([predecessor], effective_date)
    _link(
        [predecessor],
        successors,
        kind=UnitSuccession.Kind.SPLIT,
        effective_date=effective_date,
        legal_basis=legal_basis,
        note=note,
    )
    return list(successors)


# The two-tier local government began on 01/07/2025 (Luật Tổ chức chính quyền địa phương 2025;
# handbook §11): every loaded province and commune is valid from that day.
TWO_TIER_START = dt.date(2025, 7, 1)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@transaction.atomic
def units_load_divisions(
    *, province_codes: Sequence[int] | None = None, service_centres: bool = True
) -> dict[str, int]:
    """Load the post-2025 provinces and communes from the ``vietnam-provinces`` package.

    Idempotent: a unit already present (same area code and kind, still open) is left as it is,
    since names and identifiers may have been corrected by an administrator. Each province and
    commune gets its People's Committee and, with ``service_centres``, its Trung tâm Phục vụ hành
    chính công (ND 118/2025 Điều 1: the one-stop units at both levels).
    """
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    provinces = {int(p.code): p for p in Province.iter_all()}
    wanted = list(provinces) if province_codes is None else list(province_codes)
    unknown = [code for code in wanted if code not in provinces]
    if unknown:
        raise InvalidInput(
            "Mã tỉnh không có trong danh mục sau 01/7/2025: "
            + ", ".join(str(code) for code in unknown)
            + ". Các mã hợp lệ: "
            + ", ".join(str(code) for code in sorted(provinces))
            + "."
        )
    existing = {
        (unit.area_code, unit.kind): unit
        for unit in Unit.objects.filter(valid_to__isnull=True).exclude(area_code="")
    }
    counts = {"created": 0, "existing": 0}

    def ensure(area_code: str, kind: str, name: str, level: str, parent: Unit | None) -> Unit:
        found = existing.get((area_code, kind))
        if found is not None:
            counts["existing"] += 1
            return found
        unit = unit_create(
            name=name,
            level=level,
            kind=kind,
            parent=parent,
            area_code=area_code,
            valid_from=TWO_TIER_START,
        )
        existing[(area_code, kind)] = unit
        counts["created"] += 1
        return unit

    for code in wanted:
        province = provinces[code]
        area = f"{code:02d}"
        if province.division_type == VietNamDivisionType.TINH:
            title = f"tỉnh {province.name}"
        else:
            title = _lower_first(province.name)
        committee = ensure(
            area, Unit.Kind.PEOPLES_COMMITTEE, f"Ủy ban nhân dân {title}", Unit.Level.PROVINCE, None
        )
        if service_centres:
            ensure(
                area,
                Unit.Kind.SERVICE_CENTRE,
                f"Trung tâm Phục vụ hành chính công {title}",
                Unit.Level.PROVINCE,
                committee,
            )
        for ward in sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code)):
            ward_area = f"{int(ward.code):05d}"
            ward_title = _lower_first(ward.name)
            ward_committee = ensure(
                ward_area,
                Unit.Kind.PEOPLES_COMMITTEE,
                f"Ủy ban nhân dân {ward_title}",
                Unit.Level.COMMUNE,
                committee,
            )
            if service_centres:
                ensure(
                    ward_area,
                    Unit.Kind.SERVICE_CENTRE,
                    f"Trung tâm Phục vụ hành chính công {ward_title}",
                    Unit.Level.COMMUNE,
                    ward_committee,
                )
    return counts
