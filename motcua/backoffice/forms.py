"""Forms of the officers' screens: they check what was typed; services decide the rest.

Every action form carries the dossier's ``version`` as it was shown, passed to the service as
``expected_version``, so that of two officers acting at once exactly one wins.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.calendars.workdays import TimeLimit
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.deadlines import limit_text
from motcua.dossiers.models import (
    ApplicantKind,
    Delivery,
    Dossier,
    Status,
    citizen_id_validator,
    tax_code_validator,
)
from motcua.dossiers.services import Applicant, Intake, ReceivedComponent
from motcua.units.models import Unit

phone_validator = RegexValidator(
    r"^\+?[0-9 .\-]{8,20}$", _("Số điện thoại chỉ gồm chữ số (8–20 ký tự).")
)


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# ---------------------------------------------------------------------------------------------
# Reception at the counter
# ---------------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """A dossier handed in at the counter: procedure, papers, applicant, how the result goes back.

    The papers' fields depend on the procedure chosen: ``c<position>`` (handed in),
    ``c<position>_originals``, ``c<position>_copies``, ``c<position>_digitised``.
    """

    receiving_unit = forms.ModelChoiceField(
        label=_("Nơi tiếp nhận"), queryset=Unit.objects.none(), empty_label=None
    )
    procedure = forms.ChoiceField(label=_("Thủ tục hành chính"))
    case = forms.ChoiceField(label=_("Trường hợp"), required=False)
    # Another of the procedure's time limits (issue 7 item 4), with the officer's reason.
    limit_case = forms.ChoiceField(label=_("Thời hạn giải quyết áp dụng"), required=False)
    limit_case_reason = forms.CharField(
        label=_("Lý do áp dụng trường hợp thời hạn này"), max_length=2000, required=False
    )
    applicant_name = forms.CharField(label=_("Họ và tên người nộp / tên tổ chức"), max_length=255)
    applicant_kind = forms.ChoiceField(
        label=_("Loại đối tượng"), choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN
    )
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD, 12 số)"),
        max_length=12,
        required=False,
        validators=[citizen_id_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_tax_code = forms.CharField(
        label=_("Mã số thuế"), max_length=14, required=False, validators=[tax_code_validator]
    )
    applicant_phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    owner_name = forms.CharField(
        label=_("Chủ hồ sơ (nếu khác người nộp)"), max_length=255, required=False
    )
    delivery = forms.ChoiceField(
        label=_("Nhận kết quả"),
        choices=Delivery.choices,
        initial=Delivery.COUNTER,
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.CharField(
        label=_("Lý do từ chối tiếp nhận (Mẫu 03)"), required=False, widget=_textarea()
    )

    def __init__(
        self,
        *args: Any,
        units: Any,
        versions: list[ProcedureVersion],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["receiving_unit"].queryset = units  # type: ignore[attr-defined]
        self.versions = {version.procedure.code: version for version in versions}
        self.fields["procedure"].choices = [  # type: ignore[attr-defined]
            ("", _("— Chọn thủ tục —")),
            *((code, f"{v.name} ({code})") for code, v in self.versions.items()),
        ]
        self.version = self._chosen_version()
        self.components: list[Any] = []
        cases: list[str] = []
        if self.version is not None:
            self.components = list(self.version.components.all())
            cases = sorted({c.case for c in self.components if c.case})
            for component in self.components:
                self._add_component_fields(component)
        self.fields["case"].choices = [  # type: ignore[attr-defined]
            ("", _("Chung (không phân trường hợp)")),
            *((case, case) for case in cases),
        ]
        self.has_cases = bool(cases)
        self.limit_cases = limit_case_choices(self.version) if self.version is not None else []
        self.fields["limit_case"].choices = [  # type: ignore[attr-defined]
            ("", _("Thời hạn chung (hoặc theo kênh nộp)")),
            *self.limit_cases,
        ]

    def _chosen_version(self) -> ProcedureVersion | None:
        code = self.data.get("procedure") if self.is_bound else self.initial.get("procedure")
        return self.versions.get(code or "")

    def _add_component_fields(self, component: Any) -> None:
        key = f"c{component.position}"
        self.fields[key] = forms.BooleanField(label=component.name, required=False)
        name = component.name
        self.fields[f"{key}_originals"] = forms.IntegerField(
            label=_("Bản chính"),
            min_value=0,
            max_value=99,
            required=False,
            initial=component.originals,
            widget=forms.NumberInput(
                attrs={"aria-label": _("Số bản chính: %(name)s") % {"name": name}}
            ),
        )
        self.fields[f"{key}_copies"] = forms.IntegerField(
            label=_("Bản sao"),
            min_value=0,
            max_value=99,
            required=False,
            initial=component.copies,
            widget=forms.NumberInput(
                attrs={"aria-label": _("Số bản sao: %(name)s") % {"name": name}}
            ),
        )
        self.fields[f"{key}_digitised"] = forms.BooleanField(
            label=_("Đã số hóa"),
            required=False,
            widget=forms.CheckboxInput(
                attrs={"aria-label": _("Đã số hóa: %(name)s") % {"name": name}}
            ),
        )

    def component_rows(self) -> list[dict[str, Any]]:
        """The checklist, one row per paper with its bound fields."""
        rows = []
        for component in self.components:
            key = f"c{component.position}"
            rows.append(
                {
                    "component": component,
                    "handed": self[key],
                    "originals": self[f"{key}_originals"],
                    "copies": self[f"{key}_copies"],
                    "digitised": self[f"{key}_digitised"],
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.version is None and data.get("procedure"):
            self.add_error("procedure", _("Thủ tục không được tiếp nhận tại đơn vị này."))
        if data.get("limit_case") and not (data.get("limit_case_reason") or "").strip():
            self.add_error(
                "limit_case_reason", _("Cần ghi lý do khi áp dụng trường hợp thời hạn khác.")
            )
        return data

    def intake(self) -> Intake:
        data = self.cleaned_data
        received = []
        for component in self.components:
            key = f"c{component.position}"
            if not data.get(key):
                continue
            received.append(
                ReceivedComponent(
                    name=component.name,
                    position=component.position,
                    originals=data.get(f"{key}_originals") or 0,
                    copies=data.get(f"{key}_copies") or 0,
                    digitised=bool(data.get(f"{key}_digitised")),
                )
            )
        return Intake(
            procedure_code=data["procedure"],
            applicant=Applicant(
                name=data["applicant_name"],
                kind=data["applicant_kind"],
                id_number=data["applicant_id_number"],
                tax_code=data["applicant_tax_code"],
                phone=data["applicant_phone"],
                email=data["applicant_email"],
                address=data["applicant_address"],
                owner_name=data["owner_name"],
            ),
            receiving_unit=data["receiving_unit"],
            delivery=data["delivery"],
            components=received,
            case=data.get("case") or "",
            limit_case=data.get("limit_case") or "",
            limit_case_reason=data.get("limit_case_reason") or "",
        )


def limit_case_choices(version: ProcedureVersion) -> list[tuple[str, str]]:
    """The version's other time limits, as an officer chooses one: label, limit, legal basis."""
    return [
        (row.code, f"{row.label}: {limit_text(TimeLimit(row.value, row.unit))} ({row.legal_basis})")
        for row in version.time_limits.all()
        if row.condition == "case"
    ]


