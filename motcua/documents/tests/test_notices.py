"""The forms of the law in force, frozen as issued (issue 7 item 10).

The form set follows the date of receipt; each notice is kept as it was issued and reprinted
byte for byte; a new appointment is a new notice; every notice fits its A5 sheet; the register
numbers its entries per unit and year, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection

from motcua.calendars.tests.calendar_data import at
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import
from motcua.core.errors import InvalidInput, NotFound
from motcua.documents.forms import RECEIPT_COPIES, notices_of, page_story, receipt_content
from motcua.documents.layout import FORM_PAGE, natural_height
from motcua.documents.models import IssuedNotice, RegisterEntry
from motcua.documents.selectors import dossier_facts
from motcua.documents.services import (
    DocumentNotAvailable,
    NoticeCorrupted,
    dossier_documents,
    notices_freeze,
    render_dossier_form,
    render_register,
)
from motcua.documents.tests.conftest import read_pdf
from motcua.documents.tests.test_forms import apologised, supplemented
from motcua.dossiers.events import append_event
from motcua.dossiers.models import Delivery, Dossier, DossierEvent, Outcome
from motcua.dossiers.services import (
    Applicant,
    ReceivedComponent,
    dossier_receive,
    dossier_refuse_at_counter,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_stop,
)
from motcua.dossiers.tests.fixtures import intake_for, record
from motcua.dossiers.tests.test_lifecycle import work_through

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return read_pdf(data).flat


def append(dossier: Dossier, type: str, at: dt.datetime, **fields) -> Dossier:
    """An event the lead stream's services will write (``forwarded``, ``limit_case_changed``),
    appended as they will append it, to check how the forms render it."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    append_event(dossier, type=type, at=at, **fields)
    dossier.save(update_fields=["event_count", "last_hash"])
    return dossier


# ---------------------------------------------------------------------------------------------
# The form set of the date of receipt
# ---------------------------------------------------------------------------------------------


