"""Input hygiene (issue 10 item 5): texts, identifiers, uploads, the API's malformed bodies.

Each test failed before the change it covers.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import Schema

from motcua.apiclients.services import api_token_create
from motcua.calendars.models import CalendarDay
from motcua.calendars.tests.calendar_data import at
from motcua.core.errors import Conflict, InvalidInput
from motcua.core.text import clean_text, only_invisible
from motcua.dossiers.models import Dossier, DossierSequence
from motcua.dossiers.services import Applicant, dossier_receive
from motcua.dossiers.tests.fixtures import intake_for

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Văn An")
# Every character removed: zero-width, direction marks, embeddings, overrides, isolates, BOM, soft
# hyphen.
HIDDEN = "".join(chr(c) for c in [*range(0x200B, 0x2010), *range(0x202A, 0x202F)])
HIDDEN += "\u2066\u2067\u2068\u2069\ufeff\u00ad"
ARABIC_INDIC = "٠٠١٠٩٩٠١٢٣٤٥"  # 001099012345 in Arabic-Indic digits
FULLWIDTH = "００１０９９０１２３４５"


def test_clean_text_composes_and_drops_invisible_characters():
    assert clean_text(NFD_NAME) == "Nguyễn Văn An"
    # A zero-width character between a letter and its accent no longer keeps them apart.
    assert clean_text("Nguye\u200b\u0302\u0303n\u202e Văn\u00ad An\ufeff ") == "Nguyễn Văn An"
    assert clean_text("Lý do:\ndòng hai") == "Lý do:\ndòng hai"
    assert only_invisible(HIDDEN) is True
    assert only_invisible("") is False
    assert only_invisible("An") is False


# --- the counter (and every service intake) ----------------------------------------------------


def _receive(desk, **applicant):
    values = {"name": "Nguyễn Văn An", "id_number": "001099012345", **applicant}
    return dossier_receive(
        intake=intake_for(desk, "1.004222", applicant=Applicant(**values)),
        actor=desk.reception,
        at=at(2026, 3, 2, 9),
    )


@pytest.mark.django_db
def test_intake_stores_names_and_texts_in_nfc_without_invisible_characters(desk):
    dossier = _receive(
        desk,
        name=NFD_NAME + "\u200b",
        address="\u202eThôn 1, xã Một\u202c",
        owner_name="\ufeffTrần Thị\u00adBình",
    )
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_address == "Thôn 1, xã Một"
    assert dossier.owner_name == "Trần ThịBình"
    assert dossier.applicant_search == "nguyen van an"


@pytest.mark.django_db
def test_a_name_of_invisible_characters_only_is_refused_naming_the_field(desk):
    with pytest.raises(InvalidInput) as caught:
        _receive(desk, name=HIDDEN)
    assert "tên người nộp: chỉ gồm ký tự vô hình" in caught.value.message
    assert not Dossier.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", ARABIC_INDIC),
        ("id_number", FULLWIDTH),
        ("tax_code", "０１０２３４５６７８"),
        ("tax_code", "0102345678-٠٠١"),
    ],
)
def test_identifiers_in_other_digits_are_refused(desk, field, value):
    assert value[1].isdigit()  # what made them pass before
    changes = {"id_number": "", field: value}
    with pytest.raises(InvalidInput) as caught:
        _receive(desk, **changes)
    assert "chữ số 0–9" in caught.value.message
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_identifiers_in_ascii_digits_are_still_taken(desk):
    dossier = _receive(desk, id_number="001099012345", tax_code="0102345678-001")
    assert (dossier.applicant_id_number, dossier.applicant_tax_code) == (
        "001099012345",
        "0102345678-001",
    )


@pytest.mark.django_db
def test_the_counter_refuses_rather_than_issue_a_code_past_seven_digits(desk):
    day = dt.date(2026, 3, 2)
    DossierSequence.objects.create(unit=desk.unit, day=day, last=9_999_999)
    with pytest.raises(Conflict) as caught:
        _receive(desk)
    assert caught.value.code == "sequence_exhausted"
    assert DossierSequence.objects.get(unit=desk.unit, day=day).last == 9_999_999
    assert not Dossier.objects.exists()


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def bearer(desk) -> dict[str, str]:
    _, secret = api_token_create(scope="act", user=desk.reception, name="Ứng dụng thử")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{not json", '{"a": 1', b"\xff\xfe{}", "[1, 2"])
def test_malformed_json_gets_the_error_shape_with_a_stable_code(client, bearer, body):
    response = client.post("/api/dossiers/", body, content_type="application/json", headers=bearer)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "malformed_json"
    assert "JSON" in response.json()["detail"]


@pytest.mark.django_db
def test_an_oversized_body_gets_a_json_413(client, bearer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"procedure_code": "' + "x" * 2000 + '"}'
    response = client.post("/api/dossiers/", body, content_type="application/json", headers=bearer)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "request_too_large"


@pytest.mark.django_db
def test_an_api_intake_with_fullwidth_digits_is_refused(client, bearer, desk):
    body = {
        "procedure_code": "1.004222",
        "receiving_unit": desk.unit.identifier,
        "applicant": {"name": "Nguyễn Văn An", "id_number": FULLWIDTH},
        "components": [
            {"position": 1, "name": "Tờ khai theo mẫu", "originals": 1},
            {"position": 2, "name": "Giấy tờ chứng minh nơi cư trú", "copies": 1},
        ],
    }
    response = client.post("/api/dossiers/", body, content_type="application/json", headers=bearer)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_dossier"


def test_openapi_declares_the_errors_of_public_operations():
    from motcua.config.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = {str(k): v for k, v in operation["responses"].items()}
            assert {"404", "422"} <= set(responses), (method, path)
            error = responses["404"]["content"]["application/json"]["schema"]["$ref"]
            assert error == "#/components/schemas/ErrorOut"


def test_openapi_shows_nullable_fields_as_nullable():
    """Two output schemas of one name made the unit list declare the dossier's unit (no id, an
    identifier never null): every schema now has its own name."""
    from motcua.config.api import api

    schema = api.get_openapi_schema()
    unit = schema["components"]["schemas"]["UnitDetailOut"]["properties"]
    for name in ("identifier", "parent_id", "valid_from", "valid_to"):
        assert {"type": "null"} in unit[name]["anyOf"], name
    listed = schema["paths"]["/api/units/{code}"]["get"]["responses"][200]
    assert listed["content"]["application/json"]["schema"]["$ref"].endswith("/UnitDetailOut")
    step = schema["components"]["schemas"]["DeadlineStepOut"]["properties"]["date"]
    assert {"type": "null"} in step["anyOf"]


def test_no_two_api_schemas_share_a_name():
    import motcua.config.api  # noqa: F401 - loads every router

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    ours = {c for c in subclasses(Schema) if c.__module__.startswith("motcua.")}
    names = [c.__name__ for c in ours]
    assert sorted(n for n in names if names.count(n) > 1) == []


# --- uploads -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_calendar_file_over_the_limit_is_refused_before_it_is_read(client, superuser, settings):
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    client.force_login(superuser)
    row = b"2027-03-08,day_off,Ngay nghi thu nghiem,QD 1\n"
    content = b"date,kind,name,legal_basis\n" + row * (1024 * 1024 // len(row) + 1)
    response = client.post(
        "/quan-tri/calendars/calendarday/import/",
        {"file": SimpleUploadedFile("lich.csv", content), "confirm": "1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == [
        "Tệp lớn hơn 1 MB (giới hạn MOTCUA_UPLOAD_MAX_MB) nên không được đọc; chưa có thay đổi "
        "nào được lưu."
    ]
    assert not CalendarDay.objects.filter(date=dt.date(2027, 3, 8)).exists()


@pytest.mark.django_db
def test_a_calendar_file_within_the_limit_is_taken(client, superuser, settings):
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    client.force_login(superuser)
    content = b"date,kind,name,legal_basis\n2027-03-08,day_off,Ngay nghi thu nghiem,QD 1\n"
    response = client.post(
        "/quan-tri/calendars/calendarday/import/",
        {"file": SimpleUploadedFile("lich.csv", content), "confirm": "1"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=dt.date(2027, 3, 8)).exists()
