"""Reads over the catalogue: what is in force on a date, search, and what a unit must post."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from motcua.catalog.models import CATALOG_VERSION, Procedure, ProcedureVersion, UnitProcedure
from motcua.core.db import read_version
from motcua.core.errors import NotFound
from motcua.core.text import fold
from motcua.units.models import Unit


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
        .prefetch_related("components", "fees", "steps")
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


def posting_sheet(*, unit: Unit, on: dt.date) -> PostingSheet:
    """What ``unit`` receives on ``on``, each procedure with the public parts it still lacks."""
    receiving = UnitProcedure.objects.filter(units_receiving(on=on), unit=unit)
    versions = (
        procedure_versions_in_force(on=on)
        .filter(procedure__in=receiving.values("procedure"))
        .prefetch_related(Prefetch("components"), "fees")
        .order_by("field__code", "search_text")
    )
    return PostingSheet(
        unit=unit, on=on, items=[PostingItem(v, missing_public_parts(v)) for v in versions]
    )


def procedure_exists(*, code: str) -> bool:
    return Procedure.objects.filter(code=code).exists()
