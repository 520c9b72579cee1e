"""Public pages: catalogue search, a procedure, the posting sheet, the deadline clock."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from motcua.catalog.models import Procedure
from motcua.catalog.services import catalog_import, unit_procedures_assign
from motcua.units.models import Unit
from motcua.units.services import unit_create

pytestmark = pytest.mark.django_db

FIELDS = [
    {"code": "HO_TICH", "name": "Hộ tịch", "name_en": "Civil status"},
    {"code": "CHUNG_THUC", "name": "Chứng thực", "name_en": "Certification"},
]
BASE = {
    "effective_from": "2025-07-01",
    "field": "HO_TICH",
    "levels": ["commune"],
    "competent_authority": "Ủy ban nhân dân cấp xã",
    "applicants": "Công dân Việt Nam",
    "steps_text": "Bước 1: nộp hồ sơ.\nBước 2: nhận kết quả.",
    "result": "Giấy chứng nhận",
    "time_limit": {"value": "5", "unit": "working_day", "text": "05 ngày làm việc"},
    "online_level": "partial",
    "legal_basis": ["Luật Hộ tịch 2014"],
    "components": [{"name": "Tờ khai theo mẫu", "originals": 1, "copies": 0}],
    "fees": [{"kind": "charge", "name": "Lệ phí", "amount": "8000", "unit": "bản"}],
}


def record(code: str, name: str, **changes) -> dict:
    data = copy.deepcopy(BASE)
    data.update(code=code, name=name, **changes)
    return data


@pytest.fixture
def catalogue(commune):
    records = [
        record("1.000894", "Đăng ký kết hôn", name_en="Marriage registration"),
        record("1.001193", "Đăng ký khai sinh", online_level="full"),
        record(
            "2.000815",
            "Chứng thực bản sao từ bản chính",
            field="CHUNG_THUC",
            time_limit={"value": "0", "unit": "same_day", "text": ""},
        ),
        record(
            "3.000333",
            "Cấp Phiếu lý lịch tư pháp",
            levels=["province"],
            components=[],
            steps_text="",
        ),
    ]
    catalog_import(fields=FIELDS, records=[({"index": i}, r) for i, r in enumerate(records, 1)])
    centre = unit_create(
        name="Trung tâm Phục vụ hành chính công xã Một",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.SERVICE_CENTRE,
        parent=commune,
        identifier="000.12.35.H98",
    )
    unit_procedures_assign(
        unit=centre, procedures=Procedure.objects.all(), valid_from=dt.date(2025, 7, 1)
    )
    return centre


def names(response) -> list[str]:
    return [version.name for version in response.context["page"].object_list]


def test_search_ignores_diacritics_and_case(client, catalogue):
    assert names(client.get("/", {"q": "dang ky ket hon"})) == ["Đăng ký kết hôn"]
    assert names(client.get("/", {"q": "ĐĂNG KÝ"})) == ["Đăng ký kết hôn", "Đăng ký khai sinh"]
    assert names(client.get("/", {"q": "  chung   thuc "})) == ["Chứng thực bản sao từ bản chính"]
    assert names(client.get("/", {"q": "1.001193"})) == ["Đăng ký khai sinh"]


def test_filters(client, catalogue):
    assert names(client.get("/", {"field": "CHUNG_THUC"})) == ["Chứng thực bản sao từ bản chính"]
    assert names(client.get("/", {"level": "province"})) == ["Cấp Phiếu lý lịch tư pháp"]
    assert names(client.get("/", {"online": "full"})) == ["Đăng ký khai sinh"]
    assert len(names(client.get("/", {"unit": catalogue.identifier}))) == 4


def test_htmx_gets_only_the_results(client, catalogue):
    response = client.get("/", {"q": "khai sinh"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "Đăng ký khai sinh" in body


@pytest.mark.parametrize("params", [{"level": "galaxy"}, {"unit": "không có"}, {"page": "abc"}])
def test_bad_search_input_is_a_message_not_an_error(client, catalogue, params):
    response = client.get("/", params)
    assert response.status_code == 200


def test_a_procedure_page_has_what_a_citizen_needs(client, catalogue):
    response = client.get("/thu-tuc/1.000894/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Đăng ký kết hôn",
        "Tờ khai theo mẫu",
        "8.000 đồng",
        "5 ngày làm việc",
        "Ủy ban nhân dân cấp xã",
        "Luật Hộ tịch 2014",
        "Bước 2: nhận kết quả.",
    ]:
        assert text in body
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_the_posting_sheet_counts_complete_procedures(client, catalogue):
    response = client.get(f"/don-vi/{catalogue.identifier}/niem-yet/")
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert (sheet.posted, sheet.total) == (3, 4)
    body = response.content.decode()
    assert "3/4 thủ tục được niêm yết" in body
    assert "thiếu: trình tự thực hiện, thành phần, số lượng hồ sơ" in body
    assert client.get("/don-vi/000.00.00.H00/niem-yet/").status_code == 404


def test_units_page_lists_one_stop_units(client, catalogue):
    body = client.get("/don-vi/", {"q": "xa mot"}).content.decode()
    assert "Trung tâm Phục vụ hành chính công xã Một" in body


def test_the_deadline_page(client):
    response = client.get(
        "/tinh-han/", {"received": "2026-02-11T08:30", "limit": "5", "unit": "working_day"}
    )
    assert response.context["result"].due_at.isoformat() == "2026-02-25T17:00:00+07:00"
    assert "16/02/2026 (thứ Hai) nghỉ Tết Âm lịch — TB 9441/TB-BNV" in response.content.decode()
    bad = client.get("/tinh-han/", {"received": "hôm nay", "limit": "1.5", "unit": "working_day"})
    assert bad.status_code == 200
    assert bad.context["result"] is None
    # "1,5 ngày làm việc" is a limit procedure records carry (issue 7 item 5): Thu 12/02 is
    # day 1, then half of Fri 13/02.
    fractional = client.get(
        "/tinh-han/", {"received": "2026-02-11T08:30", "limit": "1,5", "unit": "working_day"}
    )
    assert fractional.context["result"].due_date.isoformat() == "2026-02-13"
    assert "Phần lẻ 0,5 ngày làm việc" in fractional.content.decode()
    months = client.get(
        "/tinh-han/", {"received": "2026-01-30T09:00", "limit": "1,5", "unit": "month"}
    )
    assert "số nguyên" in months.context["error"]


def test_pages_carry_a_strict_csp(client, catalogue):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_english_version(client, catalogue):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/thu-tuc/1.000894/").content.decode()
    assert "Marriage registration" in body
    assert "Application file" in body or "Required documents" in body


def test_vietnamese_is_the_default_whatever_the_browser_asks(client, catalogue):
    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "vi"
    assert "Tra cứu thủ tục hành chính" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Find an administrative procedure" in client.get("/").content.decode()
