"""The unit tree, the divisions loader and reorganisations (handbook §11)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.accounts.models import Membership, Role
from motcua.core.errors import Conflict, InvalidInput, NotFound
from motcua.units.models import Unit, UnitSuccession
from motcua.units.selectors import (
    unit_ancestors,
    unit_find,
    unit_predecessors,
    unit_province,
    unit_subtree,
    unit_successors_on,
)
from motcua.units.services import (
    unit_create,
    unit_merge,
    unit_move,
    unit_rename,
    unit_split,
    unit_update,
    units_load_divisions,
)

pytestmark = pytest.mark.django_db
CUTOVER = dt.date(2026, 1, 1)


def commune_named(province: Unit, name: str, area: str) -> Unit:
    return unit_create(
        name=name,
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        parent=province,
        area_code=area,
        valid_from=dt.date(2025, 7, 1),
    )


def test_the_tree_keeps_materialised_paths(province, commune):
    centre = unit_create(
        name="Trung tâm PVHCC xã Một",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.SERVICE_CENTRE,
        parent=commune,
    )
    assert centre.path == f"/{province.pk}/{commune.pk}/{centre.pk}/"
    assert centre.depth == 2
    assert [u.pk for u in unit_ancestors(unit=centre)] == [province.pk, commune.pk, centre.pk]
    assert unit_province(unit=centre) == province
    assert set(unit_subtree(unit=province)) == {province, commune, centre}


def test_moving_a_unit_moves_its_subtree(province, commune, other_commune):
    centre = unit_create(
        name="Điểm tiếp nhận",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.RECEPTION_POINT,
        parent=commune,
    )
    unit_move(unit=commune, new_parent=other_commune)
    centre.refresh_from_db()
    assert centre.path == f"/{province.pk}/{other_commune.pk}/{commune.pk}/{centre.pk}/"
    with pytest.raises(InvalidInput):
        unit_move(unit=other_commune, new_parent=centre)


@pytest.mark.parametrize("identifier", ["H99", "000.12.34", "000.12.34.99", "abc.de.fg.H99"])
def test_a_malformed_identifier_is_refused(identifier):
    with pytest.raises(InvalidInput, match="Mã định danh"):
        unit_create(
            name="X",
            level=Unit.Level.COMMUNE,
            kind=Unit.Kind.PEOPLES_COMMITTEE,
            identifier=identifier,
        )


def test_an_identifier_is_unique_among_open_units(commune):
    with pytest.raises(InvalidInput):
        unit_create(
            name="Trùng mã",
            level=Unit.Level.COMMUNE,
            kind=Unit.Kind.PEOPLES_COMMITTEE,
            identifier=commune.identifier,
        )


def test_unit_find_accepts_identifier_area_code_or_id(province, commune):
    assert unit_find(code="000.12.34.H99") == commune
    assert unit_find(code="99001") == commune
    assert unit_find(code="99") == province
    with pytest.raises(NotFound):
        unit_find(code=str(commune.pk))  # a database id is not a code
    with pytest.raises(NotFound):
        unit_find(code="12345678")


def test_the_loader_builds_a_province_and_its_communes_once():
    counts = units_load_divisions(province_codes=[42])
    assert counts == {"created": 140, "existing": 0}  # Hà Tĩnh: 69 communes, each with its centre
    committee = unit_find(code="42")
    assert committee.name == "Ủy ban nhân dân tỉnh Hà Tĩnh"
    assert committee.valid_from == dt.date(2025, 7, 1)
    communes = unit_subtree(unit=committee).filter(
        level=Unit.Level.COMMUNE, kind=Unit.Kind.PEOPLES_COMMITTEE
    )
    assert communes.count() == 69
    assert all(len(u.area_code) == 5 for u in communes)
    assert units_load_divisions(province_codes=[42]) == {"created": 0, "existing": 140}


def test_the_loader_names_city_wards():
    units_load_divisions(province_codes=[46], service_centres=False)
    assert unit_find(code="46").name == "Ủy ban nhân dân thành phố Huế"
    assert Unit.objects.filter(name__startswith="Ủy ban nhân dân phường ").exists()


def test_the_loader_refuses_an_unknown_province():
    with pytest.raises(InvalidInput, match="99"):
        units_load_divisions(province_codes=[99])


def test_the_units_command(capsys):
    out = StringIO()
    call_command("units", "load", "--province", "12", stdout=out)
    assert "Đã tạo 78 đơn vị" in out.getvalue()  # Lai Châu: 38 communes
    with pytest.raises(CommandError, match="mã tỉnh"):
        call_command("units", "load", "--province", "Lai Châu")


def test_a_rename_closes_the_old_row_and_keeps_the_history(province, commune, make_officer):
    officer = make_officer(commune, Role.RECEPTION)
    renamed = unit_rename(
        unit=commune,
        new_name="Ủy ban nhân dân xã Một Mới",
        effective_date=CUTOVER,
        legal_basis="NQ 1/NQ-UBTVQH",
    )
    commune.refresh_from_db()
    assert commune.valid_to == dt.date(2025, 12, 31)
    assert renamed.identifier == commune.identifier  # the identifier carries over
    assert renamed.valid_from == CUTOVER
    assert unit_find(code=commune.identifier, on=dt.date(2025, 12, 1)) == commune
    assert unit_find(code=commune.identifier, on=dt.date(2026, 2, 1)) == renamed
    assert unit_successors_on(unit=commune, on=dt.date(2026, 2, 1)) == [renamed]
    assert unit_successors_on(unit=commune, on=dt.date(2025, 12, 1)) == [commune]
    moved = Membership.objects.get(user=officer, unit=renamed)
    assert moved.valid_from == CUTOVER
    assert moved.valid_to is None
    assert Membership.objects.get(user=officer, unit=commune).valid_to == dt.date(2025, 12, 31)


def test_a_merge_rolls_history_up_to_the_successor(province, commune, other_commune, make_officer):
    officer = make_officer(other_commune, Role.SPECIALIST)
    merged = commune_named(province, "Ủy ban nhân dân xã Hợp Nhất", "99003")
    unit_merge(
        predecessors=[commune, other_commune],
        successor=merged,
        effective_date=CUTOVER,
        legal_basis="NQ 2/NQ-UBTVQH",
    )
    assert unit_successors_on(unit=commune, on=CUTOVER) == [merged]
    assert set(unit_predecessors(unit=merged)) == {commune, other_commune}
    assert (
        UnitSuccession.objects.filter(successor=merged, kind=UnitSuccession.Kind.MERGE).count() == 2
    )
    membership = Membership.objects.get(user=officer)
    assert membership.valid_to == dt.date(2025, 12, 31)  # roles end at the cut-over
    with pytest.raises(Conflict):
        unit_merge(
            predecessors=[commune],
            successor=merged,
            effective_date=dt.date(2026, 6, 1),
            legal_basis="x",
        )


def test_a_merge_needs_a_legal_basis(province, commune):
    merged = commune_named(province, "Ủy ban nhân dân xã B", "99004")
    with pytest.raises(InvalidInput, match="căn cứ pháp lý"):
        unit_merge(
            predecessors=[commune], successor=merged, effective_date=CUTOVER, legal_basis=" "
        )
    commune.refresh_from_db()
    assert commune.valid_to is None  # nothing was half-applied


def test_a_split_rolls_up_to_every_successor(province, commune):
    first = commune_named(province, "Ủy ban nhân dân xã Bắc", "99005")
    second = commune_named(province, "Ủy ban nhân dân xã Nam", "99006")
    unit_split(
        predecessor=commune,
        successors=[first, second],
        effective_date=CUTOVER,
        legal_basis="NQ 3/NQ-UBTVQH",
    )
    assert unit_successors_on(unit=commune, on=dt.date(2026, 3, 1)) == sorted(
        [first, second], key=lambda u: u.pk
    )
    with pytest.raises(InvalidInput):
        unit_split(
            predecessor=first,
            successors=[second],
            effective_date=dt.date(2026, 6, 1),
            legal_basis="x",
        )


def test_the_units_api(client, province, commune):
    response = client.get("/api/units/", {"under": "99"})
    assert response.status_code == 200
    assert [u["name"] for u in response.json()["items"]] == [province.name, commune.name]
    assert client.get("/api/units/000.12.34.H99").json()["area_code"] == "99001"
    missing = client.get("/api/units/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "unit_not_found",
        "detail": "Không tìm thấy đơn vị có mã 'nope'.",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("working_hours", "08:00-12:00,11:00-17:00"),
        ("working_hours", "25:00-26:00"),
        ("working_hours", "12:00-08:00"),
    ],
)
def test_working_hours_the_clock_cannot_read_are_refused(commune, field, value):
    setattr(commune, field, value)
    with pytest.raises(InvalidInput):
        unit_update(unit=commune, parent_changed=False)


def test_a_summer_date_must_exist(commune):
    commune.working_hours = "07:30-11:30,13:30-17:00"
    commune.summer_working_hours = "07:00-11:00,14:00-17:30"
    commune.summer_from, commune.summer_to = "13-45", "09-30"
    with pytest.raises(InvalidInput):
        unit_update(unit=commune, parent_changed=False)
