"""The layout every form shares: fonts, styles, the QR block and heading, tables, the PDF itself.

Forms are laid out with ReportLab's platypus. Tables are drawn by ``RowTable``, which measures each
row once and splits page by page in linear time: platypus' own ``Table`` measures all remaining
rows again at each page break, which makes a register of thousands of rows quadratic.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO
from itertools import accumulate, groupby, pairwise
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

# ---------------------------------------------------------------------------------------------
# Fonts: bundled, so that a form looks the same on every machine (fonts/LICENSE)
# ---------------------------------------------------------------------------------------------

FONT_DIR = Path(__file__).resolve().parent / "fonts"
SERIF, SERIF_BOLD = "MotcuaSerif", "MotcuaSerif-Bold"
SANS, SANS_BOLD = "MotcuaSans", "MotcuaSans-Bold"
_FONT_FILES = {
    SERIF: "DejaVuSerif.ttf",
    SERIF_BOLD: "DejaVuSerif-Bold.ttf",
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
}


@cache
def register_fonts() -> None:
    """Register the bundled DejaVu fonts with ReportLab (and set it up), once per process."""
    # Binary streams: ReportLab's default ASCII85 layer makes files a quarter larger and costs
    # time in pure Python; every PDF reader takes binary streams.
    rl_config.useA85 = 0
    for name, file in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    # No italic faces are bundled: <i> falls back to the upright face.
    for regular, bold in ((SERIF, SERIF_BOLD), (SANS, SANS_BOLD)):
        pdfmetrics.registerFontFamily(
            regular, normal=regular, bold=bold, italic=regular, boldItalic=bold
        )


# ---------------------------------------------------------------------------------------------
# Pages and styles
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    size: tuple[float, float]
    margin: float  # left and right
    top: float
    bottom: float

    @property
    def width(self) -> float:
        """The width of the text frame."""
        return float(self.size[0] - 2 * self.margin)

    @property
    def height(self) -> float:
        """The height of the text frame (the frame has no padding of its own)."""
        return float(self.size[1] - self.top - self.bottom)


# TT 01/2018 Điều 9: the dossier's forms on A5, the register on A4; a register row is wide.
FORM_PAGE = Page(A5, margin=10 * mm, top=6 * mm, bottom=8 * mm)
REGISTER_PAGE = Page(landscape(A4), margin=10 * mm, top=8 * mm, bottom=11 * mm)


@dataclass(frozen=True)
class Styles:
    body: Any
    title: Any
    subtitle: Any
    heading: Any
    place: Any
    qr: Any
    sign: Any
    note: Any
    copy: Any


@cache
def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle(
        "motcua-body", fontName=SERIF, fontSize=8.8, leading=10.5, spaceAfter=0.5, alignment=TA_LEFT
    )
    return Styles(
        body=body,
        title=ParagraphStyle(
            "motcua-title",
            parent=body,
            fontName=SERIF_BOLD,
            fontSize=11,
            leading=13.5,
            alignment=TA_CENTER,
            spaceBefore=2,
            spaceAfter=1,
        ),
        subtitle=ParagraphStyle("motcua-subtitle", parent=body, alignment=TA_CENTER, spaceAfter=3),
        heading=ParagraphStyle(
            "motcua-heading", parent=body, fontSize=8, leading=10, alignment=TA_CENTER
        ),
        place=ParagraphStyle(
            "motcua-place", parent=body, fontSize=9, alignment=TA_CENTER, spaceBefore=2
        ),
        qr=ParagraphStyle("motcua-qr", fontName=SERIF, fontSize=5.8, leading=7),
        sign=ParagraphStyle("motcua-sign", parent=body, alignment=TA_CENTER, spaceAfter=0),
        note=ParagraphStyle(
            "motcua-note", parent=body, fontSize=8, leading=10, alignment=TA_JUSTIFY
        ),
        copy=ParagraphStyle(
            "motcua-copy",
            parent=body,
            fontName=SERIF_BOLD,
            fontSize=7,
            leading=8.5,
            alignment=TA_RIGHT,
            spaceAfter=0,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def clean(text: object) -> str:
    """The text in NFC: the fonts carry precomposed Vietnamese letters, and ReportLab places
    combining marks (as some keyboards type them) without composing them."""
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def esc(text: object) -> str:
    """Text made safe for a Paragraph's mark-up."""
    return escape(clean(text))