class TestTheFormSetOfTheDateOfReceipt:
    @pytest.mark.parametrize(
        ("received", "source", "control_slip", "stop"),
        [
            # ND 61/2018 and TT 01/2018 forms.
            (at(2025, 6, 30, 16), "TT 01/2018/TT-VPCP (NĐ 61/2018/NĐ-CP)", "05", None),
            # ND 118/2025 in force, TT 03/2025 not yet: the old forms, citing the new decree.
            (at(2025, 7, 1, 8), "TT 01/2018/TT-VPCP (NĐ 118/2025/NĐ-CP)", "05", None),
            (at(2025, 9, 14, 23, 59), "TT 01/2018/TT-VPCP (NĐ 118/2025/NĐ-CP)", "05", None),
            # TT 03/2025 from 15/09/2025 (civil date in Vietnam: 00:00 local is 17:00 UTC).
            (at(2025, 9, 15, 0, 0), "PL I TT 03/2025/TT-VPCP (NĐ 118/2025/NĐ-CP)", "06", "05"),
            (at(2025, 11, 3, 9), "PL I TT 03/2025/TT-VPCP (NĐ 118/2025/NĐ-CP)", "06", "05"),
        ],
    )
    def test_on_both_sides_of_the_dates(self, desk, receive, received, source, control_slip, stop):
        dossier = receive("1.004222", received)
        now = received + dt.timedelta(hours=1)
        receipt = text_of(render_dossier_form(form="01", dossier=dossier, now=now))
        assert f"Mẫu số 01 {source}" in receipt
        slip = text_of(render_dossier_form(form=control_slip, dossier=dossier, now=now))
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in slip
        assert f"Mẫu số {control_slip} {source}" in slip
        if stop is None:
            with pytest.raises(InvalidInput, match="Sổ theo dõi hồ sơ của đơn vị"):
                render_dossier_form(form="06", dossier=dossier, now=now)
            with pytest.raises(InvalidInput, match="Mẫu 07 có trong bộ mẫu Thông tư 03/2025"):
                render_dossier_form(form="07", dossier=dossier, now=now)
        else:
            with pytest.raises(
                DocumentNotAvailable, match="chưa có thông báo dừng giải quyết hồ sơ"
            ):
                render_dossier_form(form=stop, dossier=dossier, now=now)
            with pytest.raises(InvalidInput, match="Mẫu 07 của bộ mẫu Thông tư 03/2025"):
                render_dossier_form(form="07", dossier=dossier, now=now)
        with pytest.raises(InvalidInput, match="không có mẫu '08'") as error:
            render_dossier_form(form="08", dossier=dossier, now=now)
        assert error.value.code == "unknown_form"
        assert "\n" not in error.value.message

    def test_a_refusal_at_the_counter_takes_the_set_of_its_day(self, desk):
        dossier = dossier_refuse_at_counter(
            intake=intake_for(desk, "1.004222"),
            actor=desk.reception,
            reason="Không thuộc thẩm quyền",
            at=at(2025, 9, 20, 10),
        )
        text = text_of(render_dossier_form(form="03", dossier=dossier, now=at(2025, 9, 20, 11)))
        assert "Mẫu số 03 PL I TT 03/2025/TT-VPCP (NĐ 118/2025/NĐ-CP)" in text

    @pytest.mark.parametrize("form", ["²", "1a", "", "-1"])
    def test_lookalike_numbers_are_refused_with_a_message(self, desk, receive, form):
        dossier = receive("1.004222", at(2025, 10, 1, 9))
        with pytest.raises(InvalidInput, match="chọn một trong các mẫu 01, 02, 03, 04, 05, 06"):
            render_dossier_form(form=form, dossier=dossier, now=at(2025, 10, 1, 10))

    def test_the_officers_links_follow_the_numbering_of_the_set(self, desk, receive):
        old = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
        links = dossier_documents(dossier=old, events=list(old.events.order_by("seq")))
        assert [(link.form, link.event) for link in links] == [
            ("01", 1),
            ("02", 3),
            ("01", 4),  # the new appointment after the supplement
            ("06", None),
        ]
        assert links[0].title == "In giấy tiếp nhận (Mẫu 01), ngày 05/01/2026"
        assert links[-1].title == "Phiếu kiểm soát quá trình (Mẫu 06)"
        april = receive("1.004222", at(2025, 4, 24, 10))
        links = dossier_documents(dossier=april, events=list(april.events.order_by("seq")))
        assert [(link.form, link.title) for link in links] == [
            ("01", "In giấy tiếp nhận (Mẫu 01)"),
            ("05", "Phiếu kiểm soát quá trình (Mẫu 05)"),
        ]


# ---------------------------------------------------------------------------------------------
# Frozen as issued
# ---------------------------------------------------------------------------------------------


