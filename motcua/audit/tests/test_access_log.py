"""Who saw what (issue 10 item 4): every opening, print, export and search of a dossier's personal
data is recorded, append-only, by one service; inspectors read it; ID numbers searched travel by
POST and are kept only as a keyed digest."""

from __future__ import annotations

import json
from io import StringIO
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client

from motcua.accounts.models import Role, User
from motcua.apiclients.models import ApiToken
from motcua.apiclients.services import api_token_create
from motcua.audit.models import Access, AccessRecord, Channel, QueryKind
from motcua.audit.services import (
    access_record,
    accessor_for_command,
    search_digest,
)
from motcua.calendars.tests.calendar_data import at

pytestmark = pytest.mark.django_db

NUMBER = "001099012345"  # the applicant's ID number in the desk's intakes


@pytest.fixture
def signed_in(db):
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def api(user: User, scope: str = "read") -> dict[str, str]:
    _, secret = api_token_create(scope=scope, user=user, name="Cổng dịch vụ công")
    return {"Authorization": f"Bearer {secret}"}


def only_record() -> AccessRecord:
    records = list(AccessRecord.objects.all())
    assert len(records) == 1, records
    return records[0]


def no_number_stored() -> None:
    for record in AccessRecord.objects.values():
        assert NUMBER not in json.dumps(record, default=str)


# ---------------------------------------------------------------------------------------------
# Officers' pages
# ---------------------------------------------------------------------------------------------


def test_opening_a_dossier_page_is_recorded(desk, receive, signed_in):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    assert signed_in(desk.specialist).get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
    record = only_record()
    assert (record.user, record.username, record.action) == (
        desk.specialist,
        "chuyenvien",
        Access.OPENED,
    )
    assert (record.dossier, record.channel, record.what) == (dossier, Channel.PAGE, "chi-tiet")
    assert record.address == "127.0.0.1"


def test_the_address_is_read_as_sign_in_reads_it(desk, receive, signed_in, settings):
    """Behind one trusted proxy, the entry it appended; what the client wrote is ignored."""
    settings.MOTCUA_TRUSTED_PROXIES = 1
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    signed_in(desk.specialist).get(
        f"/can-bo/ho-so/{dossier.code}/", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"}
    )
    assert only_record().address == "203.0.113.7"


def test_printing_a_form_or_the_register_is_recorded(desk, receive, signed_in):
    first = receive("1.004222", at(2026, 3, 2, 9))
    second = receive("1.004222", at(2026, 3, 3, 9))
    officer = signed_in(desk.reception)
    assert officer.get(f"/can-bo/ho-so/{first.code}/mau-01.pdf").status_code == 200
    record = only_record()
    assert (record.action, record.dossier, record.what) == (Access.PRINTED, first, "mau-01")
    response = officer.get(
        "/can-bo/so-theo-doi.pdf",
        {"unit": desk.unit.pk, "start": "2026-03-01", "end": "2026-03-31"},
    )
    assert response.status_code == 200
    printed = AccessRecord.objects.filter(what="so-theo-doi")
    assert {record.dossier for record in printed} == {first, second}


def test_an_access_that_cannot_be_recorded_is_not_served(desk, receive, signed_in):
    """Fail closed: no record, no page, no PDF."""
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    officer = signed_in(desk.specialist)
    with patch.object(AccessRecord.objects, "bulk_create", side_effect=DatabaseError("disk full")):
        for path in (f"/can-bo/ho-so/{dossier.code}/", f"/can-bo/ho-so/{dossier.code}/mau-01.pdf"):
            with pytest.raises(DatabaseError):
                officer.get(path)
    assert not AccessRecord.objects.exists()


def test_the_search_form_posts(desk, signed_in):
    page = signed_in(desk.reception).get("/can-bo/tong-quan/").content.decode()
    form = page[page.index('role="search"') - 200 : page.index('role="search"')]
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in page


