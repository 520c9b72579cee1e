"""Fees: fixed, exempt, or set by the province's People's Council (decision 11), everywhere."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.catalog.io import catalog_import_file
from motcua.catalog.models import ProcedureFee, ProcedureVersion, ProvincialFee, UnitProcedure
from motcua.catalog.records import parse_record
from motcua.catalog.selectors import fee_amount_text, fee_lines, fees_unconfigured
from motcua.catalog.services import procedure_version_create, provincial_fee_set
from motcua.catalog.tests.conftest import BIRTH
from motcua.core.errors import Conflict, ImportRejected, InvalidInput, PermissionDenied
from motcua.units.models import Unit
from motcua.units.services import unit_create

pytestmark = pytest.mark.django_db

RESOLUTION = "Nghị quyết số 12/2025/NQ-HĐND"
COUNCIL_FEE = {
    "kind": "charge",
    "name": "Lệ phí đăng ký khai sinh quá hạn",
    "pricing": "province",
    "amount": None,
    "unit": "trường hợp",
    "channel": "all",
    "description": "Mức thu do Hội đồng nhân dân cấp tỉnh quyết định",
    "legal_basis": "Thông tư 85/2019/TT-BTC",
}
FIXED_FEE = {
    "kind": "fee",
    "name": "Phí cấp bản sao",
    "pricing": "amount",
    "amount": "8000",
    "unit": "bản",
    "channel": "direct",
    "description": "",
    "legal_basis": "Thông tư 281/2016/TT-BTC",
}
ONLINE_FEE = {**FIXED_FEE, "name": "Phí cấp bản sao (trực tuyến)", "amount": "4000"}
ONLINE_FEE["channel"] = "online"


@pytest.fixture
def priced(store) -> ProcedureVersion:
    """1.001193 with an exempt fee, a province-set fee and two fixed fees (direct / online)."""
    return store(
        {**copy.deepcopy(BIRTH), "fees": [BIRTH["fees"][0], COUNCIL_FEE, FIXED_FEE, ONLINE_FEE]}
    )


@pytest.fixture
def council_fee(priced) -> ProcedureFee:
    return priced.fees.get(pricing="province")


@pytest.fixture
def other_province(db) -> Unit:
    return unit_create(
        name="Ủy ban nhân dân tỉnh Bên Cạnh",
        level=Unit.Level.PROVINCE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        area_code="98",
        identifier="000.00.00.H98",
        valid_from=dt.date(2025, 7, 1),
    )


def _lines(version: ProcedureVersion, province: Unit | None, channel: str = "all", **kw: Any):
    return fee_lines(
        version=version, channel=channel, province=province, on=kw.get("on", dt.date(2026, 3, 10))
    )


# --- the record -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "field", "message"),
    [
        ({**FIXED_FEE, "pricing": "exempt"}, "amount", "để trống khi khoản thu được miễn"),
        ({**FIXED_FEE, "pricing": "exempt", "amount": "0"}, "amount", "để trống khi khoản thu"),
        ({**COUNCIL_FEE, "amount": "100000"}, "amount", "để trống khi mức thu do HĐND tỉnh"),
        ({**COUNCIL_FEE, "amount": "0"}, "amount", "để trống khi mức thu do HĐND tỉnh"),
        ({**FIXED_FEE, "amount": "0"}, "amount", "mức thu cố định phải lớn hơn 0"),
        ({**FIXED_FEE, "amount": None}, "amount", "bắt buộc, phải là số"),
        ({**FIXED_FEE, "amount": "-1"}, "amount", "phải là số không âm"),
        ({**FIXED_FEE, "amount": "1.005"}, "amount", "tối đa hai chữ số thập phân"),
        ({**FIXED_FEE, "pricing": "free"}, "pricing", "giá trị 'free' không hợp lệ"),
    ],
    ids=[
        "exempt-with-amount",
        "exempt-with-zero",
        "province-with-amount",
        "province-with-zero",
        "fixed-zero",
        "fixed-empty",
        "negative",
        "fraction-of-dong",
        "unknown-pricing",
    ],
)
def test_bad_fees_are_refused_on_import(fee, field, message, json_file, table_counts, hotich):
    before = table_counts()

    with pytest.raises(ImportRejected) as caught:
        catalog_import_file(
            content=json_file({**copy.deepcopy(BIRTH), "fees": [fee]}), filename="a.json"
        )

    found = [
        p
        for p in caught.value.problems
        if p["field"] == f"fees[1].{field}" and message in p["message"]
    ]
    assert len(found) == 1, caught.value.problems
    assert table_counts() == before


@pytest.mark.parametrize(
    ("amount", "pricing", "stored"),
    [("0", "exempt", None), ("0.00", "exempt", None), ("8000", "amount", Decimal("8000"))],
)
def test_an_old_record_without_pricing_reads_0_as_exempt(amount, pricing, stored, hotich):
    fee = {k: v for k, v in FIXED_FEE.items() if k != "pricing"} | {"amount": amount}

    record, problems = parse_record(
        {**copy.deepcopy(BIRTH), "fees": [fee]}, known_fields={"HO_TICH"}
    )

    assert problems == []
    assert (record["fees"][0]["pricing"], record["fees"][0]["amount"]) == (pricing, stored)


def test_pricing_is_part_of_the_content(store, priced, today):
    record, _ = parse_record(
        {
            **copy.deepcopy(BIRTH),
            "effective_from": "2026-04-01",
            "fees": [BIRTH["fees"][0], {**COUNCIL_FEE, "pricing": "exempt"}, FIXED_FEE, ONLINE_FEE],
        },
        known_fields={"HO_TICH"},
    )

    _, created = procedure_version_create(record=record)

    assert created


# --- fee_lines and fee_amount_text ----------------------------------------------------------------


def test_fee_lines_without_a_configured_amount(priced, province):
    lines = _lines(priced, province)

    assert lines == [
        {
            "kind": "charge",
            "name": "Lệ phí đăng ký khai sinh",
            "unit": "trường hợp",
            "channel": "all",
            "legal_basis": "Luật Hộ tịch 2014, Điều 11",
            "status": "exempt",
            "amount": "0",
            "resolution": "",
        },
        {
            "kind": "charge",
            "name": "Lệ phí đăng ký khai sinh quá hạn",
            "unit": "trường hợp",
            "channel": "all",
            "legal_basis": "Thông tư 85/2019/TT-BTC",
            "status": "unconfigured",
            "amount": None,
            "resolution": "",
        },
        {
            "kind": "fee",
            "name": "Phí cấp bản sao",
            "unit": "bản",
            "channel": "direct",
            "legal_basis": "Thông tư 281/2016/TT-BTC",
            "status": "amount",
            "amount": "8000",
            "resolution": "",
        },
        {
            "kind": "fee",
            "name": "Phí cấp bản sao (trực tuyến)",
            "unit": "bản",
            "channel": "online",
            "legal_basis": "Thông tư 281/2016/TT-BTC",
            "status": "amount",
            "amount": "4000",
            "resolution": "",
        },
    ]
    assert [fee_amount_text(line) for line in lines] == [
        "Miễn",
        "Chưa cấu hình theo nghị quyết HĐND tỉnh",
        "8.000 đồng",
        "4.000 đồng",
    ]


def test_fee_lines_of_a_channel(priced, province):
    online = [line["name"] for line in _lines(priced, province, "online")]
    direct = [line["name"] for line in _lines(priced, province, "direct")]

    assert online == [
        "Lệ phí đăng ký khai sinh",
        "Lệ phí đăng ký khai sinh quá hạn",
        "Phí cấp bản sao (trực tuyến)",
    ]
    assert direct == [
        "Lệ phí đăng ký khai sinh",
        "Lệ phí đăng ký khai sinh quá hạn",
        "Phí cấp bản sao",
    ]
    with pytest.raises(InvalidInput, match="Hình thức 'fax' không hợp lệ"):
        _lines(priced, province, "fax")


def test_a_configured_amount_applies_from_its_date_in_its_province_only(
    council_fee, priced, province, other_province
):
    provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="12000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )
    provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="0",
        resolution="Nghị quyết số 3/2026/NQ-HĐND",
        effective_from=dt.date(2026, 7, 1),
    )

    def council_line(province: Unit | None, on: dt.date) -> dict[str, Any]:
        return _lines(priced, province, on=on)[1]

    before = council_line(province, dt.date(2025, 12, 31))
    during = council_line(province, dt.date(2026, 3, 10))
    after = council_line(province, dt.date(2026, 7, 1))
    elsewhere = council_line(other_province, dt.date(2026, 3, 10))
    nowhere = council_line(None, dt.date(2026, 3, 10))

    assert (before["status"], before["amount"]) == ("unconfigured", None)
    assert (during["status"], during["amount"], during["resolution"]) == (
        "amount",
        "12000",
        RESOLUTION,
    )
    assert fee_amount_text(during) == "12.000 đồng"
    assert (after["status"], after["amount"]) == ("exempt", "0")
    assert fee_amount_text(after) == "Miễn"
    assert elsewhere["status"] == "unconfigured"
    assert nowhere["status"] == "unconfigured"


def test_a_configured_amount_carries_over_to_the_next_version(council_fee, priced, province, today):
    provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="12000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )
    record, _ = parse_record(
        {
            **copy.deepcopy(BIRTH),
            "effective_from": "2026-04-01",
            "name": "Đăng ký khai sinh (2026)",
            "fees": [COUNCIL_FEE, {**COUNCIL_FEE, "name": "Lệ phí mới"}],
        },
        known_fields={"HO_TICH"},
    )
    v2, _ = procedure_version_create(record=record)

    lines = _lines(v2, province, on=dt.date(2026, 4, 1))

    assert [(line["name"], line["status"]) for line in lines] == [
        ("Lệ phí đăng ký khai sinh quá hạn", "amount"),
        ("Lệ phí mới", "unconfigured"),  # another fee: the province has to set it
    ]


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ({"status": "amount", "amount": "12000"}, "12.000 đồng"),
        ({"status": "amount", "amount": "2500.5"}, "2.500,50 đồng"),
        ({"status": "exempt", "amount": "0"}, "Miễn"),
        ({"status": "unconfigured", "amount": None}, "Chưa cấu hình theo nghị quyết HĐND tỉnh"),
        # Lines snapshot by dossiers received before fees had a status.
        ({"name": "Lệ phí", "amount": "8000"}, "8.000 đồng"),
        ({"name": "Lệ phí", "amount": "8000.00"}, "8.000 đồng"),
        ({"name": "Lệ phí", "amount": "0"}, "Chưa xác định"),
        ({"name": "Lệ phí", "amount": "0.00"}, "Chưa xác định"),
        ({"name": "Lệ phí"}, "Chưa xác định"),
        ({"name": "Lệ phí", "amount": "abc"}, "Chưa xác định"),
    ],
)
def test_fee_amount_text(line, text):
    assert fee_amount_text(line) == text


# --- setting a province's amount ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"amount": "-1"}, InvalidInput, "Mức thu phải là số không âm"),
        ({"amount": "12.345"}, InvalidInput, "hơn hai chữ số thập phân"),
        ({"amount": "mười nghìn"}, InvalidInput, "không phải là số"),
        ({"resolution": ""}, InvalidInput, "Cần số nghị quyết của HĐND tỉnh"),
        ({"resolution": "Quyết định 5/QĐ-UBND"}, InvalidInput, "không phải nghị quyết của HĐND"),
    ],
)
def test_a_bad_provincial_amount_is_refused(council_fee, province, change, error, message):
    arguments = {
        "fee": council_fee,
        "province": province,
        "amount": "12000",
        "resolution": RESOLUTION,
        "effective_from": dt.date(2026, 1, 1),
        **change,
    }

    with pytest.raises(error, match=message):
        provincial_fee_set(**arguments)

    assert ProvincialFee.objects.count() == 0


def test_only_province_set_fees_of_a_province_and_once_per_date(
    priced, council_fee, province, commune
):
    fixed = priced.fees.get(name="Phí cấp bản sao")
    arguments: dict[str, Any] = {
        "amount": "1",
        "resolution": RESOLUTION,
        "effective_from": dt.date(2026, 1, 1),
    }

    with pytest.raises(InvalidInput, match="không do HĐND tỉnh quyết định"):
        provincial_fee_set(fee=fixed, province=province, **arguments)
    with pytest.raises(InvalidInput, match="không phải Ủy ban nhân dân cấp tỉnh"):
        provincial_fee_set(fee=council_fee, province=commune, **arguments)
    provincial_fee_set(fee=council_fee, province=province, **arguments)
    with pytest.raises(Conflict, match="đã có mức thu"):
        provincial_fee_set(fee=council_fee, province=province, **arguments)
    assert ProvincialFee.objects.count() == 1


def test_only_the_provinces_administrators_set_its_amounts(
    council_fee, province, commune, other_province, make_officer
):
    arguments = {
        "fee": council_fee,
        "amount": "1",
        "resolution": RESOLUTION,
        "effective_from": dt.date(2026, 1, 1),
    }
    commune_admin = make_officer(commune, Role.UNIT_ADMIN, "qtxa")
    province_admin = make_officer(province, Role.UNIT_ADMIN, "qttinh")

    with pytest.raises(PermissionDenied):
        provincial_fee_set(province=province, actor=commune_admin, **arguments)
    with pytest.raises(PermissionDenied):
        provincial_fee_set(province=other_province, actor=province_admin, **arguments)
    saved = provincial_fee_set(province=province, actor=province_admin, **arguments)

    assert saved.created_by == province_admin
    assert (saved.fee_kind, saved.fee_name, saved.fee_channel) == (
        "charge",
        "Lệ phí đăng ký khai sinh quá hạn",
        "all",
    )


# --- what is still to be set ----------------------------------------------------------------------


@pytest.fixture
def receiving(priced, commune, other_commune, other_province) -> Unit:
    far = unit_create(
        name="Ủy ban nhân dân xã Xa",
        level=Unit.Level.COMMUNE,
        kind=Unit.Kind.PEOPLES_COMMITTEE,
        parent=other_province,
        area_code="98001",
        identifier="000.12.34.H98",
        valid_from=dt.date(2025, 7, 1),
    )
    for unit in (commune, other_commune, far):
        UnitProcedure.objects.create(
            unit=unit, procedure=priced.procedure, valid_from=dt.date(2025, 7, 1)
        )
    return far


def test_unconfigured_fees_per_receiving_unit(receiving, council_fee, province, today):
    provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="12000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )

    items = fees_unconfigured(on=today)

    # The communes of the configured province have nothing left; the far commune's province has.
    assert [(i.unit.name, i.province and i.province.name, i.fee.name) for i in items] == [
        (
            "Ủy ban nhân dân xã Xa",
            "Ủy ban nhân dân tỉnh Bên Cạnh",
            "Lệ phí đăng ký khai sinh quá hạn",
        )
    ]
    assert fees_unconfigured(on=dt.date(2025, 12, 31))[0].unit.name == "Ủy ban nhân dân xã Một"
    assert len(fees_unconfigured(on=dt.date(2025, 12, 31))) == 3


def test_the_command_lists_unconfigured_fees(receiving, commune, today):
    out = StringIO()
    call_command("catalog", "fees-unconfigured", stdout=out)
    one = StringIO()
    call_command("catalog", "fees-unconfigured", "--unit", commune.identifier, stdout=one)

    text = out.getvalue()
    assert "Ủy ban nhân dân xã Một (Ủy ban nhân dân tỉnh Thử Nghiệm):" in text
    assert "  1.001193 Đăng ký khai sinh — Lệ phí: Lệ phí đăng ký khai sinh quá hạn" in text
    assert (
        "3 khoản thu do HĐND tỉnh quyết định chưa cấu hình tại 3 đơn vị (ngày 10/03/2026)." in text
    )
    assert "xã Hai" not in one.getvalue()
    assert "1 khoản thu do HĐND tỉnh quyết định chưa cấu hình tại 1 đơn vị" in one.getvalue()


def test_the_command_refuses_an_unknown_unit(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy đơn vị"):
        call_command("catalog", "fees-unconfigured", "--unit", "000.00.00.X00")


# --- admin ----------------------------------------------------------------------------------------


@pytest.fixture
def province_admin_client(client, province, make_officer):
    client.force_login(make_officer(province, Role.UNIT_ADMIN, "qttinh"))
    return client


def test_a_province_administrator_configures_a_fee(
    province_admin_client, council_fee, province, receiving, today
):
    add = reverse("admin:catalog_provincialfee_add")
    page = province_admin_client.get(add, {"fee": council_fee.pk, "province": province.pk})

    response = province_admin_client.post(
        add,
        {
            "fee": council_fee.pk,
            "province": province.pk,
            "amount": "12000",
            "resolution": RESOLUTION,
            "effective_from": "2026-01-01",
        },
    )

    assert page.status_code == 200
    assert page.context["adminform"].form.initial["fee"] == str(council_fee.pk)
    assert response.status_code == 302, response.context["errors"]
    saved = ProvincialFee.objects.get()
    assert (saved.province, saved.amount, saved.resolution) == (
        province,
        Decimal(12000),
        RESOLUTION,
    )
    listing = province_admin_client.get(reverse("admin:catalog_provincialfee_changelist"))
    assert listing.context["cl"].result_count == 1
    assert "12.000 đồng" in listing.content.decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"resolution": "Công văn 5/UBND"}, "không phải nghị quyết của HĐND tỉnh"),
        ({"amount": "-5"}, "Mức thu phải là số không âm"),
        ({"effective_from": ""}, "Trường này là bắt buộc."),
    ],
)
def test_the_admin_form_refuses_bad_input(
    province_admin_client, council_fee, province, change, error
):
    data = {
        "fee": council_fee.pk,
        "province": province.pk,
        "amount": "12000",
        "resolution": RESOLUTION,
        "effective_from": "2026-01-01",
        **change,
    }

    response = province_admin_client.post(reverse("admin:catalog_provincialfee_add"), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert ProvincialFee.objects.count() == 0


def test_a_province_administrator_sees_and_sets_only_their_province(
    province_admin_client, council_fee, province, other_province
):
    provincial_fee_set(
        fee=council_fee,
        province=other_province,
        amount="5000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )

    listing = province_admin_client.get(reverse("admin:catalog_provincialfee_changelist"))
    refused = province_admin_client.post(
        reverse("admin:catalog_provincialfee_add"),
        {
            "fee": council_fee.pk,
            "province": other_province.pk,
            "amount": "1",
            "resolution": RESOLUTION,
            "effective_from": "2026-02-01",
        },
    )

    assert listing.context["cl"].result_count == 0
    assert refused.status_code == 200
    assert "province" in refused.context["adminform"].form.errors
    assert ProvincialFee.objects.count() == 1


def test_a_commune_administrator_cannot_reach_the_fee_pages(client, commune, make_officer):
    client.force_login(make_officer(commune, Role.UNIT_ADMIN, "qtxa"))

    for name in ("changelist", "add", "unconfigured"):
        response = client.get(reverse(f"admin:catalog_provincialfee_{name}"))
        assert response.status_code == 403, name


def test_the_unconfigured_page(province_admin_client, receiving, council_fee, province):
    response = province_admin_client.get(reverse("admin:catalog_provincialfee_unconfigured"))

    assert response.status_code == 200
    rows = response.context["rows"]
    # The administrator of the test province sees its two communes, not the other province's.
    assert [row["item"].unit.name for row in rows] == [
        "Ủy ban nhân dân xã Một",
        "Ủy ban nhân dân xã Hai",
    ]
    assert f"fee={council_fee.pk}" in rows[0]["add_url"]
    assert f"province={province.pk}" in rows[0]["add_url"]
    assert "2</strong> khoản thu chưa cấu hình" in response.content.decode()


def test_deleting_a_configured_amount(province_admin_client, council_fee, province):
    row = provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="5000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )

    response = province_admin_client.post(
        reverse("admin:catalog_provincialfee_delete", args=[row.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert ProvincialFee.objects.count() == 0


# --- API ------------------------------------------------------------------------------------------


def test_the_api_never_says_0_for_a_fee_still_to_be_set(client, priced, commune, today):
    national = client.get("/api/catalog/procedures/1.001193").json()
    local = client.get("/api/catalog/procedures/1.001193", {"unit": commune.identifier}).json()
    unknown = client.get("/api/catalog/procedures/1.001193", {"unit": "000.00.00.X00"})

    council = national["fee_lines"][1]
    assert (council["status"], council["amount"]) == ("unconfigured", None)
    assert national["province"] is None
    assert national["fees"][1]["pricing"] == "province"
    assert national["fees"][1]["amount"] is None
    assert national["fees"][0]["amount"] is None  # exempt
    assert local["province"] == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    assert local["fee_lines"][1]["status"] == "unconfigured"
    assert unknown.status_code == 404


def test_the_api_gives_the_provinces_amount(client, priced, council_fee, commune, province, today):
    provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="12000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )

    body = client.get("/api/catalog/procedures/1.001193", {"unit": commune.identifier}).json()

    assert body["fee_lines"][1] == {
        "kind": "charge",
        "name": "Lệ phí đăng ký khai sinh quá hạn",
        "unit": "trường hợp",
        "channel": "all",
        "legal_basis": "Thông tư 85/2019/TT-BTC",
        "status": "amount",
        "amount": "12000",
        "resolution": RESOLUTION,
    }


def test_a_configured_row_is_shown_read_only(province_admin_client, council_fee, province):
    row = provincial_fee_set(
        fee=council_fee,
        province=province,
        amount="5000",
        resolution=RESOLUTION,
        effective_from=dt.date(2026, 1, 1),
    )

    page = province_admin_client.get(reverse("admin:catalog_provincialfee_change", args=[row.pk]))
    index = province_admin_client.get(reverse("admin:index"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert RESOLUTION in page.content.decode()
    assert "Mức thu do HĐND tỉnh quyết định" in index.content.decode()
