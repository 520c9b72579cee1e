"""The forms of a dossier: the PDFs are parsed back and their fields checked.

Dossiers received before 15/09/2025 are printed on the forms of TT 01/2018/TT-VPCP (the control
slip is Mẫu 05), those received from that day on the forms of TT 03/2025/TT-VPCP (Mẫu 05 is the
stop notice, the control slip Mẫu 06): test_notices.py covers the choice itself."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role
from motcua.calendars.tests.calendar_data import at
from motcua.core.errors import InvalidInput, NotFound
from motcua.documents.forms import control_slip_content
from motcua.documents.formsets import TT_01_2018, TT_03_2025
from motcua.documents.models import IssuedNotice
from motcua.documents.selectors import dossier_facts
from motcua.documents.services import DocumentNotAvailable, render_dossier_form
from motcua.documents.tests.conftest import read_pdf
from motcua.dossiers.models import Delivery, Dossier, DossierEvent, Outcome
from motcua.dossiers.services import (
    Applicant,
    dossier_answer_consultation,
    dossier_assign,
    dossier_complete_step,
    dossier_issue_apology,
    dossier_propose_apology,
    dossier_receive_supplement,
    dossier_refuse_at_counter,
    dossier_request_consultation,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_transfer,
)
from motcua.dossiers.tests.conftest import intake_for
from motcua.dossiers.tests.test_lifecycle import work_through

pytestmark = pytest.mark.django_db

A5 = (419.53, 595.28)
CODE = re.compile(r"000\.12\.34\.H99-\d{6}-\d{4}")


def qr_of(form: str, dossier: Dossier, now) -> dict[str, str]:
    """The fields the QR code of the form holds: a notice's as it was frozen at its first print,
    the control slip's as it stands."""
    render_dossier_form(form=form, dossier=dossier, now=now)
    notice = IssuedNotice.objects.filter(dossier=dossier, form=form).order_by("-event_seq").first()
    if notice is not None:
        qr = notice.content["qr"]
    else:
        qr = control_slip_content(dossier_facts(dossier=dossier, now=now))["qr"]
    return dict(qr)


def supplemented(desk, dossier):
    """Example 3 of the handbook: assigned, a supplement asked for and received."""
    dossier = dossier_assign(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        step=2,
        assignee=desk.specialist,
        at=at(2026, 1, 5, 10),
    )
    dossier = dossier_request_supplement(
        dossier=dossier,
        actor=desk.specialist,
        expected_version=dossier.version,
        missing=["Giấy tờ chứng minh nơi cư trú"],
        reason="Bản sao không rõ nét",
        at=at(2026, 1, 6, 14),
    )
    return dossier_receive_supplement(
        dossier=dossier,
        actor=desk.reception,
        expected_version=dossier.version,
        at=at(2026, 1, 12, 10),
    )


def apologised(desk, receive):
    """Example 4 of the handbook: kết hôn across Tết, an apology, resolved late."""
    dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
    dossier = work_through(desk, dossier, at(2026, 2, 12, 9))
    dossier = dossier_propose_apology(
        dossier=dossier,
        actor=desk.specialist,
        expected_version=dossier.version,
        reason="Cần xác minh tại nơi cư trú trước đây",
        extra_working_days=2,
        at=at(2026, 2, 24, 9),
    )
    return dossier_issue_apology(
        dossier=dossier, actor=desk.leader, expected_version=dossier.version, at=at(2026, 2, 24, 10)
    )