class TestFrozenAsIssued:
    def test_a_reprint_is_byte_identical_whatever_changed(self, desk, receive):
        dossier = receive("1.004222", at(2025, 10, 24, 10))
        first = render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 24, 10, 1))
        notice = IssuedNotice.objects.get(dossier=dossier)
        assert (notice.kind, notice.form, notice.form_set, notice.event_seq) == (
            "receipt",
            "01",
            "tt03-2025",
            1,
        )
        assert notice.sha256 == hashlib.sha256(first).hexdigest()
        assert notice.issued_at == at(2025, 10, 24, 10)
        assert notice.content["title"] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        # The unit is renamed in place, the catalogue corrected, the dossier's row edited.
        desk.unit.name = "Ủy ban nhân dân phường Mới"
        desk.unit.save()
        ProcedureVersion.objects.filter(pk=dossier.procedure_version_id).update(
            name="Đăng ký thường trú (sửa)"
        )
        Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Tên Đã Sửa")
        later = render_dossier_form(form="01", dossier=dossier, now=at(2026, 3, 1, 9))
        assert later == first
        assert "Ủy ban nhân dân xã Một" in text_of(later)
        # The control slip is a living document: it says how things stand.
        slip = text_of(render_dossier_form(form="06", dossier=dossier, now=at(2026, 3, 1, 9)))
        assert "Tên Đã Sửa" in slip
        assert "Đăng ký thường trú (sửa)" in slip

    def test_the_first_print_is_what_was_issued_even_when_late(self, desk, receive):
        """A notice first printed after the dossier moved on says what its event issued."""
        dossier = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
        late = render_dossier_form(form="01", dossier=dossier, now=at(2026, 1, 20, 9), event=1)
        text = text_of(late)
        assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 08/01/2026" in text
        assert "Phát hành: 05/01/2026 09:00" in read_pdf(late).text
        assert "15/01/2026" not in text

    def test_a_new_due_date_issues_a_new_receipt(self, desk, receive):
        dossier = receive("1.001612", at(2026, 1, 5, 9))
        first = render_dossier_form(form="01", dossier=dossier, now=at(2026, 1, 5, 9, 5))
        dossier = supplemented(desk, dossier)
        latest = render_dossier_form(form="01", dossier=dossier, now=at(2026, 1, 12, 10, 5))
        assert latest != first
        text = text_of(latest)
        assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 15/01/2026" in text
        assert (
            "Hẹn trả lại do: nhận đủ hồ sơ bổ sung ngày 12/01/2026; thay giấy hẹn trả 17 giờ 00 "
            "phút, ngày 08/01/2026" in text
        )
        # Both remain printable, each as issued; the register number is the dossier's own.
        again = render_dossier_form(form="01", dossier=dossier, now=at(2026, 2, 1, 9), event=1)
        assert again == first
        assert "số thứ tự 01" in text
        assert "số thứ tự 01" in text_of(first)
        notices = IssuedNotice.objects.filter(dossier=dossier, kind="receipt")
        assert sorted(notices.values_list("event_seq", flat=True)) == [1, 4]
        with pytest.raises(NotFound, match="các sự kiện đã ban hành mẫu này: 1, 4"):
            render_dossier_form(form="01", dossier=dossier, now=at(2026, 2, 1, 9), event=2)

    def test_a_change_of_case_issues_a_receipt_with_the_limit_it_applies(self, desk, receive):
        dossier = receive("1.004222", at(2025, 10, 24, 10))
        dossier = append(
            dossier,
            "limit_case_changed",
            at(2025, 10, 27, 9),
            actor=desk.leader,
            unit=desk.unit,
            reason="Cần xác minh nơi cư trú",
            data={
                "limit": {
                    "value": "10",
                    "unit": "working_day",
                    "case": "xac-minh",
                    "label": "Trường hợp cần xác minh",
                    "text": "10 ngày làm việc",
                },
                "previous_limit": {"value": "7", "unit": "working_day", "case": "", "text": ""},
                "due_at": at(2025, 11, 7, 17).isoformat(),
                "due_date": "2025-11-07",
            },
        )
        text = text_of(render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 27, 10)))
        assert (
            "Thời gian giải quyết hồ sơ theo quy định: 10 ngày làm việc (Trường hợp cần xác minh)"
            in text
        )
        assert "ngày 07/11/2025" in text
        assert "thay đổi trường hợp áp dụng thời hạn giải quyết: Cần xác minh nơi cư trú" in text
        first = text_of(
            render_dossier_form(form="01", dossier=dossier, now=at(2025, 11, 1), event=1)
        )
        assert "Thời gian giải quyết hồ sơ theo quy định: 07 ngày làm việc" in first

    def test_notices_can_be_frozen_without_printing(self, desk, receive):
        dossier = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
        assert notices_freeze(dossier=dossier, now=at(2026, 1, 12, 11)) == 3
        assert notices_freeze(dossier=dossier, now=at(2026, 1, 12, 12)) == 0
        stored = IssuedNotice.objects.get(dossier=dossier, kind="supplement_request")
        printed = render_dossier_form(form="02", dossier=dossier, now=at(2026, 5, 1, 9))
        assert printed == bytes(stored.pdf)

    def test_a_stored_copy_that_no_longer_matches_is_not_reprinted(self, desk, receive):
        dossier = receive("1.004222", at(2025, 10, 24, 10))
        render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 24, 11))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # as an owner of the table could
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check pending
                cursor.execute(
                    "ALTER TABLE documents_issuednotice "
                    "DISABLE TRIGGER documents_issuednotice_append_only"
                )
            cursor.execute("UPDATE documents_issuednotice SET pdf = %s", [b"%PDF-altered"])
        with pytest.raises(NoticeCorrupted, match="không khớp mã SHA-256"):
            render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 25, 9))

    def test_an_issued_notice_is_never_rewritten(self, desk, receive):
        dossier = receive("1.004222", at(2025, 10, 24, 10))
        render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 24, 11))
        notice = IssuedNotice.objects.get(dossier=dossier)
        with pytest.raises(PermissionError):
            notice.save()
        with pytest.raises(PermissionError):
            notice.delete()


