"""The transitions an officer can start from a dossier's page: one entry per service.

Each entry names its form, the service call and the message on success. Which entries are shown
follows the services' own rules (``dossiers.services.RULES``: status, role, unit) so that an officer
sees only the buttons that can work; the service still decides, and its refusal becomes a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import user_has_role
from motcua.backoffice import forms as f
from motcua.dossiers import services as s
from motcua.dossiers.models import Channel, Delivery, Dossier, DossierEvent, Outcome
from motcua.dossiers.projection import EventType
from motcua.dossiers.selectors import (
    dossier_assignable_officers,
    dossier_partner_units,
    dossier_pending_consultations,
)
from motcua.units.models import Unit


@dataclass
class Situation:
    """What the page knows of a dossier when deciding which actions to offer."""

    dossier: Dossier
    user: User
    events: list[DossierEvent]
    _roles: dict[tuple[int, frozenset[str]], bool] = field(default_factory=dict)
    _consulted: list[Unit] | None = None
    _involved: list[Unit] | None = None

    def has_role(self, unit: Unit, roles: frozenset[Role]) -> bool:
        key = (unit.pk, frozenset(roles))
        if key not in self._roles:
            self._roles[key] = user_has_role(user=self.user, unit=unit, roles=roles)
        return self._roles[key]

    def happened(self, event_type: EventType) -> bool:
        return any(event.type == event_type for event in self.events)

    def last(self, event_type: EventType) -> DossierEvent | None:
        found = [event for event in self.events if event.type == event_type]
        return found[-1] if found else None

    def requested_papers(self) -> list[str]:
        request = self.last(EventType.SUPPLEMENT_REQUESTED)
        return list(request.data.get("missing", [])) if request else []

    def consultation_units(self) -> list[Unit]:
        """Consulted units with a pending request where the user may answer."""
        if self._consulted is None:
            pending = dossier_pending_consultations(dossier=self.dossier)
            ids = {event.data.get("to_unit") for event in pending}
            units = Unit.objects.filter(pk__in=ids).order_by("name") if ids else []
            self._consulted = [u for u in units if self.has_role(u, s.HANDLERS)]
        return self._consulted

    def involved_units(self) -> list[Unit]:
        if self._involved is None:
            self._involved = list(self.dossier.involved_units.all())
        return self._involved

    def allows(self, event_type: EventType) -> bool:
        """Whether the services' rule lets this user try ``event_type`` now."""
        rule = s.RULES[event_type]
        if self.dossier.status not in rule.statuses:
            return False
        places = s.acting_places(rule, self.dossier) or [
            (unit, rule.roles) for unit in self.involved_units()
        ]
        return any(self.has_role(unit, roles) for unit, roles in places)


Handler = Callable[[Any, Dossier, User, dt.datetime], Dossier]


@dataclass(frozen=True)
class Action:
    slug: str
    title: StrOrPromise  # the card's heading
    button: StrOrPromise
    event: EventType
    form: type[f.ActionForm]
    run: Handler
    done: StrOrPromise  # the success message; {code} is the dossier's code
    role: str  # whose work it is: "reception", "handler", "leader" (for grouping on the page)
    when: Callable[[Situation], bool] = lambda situation: True
    form_kwargs: Callable[[Situation], dict[str, Any]] = lambda situation: {}
    danger: bool = False
    folded: bool = False  # seldom used: shown closed, opened with one click

    def available(self, situation: Situation) -> bool:
        return situation.allows(self.event) and self.when(situation)

    def build(self, situation: Situation, data: Any = None) -> f.ActionForm:
        return self.form(
            data,
            dossier=situation.dossier,
            user=situation.user,
            prefix=self.slug,
            **self.form_kwargs(situation),
        )


def _v(form: Any) -> int:
    return int(form.cleaned_data["version"])


