"""Receiving a dossier at the counter: the checklist follows the procedure, missing papers are
listed (Mẫu 02 guidance) with what was typed kept, a complete dossier gets its code and receipt."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Role
from motcua.calendars.tests.calendar_data import at
from motcua.catalog.models import Procedure
from motcua.catalog.services import unit_procedures_assign
from motcua.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db

URL = "/can-bo/tiep-nhan/moi/"


def typed(**changes):
    data = {
        "receiving_unit": "",
        "procedure": "1.000894",
        "applicant_name": "Trần Thị Bình",
        "applicant_kind": "citizen",
        "applicant_id_number": "001199012345",
        "applicant_phone": "0912 345 678",
        "applicant_email": "binh@example.invalid",
        "applicant_address": "Thôn 2, xã Một",
        "delivery": "counter",
        "c1": "on",
        "c1_originals": "1",
        "c1_copies": "0",
        "c1_digitised": "on",
        "c2": "on",
        "c2_originals": "0",
        "c2_copies": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def counter(desk, client_for, frozen):
    frozen(at(2026, 3, 2, 9, 30))
    return client_for(desk.reception)


def test_the_form_offers_every_procedure_in_force_when_none_is_assigned(counter, desk):
    page = counter.get(URL).content.decode()
    assert "Đăng ký kết hôn (1.000894)" in page
    assert "Đăng ký thường trú (1.004222)" in page
    assert f'name="receiving_unit" value="{desk.unit.pk}"' in page
    assert 'hx-get="/can-bo/tiep-nhan/thanh-phan/"' in page


def test_the_form_offers_the_procedures_the_unit_receives(counter, desk):
    unit_procedures_assign(
        unit=desk.unit,
        procedures=list(Procedure.objects.filter(code="1.000894")),
        valid_from=dt.date(2025, 7, 1),
    )
    page = counter.get(URL).content.decode()
    assert "Đăng ký kết hôn (1.000894)" in page
    assert "Đăng ký thường trú" not in page


def test_the_checklist_follows_the_procedure(counter):
    response = counter.get(
        "/can-bo/tiep-nhan/thanh-phan/?procedure=1.000894", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="components"')
    assert "Tờ khai theo mẫu" in page
    assert "Giấy tờ chứng minh nơi cư trú" in page
    assert 'aria-label="Đã số hóa: Tờ khai theo mẫu"' in page
    assert "Chọn thủ tục" in counter.get("/can-bo/tiep-nhan/thanh-phan/").content.decode()


def test_without_script_the_checklist_is_one_button_away(counter):
    response = counter.post(URL, typed(load="1", c1=None, c2=None))
    assert response.status_code == 200
    assert "Giấy tờ chứng minh nơi cư trú" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_complete_dossier_is_received_with_its_code_and_receipt(counter, desk):
    response = counter.post(URL, typed())
    dossier = Dossier.objects.get()
    assert dossier.code == "000.12.34.H99-260302-0001"
    assert dossier.status == Status.RECEIVED
    assert dossier.applicant_name == "Trần Thị Bình"
    assert dossier.delivery == "counter"
    assert dossier.components[0]["digitised"] is True
    assert dossier.components[1]["copies"] == 1
    assert response.status_code == 302
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    page = counter.get(response["Location"]).content.decode()
    assert "Đã tiếp nhận hồ sơ 000.12.34.H99-260302-0001, hẹn trả 17:00 ngày 09/03/2026." in page
    assert "In giấy tiếp nhận (Mẫu 01)" in page
    assert f"/can-bo/ho-so/{dossier.code}/mau-01.pdf" in page


def test_missing_papers_are_listed_and_what_was_typed_is_kept(counter):
    response = counter.post(URL, typed(c2=None))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Dossier.objects.exists()
    assert "Hồ sơ chưa đầy đủ — hướng dẫn bổ sung, hoàn thiện (Mẫu 02)" in page
    assert "<li>Giấy tờ chứng minh nơi cư trú</li>" in page
    assert 'value="Trần Thị Bình"' in page
    assert 'value="001199012345"' in page
    assert 'value="Thôn 2, xã Một"' in page
    assert 'name="c1" id="id_c1" checked' in page
    assert (
        'name="c1_digitised" aria-label="Đã số hóa: Tờ khai theo mẫu" id="id_c1_digitised" checked'
        in page
    )
    assert '<option value="1.000894" selected>' in page


def test_a_malformed_citizen_id_is_refused_on_the_form(counter):
    response = counter.post(URL, typed(applicant_id_number="12345"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Số định danh cá nhân (CCCD) gồm đúng 12 chữ số 0–9." in page
    assert not Dossier.objects.exists()


def test_a_refusal_at_the_counter_is_recorded_with_its_reason(counter):
    response = counter.post(
        URL, typed(c2=None, refuse="1", refusal_reason="Thủ tục không thuộc thẩm quyền của xã")
    )
    dossier = Dossier.objects.get()
    assert dossier.status == Status.NOT_RECEIVED
    assert dossier.code is None
    assert response["Location"] == f"/can-bo/ho-so/{dossier.pk}/"
    page = counter.get(response["Location"]).content.decode()
    assert "Phiếu từ chối tiếp nhận (Mẫu 03)" in page
    assert "Thủ tục không thuộc thẩm quyền của xã" in page


def test_a_refusal_needs_a_reason(counter):
    response = counter.post(URL, typed(refuse="1", refusal_reason=""))
    assert response.status_code == 200
    assert "Cần ghi rõ lý do." in response.content.decode()
    assert not Dossier.objects.exists()


def test_only_reception_officers_use_the_counter(desk, client_for, make_officer, other_commune):
    assert client_for(desk.specialist).get(URL).status_code == 403
    assert client_for(desk.leader).get("/can-bo/tiep-nhan/thanh-phan/").status_code == 403
    # An officer of another commune cannot receive for this one: the unit is not a choice.
    stranger = make_officer(other_commune, Role.RECEPTION, "tiepnhan.hai")
    response = client_for(stranger).post(URL, typed(receiving_unit=str(desk.unit.pk)))
    assert response.status_code == 200
    assert "Thông tin chưa hợp lệ" in response.content.decode()
    assert not Dossier.objects.exists()
    # Their own desk is the default.
    response = client_for(stranger).post(URL, typed())
    assert Dossier.objects.get().receiving_unit == other_commune