# ---------------------------------------------------------------------------------------------
# The stop notice (TT 03/2025 Mẫu 05)
# ---------------------------------------------------------------------------------------------


class TestStopNotice:
    def test_a_stopped_dossier_of_the_new_set(self, desk, receive):
        dossier = receive("1.004222", at(2025, 10, 24, 10))
        dossier = dossier_stop(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            reason="Người nộp đề nghị dừng giải quyết để bổ sung giấy tờ theo quy định mới",
            at=at(2025, 10, 28, 14),
        )
        pdf = read_pdf(render_dossier_form(form="05", dossier=dossier, now=at(2025, 10, 28, 15)))
        assert len(pdf.pages) == 1
        text = pdf.flat
        for expected in [
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Số: 01/TB",
            "Kính gửi: Ông/Bà Nguyễn Văn An",
            f"Mã hồ sơ: {dossier.code}",
            "thông báo dừng giải quyết hồ sơ nêu trên kể từ 14 giờ 00 phút, ngày 28/10/2025",
            "Lý do: Người nộp đề nghị dừng giải quyết",
            "THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT",
            "Mẫu số 05 PL I TT 03/2025/TT-VPCP (NĐ 118/2025/NĐ-CP)",
        ]:
            assert expected in text, expected

    def test_the_old_set_has_no_stop_notice(self, desk, receive):
        dossier = receive("1.004222", at(2025, 8, 4, 10))
        dossier = dossier_stop(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            reason="Dừng theo đề nghị",
            at=at(2025, 8, 5, 10),
        )
        slip = text_of(render_dossier_form(form="05", dossier=dossier, now=at(2025, 8, 5, 11)))
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in slip
        facts = dossier_facts(dossier=dossier, now=at(2025, 8, 5, 11))
        assert [ref.kind for ref in notices_of(facts)] == ["receipt"]


# ---------------------------------------------------------------------------------------------
# Every notice fits its A5 sheet
# ---------------------------------------------------------------------------------------------

LONG_PAPERS = [
    "Tờ khai đăng ký theo mẫu ban hành kèm theo Thông tư của Bộ Công an, có xác nhận của chủ hộ",
    "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp (hợp đồng cho thuê, cho mượn, cho ở nhờ nhà ở)",
    "Văn bản đồng ý cho đăng ký thường trú của chủ hộ, chủ sở hữu chỗ ở hợp pháp hoặc đại diện",
    "Giấy tờ chứng minh quan hệ nhân thân với chủ hộ, thành viên hộ gia đình (giấy khai sinh)",
    "Giấy tờ chứng minh đủ diện tích nhà ở tối thiểu để đăng ký thường trú theo quy định của HĐND",
    "Văn bản ủy quyền có chứng thực trong trường hợp người nộp hồ sơ không phải người đăng ký",
]


@pytest.fixture
def long_procedure(procedures):
    """A procedure of six papers with long names, and a long name of its own."""
    catalog_import(
        fields=[],
        records=[
            (
                {"index": 1},
                record(
                    "1.999999",
                    "Đăng ký thường trú tại chỗ ở hợp pháp không thuộc quyền sở hữu của mình khi "
                    "được chủ hộ, chủ sở hữu đồng ý (trường hợp có xác minh)",
                    "7",
                    "working_day",
                    components=[
                        {"name": name, "originals": 1, "copies": 1, "required": True}
                        for name in LONG_PAPERS
                    ],
                ),
            )
        ],
    )


def long_intake(desk, **changes):
    values = {
        "applicant": Applicant(
            name="Nguyễn Thị Phương Thảo Hoàng Lan Chi",
            id_number="001099012345",
            phone="0912345678",
            email="nguyen.thi.phuong.thao.hoang@example.vn",
            address="Số 125, ngõ 47, đường Nguyễn Văn Linh, tổ dân phố số 12, xã Một, tỉnh Chín",
            owner_name="Trần Văn Đức Minh Quang",
        ),
        "components": [
            ReceivedComponent(name, position=index, originals=1, copies=1)
            for index, name in enumerate(LONG_PAPERS, start=1)
        ],
        "summary": "Đăng ký thường trú cho con chưa thành niên về ở cùng cha mẹ tại nơi ở mới",
    }
    values.update(changes)
    return intake_for(desk, "1.999999", **values)


