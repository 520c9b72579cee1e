"""Reads over the unit tree and its succession graph."""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Q, QuerySet

from motcua.core.db import read_version
from motcua.core.errors import NotFound
from motcua.core.text import fold
from motcua.units.models import UNITS_VERSION, Unit, UnitSuccession


def unit_find(*, code: str, on: dt.date | None = None) -> Unit:
    """The unit named by its electronic identifier or its administrative-area code.

    When several rows share a code (a renamed unit keeps its identifier), the one valid on ``on``,
    else the open one, wins.
    """
    code = code.strip()
    rows = list(
        Unit.objects.filter(Q(identifier=code) | Q(area_code=code)).order_by("valid_to", "-id")
    )
    if on is not None:
        rows = [unit for unit in rows if unit.is_valid_on(on)] or rows
    if not rows:
        raise NotFound(f"Không tìm thấy đơn vị có mã {code!r}.", code="unit_not_found")
    # Prefer administrative bodies over their service centres when an area code is shared.
    rows.sort(key=lambda u: (u.valid_to is not None, u.kind != Unit.Kind.PEOPLES_COMMITTEE, -u.pk))
    return rows[0]


def unit_subtree(*, unit: Unit, include_self: bool = True) -> QuerySet[Unit]:
    subtree = Unit.objects.filter(path__startswith=unit.path)
    return subtree if include_self else subtree.exclude(pk=unit.pk)


def unit_ancestor_ids(*, unit: Unit) -> list[int]:
    """Ids from the root down to the unit itself."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def units_version() -> str:
    """Changes whenever any unit row is saved: the key of the caches below and of schedules."""
    return read_version(UNITS_VERSION)


# Ancestor chains, read on every intake for the unit's province and working hours. Shared
# read-only instances; the version in the key makes an edit visible at the next call.
_ancestors: dict[tuple[str, str], tuple[Unit, ...]] = {}
_ancestors_lock = threading.Lock()


def unit_ancestors(*, unit: Unit, version: str | None = None) -> list[Unit]:
    """Units from the root down to the unit itself (as stored; ``version`` if already read)."""
    key = (unit.path, units_version() if version is None else version)
    chain = _ancestors.get(key)
    if chain is None:
        ids = unit_ancestor_ids(unit=unit)
        by_id = Unit.objects.in_bulk(ids)
        chain = tuple(by_id[i] for i in ids if i in by_id)
        with _ancestors_lock:
            if len(_ancestors) > 4096:
                _ancestors.clear()
            _ancestors[key] = chain
    return list(chain)


def unit_province(*, unit: Unit) -> Unit | None:
    """The province the unit belongs to (itself when it is one)."""
    return province_among(unit_ancestors(unit=unit))


def province_among(ancestors: list[Unit]) -> Unit | None:
    """The province's People's Committee among a unit's ancestors (root first), else any
    province-level unit."""
    for ancestor in reversed(ancestors):
        if ancestor.level == Unit.Level.PROVINCE and ancestor.kind == Unit.Kind.PEOPLES_COMMITTEE:
            return ancestor
    for ancestor in reversed(ancestors):
        if ancestor.level == Unit.Level.PROVINCE:
            return ancestor
    return None


def unit_successors_on(*, unit: Unit, on: dt.date) -> list[Unit]:
    """The units that carry ``unit``'s history on ``on``, following dated successions transitively.

    A unit still valid on the date answers for itself; a merged unit rolls up to its successor; a
    split unit to all of its successors (handbook §11, design rule 5: "as-is" reporting).
    """
    result: list[Unit] = []
    seen: set[int] = set()
    frontier = [unit]
    while frontier:
        current = frontier.pop()
        if current.pk in seen:
            continue
        seen.add(current.pk)
        edges = list(
            UnitSuccession.objects.filter(predecessor=current, effective_date__lte=on)
            .select_related("successor")
            .order_by("effective_date")
        )
        if not edges or current.is_valid_on(on):
            result.append(current)
            continue
        frontier.extend(edge.successor for edge in edges)
    return sorted(result, key=lambda u: u.pk)


def unit_predecessors(*, unit: Unit) -> list[Unit]:
    """Every unit whose history rolls up into ``unit``, transitively (for as-is reports)."""
    result: list[Unit] = []
    seen = {unit.pk}
    frontier = [unit.pk]
    while frontier:
        edges = UnitSuccession.objects.filter(successor_id__in=frontier).select_related(
            "predecessor"
        )
        frontier = []
        for edge in edges:
            if edge.predecessor_id not in seen:
                seen.add(edge.predecessor_id)
                result.append(edge.predecessor)
                frontier.append(edge.predecessor_id)
    return result


def one_stop_units(*, query: str = "", on: dt.date) -> QuerySet[Unit]:
    """Open units that receive procedures (they have a posting sheet), searched by name."""
    units = Unit.objects.filter(valid_to__isnull=True, procedures__valid_from__lte=on).distinct()
    for token in fold(query).split():
        units = units.filter(search_name__contains=token)
    return units.order_by("-level", "search_name")
