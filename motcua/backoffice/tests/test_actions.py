"""Every action of the dossier page goes through its service; a refusal (stale version, illegal
transition, role) is a page message and changes nothing; bad input re-shows the form."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Role
from motcua.backoffice.tests.conftest import act
from motcua.calendars.tests.calendar_data import at
from motcua.dossiers.models import Channel, Delivery, Dossier, Outcome, Status, Timeliness
from motcua.dossiers.projection import EventType
from motcua.dossiers.services import dossier_submit
from motcua.dossiers.tests.conftest import intake_for

pytestmark = pytest.mark.django_db


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def messages_of(client, dossier: Dossier) -> str:
    return client.get(f"/can-bo/ho-so/{dossier.code or dossier.pk}/").content.decode()


@pytest.fixture
def officers(desk, client_for):
    class Clients:
        reception = client_for(desk.reception)
        specialist = client_for(desk.specialist)
        leader = client_for(desk.leader)
        postal = client_for(desk.postal)

    return Clients


def test_the_whole_way_at_the_counter(desk, receive, officers, frozen):
    """Receipt, assignment, a supplement, processing, payment, approval, return."""
    dossier = receive("1.001612", at(2026, 1, 5, 9))
    frozen(at(2026, 1, 5, 10))
    response = act(
        officers.leader, dossier, "phan-cong", step="2", assignee=str(desk.specialist.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    dossier = fresh(dossier)
    assert (dossier.status, dossier.assignee, dossier.current_step) == (
        Status.PROCESSING,
        desk.specialist,
        2,
    )

    frozen(at(2026, 1, 6, 14))
    act(
        officers.specialist,
        dossier,
        "yeu-cau-bo-sung",
        missing=["Giấy tờ chứng minh nơi cư trú"],
        reason="Bản sao không rõ nét",
    )
    dossier = fresh(dossier)
    assert dossier.status == Status.SUPPLEMENT
    page = messages_of(officers.specialist, dossier)
    assert "Đã yêu cầu bổ sung hồ sơ" in page
    assert "Phiếu yêu cầu bổ sung (Mẫu 02)" in page

    frozen(at(2026, 1, 12, 10))
    act(officers.reception, dossier, "nhan-bo-sung", papers=["Giấy tờ chứng minh nơi cư trú"])
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at == at(2026, 1, 15, 17)  # restart: 3 working days from 12/01

    frozen(at(2026, 1, 13, 9))
    act(
        officers.specialist,
        dossier,
        "yeu-cau-nghia-vu-tai-chinh",
        amount="50000",
        description="Lệ phí",
    )
    assert fresh(dossier).status == Status.PAYMENT
    frozen(at(2026, 1, 13, 11))
    act(officers.reception, fresh(dossier), "nhan-nghia-vu-tai-chinh", receipt_number="BL-0001")
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING

    act(officers.specialist, dossier, "hoan-thanh-buoc", note="Đủ điều kiện")
    dossier = fresh(dossier)
    assert dossier.assignee is None

    frozen(at(2026, 1, 14, 16))
    act(officers.leader, dossier, "phe-duyet")
    dossier = fresh(dossier)
    assert (dossier.status, dossier.outcome, dossier.timeliness) == (
        Status.RESOLVED,
        Outcome.APPROVED,
        Timeliness.EARLY,
    )

    frozen(at(2026, 1, 15, 8))
    act(officers.reception, dossier, "tra-ket-qua", recipient="Nguyễn Văn An")
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED
    page = messages_of(officers.reception, dossier)
    assert "Đã trả kết quả hồ sơ" in page
    assert "Người nhận: Nguyễn Văn An" in page
    types = list(dossier.events.order_by("seq").values_list("type", flat=True))
    assert types == [
        EventType.RECEIVED,
        EventType.ASSIGNED,
        EventType.SUPPLEMENT_REQUESTED,
        EventType.SUPPLEMENT_RECEIVED,
        EventType.PAYMENT_REQUESTED,
        EventType.PAYMENT_RECEIVED,
        EventType.STEP_COMPLETED,
        EventType.RESOLVED,
        EventType.RETURNED,
    ]


def test_online_dossiers_are_accepted_or_refused_from_the_reception_list(desk, officers, frozen):
    first, second = (
        dossier_submit(
            intake=intake_for(
                desk, "1.001193", channel=Channel.ONLINE, delivery=Delivery.ELECTRONIC
            ),
            actor=None,
            at=at(2026, 3, 13, 16, 20),
        )
        for _ in range(2)
    )
    page = officers.reception.get("/can-bo/tiep-nhan/").content.decode()
    assert "Hồ sơ trực tuyến, bưu chính chờ tiếp nhận (2)" in page
    assert f'action="/can-bo/ho-so/{first.pk}/tiep-nhan/"' in page

    frozen(at(2026, 3, 16, 8, 15))
    response = officers.reception.post(
        f"/can-bo/ho-so/{first.pk}/tiep-nhan/",
        {"tiep-nhan-version": first.version, "next": "/can-bo/tiep-nhan/"},
    )
    assert response["Location"] == "/can-bo/tiep-nhan/"
    first = fresh(first)
    assert first.code == "000.12.34.H99-260316-0001"
    assert first.due_at == at(2026, 3, 16, 17)

    response = officers.reception.post(
        f"/can-bo/ho-so/{second.pk}/tu-choi-tiep-nhan/",
        {
            "tu-choi-tiep-nhan-version": second.version,
            "tu-choi-tiep-nhan-reason": "Sai thẩm quyền",
            "next": "https://example.invalid/",
        },
    )
    assert response["Location"] == f"/can-bo/ho-so/{second.pk}/"  # no open redirect
    assert fresh(second).status == Status.NOT_RECEIVED
    page = officers.reception.get("/can-bo/tiep-nhan/").content.decode()
    assert "Hồ sơ trực tuyến, bưu chính chờ tiếp nhận (0)" in page


def test_a_stale_version_is_a_message_and_changes_nothing(desk, receive, officers, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 2, 10))
    shown = dossier.version
    act(officers.leader, dossier, "phan-cong", step="2", assignee=str(desk.specialist.pk))
    # A second leader's screen still shows the old version.
    response = act(
        officers.leader, dossier, "phan-cong", version=shown, step="2", assignee=str(desk.leader.pk)
    )
    assert response.status_code == 302
    page = officers.leader.get(response["Location"]).content.decode()
    assert "vừa được người khác cập nhật" in page
    dossier = fresh(dossier)
    assert dossier.assignee == desk.specialist
    assert dossier.events.count() == 2


def test_an_illegal_transition_is_a_message_and_changes_nothing(desk, receive, officers, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 2, 10))
    response = act(officers.reception, dossier, "tra-ket-qua")
    assert response.status_code == 302
    page = officers.reception.get(response["Location"]).content.decode()
    assert "Không thể trả kết quả hồ sơ" in page
    assert fresh(dossier).version == dossier.version


def test_a_missing_role_is_a_message_and_changes_nothing(desk, receive, officers, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 2, 10))
    response = act(officers.specialist, dossier, "phe-duyet")
    page = officers.specialist.get(response["Location"]).content.decode()
    assert "Chỉ lãnh đạo của Ủy ban nhân dân xã Một được phê duyệt kết quả" in page
    assert fresh(dossier).status == Status.RECEIVED


def test_bad_input_shows_the_form_again(desk, receive, officers, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 2, 10))
    response = act(officers.leader, dossier, "dung-xu-ly", reason="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dừng xử lý: thông tin chưa hợp lệ." in page
    assert 'id="thao-tac-dung-xu-ly"' in page
    assert fresh(dossier).status == Status.RECEIVED
    # A form without the version is refused before any service runs.
    response = officers.leader.post(
        f"/can-bo/ho-so/{dossier.code}/dung-xu-ly/", {"dung-xu-ly-reason": "x"}
    )
    assert response.status_code == 302
    assert fresh(dossier).status == Status.RECEIVED


def test_unknown_actions_and_gets_are_refused(desk, receive, officers):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    assert officers.leader.post(f"/can-bo/ho-so/{dossier.code}/xoa-ho-so/").status_code == 404
    assert officers.leader.get(f"/can-bo/ho-so/{dossier.code}/phe-duyet/").status_code == 405


def test_refusal_after_appraisal_needs_a_reason(desk, receive, officers, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 3, 10))
    act(officers.leader, dossier, "tu-choi-giai-quyet", reason="Không đủ điều kiện cư trú")
    dossier = fresh(dossier)
    assert (dossier.status, dossier.outcome) == (Status.RESOLVED, Outcome.REFUSED)


def test_withdrawal_and_stop(desk, receive, officers, frozen):
    first = receive("1.004222", at(2026, 3, 2, 9))
    second = receive("1.004222", at(2026, 3, 2, 9, 5))
    frozen(at(2026, 3, 3, 10))
    act(officers.reception, first, "rut-ho-so", reason="Người nộp xin rút")
    act(officers.leader, second, "dung-xu-ly", reason="Theo đề nghị của cơ quan thuế")
    assert fresh(first).status == Status.WITHDRAWN
    assert fresh(second).status == Status.STOPPED


def test_postal_return_needs_the_dispatch_first(desk, receive, officers, frozen):
    dossier = receive("1.004222", at(2026, 3, 2, 9), delivery=Delivery.POST)
    frozen(at(2026, 3, 3, 10))
    act(officers.leader, dossier, "phe-duyet")
    dossier = fresh(dossier)
    page = messages_of(officers.reception, dossier)
    assert 'id="thao-tac-gui-buu-chinh"' in page
    assert 'id="thao-tac-tra-ket-qua"' not in page
    act(officers.reception, dossier, "gui-buu-chinh", tracking_number="EB123456789VN")
    dossier = fresh(dossier)
    assert dossier.postal_tracking == "EB123456789VN"
    act(officers.postal, dossier, "tra-ket-qua", recipient="Bưu tá")
    assert fresh(dossier).status == Status.RETURNED


def test_consultation_transfer_and_answer(
    desk, receive, officers, frozen, other_commune, make_officer, client_for
):
    dossier = receive("1.004222", at(2026, 3, 2, 9))
    frozen(at(2026, 3, 2, 10))
    act(officers.leader, dossier, "phan-cong", step="2", assignee=str(desk.specialist.pk))
    dossier = fresh(dossier)
    act(
        officers.specialist,
        dossier,
        "xin-y-kien",
        to_unit=str(other_commune.pk),
        question="Xác minh nơi cư trú trước đây",
        working_days="2",
    )
    dossier = fresh(dossier)
    assert other_commune in dossier.involved_units.all()
    helper = client_for(make_officer(other_commune, Role.SPECIALIST, "chuyenvien.hai"))
    page = helper.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'id="thao-tac-tra-loi-y-kien"' in page
    assert "********2345" in page  # the consulted unit sees the citizen ID masked
    helper.post(
        f"/can-bo/ho-so/{dossier.code}/tra-loi-y-kien/",
        {
            "tra-loi-y-kien-version": dossier.version,
            "tra-loi-y-kien-unit": str(other_commune.pk),
            "tra-loi-y-kien-answer": "Đã xác minh, đúng",
        },
    )
    dossier = fresh(dossier)
    assert dossier.events.filter(type=EventType.CONSULTATION_ANSWERED).exists()
    act(
        officers.leader, dossier, "chuyen-xu-ly", to_unit=str(other_commune.pk), reason="Thẩm quyền"
    )
    assert fresh(dossier).resolving_unit == other_commune


def test_apology_proposed_by_the_specialist_signed_by_the_leader(desk, receive, officers, frozen):
    dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
    frozen(at(2026, 2, 12, 9))
    act(officers.leader, dossier, "phan-cong", step="2", assignee=str(desk.specialist.pk))
    frozen(at(2026, 2, 24, 9))
    act(
        officers.specialist,
        fresh(dossier),
        "de-xuat-xin-loi",
        reason="Cần xác minh tại nơi cư trú trước đây",
        extra_working_days="2",
    )
    page = officers.leader.get("/can-bo/lanh-dao/").content.decode()
    assert "Phiếu xin lỗi chờ ký (1)" in page
    assert "Cần xác minh tại nơi cư trú trước đây" in page
    response = officers.leader.post(
        f"/can-bo/ho-so/{dossier.code}/ky-xin-loi/",
        {"ky-xin-loi-version": fresh(dossier).version, "next": "/can-bo/lanh-dao/"},
    )
    assert response["Location"] == "/can-bo/lanh-dao/"
    dossier = fresh(dossier)
    assert dossier.appointment_at == at(2026, 2, 27, 17)
    page = messages_of(officers.leader, dossier)
    assert "Hẹn lại (sau xin lỗi)" in page
    assert "17:00 27/02/2026" in page
    assert "Phiếu xin lỗi, hẹn lại (Mẫu 04)" in page
    assert 'id="thao-tac-ky-xin-loi"' not in page
    assert 'id="thao-tac-de-xuat-xin-loi"' not in page


def test_an_apology_too_late_is_a_message(desk, receive, officers, frozen):
    dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
    frozen(at(2026, 2, 25, 8))
    response = act(
        officers.specialist, dossier, "de-xuat-xin-loi", reason="x", extra_working_days="2"
    )
    page = officers.specialist.get(response["Location"]).content.decode()
    assert "chậm nhất ngày 24/02/2026" in page
    assert fresh(dossier).version == dossier.version
