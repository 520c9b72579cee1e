"""Mẫu 06, Sổ theo dõi hồ sơ: one line per dossier received at the unit in the period."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from motcua.calendars.tests.calendar_data import at
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import InvalidInput
from motcua.documents.services import render_register
from motcua.documents.tests.conftest import read_pdf
from motcua.dossiers.models import Channel, Delivery, Dossier, Outcome, Status
from motcua.dossiers.services import Applicant, dossier_resolve, dossier_return
from motcua.dossiers.tests.test_lifecycle import work_through

pytestmark = pytest.mark.django_db

A4_LANDSCAPE = (841.89, 595.28)
CODE = re.compile(r"000\.12\.3[45]\.H99-\d{6}-\d{4}")


def many(unit, count: int, first: dt.date) -> list[Dossier]:
    """``count`` received dossiers, a few a day from ``first``, straight into the table (the
    register reads stored fields only; the lifecycle services are exercised elsewhere)."""
    version = ProcedureVersion.objects.get(procedure__code="1.004222")
    rows = []
    for number in range(count):
        day = first + dt.timedelta(days=number // 12)
        received = at(day.year, day.month, day.day, 8 + number % 12 // 2, number % 2 * 30)
        rows.append(
            Dossier(
                code=f"{unit.identifier}-{day:%y%m%d}-{number % 12 + 1:04d}",
                procedure_version=version,
                receiving_unit=unit,
                resolving_unit=unit,
                channel=Channel.DIRECT,
                delivery=Delivery.COUNTER,
                applicant_name=f"Lê Thị Hồng {number + 1}",
                applicant_address="Xóm Bến, xã Một",
                applicant_phone="0987654321",
                status=Status.RECEIVED,
                received_at=received,
                due_at=received + dt.timedelta(days=10),
                due_date=(received + dt.timedelta(days=10)).date(),
            )
        )
    return Dossier.objects.bulk_create(rows)


def test_a_register_of_three_hundred_dossiers(desk, receive, other_commune):
    many(desk.unit, 300, dt.date(2025, 3, 1))
    many(other_commune, 5, dt.date(2025, 3, 1))  # another desk's: not in this register
    pdf = read_pdf(
        render_register(
            unit=desk.unit,
            start=dt.date(2025, 3, 1),
            end=dt.date(2025, 3, 31),
            now=at(2025, 4, 1, 9),
            actor=None,
        )
    )
    assert pdf.size() == A4_LANDSCAPE
    assert len(pdf.pages) >= 5
    codes = CODE.findall(pdf.text)
    assert len(codes) == 300
    assert len(set(codes)) == 300
    assert all(code.startswith("000.12.34.H99") for code in codes)
    assert codes == sorted(codes)  # in order of receipt
    for number, page in enumerate(pdf.pages, start=1):
        flat = " ".join(page.split())
        assert "Mã hồ sơ" in flat
        assert "Ngày hẹn trả" in flat
        assert f"Trang {number}" in flat
    first = " ".join(pdf.pages[0].split())
    for expected in [
        "SỔ THEO DÕI HỒ SƠ",
        "Từ ngày 01/03/2025 đến ngày 31/03/2025",
        "tổng số 300 hồ sơ",
        "Số hồ sơ: 300",
        "Đơn vị: 000.12.34.H99",
        "Kỳ: 01/03/2025 – 31/03/2025",
        "Giấy tờ: Mẫu 06 — Sổ theo dõi hồ sơ",
        "Lê Thị Hồng 1 ",
        "Xóm Bến, xã Một; 0987654321",
        "Đăng ký thường trú",
    ]:
        assert expected in first, expected
    last = " ".join(pdf.pages[-1].split())
    assert "300 " in last
    assert "Lê Thị Hồng 300" in last


def test_the_columns_of_a_dossier_that_went_through(desk, receive):
    received = receive("1.004222", at(2025, 4, 24, 10))
    dossier = work_through(desk, received, at(2025, 4, 25, 9))
    dossier = dossier_resolve(
        dossier=dossier,
        actor=desk.leader,
        expected_version=dossier.version,
        outcome=Outcome.REFUSED,
        reason="Không đủ điều kiện đăng ký thường trú",
        at=at(2025, 5, 6, 14),
    )
    dossier_return(
        dossier=dossier,
        actor=desk.reception,
        expected_version=dossier.version,
        at=at(2025, 5, 8, 9),
    )
    still_open = receive("1.000894", at(2025, 4, 25, 9))
    outside = receive("1.000894", at(2025, 5, 1, 9))
    pdf = read_pdf(
        render_register(
            unit=desk.unit,
            start=dt.date(2025, 4, 24),
            end=dt.date(2025, 4, 30),
            now=at(2025, 5, 20, 9),
            actor=None,
        )
    )
    lines = pdf.pages[0].split("\n")
    text = " ".join(pdf.text.split())
    assert CODE.findall(pdf.text) == [received.code, still_open.code]
    assert outside.code not in text
    row = " ".join(" ".join(lines[lines.index(received.code) - 1 :]).split())
    # STT, code, procedure, sets, name, address and phone, resolving unit, received, due,
    # forwarded (the first assignment), resolved / returned, note.
    assert re.search(
        r"1 000\.12\.34\.H99-250424-0001 Đăng ký thường trú 01 Nguyễn Văn An "
        r"Thôn 1, xã Một; 0912345678 Ủy ban nhân dân xã Một 24/04/2025 07/05/2025 25/04/2025 "
        r"06/05/2025 / 08/05/2025 Từ chối giải quyết; Trước hạn",
        row,
    ), row
    assert "Chờ" not in text
    assert "Đang quá hạn" in text  # the open one, due 06/05/2025 and not done by 20/05


def test_an_empty_period(desk):
    text = read_pdf(
        render_register(
            unit=desk.unit,
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 1, 31),
            now=at(2025, 2, 1),
            actor=None,
        )
    ).flat
    assert "Không có hồ sơ" in text
    assert "tổng số 0 hồ sơ" in text


def test_a_period_that_ends_before_it_starts(desk):
    with pytest.raises(InvalidInput, match="trước ngày bắt đầu"):
        render_register(
            unit=desk.unit,
            start=dt.date(2025, 2, 1),
            end=dt.date(2025, 1, 1),
            now=at(2025, 2, 1),
            actor=None,
        )


def test_a_postal_clerk_prints_only_what_goes_by_post(desk, receive, client):
    """The register is built from what the officer may see: postal staff see the dossiers that
    come or go by post, not every applicant of the desk."""
    receive("1.004222", at(2026, 3, 2, 9))
    receive(
        "1.004222",
        at(2026, 3, 2, 10),
        applicant=Applicant(name="Trần Thị Bưu", address="Xóm Bưu, xã Một", phone="0911222333"),
        delivery=Delivery.POST,
    )
    period = {"unit": desk.unit.pk, "start": "2026-03-01", "end": "2026-03-31"}

    def register_of(officer) -> str:
        client.force_login(officer)
        response = client.get("/can-bo/so-theo-doi.pdf", period)
        assert response.status_code == 200
        return read_pdf(response.content).flat

    postal = register_of(desk.postal)
    assert "Trần Thị Bưu" in postal
    assert "Nguyễn Văn An" not in postal
    assert "0912345678" not in postal
    assert "tổng số 1 hồ sơ" in postal
    desk_register = register_of(desk.reception)
    assert "Trần Thị Bưu" in desk_register
    assert "Nguyễn Văn An" in desk_register
    assert "tổng số 2 hồ sơ" in desk_register
