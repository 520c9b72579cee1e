"""The shared pieces without a database: formats, text wrapping, tables, the QR code, fonts."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

import pytest

from motcua.core.templatetags.motcua import vnd
from motcua.documents import formats, layout
from motcua.documents.tests.conftest import read_pdf


class TestFormats:
    @pytest.mark.parametrize(
        ("day", "text"),
        [
            (dt.date(2025, 5, 7), "ngày 07 tháng 5 năm 2025"),
            (dt.date(2026, 2, 24), "ngày 24 tháng 02 năm 2026"),
            (dt.date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
            (dt.date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
        ],
    )
    def test_the_date_line_follows_nd_30(self, day, text):
        assert formats.written_date(day) == text

    def test_instants_are_written_in_vietnam_time(self):
        instant = dt.datetime(2025, 5, 7, 10, 0, tzinfo=dt.UTC)  # 17:00 in Hà Nội
        assert formats.moment(instant) == "17 giờ 00 phút, ngày 07/05/2025"
        assert formats.stamp(instant) == "07/05/2025 17:00"
        assert formats.day(dt.datetime(2025, 5, 6, 18, 0, tzinfo=dt.UTC)) == "07/05/2025"
        assert formats.day(None) == formats.moment(None) == ""

    @pytest.mark.parametrize(
        ("amount", "text"),
        [
            (Decimal("20000.00"), "20.000 đồng"),
            (Decimal("12500"), "12.500 đồng"),
            (1500000, "1.500.000 đồng"),
            (Decimal("2500.50"), "2.500,50 đồng"),
            (0, "0 đồng"),  # exempt: an amount still to be set never reaches here (fee_amount_text)
            (None, ""),
        ],
    )
    def test_amounts(self, amount, text):
        """One writer of amounts for pages and forms (core.templatetags.motcua.vnd)."""
        assert vnd(amount) == text

    def test_identifiers_show_only_their_last_four_characters(self):
        assert formats.mask_identifier("001099012345") == "********2345"
        assert formats.mask_identifier("0101234567-001") == "**********-001"
        assert formats.mask_identifier("") == ""


class TestWrapping:
    def test_lines_fit_the_column_and_keep_every_word(self):
        layout.register_fonts()
        text = "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp"
        lines = layout.wrap_text(text, layout.SERIF, 8, 80)
        assert len(lines) > 1
        assert all(layout.pdfmetrics.stringWidth(line, layout.SERIF, 8) <= 80 for line in lines)
        assert " ".join(lines) == text

    def test_a_word_wider_than_the_column_breaks_after_a_hyphen(self):
        layout.register_fonts()
        lines = layout.wrap_text("000.12.34.H99-250424-0007", layout.SANS, 8, 60)
        assert "".join(lines) == "000.12.34.H99-250424-0007"
        assert lines[0].endswith(("-", "."))

    def test_text_is_composed_to_nfc(self):
        decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Ân")
        assert layout.clean(decomposed) == "Nguyễn Văn Ân"
        assert layout.esc("A & <B>") == "A &amp; &lt;B&gt;"


class TestRowTable:
    def test_splits_page_by_page_with_its_header(self):
        table = layout.row_table(
            [layout.Column("STT", 1), layout.Column("Tên", 4)],
            [[str(i), f"Hồ sơ {i}"] for i in range(1, 101)],
            width=300,
        )
        row = table._grid.tops[1]
        assert table.wrap(300, 1000)[1] == pytest.approx(table._grid.head_height + 100 * row)
        room = table._grid.head_height + 10.5 * row
        first, rest = table.split(300, room)
        assert (first._start, first._stop, rest._start, rest._stop) == (0, 10, 10, 100)
        assert table.split(300, table._grid.head_height + row / 2) == []
        assert table.split(300, 10_000) == [table]

    def test_an_empty_table_says_so(self):
        table = layout.row_table([layout.Column("A", 1), layout.Column("B", 1)], [], width=100)
        assert table._grid.cells == [[["Không có"]]]
        assert table._grid.placeholder

    def test_a_long_table_runs_over_pages_with_the_header_repeated(self):
        rows = [[str(i), f"000.12.34.H99-250424-{i:04d}"] for i in range(1, 201)]
        table = layout.row_table(
            [layout.Column("STT", 1), layout.Column("Mã hồ sơ", 4)], rows, width=300
        )
        pdf = read_pdf(
            layout.build_pdf(
                [layout.para("Đầu trang"), table, layout.para("Hết")],
                page=layout.FORM_PAGE,
                title="Thử",
                footer="Thử",
            )
        )
        assert len(pdf.pages) > 3
        assert all("Mã hồ sơ" in page for page in pdf.pages)
        assert [line for line in pdf.text.split("\n") if "-2504" in line] == [r[1] for r in rows]


class TestQr:
    PAYLOAD = layout.qr_payload(
        [("Mã hồ sơ", "000.12.34.H99-250424-0007"), ("Giấy tờ", "Giấy tiếp nhận hồ sơ")]
    )

    def test_the_payload_is_one_line_per_field(self):
        assert self.PAYLOAD == "Mã hồ sơ: 000.12.34.H99-250424-0007\nGiấy tờ: Giấy tiếp nhận hồ sơ"

    def test_the_data_is_utf8_announced_by_eci(self):
        """Read the bit stream back: ECI 26 (UTF-8), then one byte segment with the payload."""
        code = layout.qr_encode(self.PAYLOAD)
        stream = layout.qrencoder.QRBitBuffer()
        for segment in code.dataList:
            segment.write(stream, code.version)
        bits = "".join("1" if stream.get(i) else "0" for i in range(stream.getLengthInBits()))

        def take(count: int) -> int:
            nonlocal bits
            value, bits = int(bits[:count], 2), bits[count:]
            return value

        assert (take(4), take(8)) == (0b0111, 26)  # ECI mode, designator 26 = UTF-8
        assert take(4) == 0b0100  # byte mode
        length = take(8 if code.version < 10 else 16)
        data = bytes(take(8) for _ in range(length))
        assert data.decode("utf-8") == self.PAYLOAD
        assert bits == ""
        assert len(code.modules) == code.version * 4 + 17

    def test_the_mask_is_the_one_with_the_lowest_penalty(self):
        code = layout.qr_encode(self.PAYLOAD)
        penalties = []
        for pattern in range(8):
            code.makeImpl(True, pattern)
            penalties.append(layout.mask_penalty(code.modules))
        chosen = code.getBestMaskPattern()
        assert penalties[chosen] == min(penalties)

    def test_penalty_rules(self):
        # All dark, 21×21: runs 19 × 42 lines, 400 blocks × 3, balance 100 % → 10 × 10.
        assert layout.mask_penalty([[True] * 21 for _ in range(21)]) == 19 * 42 + 1200 + 100
        # A finder-like pattern in a row of an otherwise checkered symbol.
        checkered = [[(r + c) % 2 == 0 for c in range(21)] for r in range(21)]
        plain = layout.mask_penalty(checkered)
        checkered[10][:11] = [bit == "1" for bit in "10111010000"]
        assert layout.mask_penalty(checkered) >= plain + 40


def test_the_fonts_are_bundled_with_their_licence():
    names = {path.name for path in layout.FONT_DIR.iterdir()}
    assert {
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSerif.ttf",
        "DejaVuSerif-Bold.ttf",
        "LICENSE",
    } <= names
    assert "Bitstream Vera" in (layout.FONT_DIR / "LICENSE").read_text(encoding="utf-8")


def test_the_fonts_are_embedded_and_the_bytes_repeatable():
    story = [layout.para("Cộng hòa xã hội chủ nghĩa Việt Nam — Ỷ Ỹ Ự ẵ ậ đ")]
    first = layout.build_pdf(story, page=layout.FORM_PAGE, title="Thử")
    again = layout.build_pdf(
        [layout.para("Cộng hòa xã hội chủ nghĩa Việt Nam — Ỷ Ỹ Ự ẵ ậ đ")],
        page=layout.FORM_PAGE,
        title="Thử",
    )
    assert first == again
    pdf = read_pdf(first)
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam — Ỷ Ỹ Ự ẵ ậ đ" in pdf.text
    page: Any = pdf.reader.pages[0]
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSerif" in name for name in fonts), fonts