class TestFitsItsSheet:
    def test_a_receipt_of_six_papers_and_long_names(self, desk, long_procedure):
        """A realistic long receipt: six papers with long names, a long name, a fee."""
        dossier = dossier_receive(
            intake=long_intake(
                desk,
                applicant=Applicant(
                    name="Nguyễn Thị Phương Thảo Hoàng Lan Chi",
                    id_number="001099012345",
                    phone="0912345678",
                    address="Thôn Đồng Tâm, xã Một",
                ),
                summary="",
            ),
            actor=desk.reception,
            at=at(2025, 10, 24, 10),
        )
        Dossier.objects.filter(pk=dossier.pk).update(
            fees=[{"kind": "fee", "name": "Lệ phí đăng ký cư trú", "status": "unconfigured"}]
        )
        pdf = read_pdf(render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 24, 11)))
        assert len(pdf.pages) == 2  # one sheet per copy, nothing spilt
        for page in pdf.pages:
            flat = " ".join(page.split())
            assert "NGƯỜI NỘP HỒ SƠ" in flat
            assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in flat
            assert "số thứ tự 01" in flat
            assert "Chưa cấu hình theo nghị quyết HĐND tỉnh" in flat
        # It fits as drawn, at its own type size, not by shrinking.
        facts = dossier_facts(dossier=dossier, now=at(2025, 10, 24, 11))
        [ref] = notices_of(facts)
        content = receipt_content(facts, ref, register=(2025, 1, 1))
        story = page_story(content, RECEIPT_COPIES[0])
        assert natural_height(story, FORM_PAGE) <= FORM_PAGE.height

    def test_an_extreme_receipt_shrinks_rather_than_spill(self, desk, long_procedure):
        """Every field at its longest: the sheet keeps it all, in smaller type."""
        dossier = dossier_receive(
            intake=long_intake(desk), actor=desk.reception, at=at(2025, 10, 24, 10)
        )
        Dossier.objects.filter(pk=dossier.pk).update(
            fees=[
                {"kind": "fee", "name": "Lệ phí đăng ký cư trú", "status": "unconfigured"},
                {
                    "kind": "charge",
                    "name": "Phí cấp bản sao",
                    "status": "amount",
                    "amount": "2000",
                    "unit": "trang",
                    "resolution": "Nghị quyết số 12/2025/NQ-HĐND",
                },
            ]
        )
        pdf = read_pdf(render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 24, 11)))
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            flat = " ".join(page.split())
            assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in flat
            assert "Văn bản ủy quyền có chứng thực" in flat

    def test_the_other_notices_of_a_long_dossier(self, desk, long_procedure):
        dossier = dossier_receive(
            intake=long_intake(desk), actor=desk.reception, at=at(2026, 2, 11, 8, 30)
        )
        dossier = work_through(desk, dossier, at(2026, 2, 12, 9))
        dossier = dossier_request_supplement(
            dossier=dossier,
            actor=desk.specialist,
            expected_version=dossier.version,
            missing=LONG_PAPERS,
            reason="Các bản sao không có chứng thực và không xuất trình bản chính để đối chiếu; "
            "chữ ký của chủ hộ trên văn bản đồng ý không khớp với mẫu chữ ký đã đăng ký",
            at=at(2026, 2, 12, 10),
        )
        pdf = read_pdf(render_dossier_form(form="02", dossier=dossier, now=at(2026, 2, 12, 11)))
        assert len(pdf.pages) == 1
        assert "NGƯỜI HƯỚNG DẪN" in pdf.flat
        refused = dossier_refuse_at_counter(
            intake=long_intake(desk),
            actor=desk.reception,
            reason="Chỗ ở đề nghị đăng ký thường trú nằm trong khu vực cấm, khu vực không được "
            "đăng ký thường trú mới theo quy định của Luật Cư trú; hướng dẫn người nộp liên hệ "
            "cơ quan có thẩm quyền nơi khác " * 2,
            at=at(2026, 2, 12, 10),
        )
        pdf = read_pdf(render_dossier_form(form="03", dossier=refused, now=at(2026, 2, 12, 11)))
        assert len(pdf.pages) == 1
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in pdf.flat

    def test_an_apology(self, desk, receive):
        pdf = read_pdf(
            render_dossier_form(
                form="04", dossier=apologised(desk, receive), now=at(2026, 2, 24, 11)
            )
        )
        assert len(pdf.pages) == 1
        assert "Nơi nhận:" in pdf.flat