# ---------------------------------------------------------------------------------------------
# Actions on a dossier
# ---------------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """The dossier's version as shown; subclasses add what the transition needs."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, dossier: Dossier, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["version"] = dossier.version
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.user = user


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=_textarea())


class LimitCaseForm(ActionForm):
    """Apply another of the procedure's limits, or go back to the general one, with the reason."""

    case = forms.ChoiceField(label=_("Trường hợp thời hạn"), required=False)
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=_textarea())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [  # type: ignore[attr-defined]
            ("", _("Thời hạn chung")),
            *limit_case_choices(self.dossier.procedure_version),
        ]


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False, widget=_textarea())


class AssignForm(ActionForm):
    step = forms.TypedChoiceField(label=_("Bước xử lý"), coerce=int)
    assignee = forms.ModelChoiceField(label=_("Người xử lý"), queryset=User.objects.none())
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False)

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = list(self.dossier.procedure_version.steps.all())
        self.fields["step"].choices = [  # type: ignore[attr-defined]
            (s.position, f"{s.position}. {s.name}") for s in steps
        ] or [(1, _("1. Xử lý hồ sơ"))]
        upcoming = [s.position for s in steps if s.position > (self.dossier.current_step or 0)]
        handler_steps = [s.position for s in steps if s.role in ("specialist", "leader")]
        self.fields["step"].initial = next(
            (p for p in upcoming if p in handler_steps), upcoming[0] if upcoming else None
        )
        self.fields["assignee"].queryset = officers  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name()
        )


