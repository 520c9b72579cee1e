"""The sets of official forms, versioned by date, and the decree each dossier is handled under.

A dossier is printed with the form set in force on its date of receipt: the forms of
TT 01/2018/TT-VPCP (Mẫu 01–06) before TT 03/2025/TT-VPCP applies, those of TT 03/2025/TT-VPCP
(Phụ lục I, Mẫu 01–07) from it. A set is data: a new circular adds a set with the date it applies
from; a set already here is never changed, so a dossier keeps the numbering it was issued with.
The sources and their certainty are in docs/forms.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a form is, whatever its number in a set."""

    RECEIPT = "receipt"  # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT_REQUEST = "supplement_request"  # Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # Phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"  # Phiếu / Văn bản xin lỗi …
    STOP_NOTICE = "stop_notice"  # Thông báo dừng giải quyết hồ sơ (TT 03/2025 only)
    CONTROL_SLIP = "control_slip"  # Phiếu kiểm soát quá trình giải quyết hồ sơ
    REGISTER = "register"  # Sổ theo dõi hồ sơ


# The notices: issued to the applicant at an event, then frozen (documents.models.IssuedNotice).
# The control slip and the register are living documents, printed as they stand.
NOTICE_KINDS = frozenset(
    {Kind.RECEIPT, Kind.SUPPLEMENT_REQUEST, Kind.REFUSAL, Kind.APOLOGY, Kind.STOP_NOTICE}
)


@dataclass(frozen=True)
class Form:
    number: str  # "01"
    kind: Kind
    title: str  # the official title, as the circular names the form


@dataclass(frozen=True)
class FormSet:
    key: str  # stored with each frozen notice
    circular: str  # "Thông tư 01/2018/TT-VPCP"
    annex: str  # where the forms are ("Phụ lục I"), "" when the circular has them in its body
    applies_from: dt.date  # date of receipt from which dossiers take this set
    forms: tuple[Form, ...]

    def by_number(self, number: str) -> Form | None:
        return next((form for form in self.forms if form.number == number), None)

    def by_kind(self, kind: Kind) -> Form | None:
        return next((form for form in self.forms if form.kind == kind), None)

    def form(self, kind: Kind) -> Form:
        """The set's form of ``kind``; a LookupError if the set has none (a caller's mistake:
        callers ask only for kinds the set has)."""
        found = self.by_kind(kind)
        if found is None:
            raise LookupError(f"{self.circular} has no form of kind {kind}")
        return found

    @property
    def numbers(self) -> list[str]:
        return [form.number for form in self.forms]

    @property
    def source(self) -> str:
        """Where a form of the set is defined, as footers cite it ("PL I TT 03/2025/TT-VPCP")."""
        annex = self.annex.replace("Phụ lục", "PL")
        circular = self.circular.replace("Thông tư", "TT")
        return f"{annex} {circular}".strip()


@dataclass(frozen=True)
class Decree:
    name: str  # "Nghị định 61/2018/NĐ-CP"
    applies_from: dt.date

    @property
    def short(self) -> str:
        return self.name.replace("Nghị định", "NĐ")


# TT 01/2018/TT-VPCP Điều 9 (in force 06/01/2019); before it no form set is known to the system,
# so it also covers older dossiers (imported histories).
TT_01_2018 = FormSet(
    key="tt01-2018",
    circular="Thông tư 01/2018/TT-VPCP",
    annex="",
    applies_from=dt.date.min,
    forms=(
        Form("01", Kind.RECEIPT, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        Form("02", Kind.SUPPLEMENT_REQUEST, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        Form("03", Kind.REFUSAL, "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        Form("04", Kind.APOLOGY, "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        Form("05", Kind.CONTROL_SLIP, "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        Form("06", Kind.REGISTER, "Sổ theo dõi hồ sơ"),
    ),
)

# TT 03/2025/TT-VPCP of 15/09/2025, Phụ lục I. Secondary sources give its forms as applicable
# from 15/09/2025 [S]; the article on its entry into force was not read (docs/forms.md).
TT_03_2025 = FormSet(
    key="tt03-2025",
    circular="Thông tư 03/2025/TT-VPCP",
    annex="Phụ lục I",
    applies_from=dt.date(2025, 9, 15),
    forms=(
        Form("01", Kind.RECEIPT, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        Form("02", Kind.SUPPLEMENT_REQUEST, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        Form("03", Kind.REFUSAL, "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        Form("04", Kind.APOLOGY, "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        Form("05", Kind.STOP_NOTICE, "Thông báo dừng giải quyết hồ sơ"),
        Form("06", Kind.CONTROL_SLIP, "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        Form("07", Kind.REGISTER, "Sổ theo dõi hồ sơ"),
    ),
)

FORM_SETS: tuple[FormSet, ...] = (TT_01_2018, TT_03_2025)

# ND 61/2018/NĐ-CP (as amended by ND 107/2021/NĐ-CP) until 30/06/2025; ND 118/2025/NĐ-CP from
# 01/07/2025. Between 01/07/2025 and the day TT 03/2025 applies, dossiers are received under
# ND 118/2025 but printed on the TT 01/2018 forms, no newer form being in force (docs/forms.md).
DECREES: tuple[Decree, ...] = (
    Decree("Nghị định 61/2018/NĐ-CP", dt.date.min),
    Decree("Nghị định 118/2025/NĐ-CP", dt.date(2025, 7, 1)),
)


def form_set_on(day: dt.date) -> FormSet:
    """The form set for a dossier received on ``day``."""
    return [form_set for form_set in FORM_SETS if form_set.applies_from <= day][-1]


def decree_on(day: dt.date) -> Decree:
    """The decree on the one-stop mechanism a dossier received on ``day`` is handled under."""
    return [decree for decree in DECREES if decree.applies_from <= day][-1]


def form_set(key: str) -> FormSet:
    """A set by the key a frozen notice stored."""
    return next(candidate for candidate in FORM_SETS if candidate.key == key)