# ---------------------------------------------------------------------------------------------
# Fees on the receipt
# ---------------------------------------------------------------------------------------------


def test_fees_print_their_status_and_never_zero(desk, receive):
    dossier = receive("1.004222", at(2025, 10, 24, 10))
    Dossier.objects.filter(pk=dossier.pk).update(
        fees=[
            {"kind": "fee", "name": "Phí A", "status": "unconfigured", "amount": None},
            {"kind": "charge", "name": "Lệ phí B", "status": "exempt", "amount": None},
            {"kind": "fee", "name": "Phí C", "status": "amount", "amount": "12000", "unit": "bản"},
            {"kind": "fee", "name": "Phí D (cũ)", "amount": "0"},
            {"kind": "fee", "name": "Phí E (cũ)", "amount": "50000"},
        ]
    )
    text = text_of(render_dossier_form(form="01", dossier=dossier, now=at(2025, 10, 24, 11)))
    assert (
        "Phí, lệ phí: Phí A: Chưa cấu hình theo nghị quyết HĐND tỉnh; Lệ phí B: Miễn; "
        "Phí C: 12.000 đồng/bản; Phí D (cũ): Chưa xác định; Phí E (cũ): 50.000 đồng" in text
    )
    assert "0 đồng" not in text.replace("000 đồng", "")


# ---------------------------------------------------------------------------------------------
# The control slip: forwarding, coordination, timeliness
# ---------------------------------------------------------------------------------------------


def test_the_desk_hands_over_first_on_the_control_slip(desk, receive, other_commune):
    dossier = receive("1.004222", at(2025, 10, 24, 16))
    dossier = append(
        dossier,
        "forwarded",
        at(2025, 10, 27, 9, 30),
        actor=desk.reception,
        unit=desk.unit,
        data={
            "to_unit": desk.unit.pk,
            "to_unit_name": "Phòng Văn hóa - Xã hội",
            "deadline_at": at(2025, 10, 27, 8, 30).isoformat(),
            "on_time": False,
        },
    )
    dossier = work_through(desk, dossier, at(2025, 10, 27, 10))
    text = text_of(render_dossier_form(form="06", dossier=dossier, now=at(2025, 10, 27, 11)))
    rows = text.split("1. Giao:")
    assert rows[1].startswith(
        " Bộ phận Tiếp nhận và Trả kết quả — Ủy ban nhân dân xã Một, Cán bộ Tiếp nhận và trả "
        "kết quả (một cửa) 2. Nhận: Phòng Văn hóa - Xã hội 09 giờ 30 phút, ngày 27/10/2025 Quá hạn"
    ), rows[1]
    assert "Chuyển hồ sơ (hạn chuyển 27/10/2025 08:30)" in rows[1]


# ---------------------------------------------------------------------------------------------
# The register: numbered per unit and year, once
# ---------------------------------------------------------------------------------------------