def para(text: object, style: Any = None) -> Any:
    """A paragraph of plain text (no mark-up)."""
    return Paragraph(esc(text), style or styles().body)


def markup(html: str, style: Any = None) -> Any:
    """A paragraph of mark-up the caller built with ``esc``."""
    return Paragraph(html, style or styles().body)


def fields(items: Iterable[tuple[str, object]], style: Any = None) -> list[Any]:
    """One line per field, "Label: value" with the value in bold; empty values are left out."""
    return [
        markup(f"{esc(label)}: <b>{esc(value)}</b>", style)
        for label, value in items
        if value not in (None, "")
    ]


def field_line(items: Iterable[tuple[str, object]], style: Any = None) -> list[Any]:
    """Several fields on one line ("Label: value; Label: value"); empty values are left out."""
    parts = [
        f"{esc(label)}: <b>{esc(value)}</b>" for label, value in items if value not in (None, "")
    ]
    return [markup("; ".join(parts), style)] if parts else []


def spacer(height_mm: float) -> Any:
    return Spacer(1, height_mm * mm)


# ---------------------------------------------------------------------------------------------
# The QR block (TT 01/2023/TT-VPCP) and the heading of an administrative document
# ---------------------------------------------------------------------------------------------

QR_SIZE = 20 * mm
QR_BORDER = 2  # modules of light margin inside the symbol's box (the page margin adds more)


class _Utf8Eci(qrencoder.QRECI):
    """ECI 26 declares the bytes that follow as UTF-8 (ISO/IEC 18004, TCVN 7322:2009), so readers
    decode the Vietnamese letters right. ReportLab counts no bits for an ECI segment when it
    chooses the symbol version; it takes eight."""

    bitlength = 8

    def __init__(self) -> None:
        super().__init__(26)


_RUNS = re.compile(rb"0{5,}|1{5,}")
# Finder-like 1:1:3:1:1 with four light modules on one side; neither overlaps itself, so a plain
# count is exact.
_FINDER_LIKE = (b"10111010000", b"00001011101")
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def mask_penalty(modules: Sequence[Sequence[bool]]) -> int:
    """The penalty score of a masked symbol (ISO/IEC 18004 mask evaluation): runs of five or more
    modules of one colour, 2×2 blocks, finder-like patterns, and the dark/light balance."""
    rows = [bytes(row).translate(_DIGITS) for row in modules]
    columns = [bytes(column).translate(_DIGITS) for column in zip(*modules, strict=True)]
    lines = b"|".join(rows + columns)  # the separator ends every run and pattern
    runs = _RUNS.findall(lines)
    score = sum(map(len, runs)) - 2 * len(runs)
    score += 40 * sum(lines.count(pattern) for pattern in _FINDER_LIKE)
    size = len(rows)
    pairs = (1 << (size - 1)) - 1  # bit j stands for the columns j and j + 1
    bits = [int(row, 2) for row in rows]
    for upper, lower in pairwise(bits):
        vertical = upper ^ lower
        differs = vertical | (vertical >> 1) | (upper ^ (upper >> 1))
        score += 3 * (~differs & pairs).bit_count()
    dark = sum(row.count(b"1") for row in rows)
    total = size * size
    return score + 10 * (abs(20 * dark - 10 * total) // total)


class _QRCode(qrencoder.QRCode):
    """ReportLab's encoder, choosing the mask with ``mask_penalty``: ReportLab's own scoring goes
    module by module and took two thirds of the time of a whole receipt."""

    def getBestMaskPattern(self) -> int:  # noqa: N802 - ReportLab's name
        scores = []
        for pattern in range(8):
            self.makeImpl(True, pattern)
            scores.append((mask_penalty(self.modules), pattern))
        return min(scores)[1]


def qr_encode(payload: str) -> Any:
    """ReportLab's QR code of the payload, made: byte mode in UTF-8, error correction level M."""
    code = _QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(_Utf8Eci())
    code.addData(qrencoder.QR8bitByte(payload))
    code.make()
    return code


class QrSymbol(Flowable):
    """A QR code drawn as one filled path of unit rectangles, one per run of dark modules."""

    def __init__(self, payload: str, size: float = QR_SIZE) -> None:
        super().__init__()
        self.payload = payload
        self.modules = [[bool(module) for module in row] for row in qr_encode(payload).modules]
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        count = len(self.modules)
        runs = []
        for index, row in enumerate(self.modules):
            column = 0
            for dark, run in groupby(row):
                length = len(list(run))
                if dark:
                    runs.append(f"{column} {count - 1 - index} {length} 1 re")
                column += length
        unit = self.width / (count + 2 * QR_BORDER)
        canvas = self.canv
        canvas.saveState()
        canvas.translate(QR_BORDER * unit, QR_BORDER * unit)
        canvas.scale(unit, unit)  # one unit per module
        canvas.setFillColor(colors.black)
        # Written as PDF operators directly: whole numbers need none of ReportLab's (pure Python)
        # number formatting, which took a fifth of a receipt's time.
        canvas.addLiteral("\n".join([*runs, "f"]))
        canvas.restoreState()


def qr_payload(items: Sequence[tuple[str, str]]) -> str:
    """The text the QR code holds: one "Label: value" line per field."""
    return clean("\n".join(f"{label}: {value}" for label, value in items))


_PLAIN = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
)


