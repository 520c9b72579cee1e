"""The catalogue in the back office: pages, the versioning rule, import/export, unit scoping."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.catalog.io import catalog_export_xlsx, catalog_read_file
from motcua.catalog.models import ProcedureVersion, UnitProcedure
from motcua.catalog.tests.conftest import BIRTH, MARRIAGE
from motcua.catalog.tests.helpers import post_data as _post_data

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def future_v2(store, birth_v1, today) -> ProcedureVersion:
    """Version 2 of 1.001193, taking effect on 1 June 2026 (after today)."""
    return store({**copy.deepcopy(BIRTH), "effective_from": "2026-06-01", "name": "Khai sinh 2026"})


@pytest.fixture
def unit_rows(birth_v1, commune, other_commune) -> tuple[UnitProcedure, UnitProcedure]:
    return (
        UnitProcedure.objects.create(
            unit=commune, procedure=birth_v1.procedure, valid_from=dt.date(2025, 7, 1)
        ),
        UnitProcedure.objects.create(
            unit=other_commune, procedure=birth_v1.procedure, valid_from=dt.date(2025, 7, 1)
        ),
    )


# --- pages ---------------------------------------------------------------------------------------


def test_every_page_renders(admin_client, today, hotich, future_v2, unit_rows):
    version = future_v2
    urls = [
        reverse("admin:catalog_field_changelist"),
        reverse("admin:catalog_field_add"),
        reverse("admin:catalog_field_change", args=[hotich.pk]),
        reverse("admin:catalog_procedure_changelist"),
        reverse("admin:catalog_procedure_change", args=[version.procedure_id]),
        reverse("admin:catalog_procedureversion_changelist"),
        reverse("admin:catalog_procedureversion_add"),
        reverse("admin:catalog_procedureversion_change", args=[version.pk]),
        reverse(
            "admin:catalog_procedureversion_change",
            args=[ProcedureVersion.objects.get(number=1).pk],
        ),
        reverse("admin:catalog_procedureversion_new_version", args=[version.pk]),
        reverse("admin:catalog_procedureversion_import"),
        reverse("admin:catalog_unitprocedure_changelist"),
        reverse("admin:catalog_unitprocedure_add"),
        reverse("admin:catalog_unitprocedure_change", args=[unit_rows[0].pk]),
    ]

    statuses = {url: admin_client.get(url).status_code for url in urls}

    assert statuses == dict.fromkeys(urls, 200)


def test_changelists_show_the_rows(admin_client, today, future_v2, unit_rows):
    versions = admin_client.get(reverse("admin:catalog_procedureversion_changelist"))
    procedures = admin_client.get(reverse("admin:catalog_procedure_changelist"))

    assert versions.context["cl"].result_count == 2
    text = versions.content.decode()
    assert "Đang có hiệu lực" in text
    assert "Chưa có hiệu lực" in text
    assert "Nhập danh mục" in text
    assert "Xuất Excel" in text
    assert procedures.context["cl"].result_count == 1
    assert "Khai sinh 2026" in procedures.content.decode()  # the latest version's name


def test_procedure_page_lists_its_versions_read_only(admin_client, today, future_v2):
    response = admin_client.get(
        reverse("admin:catalog_procedure_change", args=[future_v2.procedure_id])
    )

    text = response.content.decode()
    for version in ProcedureVersion.objects.all():
        assert reverse("admin:catalog_procedureversion_change", args=[version.pk]) in text
    assert 'name="_save"' not in text


def test_adding_a_procedure_goes_to_the_version_form(admin_client):
    response = admin_client.get(reverse("admin:catalog_procedure_add"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_procedureversion_add")


# --- adding and changing versions ----------------------------------------------------------------


def test_add_version_goes_through_the_service(admin_client, superuser, hotich, today):
    response = admin_client.post(
        reverse("admin:catalog_procedureversion_add"), _post_data(MARRIAGE, hotich)
    )

    assert response.status_code == 302, response.context["errors"]
    version = ProcedureVersion.objects.get()
    assert response["Location"] == reverse("admin:catalog_procedureversion_changelist")
    assert version.procedure.code == "1.000894"
    assert version.number == 1
    assert version.created_by == superuser
    assert "dang ky ket hon" in version.search_text  # folded by the service
    assert "1.000894" in version.search_text
    assert version.levels == "commune,province"
    assert version.verification == {}
    assert [f.amount for f in version.fees.all()] == [Decimal("1234567890.37"), Decimal("8000")]
    assert [s.performer for s in version.steps.all()] == ["", "Công an xã"]
    assert LogEntry.objects.get().object_id == str(version.pk)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {
                "process": [
                    {"name": "Một", "role": "", "performer": "", "share": "0.6"},
                    {"name": "Hai", "role": "", "performer": "", "share": "0.6"},
                ]
            },
            "Quy trình nội bộ: tổng tỷ lệ thời hạn các bước là 1.2, vượt quá 1",
        ),
        (
            {"time_limit": {"value": "2.5", "unit": "calendar_day", "text": ""}},
            "Thời hạn tính bằng ngày phải là số nguyên",
        ),
        ({"boundary_free": True}, "cần văn bản quyết định khi thủ tục được tiếp nhận"),
        ({"verification": {"code": "X"}}, "phải là bảng tên thông tin → V, P hoặc U"),
    ],
    ids=["shares", "whole-days", "boundary-basis", "verification"],
)
def test_add_version_shows_the_records_problems(
    admin_client, hotich, make_record, change, error, table_counts
):
    before = table_counts()

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_add"),
        _post_data(make_record(MARRIAGE, **change), hotich),
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert table_counts() == before


def test_add_version_before_the_latest_is_refused_on_the_date(
    admin_client, hotich, birth_v1, make_record, table_counts
):
    before = table_counts()
    record = make_record(name="Khai sinh", effective_from="2025-01-01")

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_add"), _post_data(record, hotich)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["effective_from"] == [
        "Thủ tục 1.001193: phiên bản mới phải có hiệu lực sau ngày 01/07/2025 của phiên bản 1."
    ]
    assert table_counts() == before


def test_add_version_identical_to_the_latest_is_refused(
    admin_client, hotich, birth_v1, make_record, table_counts
):
    before = table_counts()

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_add"),
        _post_data(make_record(effective_from="2026-09-01"), hotich),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Nội dung giống hệt phiên bản 1 (hiệu lực từ 01/07/2025); không có gì để lưu."
    ]
    assert table_counts() == before


def test_version_in_force_is_read_only(admin_client, today, birth_v1, hotich, make_record):
    url = reverse("admin:catalog_procedureversion_change", args=[birth_v1.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, _post_data(make_record(name="Sửa trộm"), hotich, birth_v1))

    text = page.content.decode()
    assert 'name="_save"' not in text
    assert "nên là lịch sử, chỉ xem được" in text
    assert "Tạo phiên bản mới" in text
    assert "Lệ phí đăng ký khai sinh" in text  # the fees are shown, read-only
    assert 'name="fees-0-amount"' not in text
    assert response.status_code == 403
    birth_v1.refresh_from_db()
    assert birth_v1.name == "Đăng ký khai sinh"
    assert ProcedureVersion.objects.count() == 1


def test_future_version_is_replaced_when_edited(
    admin_client, today, hotich, birth_v1, future_v2, make_record
):
    url = reverse("admin:catalog_procedureversion_change", args=[future_v2.pk])
    record = make_record(
        name="Khai sinh (sửa)",
        effective_from="2026-07-01",
        fees=[{**BIRTH["fees"][0], "pricing": "amount", "amount": "20000"}],
    )

    response = admin_client.post(url, {**_post_data(record, hotich, future_v2), "_continue": "1"})

    assert response.status_code == 302, response.context["errors"]
    latest = ProcedureVersion.objects.get(number=2)
    assert response["Location"] == reverse(
        "admin:catalog_procedureversion_change", args=[latest.pk]
    )
    assert latest.name == "Khai sinh (sửa)"
    assert latest.effective_from == dt.date(2026, 7, 1)
    assert [f.amount for f in latest.fees.all()] == [Decimal("20000")]
    assert ProcedureVersion.objects.count() == 2
    birth_v1.refresh_from_db()
    assert birth_v1.effective_to == dt.date(2026, 6, 30)


def test_future_version_edit_refused_keeps_it(
    admin_client, today, hotich, birth_v1, future_v2, make_record
):
    url = reverse("admin:catalog_procedureversion_change", args=[future_v2.pk])
    record = make_record(name="Khai sinh (sửa)", effective_from="2025-07-01")

    response = admin_client.post(url, _post_data(record, hotich, future_v2))

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["effective_from"][0]
        .startswith("Thủ tục 1.001193: phiên bản mới phải có hiệu lực sau ngày 01/07/2025")
    )
    future_v2.refresh_from_db()
    assert future_v2.name == "Khai sinh 2026"
    assert future_v2.components.count() == 2


# --- "Tạo phiên bản mới" -------------------------------------------------------------------------


def test_new_version_copies_the_version_with_the_chosen_date(
    admin_client, today, hotich, birth_v1, make_record
):
    start = reverse("admin:catalog_procedureversion_new_version", args=[birth_v1.pk])

    page = admin_client.get(start)
    chosen = admin_client.post(start, {"effective_from": "2026-04-01"})

    assert page.context["form"].initial == {"effective_from": dt.date(2026, 3, 11)}
    add_url = (
        f"{reverse('admin:catalog_procedureversion_add')}"
        f"?copy_from={birth_v1.pk}&effective_from=2026-04-01"
    )
    assert chosen["Location"] == add_url

    prefilled = admin_client.get(add_url)

    form = prefilled.context["adminform"].form
    assert form.initial["name"] == "Đăng ký khai sinh"
    assert form.initial["effective_from"] == "2026-04-01"
    assert form.initial["levels"] == ["commune"]
    assert form.initial["legal_basis"] == "\n".join(BIRTH["legal_basis"])
    assert form.initial["verification"] == "code=P; fees=U"
    fees = prefilled.context["inline_admin_formsets"][2].formset
    assert [(f.initial["pricing"], f.initial["amount"]) for f in fees.forms] == [("exempt", None)]
    papers = prefilled.context["inline_admin_formsets"][1].formset
    assert [f.initial["name"] for f in papers.forms] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]

    record = make_record(
        effective_from="2026-04-01",
        fees=[{**BIRTH["fees"][0], "pricing": "amount", "amount": "5000"}],
    )
    saved = admin_client.post(add_url, _post_data(record, hotich))

    assert saved.status_code == 302, saved.context["errors"]
    v2 = ProcedureVersion.objects.get(number=2)
    assert v2.effective_from == dt.date(2026, 4, 1)
    assert v2.procedure_id == birth_v1.procedure_id
    assert [f.amount for f in v2.fees.all()] == [Decimal("5000")]
    assert v2.components.count() == 2
    birth_v1.refresh_from_db()
    assert birth_v1.effective_to == dt.date(2026, 3, 31)


def test_new_version_action(admin_client, birth_v1, marriage_v1):
    url = reverse("admin:catalog_procedureversion_changelist")

    one = admin_client.post(
        url, {"action": "new_version_action", "_selected_action": [birth_v1.pk]}
    )
    two = admin_client.post(
        url, {"action": "new_version_action", "_selected_action": [birth_v1.pk, marriage_v1.pk]}
    )

    assert one["Location"] == reverse(
        "admin:catalog_procedureversion_new_version", args=[birth_v1.pk]
    )
    assert two.status_code == 302
    assert _messages(two) == ["Chọn đúng một phiên bản để tạo phiên bản mới từ nó."]


# --- import and export ---------------------------------------------------------------------------


def test_import_page_shows_problems_and_saves_nothing(
    admin_client, birth_v1, marriage_v1, table_counts
):
    content = catalog_export_xlsx(ProcedureVersion.objects.all())
    workbook = load_workbook(io.BytesIO(content))
    workbook["PhiLePhi"]["F4"] = -5
    workbook["ThuTuc"]["B2"] = "2027-01-01"  # 1.000894 changes date: its children now point nowhere
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = table_counts()

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_import"),
        {
            "file": SimpleUploadedFile("danh-muc.xlsx", buffer.getvalue()),
        },
    )

    assert response.status_code == 200
    problems = response.context["problems"]
    assert [(p["sheet"], p["row"], p["field"]) for p in problems] == [
        ("ThanhPhanHoSo", 2, "MATTHC"),
        ("PhiLePhi", 2, "MATTHC"),
        ("PhiLePhi", 3, "MATTHC"),
        ("QuyTrinh", 2, "MATTHC"),
        ("QuyTrinh", 3, "MATTHC"),
        ("ThoiHanTruongHop", 2, "MATTHC"),
        ("ThoiHanTruongHop", 3, "MATTHC"),
    ]
    text = response.content.decode()
    assert "sheet PhiLePhi, dòng 3" in text
    assert "không có thủ tục 1.000894 với ngày hiệu lực 2025-07-01 trong sheet ThuTuc" in text
    assert table_counts() == before


def test_import_page_reports_record_problems_by_row(
    admin_client, json_file, make_record, table_counts, hotich
):
    content = json_file(make_record(MARRIAGE), make_record(name="", code="1.00119"))
    before = table_counts()

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_import"),
        {
            "file": SimpleUploadedFile("danh-muc.json", content),
        },
    )

    assert response.status_code == 200
    problems = response.context["problems"]
    assert {(p["index"], p["record"], p["field"]) for p in problems} == {
        (2, "1.00119", "code"),
        (2, "1.00119", "name"),
    }
    assert "thủ tục thứ 2" in response.content.decode()
    assert _messages(response) == ["Tệp không được nhập vì có lỗi; chưa có thay đổi nào được lưu."]
    assert table_counts() == before


def test_import_page_dry_run_and_import(admin_client, superuser, json_file, table_counts):
    url = reverse("admin:catalog_procedureversion_import")
    content = json_file(BIRTH, MARRIAGE)

    checked = admin_client.post(
        url, {"file": SimpleUploadedFile("a.json", content), "dry_run": "on"}
    )

    assert checked.status_code == 200
    assert checked.context["report"].created == ["1.000894 v1", "1.001193 v1"]
    assert "Kết quả kiểm tra (chưa lưu)" in checked.content.decode()
    assert set(table_counts().values()) == {0}

    imported = admin_client.post(url, {"file": SimpleUploadedFile("a.json", content)})

    assert imported["Location"] == reverse("admin:catalog_procedureversion_changelist")
    assert _messages(imported) == ["Đã nhập: 2 phiên bản mới, 0 thủ tục không đổi, 1 lĩnh vực mới."]
    assert list(ProcedureVersion.objects.values_list("procedure__code", "created_by")) == [
        ("1.000894", superuser.pk),
        ("1.001193", superuser.pk),
    ]


def test_export_links_download_the_versions_in_force(admin_client, today, future_v2, marriage_v1):
    as_json = admin_client.get(reverse("admin:catalog_procedureversion_export_json"))
    as_xlsx = admin_client.get(reverse("admin:catalog_procedureversion_export_xlsx"))

    assert as_json["Content-Disposition"] == (
        'attachment; filename="danh-muc-thu-tuc-2026-03-10.json"'
    )
    document = json.loads(as_json.content)
    assert [(p["code"], p["name"]) for p in document["procedures"]] == [
        ("1.000894", "Đăng ký kết hôn"),
        ("1.001193", "Đăng ký khai sinh"),
    ]
    assert as_xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    _, records = catalog_read_file(as_xlsx.content, "x.xlsx")
    assert [raw["name"] for _, raw in records] == ["Đăng ký kết hôn", "Đăng ký khai sinh"]


# --- a unit administrator ------------------------------------------------------------------------


@pytest.fixture
def unit_admin_client(client, make_officer, commune):
    client.force_login(make_officer(commune, Role.UNIT_ADMIN))
    return client


def test_unit_admin_sees_only_their_units_rows(unit_admin_client, unit_rows, commune):
    mine, other = unit_rows

    listing = unit_admin_client.get(reverse("admin:catalog_unitprocedure_changelist"))
    foreign = unit_admin_client.get(reverse("admin:catalog_unitprocedure_change", args=[other.pk]))
    own = unit_admin_client.get(reverse("admin:catalog_unitprocedure_change", args=[mine.pk]))
    add = unit_admin_client.get(reverse("admin:catalog_unitprocedure_add"))

    assert list(listing.context["cl"].result_list) == [mine]
    assert foreign.status_code == 302
    assert own.status_code == 200
    assert list(add.context["adminform"].form.fields["unit"].queryset) == [commune]


def test_unit_admin_assigns_only_their_units(
    unit_admin_client, unit_rows, commune, other_commune, marriage_v1
):
    response = unit_admin_client.post(
        reverse("admin:catalog_unitprocedure_add"),
        {
            "unit": str(other_commune.pk),
            "procedure": str(marriage_v1.procedure_id),
            "valid_from": "2026-01-01",
        },
    )

    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert UnitProcedure.objects.count() == 2

    response = unit_admin_client.post(
        reverse("admin:catalog_unitprocedure_add"),
        {
            "unit": str(commune.pk),
            "procedure": str(marriage_v1.procedure_id),
            "valid_from": "2026-01-01",
        },
    )

    assert response.status_code == 302
    assert UnitProcedure.objects.filter(unit=commune).count() == 2


def test_unit_admin_reads_the_catalogue_but_cannot_change_it(unit_admin_client, today, birth_v1):
    version_page = unit_admin_client.get(
        reverse("admin:catalog_procedureversion_change", args=[birth_v1.pk])
    )
    import_page = unit_admin_client.get(reverse("admin:catalog_procedureversion_import"))
    new_version = unit_admin_client.get(
        reverse("admin:catalog_procedureversion_new_version", args=[birth_v1.pk])
    )
    export = unit_admin_client.get(reverse("admin:catalog_procedureversion_export_json"))
    listing = unit_admin_client.get(reverse("admin:catalog_procedureversion_changelist"))

    assert version_page.status_code == 200
    text = version_page.content.decode()
    assert reverse("admin:catalog_procedureversion_new_version", args=[birth_v1.pk]) not in text
    assert "Tạo phiên bản mới" not in text
    assert "Lệ phí đăng ký khai sinh" in version_page.content.decode()
    assert import_page.status_code == 403
    assert new_version.status_code == 403
    assert export.status_code == 200
    assert "Nhập danh mục" not in listing.content.decode()


def test_a_catalogue_file_over_the_limit_is_refused_before_it_is_read(
    admin_client, json_file, table_counts, settings
):
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    content = json_file(BIRTH) + b" " * (1024 * 1024)
    response = admin_client.post(
        reverse("admin:catalog_procedureversion_import"),
        {"file": SimpleUploadedFile("a.json", content)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Tệp lớn hơn 1 MB (giới hạn MOTCUA_UPLOAD_MAX_MB) nên không được đọc; chưa có thay đổi "
        "nào được lưu."
    ]
    assert set(table_counts().values()) == {0}


def test_a_version_cannot_take_effect_outside_the_years_of_every_other_date(admin_client, birth_v1):
    url = reverse("admin:catalog_procedureversion_new_version", args=[birth_v1.pk])
    response = admin_client.post(url, {"effective_from": "2150-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"]