class TestReceipt:
    """Mẫu 01 for example 1 of the handbook: thường trú, received Thu 24/04/2025 10:00."""

    def test_fields(self, desk, receive):
        dossier = receive(
            "1.004222",
            at(2025, 4, 24, 10),
            applicant=Applicant(
                name=unicodedata.normalize("NFD", "Trần Thị Ngọc Ánh"),  # as some keyboards type
                id_number="001099012345",
                phone="0912345678",
                email="anh.tran@example.vn",
                address="Số 5, thôn Đồng Tâm, xã Một",
                owner_name="Trần Văn Đức",
            ),
        )
        pdf = read_pdf(render_dossier_form(form="01", dossier=dossier, now=at(2025, 4, 24, 10, 5)))
        # Two copies (liên), a sheet each: one kept with the control slip, one for the applicant.
        assert len(pdf.pages) == 2
        assert pdf.size() == A5
        first, second = (" ".join(page.split()) for page in pdf.pages)
        assert "Liên 1: Lưu tại Bộ phận Một cửa" in first
        assert "Liên 2: Giao cho người nộp hồ sơ" in second
        title = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
        assert first.split(title)[1] == second.split(title)[1]  # the same receipt on both
        text = pdf.flat
        for expected in [
            "ỦY BAN NHÂN DÂN XÃ MỘT",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Xã Một, ngày 24 tháng 4 năm 2025",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {dossier.code}",
            "Ông/Bà: Trần Thị Ngọc Ánh; Số định danh: ********2345",
            "Địa chỉ: Số 5, thôn Đồng Tâm, xã Một",
            "Số điện thoại: 0912345678; Thư điện tử: anh.tran@example.vn",
            "Nội dung yêu cầu giải quyết: Đăng ký thường trú",
            "Chủ hồ sơ: Trần Văn Đức",
            "Tờ khai theo mẫu",
            "Giấy tờ chứng minh nơi cư trú",
            "Số lượng hồ sơ: 01 (bộ)",
            "Thời gian giải quyết hồ sơ theo quy định: 07 ngày làm việc",
            "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 24/04/2025",
            "17 giờ 00 phút, ngày 07/05/2025",
            "Đăng ký nhận kết quả: Tại Bộ phận Một cửa",
            "Vào Sổ theo dõi hồ sơ năm 2025, quyển số 01, số thứ tự 01.",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Cán bộ Tiếp nhận và trả kết quả",
            # Received before ND 118/2025 and TT 03/2025: the forms and the decree of 2018.
            "Mẫu số 01 TT 01/2018/TT-VPCP (NĐ 61/2018/NĐ-CP)",
        ]:
            assert expected in text, expected
        for page in pdf.pages:  # both signature blocks on each sheet, nothing spilt
            flat = " ".join(page.split())
            assert "NGƯỜI NỘP HỒ SƠ" in flat
            assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in flat
        assert "001099012345" not in text
        assert "Trần Thị Ngọc Ánh" in pdf.text  # composed (NFC), on one line

    def test_the_qr_block(self, desk, receive):
        dossier = receive("1.004222", at(2025, 4, 24, 10))
        now = at(2025, 4, 24, 10, 5)
        expected = {
            "Mã hồ sơ": dossier.code,
            "Mã TTHC": "1.004222",
            "Số định danh": "********2345",
            "Giấy tờ": "Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "Hệ thống": "motcua",
            # A notice is issued at its event: the time of receipt, not of printing.
            "Phát hành": "24/04/2025 10:00",
            "Hẹn trả": "07/05/2025 17:00",
        }
        assert qr_of("01", dossier, now) == expected
        lines = read_pdf(render_dossier_form(form="01", dossier=dossier, now=now)).pages[0]
        # The same fields as text beside the code, above everything else on the page but the copy.
        head = [line.strip() for line in lines.split("\n")]
        start = head.index(f"Mã hồ sơ: {dossier.code}")
        assert head[start : start + 7] == [f"{key}: {value}" for key, value in expected.items()]
        assert head.index("Hẹn trả: 07/05/2025 17:00") < next(
            i for i, line in enumerate(head) if "ỦY BAN NHÂN DÂN" in line
        )

    def test_an_organisation(self, desk, receive):
        dossier = receive(
            "1.004222",
            at(2025, 4, 24, 10),
            applicant=Applicant(
                name="Công ty TNHH Hòa Bình", kind="business", tax_code="0101234567"
            ),
        )
        text = read_pdf(
            render_dossier_form(form="01", dossier=dossier, now=at(2025, 4, 24, 10))
        ).flat
        assert "Tổ chức: Công ty TNHH Hòa Bình" in text
        assert "Mã số thuế: ******4567" in text
        assert "0101234567" not in text
        assert qr_of("01", dossier, at(2025, 4, 24, 10))["Mã số thuế"] == "******4567"

    def test_fees_and_delivery_by_post(self, desk, receive, fee_procedure):
        dossier = receive("2.000815", at(2025, 4, 24, 10), delivery=Delivery.POST)
        text = read_pdf(
            render_dossier_form(form="01", dossier=dossier, now=at(2025, 4, 24, 10))
        ).flat
        assert "Phí chứng thực bản sao: 2.000 đồng/trang" in text
        assert "Lệ phí cấp bản sao: 12.500 đồng" in text
        assert "Thời gian giải quyết hồ sơ theo quy định: 01 ngày làm việc" in text
        assert "Qua bưu chính (địa chỉ: Thôn 1, xã Một)" in text

    def test_printing_never_writes_the_dossier(self, desk, receive):
        """The first print of a notice stores it (and its register number); no print writes
        to the dossier or its history, and a reprint only reads."""
        dossier = receive("1.004222", at(2025, 4, 24, 10))
        version, events = dossier.version, DossierEvent.objects.count()
        with CaptureQueriesContext(connection) as first:
            for form in ("01", "05"):
                render_dossier_form(form=form, dossier=dossier, now=at(2025, 4, 25, 9))
        writes = [
            q["sql"]
            for q in first.captured_queries
            if q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
        ]
        assert writes
        assert all('"documents_' in sql for sql in writes), writes
        with CaptureQueriesContext(connection) as again:
            for form in ("01", "05"):
                render_dossier_form(form=form, dossier=dossier, now=at(2025, 4, 26, 9))
        statements = [q["sql"].lstrip().split()[0].upper() for q in again.captured_queries]
        assert set(statements) <= {"SELECT", "SAVEPOINT", "RELEASE"}, statements
        dossier.refresh_from_db()
        assert (dossier.version, DossierEvent.objects.count()) == (version, events)