def document_heading(
    *,
    qr: Sequence[tuple[str, str]],
    issuer: Sequence[str],
    place_date: str,
    title: str,
    subtitle: Sequence[str] = (),
    number: str = "",
    note: str = "",
    width: float,
) -> list[Any]:
    """QR block at the top-left (TT 01/2023: at the top-left of every document the system issues)
    with the same fields as small text beside it; then the issuing agency and the national motto
    (ND 30/2020 Phụ lục I), the number ("Số: …") under the agency beside the place and date, the
    title. ``note`` goes at the top right, beside the QR block (which copy of a form it is)."""
    s = styles()
    beside = markup("<br/>".join(f"{esc(label)}: {esc(value)}" for label, value in qr), s.qr)
    rest = width - QR_SIZE - 2 * mm
    qr_block = Table(
        [[QrSymbol(qr_payload(qr)), beside, para(note, s.copy) if note else ""]],
        colWidths=[QR_SIZE + 2 * mm, rest * 0.62, rest * 0.38],
        style=_PLAIN,
        hAlign="LEFT",
    )
    *upper, last = [line.upper() for line in issuer] or [""]
    agency = [markup(esc(line), s.heading) for line in upper]
    agency.append(markup(f"<b>{esc(last)}</b>", s.heading))
    agency.append(HRFlowable(width="35%", thickness=0.5, color=colors.black, spaceBefore=1))
    motto = [
        markup("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", s.heading),
        markup("<b>Độc lập - Tự do - Hạnh phúc</b>", s.heading),
        HRFlowable(width="55%", thickness=0.5, color=colors.black, spaceBefore=1),
    ]
    heading = Table(
        [[agency, motto]],
        colWidths=[width * 0.42, width * 0.58],
        style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")], parent=_PLAIN),
        hAlign="LEFT",
    )
    place = Table(
        [[para(number, s.place) if number else "", para(place_date, s.place)]],
        colWidths=[width * 0.42, width * 0.58],
        style=_PLAIN,
        hAlign="LEFT",
    )
    story = [qr_block, spacer(2), heading, place, para(title.upper(), s.title)]
    story.extend(para(line, s.subtitle) for line in subtitle)
    return story


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # share of the table's width
    align: str = "left"  # left | center | right