def test_a_search_by_id_number_keeps_a_digest_never_the_number(desk, receive, signed_in):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.reception)
    page = client.get("/can-bo/tong-quan/")
    token = page.cookies["csrftoken"].value
    response = client.post("/can-bo/tong-quan/", {"q": NUMBER, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "1 hồ sơ" in response.content.decode()
    assert dossier.code in response.content.decode()
    record = only_record()
    assert (record.action, record.query_kind, record.results) == (
        Access.SEARCHED,
        QueryKind.ID_NUMBER,
        1,
    )
    assert record.query_digest == search_digest(NUMBER) != ""
    assert record.dossier is None
    no_number_stored()
    # Without the token the search is refused (CSRF).
    assert client.post("/can-bo/tong-quan/", {"q": NUMBER}).status_code == 403


def test_a_number_in_the_page_address_is_not_searched(desk, receive, signed_in):
    """An old bookmark: refused with a message, and the number leaves the address."""
    receive("1.004222", at(2026, 3, 2, 9))
    officer = signed_in(desk.reception)
    response = officer.get("/can-bo/tong-quan/", {"q": NUMBER, "status": "received"})
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/tong-quan/?status=received"
    page = officer.get(response["Location"]).content.decode()
    assert "phải dùng ô tra cứu" in page
    assert NUMBER not in page
    assert not AccessRecord.objects.filter(query_kind=QueryKind.ID_NUMBER).exists()


def test_a_posted_search_pages_by_post(desk, receive, signed_in):
    for minute in range(27):
        receive("1.004222", at(2026, 3, 2, 9, minute))
    officer = signed_in(desk.leader)
    page = officer.post("/can-bo/tong-quan/", {"q": NUMBER}).content.decode()
    assert "27 hồ sơ" in page
    assert "Trang 1/2" in page
    assert f'name="q" value="{NUMBER}"' in page  # the pager posts it again
    assert f"q={NUMBER}" not in page
    page = officer.post(
        "/can-bo/tong-quan/", {"q": NUMBER, "page": "2"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Trang 2/2" in page
    assert "000.12.34.H99-260302-0001" in page
    assert "000.12.34.H99-260302-0027" not in page
    assert AccessRecord.objects.filter(action=Access.SEARCHED, results=27).count() == 2


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def test_the_api_records_detail_history_and_searches_with_its_application(desk, receive, client):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    headers = api(desk.reception)
    prefix = ApiToken.objects.get().prefix
    assert client.get(f"/api/dossiers/{dossier.code}", headers=headers).status_code == 200
    assert client.get(f"/api/dossiers/{dossier.code}/events", headers=headers).status_code == 200
    assert client.get("/api/dossiers/", {"q": "nguyen"}, headers=headers).status_code == 200
    records = list(AccessRecord.objects.order_by("pk"))
    assert [(r.action, r.what, r.query_kind) for r in records] == [
        (Access.OPENED, "chi-tiet", ""),
        (Access.OPENED, "lich-su", ""),
        (Access.SEARCHED, "", QueryKind.NAME),
    ]
    assert {(r.channel, r.user, r.client) for r in records} == {
        (Channel.API, desk.reception, f"Cổng dịch vụ công ({prefix})")
    }
    assert records[2].results == 1


def test_the_api_searches_id_numbers_by_post_only(desk, receive, client):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    headers = api(desk.reception)  # a read-only token may search by POST
    refused = client.get("/api/dossiers/", {"q": NUMBER}, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["code"] == "search_by_post_required"
    assert not AccessRecord.objects.exists()
    found = client.post(
        "/api/dossiers/search", {"q": NUMBER}, content_type="application/json", headers=headers
    )
    assert found.status_code == 200, found.json()
    assert [item["ref"] for item in found.json()["items"]] == [dossier.code]
    record = only_record()
    assert (record.query_kind, record.query_digest, record.results) == (
        QueryKind.ID_NUMBER,
        search_digest(NUMBER),
        1,
    )
    no_number_stored()
    schema = client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/dossiers/search"]


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def test_commands_record_prints_and_exports(desk, receive, tmp_path):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    out = StringIO()
    call_command(
        "dossiers-pdf",
        dossier.code,
        "--form",
        "01",
        "--output",
        str(tmp_path / "a.pdf"),
        stdout=out,
    )
    call_command(
        "register-pdf",
        "--unit",
        "000.12.34.H99",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--output",
        str(tmp_path / "b.pdf"),
        stdout=out,
    )
    call_command(
        "dossiers",
        "export",
        "--unit",
        "000.12.34.H99",
        "--output",
        str(tmp_path / "c.jsonl"),
        stdout=out,
        stderr=out,
    )
    records = list(AccessRecord.objects.order_by("pk"))
    assert [(r.action, r.dossier, r.what, r.results) for r in records] == [
        (Access.PRINTED, dossier, "mau-01", None),
        (Access.PRINTED, dossier, "so-theo-doi", None),
        (Access.EXPORTED, None, "lich-su-ho-so don-vi=000.12.34.H99", 1),
    ]
    assert {(r.channel, r.user) for r in records} == {(Channel.COMMAND, None)}
    assert [r.client for r in records] == ["dossiers-pdf", "register-pdf", "dossiers export"]


# ---------------------------------------------------------------------------------------------
# Inspectors
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def inspectors(province, other_commune, make_officer):
    class Inspectors:
        provincial = make_officer(province, Role.INSPECTOR, "thanhtra.tinh")
        neighbour = make_officer(other_commune, Role.INSPECTOR, "thanhtra.xa2")

    return Inspectors


def test_inspectors_read_the_log_of_their_subtree(desk, receive, signed_in, inspectors):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    signed_in(desk.specialist).get(f"/can-bo/ho-so/{dossier.code}/")
    signed_in(desk.reception).post("/can-bo/tong-quan/", {"q": NUMBER})
    page = signed_in(inspectors.provincial).get("/can-bo/nhat-ky-truy-cap/").content.decode()
    assert "2 lượt truy cập" in page
    assert "chuyenvien" in page
    assert "tiepnhan" in page
    assert NUMBER not in page
    neighbour = signed_in(inspectors.neighbour).get("/can-bo/nhat-ky-truy-cap/").content.decode()
    assert "0 lượt truy cập" in neighbour
    assert signed_in(desk.leader).get("/can-bo/nhat-ky-truy-cap/").status_code == 403


def test_the_inspectors_filters_and_pages(desk, receive, signed_in, inspectors):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    other = receive("1.004222", at(2026, 3, 2, 10))
    by = accessor_for_command("test")
    for day in range(1, 31):
        access_record(
            by=by, action=Access.OPENED, dossiers=[dossier, other], at=at(2026, 4, day, 9)
        )
    signed_in(desk.specialist).get(f"/can-bo/ho-so/{dossier.code}/")
    inspector = signed_in(inspectors.provincial)

    def count(**filters: str) -> str:
        page = inspector.get("/can-bo/nhat-ky-truy-cap/", filters).content.decode()
        return page.split('id="result-count">')[1].split(" ")[0]

    assert count() == "61"
    assert count(officer="chuyenvien") == "1"
    assert count(dossier=other.code) == "30"
    assert count(date_from="2026-04-10", date_to="2026-04-11") == "4"
    page = inspector.get("/can-bo/nhat-ky-truy-cap/", {"dossier": other.code}).content.decode()
    assert "Trang 1/1" not in page
    page = inspector.get("/can-bo/nhat-ky-truy-cap/", {"page": 2}).content.decode()
    assert "Trang 2/2" in page


def test_a_dossier_page_shows_its_accesses_to_inspectors_only(desk, receive, signed_in, inspectors):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    signed_in(desk.specialist).get(f"/can-bo/ho-so/{dossier.code}/")
    page = signed_in(inspectors.provincial).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="nhat-ky-truy-cap"' in page
    assert "chuyenvien" in page
    assert "thanhtra.tinh" in page
    page = signed_in(desk.leader).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="nhat-ky-truy-cap"' not in page


def test_the_admin_shows_the_log_read_only_to_superusers(desk, receive, signed_in, inspectors):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    access_record(by=accessor_for_command("test"), action=Access.OPENED, dossiers=[dossier])
    record = only_record()
    root = User.objects.create_superuser(username="root", password="x" * 12)
    admin = signed_in(root)
    assert admin.get("/quan-tri/audit/accessrecord/").status_code == 200
    assert admin.get(f"/quan-tri/audit/accessrecord/{record.pk}/change/").status_code == 200
    assert admin.get("/quan-tri/audit/accessrecord/add/").status_code == 403
    assert admin.post(f"/quan-tri/audit/accessrecord/{record.pk}/delete/").status_code == 403
    assert signed_in(inspectors.provincial).get("/quan-tri/audit/accessrecord/").status_code in (
        302,
        403,
    )