class TestSupplementRequest:
    def test_fields(self, desk, receive):
        dossier = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
        pdf = read_pdf(render_dossier_form(form="02", dossier=dossier, now=at(2026, 1, 12, 11)))
        assert pdf.size() == A5
        text = pdf.flat
        for expected in [
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            f"Mã hồ sơ: {dossier.code}",
            "Xã Một, ngày 06 tháng 01 năm 2026",
            "Ông/Bà: Nguyễn Văn An",
            "Nội dung yêu cầu giải quyết: Đăng ký thành lập hộ kinh doanh",
            "Ngày tiếp nhận hồ sơ: 05/01/2026",
            "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung sau:",
            "Giấy tờ chứng minh nơi cư trú",
            "Lý do: Bản sao không rõ nét",
            "liên hệ Cán bộ Chuyên viên xử lý, Ủy ban nhân dân xã Một, điện thoại",
            "NGƯỜI HƯỚNG DẪN",
            "Số: 01/PYCBS",
            "Mẫu số 02 PL I TT 03/2025/TT-VPCP (NĐ 118/2025/NĐ-CP)",
        ]:
            assert expected in text, expected
        assert "Tờ khai theo mẫu" not in text  # only the papers asked for
        assert qr_of("02", dossier, at(2026, 1, 12, 11))["Giấy tờ"] == (
            "Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
        )


class TestRefusal:
    def test_at_the_counter(self, desk):
        dossier = dossier_refuse_at_counter(
            intake=intake_for(desk, "1.004222"),
            actor=desk.reception,
            reason="Thủ tục không thuộc thẩm quyền giải quyết của xã",
            at=at(2025, 4, 24, 10),
        )
        pdf = read_pdf(render_dossier_form(form="03", dossier=dossier, now=at(2025, 4, 24, 10)))
        assert pdf.size() == A5
        text = pdf.flat
        for expected in [
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Mã hồ sơ: chưa cấp",
            "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            "Thủ tục không thuộc thẩm quyền giải quyết của xã",
            "Xin thông báo cho Ông/Bà được biết và thực hiện.",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
        ]:
            assert expected in text, expected
        assert qr_of("03", dossier, at(2025, 4, 24, 10))["Mã hồ sơ"] == "chưa cấp"

    def test_after_appraisal(self, desk, receive):
        dossier = work_through(desk, receive("1.000894", at(2026, 3, 2, 9)), at(2026, 3, 3, 9))
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.REFUSED,
            reason="Một bên chưa đủ tuổi kết hôn theo Luật Hôn nhân và gia đình",
            at=at(2026, 3, 4, 9),
        )
        text = read_pdf(
            render_dossier_form(form="03", dossier=dossier, now=at(2026, 3, 4, 10))
        ).flat
        assert "Qua thẩm định, Ủy ban nhân dân xã Một thông báo từ chối giải quyết" in text
        assert "Một bên chưa đủ tuổi kết hôn theo Luật Hôn nhân và gia đình" in text
        assert "Xã Một, ngày 04 tháng 3 năm 2026" in text
        assert "Cán bộ Lãnh đạo" in text