class TestRegisterNumbers:
    def test_numbers_run_on_across_prints_and_restart_with_the_year(self, desk, receive):
        december = [receive("1.004222", at(2025, 12, day, 9)) for day in (15, 22, 30)]
        january = [receive("1.004222", at(2026, 1, day, 9)) for day in (2, 5)]
        # The receipt of the second December dossier is printed first: the one before it is
        # entered first, in order of receipt.
        text = text_of(
            render_dossier_form(form="01", dossier=december[1], now=at(2025, 12, 22, 9, 5))
        )
        assert "Vào Sổ theo dõi hồ sơ năm 2025, quyển số 01, số thứ tự 02." in text
        assert RegisterEntry.objects.get(dossier=december[0]).number == 1
        # A register of the last fortnight keeps the book's numbers; it does not restart at 01.
        register = read_pdf(
            render_register(
                unit=desk.unit,
                start=dt.date(2025, 12, 20),
                end=dt.date(2025, 12, 31),
                now=at(2026, 1, 6, 9),
                actor=None,
            )
        )
        flat = register.flat
        assert f"02 {december[1].code}" in flat
        assert f"03 {december[2].code}" in flat
        assert "năm 2025, quyển số 01" in flat
        assert "Mẫu số 07 PL I TT 03/2025/TT-VPCP" in flat
        # Across the year: January starts again at 01; printing again changes nothing.
        for _ in range(2):
            flat = read_pdf(
                render_register(
                    unit=desk.unit,
                    start=dt.date(2025, 12, 1),
                    end=dt.date(2026, 1, 31),
                    now=at(2026, 2, 1, 9),
                    actor=None,
                )
            ).flat
            for number, dossier in [
                *zip(("01", "02", "03"), december, strict=True),
                *zip(("01", "02"), january, strict=True),
            ]:
                assert f"{number} {dossier.code}" in flat
        assert RegisterEntry.objects.filter(year=2025).count() == 3
        assert sorted(RegisterEntry.objects.filter(year=2026).values_list("number", flat=True)) == [
            1,
            2,
        ]
        text = text_of(render_dossier_form(form="01", dossier=january[1], now=at(2026, 2, 1)))
        assert "Vào Sổ theo dõi hồ sơ năm 2026, quyển số 01, số thứ tự 02." in text

    def test_a_number_once_given_never_changes(self, desk, receive):
        dossier = receive("1.004222", at(2025, 12, 15, 9))
        render_register(
            unit=desk.unit,
            start=dt.date(2025, 12, 1),
            end=dt.date(2025, 12, 31),
            now=at(2026, 1, 1),
            actor=None,
        )
        entry = RegisterEntry.objects.get(dossier=dossier)
        entry.number = 7
        with pytest.raises(PermissionError):
            entry.save()

    def test_the_signature_column_and_the_result(self, desk, receive):
        dossier = receive("1.004222", at(2025, 10, 24, 10), delivery=Delivery.ELECTRONIC)
        dossier = work_through(desk, dossier, at(2025, 10, 27, 9))
        dossier = dossier_resolve(
            dossier=dossier,
            actor=desk.leader,
            expected_version=dossier.version,
            outcome=Outcome.APPROVED,
            at=at(2025, 10, 28, 9),
        )
        dossier_return(
            dossier=dossier,
            actor=desk.reception,
            expected_version=dossier.version,
            at=at(2025, 10, 28, 10),
        )
        flat = read_pdf(
            render_register(
                unit=desk.unit,
                start=dt.date(2025, 10, 1),
                end=dt.date(2025, 10, 31),
                now=at(2025, 11, 1, 9),
                actor=None,
            )
        ).flat
        assert "Ký nhận" in flat
        assert "Bản điện tử" in flat
        assert "Trước hạn" in flat


def test_events_are_untouched_by_printing(desk, receive):
    dossier = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
    hashes = list(DossierEvent.objects.filter(dossier=dossier).values_list("hash", flat=True))
    notices_freeze(dossier=dossier, now=at(2026, 1, 12, 11))
    render_register(
        unit=desk.unit,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 31),
        now=at(2026, 2, 1),
        actor=None,
    )
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("hash", flat=True)) == (
        hashes
    )


def test_numbered_notices_are_frozen_and_numbered_as_they_are_issued(
    desk, receive, django_capture_on_commit_callbacks
):
    """Issue 7 item 10: a supplement request (Mẫu 02) is frozen when the request commits, so its
    number follows the order of issue, not the order somebody prints."""
    from motcua.documents.models import IssuedNotice
    from motcua.dossiers.services import dossier_request_supplement

    first = receive("1.004222", at(2026, 3, 2, 9))
    second = receive("1.004222", at(2026, 3, 2, 10))
    for dossier, hour in ((first, 9), (second, 10)):
        with django_capture_on_commit_callbacks(execute=True):
            dossier_request_supplement(
                dossier=dossier,
                actor=desk.specialist,
                expected_version=None,
                missing=["Tờ khai theo mẫu"],
                reason="Thiếu chữ ký",
                at=at(2026, 3, 3, hour),
            )
    numbers = [IssuedNotice.objects.get(dossier=d, event_seq=2).number for d in (first, second)]
    assert numbers == [1, 2]