class SupplementRequestForm(ActionForm):
    missing = forms.MultipleChoiceField(
        label=_("Giấy tờ cần bổ sung (theo thành phần hồ sơ đã công bố)"),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Lý do, nội dung cần bổ sung"), widget=_textarea())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = list(dict.fromkeys(c.name for c in self.dossier.procedure_version.components.all()))
        self.fields["missing"].choices = [(n, n) for n in names]  # type: ignore[attr-defined]


class SupplementReceivedForm(ActionForm):
    papers = forms.MultipleChoiceField(
        label=_("Giấy tờ đã nhận bổ sung"), required=False, widget=forms.CheckboxSelectMultiple
    )
    digitised = forms.BooleanField(label=_("Đã số hóa giấy tờ bổ sung"), required=False)

    def __init__(self, *args: Any, requested: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["papers"].choices = [(n, n) for n in requested]  # type: ignore[attr-defined]
        self.fields["papers"].initial = requested

    def components(self) -> list[ReceivedComponent]:
        positions = {c.name: c.position for c in self.dossier.procedure_version.components.all()}
        return [
            ReceivedComponent(
                name=name,
                position=positions.get(name),
                copies=1,
                digitised=bool(self.cleaned_data.get("digitised")),
            )
            for name in self.cleaned_data.get("papers", [])
        ]


class ConsultationForm(ActionForm):
    to_unit = forms.ModelChoiceField(
        label=_("Đơn vị được hỏi ý kiến"), queryset=Unit.objects.none()
    )
    question = forms.CharField(label=_("Nội dung xin ý kiến"), max_length=2000, widget=_textarea())
    working_days = forms.IntegerField(
        label=_("Thời hạn trả lời (ngày làm việc)"), min_value=1, max_value=60, initial=2
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]


class AnswerConsultationForm(ActionForm):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị trả lời"), queryset=Unit.objects.none(), empty_label=None
    )
    answer = forms.CharField(label=_("Ý kiến trả lời"), max_length=2000, widget=_textarea())

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class TransferForm(ActionForm):
    to_unit = forms.ModelChoiceField(label=_("Chuyển đến đơn vị"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=_textarea())

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]


class PaymentRequestForm(ActionForm):
    amount = forms.DecimalField(
        label=_("Số tiền (đồng)"), min_value=Decimal("1"), max_digits=14, decimal_places=0
    )
    description = forms.CharField(label=_("Khoản thu, căn cứ"), max_length=2000, widget=_textarea())


class PaymentReceivedForm(ActionForm):
    receipt_number = forms.CharField(label=_("Số biên lai, chứng từ"), max_length=60)


class ApologyProposalForm(ActionForm):
    reason = forms.CharField(label=_("Lý do chậm trễ"), max_length=2000, widget=_textarea())
    extra_working_days = forms.IntegerField(
        label=_("Hẹn thêm (ngày làm việc sau hạn trả)"), min_value=1, max_value=60, initial=2
    )


class DispatchForm(ActionForm):
    tracking_number = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=40)


class ReturnForm(ActionForm):
    recipient = forms.CharField(label=_("Người nhận kết quả"), max_length=255, required=False)


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordDateField(forms.DateField):
    """A date of the one-stop records: years 2000–2099, so that a typo like 0001-01-01 is an
    error on the form rather than an overflow when the day is turned into a range of instants."""

    widget = DATE_INPUT
    earliest, latest = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not self.earliest <= value <= self.latest:
            raise forms.ValidationError(_("Ngày phải trong khoảng năm 2000–2099."))


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mã hồ sơ, tên hoặc số định danh người nộp"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("ví dụ: nguyen van an"),
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Status.choices]
    )
    received_from = RecordDateField(label=_("Tiếp nhận từ ngày"), required=False)
    received_to = RecordDateField(label=_("đến ngày"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), required=False, queryset=Unit.objects.none(), empty_label=_("Tất cả")
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class RegisterForm(forms.Form):
    """Sổ theo dõi hồ sơ (Mẫu 06) of a unit over a period."""

    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), empty_label=None)
    start = RecordDateField(label=_("Từ ngày"))
    end = RecordDateField(label=_("Đến ngày"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
            elif end - start > dt.timedelta(days=366):
                self.add_error("end", _("Mỗi lần in tối đa một năm."))
        return data


class AccessLogForm(forms.Form):
    """The inspectors' filters of the access log (no personal number among them)."""

    officer = forms.CharField(label=_("Cán bộ (tên đăng nhập)"), required=False, max_length=150)
    dossier = forms.CharField(label=_("Mã hồ sơ"), required=False, max_length=40)
    date_from = RecordDateField(label=_("Từ ngày"), required=False)
    date_to = RecordDateField(label=_("Đến ngày"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data