class TestApology:
    def test_fields(self, desk, receive):
        dossier = apologised(desk, receive)
        pdf = read_pdf(render_dossier_form(form="04", dossier=dossier, now=at(2026, 2, 24, 11)))
        assert pdf.size() == A5
        assert len(pdf.pages) == 1
        text = pdf.flat
        for expected in [
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "Số: 01/XL",
            "Xã Một, ngày 24 tháng 02 năm 2026",
            "Kính gửi: Ông/Bà Nguyễn Văn An",
            "Ngày 11/02/2026",
            "thủ tục hành chính: Đăng ký kết hôn",
            f"Mã hồ sơ: {dossier.code}",
            "Thời hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 25/02/2026",
            "Lý do: Cần xác minh tại nơi cư trú trước đây",
            "xin lỗi Ông/Bà và đề nghị gia hạn thời gian giải quyết hồ sơ đến 17 giờ 00 phút, "
            "ngày 27/02/2026",
            "THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT",
            "Cán bộ Lãnh đạo",
            "Nơi nhận:",
        ]:
            assert expected in text, expected
        qr = qr_of("04", dossier, at(2026, 2, 24, 11))
        assert qr["Hẹn trả mới"] == "27/02/2026 17:00"
        assert qr["Giấy tờ"] == "Mẫu 04 — Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"


class TestControlSlip:
    def test_one_row_per_hand_over_with_its_result(self, desk, receive):
        dossier = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
        dossier = dossier_complete_step(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            at=at(2026, 1, 13, 9),
        )
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 1, 15, 16),
        )
        dossier = dossier_return(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            at=at(2026, 1, 16, 9),
        )
        pdf = read_pdf(render_dossier_form(form="06", dossier=dossier, now=at(2026, 1, 16, 10)))
        assert pdf.size() == A5
        text = pdf.flat
        for expected in [
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Cơ quan (bộ phận) giải quyết hồ sơ: Ủy ban nhân dân xã Một",
            "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 05/01/2026",
            # Restart policy: three working days again from the supplement (handbook §14).
            "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 15/01/2026",
            "Bước 2: Thẩm định, trình ký",
            "Yêu cầu bổ sung: Giấy tờ chứng minh nơi cư trú",
            "Nhận hồ sơ bổ sung, hẹn trả 15/01/2026",
            "Hoàn thành bước 2",
            "Giải quyết (chấp thuận)",
            "Tại Bộ phận Một cửa",
            "Kết quả giải quyết hồ sơ: Đúng hạn",
        ]:
            assert expected in text, expected
        # assigned, supplement asked, supplement received, step done, resolved, returned
        assert text.count("1. Giao:") == text.count("2. Nhận:") == 6
        assert "Trước hạn" in text
        assert "Đúng hạn" in text  # resolved on the due date, 15/01
        assert "Quá hạn" not in text
        assert all("Thời gian giao, nhận hồ sơ" in " ".join(page.split()) for page in pdf.pages)

    def test_a_late_dossier_is_late_on_its_slip(self, desk, receive):
        dossier = apologised(desk, receive)
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2026, 2, 27, 9),
        )
        text = read_pdf(
            render_dossier_form(form="06", dossier=dossier, now=at(2026, 2, 27, 10))
        ).flat
        assert "Quá hạn" in text
        assert "Kết quả giải quyết hồ sơ: Quá hạn" in text
        assert "Hẹn lại (văn bản xin lỗi): 17 giờ 00 phút, ngày 27/02/2026" in text

    def test_consultation_and_transfer(self, desk, receive, other_commune, make_officer):
        neighbour = make_officer(other_commune, Role.SPECIALIST, "chuyenvien-xa-hai")
        neighbour_leader = make_officer(other_commune, Role.LEADER, "lanhdao-xa-hai")
        dossier = dossier_assign(
            dossier=receive("1.004222", at(2025, 4, 24, 10)),
            actor=desk.leader,
            expected_version=None,
            step=2,
            assignee=desk.specialist,
            at=at(2025, 4, 25, 9),
        )
        dossier = dossier_request_consultation(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=None,
            to_unit=other_commune,
            question="Xác nhận nơi cư trú trước đây của người nộp",
            working_days=3,
            at=at(2025, 4, 25, 10),
        )
        dossier = dossier_answer_consultation(
            dossier=dossier,
            actor=neighbour,
            expected_version=None,
            unit=other_commune,
            answer="Đã cư trú tại xã Hai từ 2015 đến 2024",
            at=at(2025, 4, 28, 15),
        )
        dossier = dossier_transfer(
            dossier=dossier,
            actor=desk.leader,
            expected_version=None,
            to_unit=other_commune,
            reason="Thuộc thẩm quyền của xã Hai",
            at=at(2025, 4, 29, 9),
        )
        dossier = dossier_resolve(
            dossier=dossier,
            actor=neighbour_leader,
            expected_version=None,
            outcome=Outcome.APPROVED,
            at=at(2025, 5, 9, 9),
        )
        text = read_pdf(
            render_dossier_form(form="05", dossier=dossier, now=at(2025, 5, 9, 10))
        ).flat
        for expected in [
            "Cơ quan (bộ phận) giải quyết hồ sơ: Ủy ban nhân dân xã Hai",
            "Cơ quan phối hợp giải quyết hồ sơ: Ủy ban nhân dân xã Hai",
            "Xin ý kiến (hạn trả lời 29/04/2025 17:00): Xác nhận nơi cư trú trước đây",
            "Trả lời xin ý kiến: Đã cư trú tại xã Hai từ 2015 đến 2024",
            "Chuyển xử lý: Thuộc thẩm quyền của xã Hai",
            "1. Giao: Ủy ban nhân dân xã Hai, Cán bộ Chuyên viên xử lý 2. Nhận: Ủy ban nhân dân "
            "xã Một, Cán bộ Chuyên viên xử lý",
            "1. Giao: Ủy ban nhân dân xã Một, Cán bộ Lãnh đạo 2. Nhận: Ủy ban nhân dân xã Hai",
        ]:
            assert expected in text, expected
        assert text.count("1. Giao:") == 5
        assert "Quá hạn" in text  # resolved 09/05, due 07/05


