"""The officers' pages: who may open which, the work lists, the overview and search, a dossier's
page (summary, history, step timings), the PDF forms and the register."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Role, User
from motcua.apiclients.services import api_token_create
from motcua.backoffice.tests.conftest import act
from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Delivery, Dossier, Outcome
from motcua.dossiers.services import (
    Applicant,
    dossier_assign,
    dossier_complete_step,
    dossier_request_supplement,
    dossier_resolve,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "/can-bo/": {"reception", "specialist", "leader", "postal"},
    "/can-bo/tiep-nhan/": {"reception", "postal"},
    "/can-bo/tiep-nhan/moi/": {"reception"},
    "/can-bo/viec-cua-toi/": {"specialist", "leader"},
    "/can-bo/lanh-dao/": {"leader"},
    "/can-bo/tong-quan/": {"reception", "specialist", "leader", "postal"},
}


@pytest.mark.parametrize("url", list(PAGES))
def test_each_page_opens_for_its_roles_only(desk, client_for, url):
    for role in ("reception", "specialist", "leader", "postal"):
        response = client_for(getattr(desk, role)).get(url)
        expected = 200 if role in PAGES[url] else 403
        assert response.status_code == expected, (role, url)


@pytest.mark.parametrize("url", [*PAGES, "/can-bo/ho-so/000.12.34.H99-260302-0001/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={url}"


def test_an_account_without_a_role_is_refused(desk, client_for):
    nobody = User.objects.create_user(username="khach", password="x", is_staff=True)
    assert client_for(nobody).get("/can-bo/").status_code == 403
    assert client_for(nobody).get("/can-bo/tong-quan/").status_code == 403


def test_the_site_header_links_to_the_officers_screens(desk, client_for, client):
    assert "Màn hình cán bộ" in client_for(desk.reception).get("/").content.decode()
    assert "Màn hình cán bộ" not in client.get("/").content.decode()


def test_an_officer_of_another_commune_cannot_open_the_dossier(
    desk, receive, client_for, make_officer, other_commune
):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    stranger = client_for(make_officer(other_commune, Role.LEADER, "lanhdao.hai"))
    assert stranger.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    assert stranger.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf").status_code == 404
    response = act(stranger, dossier, "phe-duyet")
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version
    page = stranger.get(f"/can-bo/tong-quan/?q={dossier.code}").content.decode()
    assert "0 hồ sơ" in page


def test_the_dossier_page(desk, receive, client_for, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 2, 10))
    page = client_for(desk.reception).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Hồ sơ 000.12.34.H99-260302-0001" in page
    assert "Đăng ký thường trú" in page
    assert "001099012345" in page  # officers of the receiving unit see the citizen ID whole
    assert "Hạn trả theo quy định" in page
    assert "17:00 11/03/2026" in page
    assert "Tiếp nhận hồ sơ" in page  # the timeline
    assert "Cán bộ Tiếp nhận và trả kết quả (một cửa)" in page
    assert "In giấy tiếp nhận (Mẫu 01)" in page
    assert "Phiếu kiểm soát quá trình (Mẫu 06)" in page
    assert "Mẫu 04" not in page
    # Reception sees reception actions, not the leader's.
    assert 'id="thao-tac-rut-ho-so"' in page
    assert 'id="thao-tac-phe-duyet"' not in page
    page = client_for(desk.leader).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="thao-tac-phan-cong"' in page
    assert 'id="thao-tac-phe-duyet"' in page
    assert "Cán bộ Chuyên viên xử lý" in page  # the assignee choices


def test_the_tax_code_is_masked_on_the_page_as_in_the_api(desk, receive, client_for):
    """An individual's tax code is their personal number: the page shows it whole to exactly
    the officers the API shows it whole to, and masked the same way to the others."""
    dossier = receive(
        "1.004222",
        at(2026, 3, 2, 9),
        applicant=Applicant(name="Hộ kinh doanh Bình An", tax_code="8012345678"),
        delivery=Delivery.POST,
    )
    for officer, shown in ((desk.postal, "******5678"), (desk.reception, "8012345678")):
        page = client_for(officer).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        if officer == desk.postal:
            assert "8012345678" not in page
        assert f'id="tax-code">{shown}<' in page
        _, token = api_token_create(scope="act", user=officer, name="Thử")
        api = client_for(officer).get(
            f"/api/dossiers/{dossier.code}", headers={"Authorization": f"Bearer {token}"}
        )
        assert api.json()["applicant"]["tax_code"] == shown


def test_step_timings_flag_the_step_that_consumed_the_delay(desk, receive, client_for, frozen):
    dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
    dossier = dossier_assign(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        step=2,
        assignee=desk.specialist,
        at=at(2026, 2, 12, 9),
    )
    dossier = dossier_complete_step(
        dossier=dossier,
        actor=desk.specialist,
        expected_version=dossier.version,
        at=at(2026, 2, 26, 9),
    )
    dossier = dossier_resolve(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        outcome=Outcome.APPROVED,
        at=at(2026, 2, 27, 9),
    )
    frozen(at(2026, 2, 27, 10))
    page = client_for(desk.leader).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="timeliness">Quá hạn' in page
    assert "Thời gian xử lý từng bước" in page
    assert "2. Thẩm định, trình ký" in page
    assert "Bước gây chậm" in page
    assert '<tr class="culprit">' in page


def test_the_official_forms_as_pdf(desk, receive, client_for):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    officer = client_for(desk.reception)
    response = officer.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # No apology yet: Mẫu 04 does not exist for this dossier.
    assert officer.get(f"/can-bo/ho-so/{dossier.code}/mau-04.pdf").status_code == 404
    assert officer.get(f"/can-bo/ho-so/{dossier.code}/mau-09.pdf").status_code == 404


def test_the_register_of_a_unit(desk, receive, client_for, other_commune):
    receive("1.004222", at(2026, 3, 2, 9))
    officer = client_for(desk.reception)
    response = officer.get(
        "/can-bo/so-theo-doi.pdf",
        {"unit": desk.unit.pk, "start": "2026-03-01", "end": "2026-03-31"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # A unit the officer may not see, or a period upside down: a message on the overview.
    for query in (
        {"unit": other_commune.pk, "start": "2026-03-01", "end": "2026-03-31"},
        {"unit": desk.unit.pk, "start": "2026-03-31", "end": "2026-03-01"},
        {"unit": desk.unit.pk, "start": "9999-12-30", "end": "9999-12-31"},
        {"unit": "²", "start": "2026-03-01", "end": "2026-03-31"},
    ):
        response = officer.get("/can-bo/so-theo-doi.pdf", query)
        assert response.status_code == 302
        assert response["Location"] == "/can-bo/tong-quan/"
    page = officer.get("/can-bo/tong-quan/").content.decode()
    assert "Không in được sổ theo dõi" in page


@pytest.fixture
def workload(desk, receive):
    """On Mon 09/03/2026: one overdue, one due today, one due tomorrow, one waiting, one later;
    all assigned to the specialist (3 working days each)."""

    def assigned(received):
        dossier = receive("1.001612", received)
        return dossier_assign(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            step=2,
            assignee=desk.specialist,
            at=received.replace(hour=received.hour + 1),
        )

    overdue = assigned(at(2026, 3, 2, 9))  # due Thu 05/03
    today = assigned(at(2026, 3, 4, 9))  # due Mon 09/03
    tomorrow = assigned(at(2026, 3, 5, 9))  # due Tue 10/03
    later = assigned(at(2026, 3, 9, 8))  # due Thu 12/03
    waiting = assigned(at(2026, 3, 6, 9))
    waiting = dossier_request_supplement(
        dossier=waiting,
        actor=desk.specialist,
        expected_version=waiting.version,
        missing=["Tờ khai theo mẫu"],
        reason="Thiếu chữ ký",
        at=at(2026, 3, 6, 14),
    )
    unassigned = receive(
        "1.001612", at(2026, 3, 9, 8, 30), applicant=Applicant(name="Lê Văn Cường")
    )
    return {
        "overdue": overdue,
        "today": today,
        "tomorrow": tomorrow,
        "later": later,
        "waiting": waiting,
        "unassigned": unassigned,
    }


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    end = page.find("<section", start + 1)
    return page[start : end if end != -1 else None]


def test_my_work_is_grouped_by_urgency(desk, workload, client_for, frozen):
    frozen(at(2026, 3, 9, 10))
    page = client_for(desk.specialist).get("/can-bo/viec-cua-toi/").content.decode()
    assert "5 hồ sơ đang giao cho tôi" in page
    for anchor, key in [
        ("qua-han", "overdue"),
        ("den-han-hom-nay", "today"),
        ("den-han-1-ngay", "tomorrow"),
        ("cho-bo-sung", "waiting"),
        ("con-han", "later"),
    ]:
        part = section(page, anchor)
        assert workload[key].code in part, anchor
        others = [d.code for k, d in workload.items() if k != key]
        assert not any(code in part for code in others), anchor


def test_the_leader_lists(desk, workload, client_for, frozen):
    frozen(at(2026, 3, 9, 10))
    today = workload["today"]
    dossier_complete_step(
        dossier=today, actor=desk.specialist, expected_version=today.version, at=at(2026, 3, 9, 9)
    )
    page = client_for(desk.leader).get("/can-bo/lanh-dao/").content.decode()
    assert workload["unassigned"].code in section(page, "cho-phan-cong")
    assert workload["today"].code in section(page, "cho-phe-duyet")
    assert workload["overdue"].code not in page
    assert "Phiếu xin lỗi chờ ký (0)" in page


def test_the_reception_lists(desk, workload, client_for, frozen):
    frozen(at(2026, 3, 9, 10))
    page = client_for(desk.reception).get("/can-bo/tiep-nhan/").content.decode()
    assert "Chờ bổ sung, chờ thực hiện nghĩa vụ tài chính (1)" in page
    assert workload["waiting"].code in page


def test_the_overview_counts_and_warns(desk, workload, client_for, frozen):
    frozen(at(2026, 3, 9, 10))
    page = client_for(desk.leader).get("/can-bo/tong-quan/").content.decode()
    assert 'id="kpi-overdue">1<' in page
    assert 'id="kpi-soon">2<' in page
    assert 'id="kpi-open">6<' in page
    warned = page[page.index('id="canh-bao"') : page.index('id="tra-cuu"')]
    assert workload["today"].code in warned
    assert workload["tomorrow"].code in warned
    assert workload["overdue"].code not in warned
    assert "Chờ bổ sung hồ sơ" in page


def test_search_by_name_without_diacritics_code_id_status_and_dates(
    desk, workload, client_for, frozen
):
    frozen(at(2026, 3, 9, 10))
    officer = client_for(desk.reception)

    def found(**query):  # as the search form sends it: by POST (issue 10 item 4)
        page = officer.post(
            "/can-bo/tong-quan/", query, headers={"HX-Request": "true"}
        ).content.decode()
        return {key for key, dossier in workload.items() if dossier.code in page}

    assert found(q="le van cuong") == {"unassigned"}
    assert found(q="LÊ VĂN") == {"unassigned"}
    assert found(q="cuong le") == {"unassigned"}
    assert found(q="nguyen van an") == set(workload) - {"unassigned"}
    assert found(q=workload["today"].code) == {"today"}
    assert found(q="260302") == {"overdue"}
    assert found(q="001099012345") == set(workload) - {"unassigned"}
    assert found(status="supplement") == {"waiting"}
    assert found(received_from="2026-03-05", received_to="2026-03-06") == {"tomorrow", "waiting"}
    assert found(received_from="2026-03-09") == {"later", "unassigned"}
    # A malformed condition is ignored with a message, never an error page.
    for query in (
        {"received_from": "09/2026", "status": "bogus"},
        {"received_from": "0001-01-01", "received_to": "9999-12-31"},
    ):
        response = officer.get("/can-bo/tong-quan/", query)
        assert response.status_code == 200
        assert "Điều kiện tìm kiếm không hợp lệ" in response.content.decode()
    # A reference that only looks like a number is an unknown dossier, not an error.
    for ref in ("²", "9" * 30):
        assert officer.get(f"/can-bo/ho-so/{ref}/").status_code == 404


def test_search_results_are_paginated(desk, receive, client_for, frozen):
    for minute in range(27):
        receive("1.004222", at(2026, 3, 2, 9, minute))
    frozen(at(2026, 3, 2, 11))
    officer = client_for(desk.leader)
    page = officer.get("/can-bo/tong-quan/").content.decode()
    assert "27 hồ sơ" in page
    assert "Trang 1/2" in page
    page = officer.get("/can-bo/tong-quan/", {"page": 2}).content.decode()
    assert "000.12.34.H99-260302-0001" in page
    assert "000.12.34.H99-260302-0027" not in page


def test_an_officer_may_work_in_english_while_the_forms_stay_vietnamese(
    desk, receive, client_for, settings
):
    from motcua.documents.tests.conftest import read_pdf

    dossier = receive("1.004222", at(2026, 3, 2, 9))
    officer = client_for(desk.leader)
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = officer.get("/can-bo/").content.decode()
    assert "Officers&#x27; home" in home or "Officers' home" in home
    assert "Màn hình cán bộ" not in home
    page = officer.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    for english in ("Dossier details", "Processing history", "Assign", "At the one-stop desk"):
        assert english in page
    assert "Thông tin hồ sơ" not in page
    receipt = read_pdf(officer.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf").content).flat
    assert "Tại Bộ phận Một cửa" in receipt  # an official form is Vietnamese, always
    assert "one-stop desk" not in receipt
    # Vietnamese remains the default.
    assert (
        "Thông tin hồ sơ"
        in client_for(desk.leader).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    )
