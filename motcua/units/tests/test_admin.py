"""The back office for units and calendar data, through the Django admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.calendars.models import CalendarChange, CalendarDay
from motcua.calendars.services import calendar_sync_package
from motcua.units.models import Unit, UnitSuccession
from motcua.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/quan-tri/units/unit/",
        "/quan-tri/units/unit/add/",
        "/quan-tri/units/unitsuccession/",
        "/quan-tri/accounts/user/",
        "/quan-tri/accounts/membership/",
        "/quan-tri/accounts/membership/add/",
        "/quan-tri/calendars/calendarday/",
        "/quan-tri/calendars/calendarday/add/",
        "/quan-tri/calendars/calendarday/import/",
        "/quan-tri/calendars/calendaryear/",
        "/quan-tri/calendars/calendarchange/",
    ],
)
def test_back_office_pages_open(client, superuser, commune, path):
    client.force_login(superuser)
    assert client.get(path).status_code == 200


def test_adding_a_unit_computes_its_place_in_the_tree(client, superuser, province):
    client.force_login(superuser)
    response = client.post(
        "/quan-tri/units/unit/add/",
        {
            "name": "Sở Tư pháp",
            "parent": province.pk,
            "level": "province",
            "kind": "department",
            "area_code": "",
            "identifier": "000.01.00.H99",
            "successions_out-TOTAL_FORMS": "0",
            "successions_out-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="Sở Tư pháp")
    assert unit.path == f"/{province.pk}/{unit.pk}/"


def test_a_bad_working_hours_value_is_a_form_error(client, superuser, commune):
    client.force_login(superuser)
    data = {
        "name": commune.name,
        "parent": commune.parent_id,
        "level": commune.level,
        "kind": commune.kind,
        "identifier": commune.identifier,
        "area_code": commune.area_code,
        "working_hours": "8h-12h",
        "successions_out-TOTAL_FORMS": "0",
        "successions_out-INITIAL_FORMS": "0",
    }
    response = client.post(f"/quan-tri/units/unit/{commune.pk}/change/", data)
    assert response.status_code == 200
    assert "working_hours" in response.context["adminform"].form.errors
    commune.refresh_from_db()
    assert commune.working_hours == ""


def test_the_reorganise_action_merges_units(client, superuser, province, commune, other_commune):
    successor = unit_create(
        name="Ủy ban nhân dân xã Hợp Nhất",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        parent=province,
        valid_from=dt.date(2025, 7, 1),
    )
    client.force_login(superuser)
    selection = {"action": "reorganise", "_selected_action": [commune.pk, other_commune.pk]}
    form_page = client.post("/quan-tri/units/unit/", selection)
    assert form_page.status_code == 200
    assert "Sắp xếp lại đơn vị" in form_page.content.decode()
    missing_basis = client.post(
        "/quan-tri/units/unit/",
        {
            **selection,
            "confirm": "1",
            "kind": "merge",
            "effective_date": "2026-01-01",
            "successors": [successor.pk],
        },
    )
    assert missing_basis.status_code == 200  # the form again, nothing changed
    assert not UnitSuccession.objects.exists()
    done = client.post(
        "/quan-tri/units/unit/",
        {
            **selection,
            "confirm": "1",
            "kind": "merge",
            "effective_date": "2026-01-01",
            "legal_basis": "NQ 9/NQ-UBTVQH",
            "successors": [successor.pk],
        },
    )
    assert done.status_code == 302
    assert UnitSuccession.objects.filter(successor=successor).count() == 2
    commune.refresh_from_db()
    assert commune.valid_to == dt.date(2025, 12, 31)


def test_a_commune_admin_sees_only_their_subtree(
    client, province, commune, other_commune, make_officer
):
    admin = make_officer(commune, Role.UNIT_ADMIN)
    client.force_login(admin)
    listing = client.get("/quan-tri/units/unit/").content.decode()
    assert commune.name in listing
    assert other_commune.name not in listing
    assert client.get(f"/quan-tri/units/unit/{other_commune.pk}/change/").status_code == 302


def test_importing_a_calendar_file_in_the_admin(client, superuser):
    client.force_login(superuser)
    good = SimpleUploadedFile(
        "2027.csv",
        b"date,kind,name,legal_basis\n2027-03-08,day_off,Ngay nghi thu nghiem,QD 1\n",
    )
    response = client.post(
        "/quan-tri/calendars/calendarday/import/", {"file": good, "confirm": "1"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=dt.date(2027, 3, 8)).exists()
    bad = SimpleUploadedFile("bad.csv", b"date,kind,name,legal_basis\n2027-03-40,holiday,X,Y\n")
    response = client.post(
        "/quan-tri/calendars/calendarday/import/", {"file": bad, "confirm": "1"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("dòng 2, trường date:") for m in messages), messages


def test_confirming_an_announced_day_in_the_admin(client, superuser):
    calendar_sync_package(years=[2026])
    day = CalendarDay.objects.get(date=dt.date(2026, 11, 24))
    client.force_login(superuser)
    listing = client.get("/quan-tri/calendars/calendarday/").content.decode()
    assert "chờ xác nhận" in listing
    response = client.post(
        "/quan-tri/calendars/calendarday/",
        {
            "action": "confirm_days",
            "_selected_action": [day.pk],
        },
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.status == CalendarDay.Status.OFFICIAL
    assert CalendarChange.objects.filter(action="confirm").exists()