class TestNotAvailable:
    @pytest.mark.parametrize(
        ("form", "why"), [("02", "yêu cầu bổ sung"), ("03", "từ chối"), ("04", "xin lỗi")]
    )
    def test_a_form_without_its_event(self, desk, receive, form, why):
        dossier = receive("1.004222", at(2025, 4, 24, 10))
        with pytest.raises(DocumentNotAvailable, match=f"Mẫu {form}") as error:
            render_dossier_form(form=form, dossier=dossier, now=at(2025, 4, 24, 11))
        assert why in error.value.message
        assert dossier.code in error.value.message
        assert isinstance(error.value, NotFound)
        assert error.value.code == "document_not_available"

    @pytest.mark.parametrize("form", ["01", "05"])
    def test_a_dossier_never_received_has_no_receipt(self, desk, form):
        dossier = dossier_refuse_at_counter(
            intake=intake_for(desk, "1.004222"),
            actor=desk.reception,
            reason="Không thuộc thẩm quyền",
            at=at(2025, 4, 24, 10),
        )
        with pytest.raises(DocumentNotAvailable, match="chưa được tiếp nhận"):
            render_dossier_form(form=form, dossier=dossier, now=at(2025, 4, 24, 11))

    def test_an_unknown_form(self, desk, receive):
        dossier = receive("1.004222", at(2025, 4, 24, 10))
        with pytest.raises(InvalidInput, match="01, 02, 03, 04, 05"):
            render_dossier_form(form="07", dossier=dossier, now=at(2025, 4, 24, 11))


def test_the_forms_have_their_official_titles():
    """The sets as issued, never edited: a new circular adds a set."""
    assert {form.number: form.title for form in TT_01_2018.forms} == {
        "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "06": "Sổ theo dõi hồ sơ",
    }
    assert {form.number: form.title for form in TT_03_2025.forms} == {
        "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "05": "Thông báo dừng giải quyết hồ sơ",
        "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "07": "Sổ theo dõi hồ sơ",
    }