ACTIONS: list[Action] = [
    # Reception (một cửa) --------------------------------------------------------------------
    Action(
        "tiep-nhan",
        _("Tiếp nhận hồ sơ trực tuyến, bưu chính"),
        _("Tiếp nhận"),
        EventType.RECEIVED,
        f.ActionForm,
        lambda form, d, u, at: s.dossier_accept(
            dossier=d, actor=u, expected_version=_v(form), at=at
        ),
        _("Đã tiếp nhận hồ sơ {code}."),
        "reception",
    ),
    Action(
        "tu-choi-tiep-nhan",
        _("Từ chối tiếp nhận (Mẫu 03)"),
        _("Từ chối tiếp nhận"),
        EventType.REFUSED_AT_INTAKE,
        f.ReasonForm,
        lambda form, d, u, at: s.dossier_refuse_intake(
            dossier=d, actor=u, expected_version=_v(form), reason=form.cleaned_data["reason"], at=at
        ),
        _("Đã từ chối tiếp nhận hồ sơ."),
        "reception",
        danger=True,
        folded=True,
    ),
    Action(
        "nhan-bo-sung",
        _("Nhận hồ sơ bổ sung"),
        _("Đã nhận đủ hồ sơ bổ sung"),
        EventType.SUPPLEMENT_RECEIVED,
        f.SupplementReceivedForm,
        lambda form, d, u, at: s.dossier_receive_supplement(
            dossier=d, actor=u, expected_version=_v(form), components=form.components(), at=at
        ),
        _("Đã nhận hồ sơ bổ sung của hồ sơ {code}; hạn trả đã được tính lại."),
        "reception",
        form_kwargs=lambda sit: {"requested": sit.requested_papers()},
    ),
    Action(
        "nhan-nghia-vu-tai-chinh",
        _("Xác nhận đã thực hiện nghĩa vụ tài chính"),
        _("Xác nhận đã nộp"),
        EventType.PAYMENT_RECEIVED,
        f.PaymentReceivedForm,
        lambda form, d, u, at: s.dossier_receive_payment(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            receipt_number=form.cleaned_data["receipt_number"],
            at=at,
        ),
        _("Đã ghi nhận nghĩa vụ tài chính của hồ sơ {code}."),
        "reception",
    ),
    Action(
        "gui-buu-chinh",
        _("Giao kết quả cho bưu chính"),
        _("Ghi nhận đã giao bưu chính"),
        EventType.POSTAL_DISPATCHED,
        f.DispatchForm,
        lambda form, d, u, at: s.dossier_dispatch_by_post(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            tracking_number=form.cleaned_data["tracking_number"],
            at=at,
        ),
        _("Đã ghi nhận giao kết quả hồ sơ {code} cho bưu chính."),
        "reception",
        when=lambda sit: sit.dossier.delivery == Delivery.POST and not sit.dossier.postal_tracking,
    ),
    Action(
        "tra-ket-qua",
        _("Trả kết quả"),
        _("Đã trả kết quả"),
        EventType.RETURNED,
        f.ReturnForm,
        lambda form, d, u, at: s.dossier_return(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            recipient=form.cleaned_data["recipient"],
            at=at,
        ),
        _("Đã trả kết quả hồ sơ {code}."),
        "reception",
        when=lambda sit: sit.dossier.delivery != Delivery.POST or bool(sit.dossier.postal_tracking),
    ),
    Action(
        "chuyen-ho-so-giay",
        _("Chuyển hồ sơ giấy cho đơn vị giải quyết"),
        _("Đã chuyển hồ sơ giấy"),
        EventType.FORWARDED,
        f.ActionForm,
        lambda form, d, u, at: s.dossier_forward(
            dossier=d, actor=u, expected_version=_v(form), at=at
        ),
        _("Đã ghi nhận chuyển hồ sơ giấy {code} cho đơn vị giải quyết."),
        "reception",
        when=lambda sit: (
            not sit.happened(EventType.FORWARDED)
            and sit.dossier.channel != Channel.ONLINE
            and sit.dossier.receiving_unit_id != sit.dossier.resolving_unit_id
        ),
    ),
    Action(
        "doi-thoi-han",
        _("Áp dụng trường hợp thời hạn khác"),
        _("Áp dụng và tính lại hạn trả"),
        EventType.LIMIT_CASE_CHANGED,
        f.LimitCaseForm,
        lambda form, d, u, at: s.dossier_change_limit_case(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            case=form.cleaned_data["case"],
            reason=form.cleaned_data["reason"],
            at=at,
        ),
        _("Đã áp dụng thời hạn mới cho hồ sơ {code}; hạn trả đã được tính lại."),
        "reception",
        when=lambda sit: any(
            row.condition == "case" for row in sit.dossier.procedure_version.time_limits.all()
        ),
        folded=True,
    ),
    Action(
        "rut-ho-so",
        _("Rút hồ sơ theo đề nghị của người nộp"),
        _("Rút hồ sơ"),
        EventType.WITHDRAWN,
        f.ReasonForm,
        lambda form, d, u, at: s.dossier_withdraw(
            dossier=d, actor=u, expected_version=_v(form), reason=form.cleaned_data["reason"], at=at
        ),
        _("Đã ghi nhận rút hồ sơ {code}."),
        "reception",
        danger=True,
        folded=True,
    ),
    # Specialist (chuyên viên) ---------------------------------------------------------------
    Action(
        "hoan-thanh-buoc",
        _("Hoàn thành bước xử lý"),
        _("Hoàn thành bước của tôi"),
        EventType.STEP_COMPLETED,
        f.NoteForm,
        lambda form, d, u, at: s.dossier_complete_step(
            dossier=d, actor=u, expected_version=_v(form), note=form.cleaned_data["note"], at=at
        ),
        _("Đã hoàn thành bước xử lý hồ sơ {code}; chờ lãnh đạo phê duyệt."),
        "handler",
        when=lambda sit: (
            sit.dossier.assignee_id is not None
            and (
                sit.dossier.assignee_id == sit.user.pk
                or sit.has_role(sit.dossier.resolving_unit, s.LEADERS)
            )
        ),
    ),
    Action(
        "yeu-cau-bo-sung",
        _("Yêu cầu bổ sung hồ sơ (Mẫu 02)"),
        _("Yêu cầu bổ sung"),
        EventType.SUPPLEMENT_REQUESTED,
        f.SupplementRequestForm,
        lambda form, d, u, at: s.dossier_request_supplement(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            missing=form.cleaned_data["missing"],
            reason=form.cleaned_data["reason"],
            at=at,
        ),
        _("Đã yêu cầu bổ sung hồ sơ {code}; in Phiếu yêu cầu bổ sung (Mẫu 02) gửi người nộp."),
        "handler",
        when=lambda sit: not sit.happened(EventType.SUPPLEMENT_REQUESTED),
    ),
    Action(
        "xin-y-kien",
        _("Xin ý kiến, liên thông đơn vị khác"),
        _("Gửi xin ý kiến"),
        EventType.CONSULTATION_REQUESTED,
        f.ConsultationForm,
        lambda form, d, u, at: s.dossier_request_consultation(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            to_unit=form.cleaned_data["to_unit"],
            question=form.cleaned_data["question"],
            working_days=form.cleaned_data["working_days"],
            at=at,
        ),
        _("Đã gửi xin ý kiến cho hồ sơ {code}."),
        "handler",
        form_kwargs=lambda sit: {"units": dossier_partner_units(dossier=sit.dossier)},
        folded=True,
    ),
    Action(
        "tra-loi-y-kien",
        _("Trả lời xin ý kiến"),
        _("Gửi ý kiến trả lời"),
        EventType.CONSULTATION_ANSWERED,
        f.AnswerConsultationForm,
        lambda form, d, u, at: s.dossier_answer_consultation(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            unit=form.cleaned_data["unit"],
            answer=form.cleaned_data["answer"],
            at=at,
        ),
        _("Đã trả lời xin ý kiến của hồ sơ {code}."),
        "handler",
        when=lambda sit: bool(sit.consultation_units()),
        form_kwargs=lambda sit: {
            "units": Unit.objects.filter(pk__in=[u.pk for u in sit.consultation_units()])
        },
    ),
    Action(
        "yeu-cau-nghia-vu-tai-chinh",
        _("Yêu cầu thực hiện nghĩa vụ tài chính"),
        _("Gửi yêu cầu nộp"),
        EventType.PAYMENT_REQUESTED,
        f.PaymentRequestForm,
        lambda form, d, u, at: s.dossier_request_payment(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            amount=form.cleaned_data["amount"],
            description=form.cleaned_data["description"],
            at=at,
        ),
        _("Đã yêu cầu người nộp thực hiện nghĩa vụ tài chính (hồ sơ {code})."),
        "handler",
        folded=True,
    ),
    Action(
        "de-xuat-xin-loi",
        _("Đề xuất xin lỗi, hẹn lại ngày trả (Mẫu 04)"),
        _("Đề xuất xin lỗi"),
        EventType.APOLOGY_PROPOSED,
        f.ApologyProposalForm,
        lambda form, d, u, at: s.dossier_propose_apology(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            reason=form.cleaned_data["reason"],
            extra_working_days=form.cleaned_data["extra_working_days"],
            at=at,
        ),
        _("Đã đề xuất xin lỗi, hẹn lại cho hồ sơ {code}; chờ lãnh đạo ký."),
        "handler",
        when=lambda sit: not sit.happened(EventType.APOLOGY_ISSUED),
    ),
    # Leader (lãnh đạo) ----------------------------------------------------------------------
    Action(
        "phan-cong",
        _("Phân công xử lý"),
        _("Phân công"),
        EventType.ASSIGNED,
        f.AssignForm,
        lambda form, d, u, at: s.dossier_assign(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            step=form.cleaned_data["step"],
            assignee=form.cleaned_data["assignee"],
            note=form.cleaned_data["note"],
            at=at,
        ),
        _("Đã phân công xử lý hồ sơ {code}."),
        "leader",
        form_kwargs=lambda sit: {"officers": dossier_assignable_officers(dossier=sit.dossier)},
    ),
    Action(
        "phe-duyet",
        _("Phê duyệt kết quả"),
        _("Phê duyệt"),
        EventType.RESOLVED,
        f.NoteForm,
        lambda form, d, u, at: s.dossier_resolve(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            outcome=Outcome.APPROVED,
            reason=form.cleaned_data["note"],
            at=at,
        ),
        _("Đã phê duyệt kết quả hồ sơ {code}; chuyển Bộ phận Một cửa trả kết quả."),
        "leader",
    ),
    Action(
        "tu-choi-giai-quyet",
        _("Từ chối giải quyết (sau thẩm định)"),
        _("Từ chối giải quyết"),
        EventType.RESOLVED,
        f.ReasonForm,
        lambda form, d, u, at: s.dossier_resolve(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            outcome=Outcome.REFUSED,
            reason=form.cleaned_data["reason"],
            at=at,
        ),
        _("Đã từ chối giải quyết hồ sơ {code}."),
        "leader",
        danger=True,
        folded=True,
    ),
    Action(
        "ky-xin-loi",
        _("Ký phiếu xin lỗi, hẹn lại ngày trả"),
        _("Ký phiếu xin lỗi"),
        EventType.APOLOGY_ISSUED,
        f.ActionForm,
        lambda form, d, u, at: s.dossier_issue_apology(
            dossier=d, actor=u, expected_version=_v(form), at=at
        ),
        _("Đã ký phiếu xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}."),
        "leader",
        when=lambda sit: (
            sit.happened(EventType.APOLOGY_PROPOSED) and not sit.happened(EventType.APOLOGY_ISSUED)
        ),
    ),
    Action(
        "chuyen-xu-ly",
        _("Chuyển xử lý (liên thông khác cấp)"),
        _("Chuyển hồ sơ"),
        EventType.TRANSFERRED,
        f.TransferForm,
        lambda form, d, u, at: s.dossier_transfer(
            dossier=d,
            actor=u,
            expected_version=_v(form),
            to_unit=form.cleaned_data["to_unit"],
            reason=form.cleaned_data["reason"],
            at=at,
        ),
        _("Đã chuyển hồ sơ {code}."),
        "leader",
        form_kwargs=lambda sit: {"units": dossier_partner_units(dossier=sit.dossier)},
        folded=True,
    ),
    Action(
        "dung-xu-ly",
        _("Dừng xử lý"),
        _("Dừng xử lý"),
        EventType.STOPPED,
        f.ReasonForm,
        lambda form, d, u, at: s.dossier_stop(
            dossier=d, actor=u, expected_version=_v(form), reason=form.cleaned_data["reason"], at=at
        ),
        _("Đã dừng xử lý hồ sơ {code}."),
        "leader",
        danger=True,
        folded=True,
    ),
]
BY_SLUG = {action.slug: action for action in ACTIONS}
