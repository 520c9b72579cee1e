"""Officers walk dossiers through the back office in a browser (issue 3, "Done when"):

1. counter receipt → receipt (Mẫu 01) → supplement request → supplement received → processing →
   approval → return;
2. lateness and an apology: a 5-working-day dossier received in the past, the specialist proposes
   an apology, the leader signs it, the new appointment shows, and once resolved it is "Quá hạn".

The project clock (``motcua.core.clock.now``, which every view passes to the services) is set for
each step, so the dates are those of the handbook's examples 3 and 4 (§14); the live server runs
in this process and reads the same clock.
"""

from __future__ import annotations

import re

import pytest

from motcua.calendars.tests.calendar_data import at
from motcua.core import clock
from motcua.dossiers.models import Dossier, Status, Timeliness
from motcua.dossiers.services import dossier_assign
from motcua.dossiers.tests.conftest import desk, procedures, receive

pytestmark = [
    pytest.mark.browser,
    # The official calendar (Tết 2026) is loaded by a migration: restore it after other
    # transactional tests flushed the database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

__all__ = ["desk", "procedures", "receive"]

PASSWORD = "mat-khau-thu-nghiem"  # make_officer's


@pytest.fixture
def officers(desk):
    return desk


@pytest.fixture
def set_clock(monkeypatch):
    def move(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    return move


def login(page, username: str) -> None:
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto("/can-bo/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next=/can-bo/$"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Màn hình cán bộ")


def open_from_list(page, nav: str, section: str, code: str) -> None:
    from playwright.sync_api import expect

    page.locator(".bo-nav").get_by_role("link", name=nav).click()
    listed = page.locator(f"#{section}")
    expect(listed).to_contain_text(code)
    listed.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def expect_message(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".messages")).to_contain_text(text)


def pdf_link_works(page, name: str) -> None:
    from playwright.sync_api import expect

    link = page.get_by_role("link", name=name)
    expect(link).to_be_visible()
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_counter_receipt_supplement_processing_approval_return(officers, page, set_clock):
    from playwright.sync_api import expect

    # Mon 05/01/2026 09:00, Đăng ký thành lập hộ kinh doanh (3 working days): example 3.
    set_clock(at(2026, 1, 5, 9))
    login(page, "tiepnhan")
    page.locator(".bo-nav").get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận hồ sơ tại quầy")
    page.get_by_label("Thủ tục hành chính").select_option("1.001612")
    # htmx brings the procedure's papers.
    expect(page.get_by_label("Tờ khai theo mẫu", exact=True)).to_be_visible()
    page.get_by_label("Tờ khai theo mẫu", exact=True).check()
    page.get_by_label("Đã số hóa: Tờ khai theo mẫu").check()
    page.get_by_label("Giấy tờ chứng minh nơi cư trú", exact=True).check()
    page.get_by_label("Họ và tên người nộp / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (CCCD, 12 số)").fill("001099012345")
    page.get_by_label("Điện thoại").fill("0912345678")
    page.get_by_label("Địa chỉ", exact=True).fill("Thôn 1, xã Một")
    page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").click()

    code = "000.12.34.H99-260105-0001"
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect_message(page, f"Đã tiếp nhận hồ sơ {code}, hẹn trả 17:00 ngày 08/01/2026.")
    pdf_link_works(page, "In giấy tiếp nhận (Mẫu 01)")

    # The leader assigns the appraisal to the specialist.
    set_clock(at(2026, 1, 5, 10))
    login(page, "lanhdao")
    open_from_list(page, "Lãnh đạo", "cho-phan-cong", code)
    card = page.locator("#thao-tac-phan-cong")
    card.get_by_label("Bước xử lý").select_option(label="2. Thẩm định, trình ký")
    card.get_by_label("Người xử lý").select_option(label="Cán bộ Chuyên viên xử lý")
    card.get_by_role("button", name="Phân công").click()
    expect_message(page, "Đã phân công xử lý hồ sơ")

    # The specialist finds a paper unreadable and asks for it, once (Mẫu 02).
    set_clock(at(2026, 1, 6, 14))
    login(page, "chuyenvien")
    open_from_list(page, "Việc của tôi", "con-han", code)
    card = page.locator("#thao-tac-yeu-cau-bo-sung")
    card.get_by_label("Giấy tờ chứng minh nơi cư trú").check()
    card.get_by_label("Lý do, nội dung cần bổ sung").fill("Bản sao không rõ nét")
    card.get_by_role("button", name="Yêu cầu bổ sung").click()
    expect_message(page, "Đã yêu cầu bổ sung hồ sơ")
    expect(page.locator("#status")).to_have_text("Chờ bổ sung hồ sơ")
    pdf_link_works(page, "Phiếu yêu cầu bổ sung (Mẫu 02)")

    # The applicant brings it to the counter: the clock restarts (3 working days from 12/01).
    set_clock(at(2026, 1, 12, 10))
    login(page, "tiepnhan")
    open_from_list(page, "Một cửa", "cho-cong-dan", code)
    page.locator("#thao-tac-nhan-bo-sung").get_by_role(
        "button", name="Đã nhận đủ hồ sơ bổ sung"
    ).click()
    expect_message(page, "Đã nhận hồ sơ bổ sung")
    expect(page.locator("#status")).to_have_text("Đang xử lý")
    expect(page.locator("#due")).to_have_text("17:00 15/01/2026")

    # Processing: the specialist completes the step, the leader approves.
    set_clock(at(2026, 1, 13, 10))
    login(page, "chuyenvien")
    open_from_list(page, "Việc của tôi", "con-han", code)
    page.locator("#thao-tac-hoan-thanh-buoc").get_by_role(
        "button", name="Hoàn thành bước của tôi"
    ).click()
    expect_message(page, "Đã hoàn thành bước xử lý")

    set_clock(at(2026, 1, 14, 16))
    login(page, "lanhdao")
    open_from_list(page, "Lãnh đạo", "cho-phe-duyet", code)
    page.locator("#thao-tac-phe-duyet").get_by_role("button", name="Phê duyệt").click()
    expect_message(page, "Đã phê duyệt kết quả")
    expect(page.locator("#timeliness")).to_have_text("Trước hạn")

    # The result goes back at the counter.
    set_clock(at(2026, 1, 15, 8, 30))
    login(page, "tiepnhan")
    open_from_list(page, "Một cửa", "cho-tra", code)
    card = page.locator("#thao-tac-tra-ket-qua")
    card.get_by_label("Người nhận kết quả").fill("Nguyễn Văn An")
    card.get_by_role("button", name="Đã trả kết quả").click()
    expect_message(page, f"Đã trả kết quả hồ sơ {code}.")
    expect(page.locator("#status")).to_have_text("Đã trả kết quả")
    expect(page.locator("#timeline")).to_contain_text("Người nhận: Nguyễn Văn An")

    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.timeliness) == (Status.RETURNED, Timeliness.EARLY)
    assert page.csp_violations == []


@pytest.fixture
def late_dossier(officers, receive):
    """Đăng ký kết hôn (5 working days) received Wed 11/02/2026 08:30, due Wed 25/02 across Tết
    (example 4), assigned to the specialist the next day."""
    dossier = receive("1.000894", at(2026, 2, 11, 8, 30))
    return dossier_assign(
        dossier=dossier,
        actor=officers.leader,
        expected_version=dossier.version,
        step=2,
        assignee=officers.specialist,
        at=at(2026, 2, 12, 9),
    )


def test_lateness_and_an_apology(late_dossier, page, set_clock):
    from playwright.sync_api import expect

    code = late_dossier.code
    assert late_dossier.due_at == at(2026, 2, 25, 17)

    # Tue 24/02, one working day before the due date: the early warning, then the proposal.
    set_clock(at(2026, 2, 24, 9))
    login(page, "chuyenvien")
    open_from_list(page, "Việc của tôi", "den-han-1-ngay", code)
    card = page.locator("#thao-tac-de-xuat-xin-loi")
    card.get_by_label("Lý do chậm trễ").fill("Cần xác minh tại nơi cư trú trước đây")
    card.get_by_label("Hẹn thêm (ngày làm việc sau hạn trả)").fill("2")
    card.get_by_role("button", name="Đề xuất xin lỗi").click()
    expect_message(page, "chờ lãnh đạo ký")
    expect(page.locator("#apology-pending")).to_contain_text("Cần xác minh")

    # The leader signs it from the list.
    set_clock(at(2026, 2, 24, 10))
    login(page, "lanhdao")
    page.locator(".bo-nav").get_by_role("link", name="Lãnh đạo").click()
    row = page.locator("#xin-loi-cho-ky tr", has_text=code)
    expect(row).to_contain_text("Cần xác minh tại nơi cư trú trước đây")
    row.get_by_role("button", name="Ký phiếu xin lỗi").click()
    expect_message(page, f"Đã ký phiếu xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}.")
    expect(page.locator("#xin-loi-cho-ky")).to_contain_text("Không có phiếu xin lỗi chờ ký.")
    page.get_by_role("link", name="Tổng quan, tra cứu").click()
    # The search posts (issue 10 item 4): htmx swaps the results in, the address stays clean.
    with page.expect_response(
        lambda response: response.request.method == "POST" and "/tong-quan/" in response.url
    ):
        page.get_by_label("Mã hồ sơ, tên hoặc số định danh người nộp").fill("nguyen van an")
    expect(page).not_to_have_url(re.compile(r"q="))
    expect(page.locator("#result-count")).to_have_text("1 hồ sơ")
    page.locator("#ket-qua").get_by_role("link", name=code).click()
    expect(page.locator("#appointment")).to_contain_text("17:00 27/02/2026")
    expect(page.locator("#due")).to_have_text("17:00 25/02/2026")
    pdf_link_works(page, "Phiếu xin lỗi, hẹn lại (Mẫu 04)")

    # Finished on the new appointment, after the lawful due date: still late (decision 4).
    set_clock(at(2026, 2, 26, 9))
    login(page, "chuyenvien")
    open_from_list(page, "Việc của tôi", "qua-han", code)
    page.locator("#thao-tac-hoan-thanh-buoc").get_by_role(
        "button", name="Hoàn thành bước của tôi"
    ).click()
    expect_message(page, "Đã hoàn thành bước xử lý")

    set_clock(at(2026, 2, 27, 9))
    login(page, "lanhdao")
    open_from_list(page, "Lãnh đạo", "cho-phe-duyet", code)
    page.locator("#thao-tac-phe-duyet").get_by_role("button", name="Phê duyệt").click()
    expect_message(page, "Đã phê duyệt kết quả")
    expect(page.locator("#timeliness")).to_have_text("Quá hạn")
    expect(page.locator("#appointment")).to_contain_text("17:00 27/02/2026")
    expect(page.locator("#steps tr.culprit")).to_contain_text("Thẩm định, trình ký")
    assert page.csp_violations == []