def _break_at(word: str, font: str, size: float, width: float) -> int:
    """How many characters of an over-long word fit, preferring a break after - / . or ,"""
    fit = 1
    for end in range(1, len(word) + 1):
        if pdfmetrics.stringWidth(word[:end], font, size) > width:
            break
        fit = end
    for end in range(fit, max(fit // 2, 1) - 1, -1):
        if word[end - 1] in "-/.,":
            return end
    return fit


@lru_cache(maxsize=50_000)
def _width(word: str, font: str, size: float) -> float:
    # Registers repeat the same dates, names and words on every row.
    return float(pdfmetrics.stringWidth(word, font, size))


def wrap_text(text: object, font: str, size: float, width: float) -> list[str]:
    """The text as lines no wider than ``width``; explicit newlines are kept, a word wider than
    the column is broken (at a hyphen or dot when there is one)."""
    lines: list[str] = []
    space = _width(" ", font, size)
    for paragraph in clean(text).split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split():
            word_width = _width(word, font, size)
            if line and used + space + word_width <= width:
                line.append(word)
                used += space + word_width
                continue
            if line:
                lines.append(" ".join(line))
            while word_width > width and len(word) > 1:
                cut = _break_at(word, font, size, width)
                lines.append(word[:cut])
                word = word[cut:]
                word_width = _width(word, font, size)
            line, used = [word], word_width
        lines.append(" ".join(line))
    return lines


@dataclass
class _Grid:
    """A table measured once: the wrapped lines of every cell and where each row starts."""

    widths: list[float]
    aligns: list[str]
    head: list[list[str]]
    head_height: float
    cells: list[list[list[str]]]
    tops: list[float]  # tops[i]: height of the rows before row i (len(cells) + 1 entries)
    font: str
    bold: str
    size: float
    leading: float
    padding: float
    placeholder: bool  # no rows: one note across the table instead


class RowTable(Flowable):
    """Rows ``start``–``stop`` of a measured table, with its header row repeated on each page."""

    def __init__(self, grid: _Grid, start: int, stop: int) -> None:
        super().__init__()
        self._grid = grid
        self._start = start
        self._stop = stop
        self.width = sum(grid.widths)
        self.height = grid.head_height + grid.tops[stop] - grid.tops[start]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Any]:
        grid = self._grid
        limit = grid.tops[self._start] + available_height - grid.head_height
        end = bisect_right(grid.tops, limit, self._start, self._stop + 1) - 1
        if end <= self._start:
            return []  # not even one row fits: platypus moves the table to the next page
        if end >= self._stop:
            return [self]
        return [RowTable(grid, self._start, end), RowTable(grid, end, self._stop)]

    def _row(self, cells: list[list[str]], top: float, height: float, font: str) -> None:
        grid, canvas = self._grid, self.canv
        widths, aligns = grid.widths, grid.aligns
        if len(cells) == 1 < len(widths):  # a note across the whole table ("Không có")
            widths, aligns = [self.width], ["center"]
        x = 0.0
        for lines, width, align in zip(cells, widths, aligns, strict=True):
            # Vertically centred; the baseline sits one font size below the top of its line.
            y = top - (height - len(lines) * grid.leading) / 2 - grid.size
            for line in lines:
                if align == "left":
                    canvas.drawString(x + grid.padding, y, line)
                else:
                    space = width - _width(line, font, grid.size)
                    shift = space / 2 if align == "center" else space - grid.padding
                    canvas.drawString(x + shift, y, line)
                y -= grid.leading
            x += width

    def draw(self) -> None:
        grid, canvas = self._grid, self.canv
        canvas.saveState()
        top = self.height
        canvas.setFillColor(colors.Color(0.9, 0.9, 0.9))
        canvas.rect(0, top - grid.head_height, self.width, grid.head_height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setFont(grid.bold, grid.size)
        self._row(grid.head, top, grid.head_height, grid.bold)
        ys = [top, top - grid.head_height]
        canvas.setFont(grid.font, grid.size)
        for index in range(self._start, self._stop):
            height = grid.tops[index + 1] - grid.tops[index]
            self._row(grid.cells[index], ys[-1], height, grid.font)
            ys.append(ys[-1] - height)
        canvas.setLineWidth(0.4)
        xs = [0.0, *accumulate(grid.widths)]
        if grid.placeholder:
            canvas.grid(xs, ys[:2])
            canvas.rect(0, ys[-1], self.width, ys[1] - ys[-1], stroke=1, fill=0)
        else:
            canvas.grid(xs, ys)
        canvas.restoreState()


def row_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    width: float,
    size: float = 8,
    max_lines: int = 12,
    empty: str = "Không có",
    font: str = SERIF,
    bold: str = SERIF_BOLD,
) -> RowTable:
    """A ruled table with a header row, repeated on every page it runs over. Each cell keeps at
    most ``max_lines`` lines, so that a row always fits on a page."""
    register_fonts()
    total = sum(column.weight for column in columns)
    widths = [width * column.weight / total for column in columns]
    padding = 2.0
    leading = size * 1.25

    def measure(cells: Sequence[object], font: str) -> tuple[list[list[str]], float]:
        wrapped = [
            wrap_text(cell, font, size, column_width - 2 * padding)[:max_lines]
            for cell, column_width in zip(cells, widths, strict=True)
        ]
        return wrapped, max(len(lines) for lines in wrapped) * leading + 2 * padding

    head, head_height = measure([column.title for column in columns], bold)
    cells: list[list[list[str]]] = []
    heights: list[float] = []
    for row in rows:
        wrapped, height = measure(row, font)
        cells.append(wrapped)
        heights.append(height)
    if not rows:
        cells = [[wrap_text(empty, font, size, width - 2 * padding)[:max_lines]]]
        heights = [len(cells[0][0]) * leading + 2 * padding]
    grid = _Grid(
        widths=widths,
        aligns=[column.align for column in columns],
        head=head,
        head_height=head_height,
        cells=cells,
        tops=[0.0, *accumulate(heights)],
        font=font,
        bold=bold,
        size=size,
        leading=leading,
        padding=padding,
        placeholder=not rows,
    )
    return RowTable(grid, 0, len(cells))


# ---------------------------------------------------------------------------------------------
# Signatures and the document
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    title: str
    name: str = ""
    note: str = "(Ký và ghi rõ họ tên)"


def signatures(
    blocks: Sequence[Signature],
    *,
    width: float,
    recipients: Sequence[str] = (),
    signing_room: float = 11,
) -> Any:
    """Signature blocks side by side; "Nơi nhận" on the left when the document has one.
    ``signing_room`` is the height left to sign in, in mm."""
    s = styles()
    columns: list[list[Any]] = []
    if recipients:
        columns.append(
            [markup("<b>Nơi nhận:</b>", s.note)]
            + [para(f"- {line}", s.note) for line in recipients]
        )
    for block in blocks:
        columns.append(
            [
                markup(f"<b>{esc(block.title.upper())}</b>", s.sign),
                para(block.note, s.heading),
                spacer(signing_room),
                markup(f"<b>{esc(block.name)}</b>", s.sign),
            ]
        )
    if len(columns) == 1:
        columns.insert(0, [])  # a lone signer signs on the right
    return Table(
        [columns],
        colWidths=[width / len(columns)] * len(columns),
        style=_PLAIN,
        hAlign="LEFT",
        spaceBefore=4,
    )


def fitted(story: Sequence[Any], page: Page) -> Any:
    """The story kept on one page: drawn as it is when it fits, else shrunk to fit (a notice
    belongs on one sheet; a dossier with very many papers prints smaller rather than spill)."""
    return KeepInFrame(page.width, page.height, list(story), mode="shrink")


def natural_height(story: Sequence[Any], page: Page) -> float:
    """The height the story takes on the page's frame, unshrunk."""
    register_fonts()
    total = 0.0
    for flowable in story:
        _, height = flowable.wrap(page.width, page.height)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def page_break() -> Any:
    return PageBreak()


def build_pdf(
    story: Sequence[Any],
    *,
    page: Page,
    title: str,
    subject: str = "",
    footer: str = "",
    page_footers: Sequence[str] = (),
) -> bytes:
    """The PDF bytes; the same story gives the same bytes (no timestamps or random ids).

    ``page_footers`` gives the footer of each page in turn (the copies of a receipt); pages
    past them, or all pages without them, carry ``footer``.
    """
    register_fonts()
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=page.size,
        leftMargin=page.margin,
        rightMargin=page.margin,
        topMargin=page.top,
        bottomMargin=page.bottom,
        title=clean(title),
        subject=clean(subject),
        author="motcua",
        creator="motcua",
        lang="vi",
        invariant=True,
    )

    def decorate(canvas: Any, doc: Any) -> None:
        text = page_footers[doc.page - 1] if doc.page <= len(page_footers) else footer
        if text:
            canvas.saveState()
            canvas.setFont(SERIF, 6)
            canvas.drawRightString(
                page.size[0] - page.margin, page.bottom / 2, clean(f"{text} — Trang {doc.page}")
            )
            canvas.restoreState()

    # A frame without padding: the text runs exactly between the margins.
    frame = Frame(
        page.margin,
        page.bottom,
        page.width,
        page.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    document.build(list(story))
    return buffer.getvalue()
