"""Public pages that show catalogue facts: the procedure page, the catalogue, the posting sheet."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from motcua.catalog.models import ProcedureVersion, UnitProcedure
from motcua.catalog.services import provincial_fee_set
from motcua.catalog.tests.conftest import BIRTH, MARRIAGE
from motcua.catalog.tests.test_fees import COUNCIL_FEE, RESOLUTION

pytestmark = pytest.mark.django_db

SAMPLE_NOTICE = "Dữ liệu mẫu, chưa đối chiếu Cơ sở dữ liệu quốc gia về TTHC."
ZERO_DONG = re.compile(r"(?<![\d.,])0 đồng")  # "0 đồng", not the end of "12.000 đồng"


@pytest.fixture
def sample_birth(store) -> ProcedureVersion:
    return store(
        {
            **copy.deepcopy(BIRTH),
            "source": "sample",
            "fees": [BIRTH["fees"][0], COUNCIL_FEE],
        }
    )


@pytest.fixture
def posted(sample_birth, marriage_v1, commune) -> ProcedureVersion:
    for version in (sample_birth, marriage_v1):
        UnitProcedure.objects.create(
            unit=commune, procedure=version.procedure, valid_from=dt.date(2025, 7, 1)
        )
    return sample_birth


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_procedure_page_shows_each_case_with_its_condition_and_basis(
    client, marriage_v1, today
):
    page = _text(client.get("/thu-tuc/1.000894/"))

    assert "5 ngày làm việc" in page
    assert (
        "<strong>Trường hợp cần xác minh</strong>: 10 ngày làm việc (khi thuộc trường hợp này) — "
        "Không quá 10 ngày làm việc." in page
    )
    assert "Căn cứ: Luật Hộ tịch 2014, Điều 18 khoản 2" in page
    assert "<strong>Nộp hồ sơ trực tuyến</strong>: 1,5 ngày làm việc (nộp trực tuyến)" in page
    assert "Căn cứ: Quyết định thử nghiệm" in page
    assert "không tính vào thời hạn giải quyết (căn cứ: Nghị định 101/2024/NĐ-CP)" in page
    assert "3152/QĐ-BTP ngày 20/06/2025 của Bộ Tư pháp" in page
    assert "Hộ tịch (LV01)" in page
    assert SAMPLE_NOTICE not in page  # national data


def test_the_procedure_page_fees_by_province(client, posted, commune, province, today):
    national = _text(client.get("/thu-tuc/1.001193/"))
    here = _text(client.get("/thu-tuc/1.001193/", {"unit": commune.identifier}))
    provincial_fee_set(
        fee=posted.fees.get(pricing="province"),
        province=province,
        amount="12000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )
    configured = _text(client.get("/thu-tuc/1.001193/", {"unit": commune.identifier}))
    unknown = client.get("/thu-tuc/1.001193/", {"unit": "không có"})

    for page in (national, here, configured):
        assert not ZERO_DONG.search(page)
        assert ">Miễn" in page  # the exempt fee
    assert "Do HĐND tỉnh quyết định" in national
    assert "Chưa cấu hình theo nghị quyết HĐND tỉnh" in here
    assert "Mức thu áp dụng khi nộp hồ sơ tại Ủy ban nhân dân xã Một." in here
    assert "Mức thu áp dụng khi nộp hồ sơ tại" not in national
    assert "12.000 đồng / trường hợp" in configured
    assert RESOLUTION in configured
    assert unknown.status_code == 200


def test_sample_data_is_labelled_on_every_public_page(client, posted, commune, today):
    procedure = _text(client.get("/thu-tuc/1.001193/"))
    national = _text(client.get("/thu-tuc/1.000894/"))
    results = _text(client.get("/", {"q": "khai sinh"}))
    sheet = _text(client.get(f"/don-vi/{commune.identifier}/niem-yet/"))

    assert SAMPLE_NOTICE in procedure
    assert SAMPLE_NOTICE not in national
    assert 'Đăng ký khai sinh</a> <span class="tag">dữ liệu mẫu</span>' in results
    assert SAMPLE_NOTICE in sheet
    assert sheet.count("dữ liệu mẫu</span>") == 1  # only the sample procedure's row


def test_the_posting_sheet_shows_cases_and_the_provinces_fees(client, posted, commune, today):
    response = client.get(f"/don-vi/{commune.identifier}/niem-yet/")
    page = _text(response)

    assert response.status_code == 200
    assert (
        "Trường hợp cần xác minh: 10 ngày làm việc (khi thuộc trường hợp này) — "
        "Luật Hộ tịch 2014, Điều 18 khoản 2" in page
    )
    assert (
        "Nộp hồ sơ trực tuyến: 1,5 ngày làm việc (nộp trực tuyến) — Quyết định thử nghiệm" in page
    )
    assert "Không tính thời gian chờ nộp phí (Nghị định 101/2024/NĐ-CP)" in page
    assert "Lệ phí đăng ký khai sinh: Miễn" in page
    assert "Lệ phí đăng ký khai sinh quá hạn: Chưa cấu hình theo nghị quyết HĐND tỉnh" in page
    assert "Phí sao lục: 8.000 đồng/bản (trực tuyến)" in page
    assert not ZERO_DONG.search(page)
    assert f"/thu-tuc/1.001193/?unit={commune.identifier}" in page


def test_the_posting_api_gives_cases_and_fee_lines(client, posted, commune, today):
    body = client.get(f"/api/catalog/units/{commune.identifier}/posting").json()

    items = {item["code"]: item for item in body["items"]}
    assert items["1.001193"]["sample"] is True
    assert items["1.000894"]["sample"] is False
    assert items["1.000894"]["time_limit"] == "5 ngày làm việc"
    assert items["1.000894"]["cases"][1] == {
        "code": "truc-tuyen",
        "label": "Nộp hồ sơ trực tuyến",
        "condition": "online",
        "value": "1.5",
        "unit": "working_day",
        "limit": "1,5 ngày làm việc",
        "text": "1,5 ngày làm việc",
        "legal_basis": "Quyết định thử nghiệm",
    }
    council = items["1.001193"]["fees"][1]
    assert (council["status"], council["amount"]) == ("unconfigured", None)


def test_the_search_api_says_which_versions_are_sample(client, posted, today):
    body = client.get("/api/catalog/procedures").json()

    assert {item["code"]: item["sample"] for item in body["items"]} == {
        "1.000894": False,
        "1.001193": True,
    }
    assert {item["code"]: item["source"] for item in body["items"]} == {
        "1.000894": MARRIAGE["source"],
        "1.001193": "sample",
    }
