"""The officers' page lists every notice a dossier was issued, numbered as in its form set, and
each link prints that notice as it was issued."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.calendars.tests.calendar_data import at
from motcua.documents.tests.conftest import read_pdf
from motcua.documents.tests.test_forms import supplemented

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_links_and_the_pdfs_follow_the_set(desk, receive):
    dossier = supplemented(desk, receive("1.001612", at(2026, 1, 5, 9)))
    officer = signed_in(desk.reception)
    page = officer.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    base = f"/can-bo/ho-so/{dossier.code}"
    for link in (
        f"{base}/mau-01.pdf?su-kien=1",
        f"{base}/mau-02.pdf?su-kien=3",
        f"{base}/mau-01.pdf?su-kien=4",
        f'{base}/mau-06.pdf"',
    ):
        assert link in page, link
    first = officer.get(f"{base}/mau-01.pdf?su-kien=1")
    assert first.status_code == 200
    assert "ngày 08/01/2026" in read_pdf(first.content).flat
    assert officer.get(f"{base}/mau-01.pdf?su-kien=1").content == first.content
    assert "ngày 15/01/2026" in read_pdf(officer.get(f"{base}/mau-01.pdf").content).flat
    assert "PHIẾU KIỂM SOÁT" in read_pdf(officer.get(f"{base}/mau-06.pdf").content).text
    # No stop notice, the register, an event that issued no receipt, a lookalike: not found.
    huge = "9" * 5000  # past what int() reads: a 404, never a 500
    for path in (
        "mau-05.pdf",
        "mau-07.pdf",
        "mau-01.pdf?su-kien=2",
        "mau-01.pdf?su-kien=²",
        f"mau-01.pdf?su-kien={huge}",
    ):
        assert officer.get(f"{base}/{path}").status_code == 404, path


def test_an_old_dossier_keeps_its_numbers(desk, receive):
    dossier = receive("1.004222", at(2025, 4, 24, 10))
    officer = signed_in(desk.reception)
    page = officer.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert f"/can-bo/ho-so/{dossier.code}/mau-05.pdf" in page
    slip = officer.get(f"/can-bo/ho-so/{dossier.code}/mau-05.pdf")
    assert "PHIẾU KIỂM SOÁT" in read_pdf(slip.content).text
    assert officer.get(f"/can-bo/ho-so/{dossier.code}/mau-06.pdf").status_code == 404
