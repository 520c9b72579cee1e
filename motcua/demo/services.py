"""Demo data: one real province with its communes, officers of every role, the shipped catalogue.

Everything here goes through the same services an administrator would use. The electronic
identifiers it gives units are **demo values** (level-1 letter X, which no real agency carries):
real identifiers (QĐ 20/2020/QĐ-TTg) are not in any public package and must be entered by the
province.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from motcua.accounts.models import Role, User
from motcua.accounts.services import officer_create
from motcua.calendars.services import calendar_sync_package
from motcua.catalog.io import catalog_read_file
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_versions_in_force
from motcua.catalog.services import catalog_import, unit_procedures_assign
from motcua.core import clock
from motcua.core.text import fold
from motcua.units.models import Unit
from motcua.units.selectors import unit_find, unit_subtree
from motcua.units.services import TWO_TIER_START, unit_create, unit_update, units_load_divisions

DEMO_PROVINCE = 42  # Hà Tĩnh: one of the provinces the 2025 reorganisation left whole
DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - printed on purpose: these are demo logins
SHIPPED_CATALOGUE = Path(__file__).resolve().parent.parent / "catalog" / "data" / "procedures.json"
# Departments whose procedures the shipped catalogue names, for the internal process steps.
DEPARTMENTS = [
    ("Sở Tư pháp", Unit.Kind.DEPARTMENT),
    ("Sở Tài chính", Unit.Kind.DEPARTMENT),
    ("Sở Xây dựng", Unit.Kind.DEPARTMENT),
    ("Sở Nông nghiệp và Môi trường", Unit.Kind.DEPARTMENT),
    ("Sở Nội vụ", Unit.Kind.DEPARTMENT),
    ("Công an tỉnh", Unit.Kind.SPECIALISED_AGENCY),
]


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


@dataclass
class DemoReport:
    province: Unit
    logins: list[DemoLogin] = field(default_factory=list)
    procedures: int = 0


def _demo_identifier(unit: Unit, province_code: int) -> str:
    """000.00.00.X42 for the province, 673.18.00.X42 for commune 18673 (01: its service centre)."""
    suffix = "01" if unit.kind == Unit.Kind.SERVICE_CENTRE else "00"
    if unit.level == Unit.Level.PROVINCE:
        return f"000.00.{suffix}.X{province_code:02d}"
    return f"{unit.area_code[2:5]}.{unit.area_code[:2]}.{suffix}.X{province_code:02d}"


def _ensure_officer(
    report: DemoReport, username: str, unit: Unit, role: Role, full_name: str
) -> None:
    if not User.objects.filter(username=username).exists():
        officer_create(
            actor=None,
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            unit=unit,
            role=role,
            valid_from=TWO_TIER_START,
        )
    report.logins.append(DemoLogin(username, role.label, unit.name))


@transaction.atomic
def demo_load(*, province_code: int = DEMO_PROVINCE, communes_with_staff: int = 2) -> DemoReport:
    """Load (or complete) the demo data; running it again changes nothing."""
    units_load_divisions(province_codes=[province_code])
    committee = unit_find(code=f"{province_code:02d}")
    report = DemoReport(province=committee)

    subtree = list(unit_subtree(unit=committee).filter(valid_to__isnull=True))
    for unit in subtree:
        # Committees and service centres only: departments have no area code to derive one from.
        if not unit.identifier and unit.area_code:
            unit.identifier = _demo_identifier(unit, province_code)
            unit_update(unit=unit, parent_changed=False)
    committee.refresh_from_db()  # the loop above saved its own copy of it
    if not committee.working_hours:
        # Illustrative hours with a summer variant; each province sets its own.
        committee.working_hours = "07:30-11:30,13:30-17:00"
        committee.summer_working_hours = "07:00-11:30,14:00-17:30"
        committee.summer_from, committee.summer_to = "05-01", "09-30"
        committee.same_day_cutoff = dt.time(15, 0)
        committee.saturday_reception = "07:30-11:30"  # desks that open on Saturday mornings
        unit_update(unit=committee, parent_changed=False)
    existing = {unit.name for unit in subtree}
    for name, kind in DEPARTMENTS:
        if name not in existing:
            unit_create(
                name=name,
                level=Unit.Level.PROVINCE,
                kind=kind,
                parent=committee,
                valid_from=TWO_TIER_START,
            )

    today = clock.today()
    calendar_sync_package(years=list(range(2024, today.year + 3)))

    if not Procedure.objects.exists():
        fields, records = catalog_read_file(SHIPPED_CATALOGUE.read_bytes(), SHIPPED_CATALOGUE.name)
        catalog_import(fields=fields, records=records)
    in_force = list(procedure_versions_in_force(on=max(today, TWO_TIER_START)))
    report.procedures = len(in_force)
    by_level: dict[str, list[Procedure]] = {}
    for version in in_force:
        for level in version.level_list:
            by_level.setdefault(level, []).append(version.procedure)
    centres = [u for u in subtree if u.kind == Unit.Kind.SERVICE_CENTRE]
    for centre in centres:
        unit_procedures_assign(
            unit=centre, procedures=by_level.get(centre.level, []), valid_from=TWO_TIER_START
        )

    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            username="admin",
            password=DEMO_PASSWORD,
            email="admin@motcua.invalid",
            full_name="Quản trị hệ thống",
        )
    report.logins.append(DemoLogin("admin", "Quản trị hệ thống (toàn quyền)", "—"))
    province_centre = next(u for u in centres if u.level == Unit.Level.PROVINCE)
    _ensure_officer(report, "quantri.tinh", committee, Role.UNIT_ADMIN, "Nguyễn Văn Quản")
    _ensure_officer(report, "thanhtra.tinh", committee, Role.INSPECTOR, "Trần Thị Thanh")
    # Reception and the post work at the one-stop centre; specialists and leaders at the People's
    # Committee that resolves what the centre receives.
    _ensure_officer(report, "tiepnhan.tinh", province_centre, Role.RECEPTION, "Lê Thị Tiếp")
    _ensure_officer(report, "chuyenvien.tinh", committee, Role.SPECIALIST, "Phạm Văn Chuyên")
    _ensure_officer(report, "lanhdao.tinh", committee, Role.LEADER, "Hoàng Văn Lãnh")
    _ensure_officer(report, "buuchinh.tinh", province_centre, Role.POSTAL, "Đỗ Thị Bưu")
    commune_centres = sorted(
        (u for u in centres if u.level == Unit.Level.COMMUNE), key=lambda u: u.area_code
    )
    for centre in commune_centres[:communes_with_staff]:
        slug = fold(centre.name.split(" xã ")[-1].split(" phường ")[-1]).replace(" ", "")
        _ensure_officer(
            report, f"tiepnhan.{slug}", centre, Role.RECEPTION, f"Cán bộ một cửa {slug}"
        )
        committee_of_commune = centre.parent or centre
        _ensure_officer(
            report,
            f"chuyenvien.{slug}",
            committee_of_commune,
            Role.SPECIALIST,
            f"Chuyên viên {slug}",
        )
        _ensure_officer(
            report, f"lanhdao.{slug}", committee_of_commune, Role.LEADER, f"Lãnh đạo {slug}"
        )
        _ensure_officer(
            report, f"quantri.{slug}", committee_of_commune, Role.UNIT_ADMIN, f"Quản trị {slug}"
        )
    return report
