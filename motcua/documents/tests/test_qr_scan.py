"""The QR block scans: a phone's reader (zxing-cpp) decodes it from the rendered page."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp

from motcua.calendars.tests.calendar_data import at
from motcua.documents.services import render_dossier_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("form", ["01", "05"])
def test_the_printed_qr_code_decodes_to_the_dossier(desk, receive, form):
    dossier = receive("1.004222", at(2025, 4, 24, 10))
    pdf = render_dossier_form(form=form, dossier=dossier, now=at(2025, 4, 24, 10, 5))
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=4).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    lines = code.text.splitlines()
    assert lines[0] == f"Mã hồ sơ: {dossier.code}"
    assert "Mã TTHC: 1.004222" in lines
    assert "Số định danh: ********2345" in lines
    assert "Hệ thống: motcua" in lines
    if form == "01":
        assert "Hẹn trả: 07/05/2025 17:00" in lines
