"""The commune desk of the dossier tests, plus a procedure with fees, and PDF reading helpers."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from motcua.catalog.services import catalog_import
from motcua.dossiers.tests.conftest import (  # noqa: F401 - fixtures used by the tests
    desk,
    procedures,
    receive,
    record,
)


@pytest.fixture
def fee_procedure(request):
    """Chứng thực bản sao: one working day, a fee per page (for the amounts on Mẫu 01)."""
    request.getfixturevalue("procedures")
    catalog_import(
        fields=[],
        records=[
            (
                {"index": 1},
                record(
                    "2.000815",
                    "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                    "1",
                    "working_day",
                    fees=[
                        {
                            "kind": "fee",
                            "name": "Phí chứng thực bản sao",
                            "amount": "2000",
                            "unit": "trang",
                        },
                        {"kind": "charge", "name": "Lệ phí cấp bản sao", "amount": "12500"},
                    ],
                ),
            )
        ],
    )


@dataclass
class Pdf:
    reader: PdfReader
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def flat(self) -> str:
        """The text with every run of white space made one space (lines wrap in cells)."""
        return re.sub(r"\s+", " ", self.text)

    def size(self, page: int = 0) -> tuple[float, float]:
        box = self.reader.pages[page].mediabox
        return round(float(box.width), 2), round(float(box.height), 2)


def read_pdf(data: bytes) -> Pdf:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return Pdf(reader, [page.extract_text() for page in reader.pages])
