"""Issue 7 item 4 through the officers' screens: a kết hôn dossier switched to the verification
case at the counter (Luật Hộ tịch 2014 Điều 18 khoản 2) is on time on day 5; its page and its
control slip (Mẫu 06 of TT 03/2025) say so."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.backoffice.tests.conftest import act
from motcua.calendars.tests.calendar_data import at
from motcua.documents.services import render_dossier_form
from motcua.documents.tests.test_forms import read_pdf
from motcua.dossiers.models import Dossier, Timeliness
from motcua.dossiers.tests.fixtures import MARRIAGE

pytestmark = pytest.mark.django_db

URL = "/can-bo/tiep-nhan/moi/"


def typed(**changes):
    data = {
        "procedure": MARRIAGE,
        "applicant_name": "Trần Thị Bình",
        "applicant_kind": "citizen",
        "applicant_id_number": "001199012345",
        "applicant_phone": "0912345678",
        "delivery": "counter",
        "c1": "on",
        "c1_originals": "1",
        "c1_copies": "0",
        "c2": "on",
        "c2_originals": "0",
        "c2_copies": "1",
    }
    data.update(changes)
    return data


def test_the_counter_offers_the_case_and_needs_its_reason(marriage, client_for, frozen):
    frozen(at(2026, 3, 2, 9))
    counter = client_for(marriage.reception)
    checklist = counter.get(f"/can-bo/tiep-nhan/thanh-phan/?procedure={MARRIAGE}").content
    assert "Trường hợp cần xác minh điều kiện kết hôn: 05 ngày làm việc" in checklist.decode()
    page = counter.post(URL, typed(limit_case="xac_minh")).content.decode()
    assert "Cần ghi lý do khi áp dụng trường hợp thời hạn khác." in page
    assert not Dossier.objects.exists()  # nothing half-saved


def test_switched_at_the_counter_on_time_on_day_5(marriage, client_for, frozen):
    frozen(at(2026, 3, 2, 9))
    counter = client_for(marriage.reception)
    response = counter.post(
        URL,
        typed(limit_case="xac_minh", limit_case_reason="Cần xác minh tình trạng hôn nhân"),
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.due_date == dt.date(2026, 3, 9)  # Tue 03 (1) … Mon 09 (5)

    leader = client_for(marriage.leader)
    frozen(at(2026, 3, 9, 15))
    act(leader, dossier, "phe-duyet")
    dossier.refresh_from_db()
    assert dossier.timeliness == Timeliness.ON_TIME
    page = counter.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Đúng hạn" in page
    assert "Trường hợp cần xác minh điều kiện kết hôn" in page
    slip = read_pdf(render_dossier_form(form="06", dossier=dossier, now=at(2026, 3, 9, 16))).flat
    assert "Đúng hạn" in slip
    assert "09/03/2026" in slip  # the lawful due date of the verification case


def test_a_handler_switches_later_from_the_dossier_page(marriage, client_for, frozen):
    frozen(at(2026, 3, 2, 9))
    counter = client_for(marriage.reception)
    counter.post(URL, typed())
    dossier = Dossier.objects.get()
    assert dossier.due_date == dt.date(2026, 3, 2)  # the general limit: the same day
    specialist = client_for(marriage.specialist)
    page = specialist.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Áp dụng trường hợp thời hạn khác" in page
    frozen(at(2026, 3, 2, 10))
    act(specialist, dossier, "doi-thoi-han", case="xac_minh", reason="Cần xác minh")
    dossier.refresh_from_db()
    assert dossier.due_date == dt.date(2026, 3, 9)
    home = specialist.get("/can-bo/").content.decode()
    assert dossier.code in home  # told: its due date moved
