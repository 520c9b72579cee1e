"""A citizen finds a procedure without typing diacritics, reads it, and opens a posting sheet."""

from __future__ import annotations

import re

import pytest

from motcua.demo.services import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return demo_load()


def test_search_procedure_and_posting_sheet(demo, page):
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu thủ tục hành chính")

    # Typing without diacritics: htmx replaces the results as the citizen types.
    page.get_by_label("Tìm thủ tục").fill("dang ky ket hon")
    results = page.locator("#results table.results")
    expect(results.get_by_role("link", name="Đăng ký kết hôn", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=dang(%20|\+)ky(%20|\+)ket(%20|\+)hon"))
    for name in results.get_by_role("link").all_inner_texts():
        assert "kết hôn" in name.lower()

    results.get_by_role("link", name="Đăng ký kết hôn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký kết hôn")
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("1.000894")

    page.goto("/don-vi/")
    page.get_by_label("Tìm đơn vị").fill("thach xuan")
    page.get_by_role("button", name="Tìm kiếm").click()
    row = page.locator("tr", has_text="Trung tâm Phục vụ hành chính công xã Thạch Xuân")
    row.get_by_role("link", name="Danh mục niêm yết").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thạch Xuân")
    coverage = page.locator("#coverage").inner_text()
    posted, total = (
        int(n) for n in re.match(r"(\d+)/(\d+) thủ tục được niêm yết", coverage).groups()
    )
    assert total > 40
    assert 0 < posted <= total
    assert page.locator("table tbody tr").count() == total

    assert page.csp_violations == []


def test_english_is_one_click_away(demo, page):
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find an administrative procedure")
    page.get_by_role("button", name="VI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu thủ tục hành chính")
    assert page.csp_violations == []


def test_back_office_and_api_docs_load_without_csp_violations(demo, page):
    from playwright.sync_api import expect

    page.goto("/quan-tri/")
    page.get_by_label("Tên đăng nhập").fill("quantri.tinh")
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Phân công")).to_be_visible()
    for path in [
        "/quan-tri/accounts/membership/",
        "/quan-tri/calendars/calendarday/",
        "/quan-tri/catalog/procedureversion/",
        "/quan-tri/units/unit/",
    ]:
        page.goto(path)
        expect(page.locator("#content")).to_be_visible()
    page.goto("/api/docs")
    expect(page.locator("#swagger-ui")).to_contain_text("motcua API")
    assert page.csp_violations == []
