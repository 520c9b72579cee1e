"""The officers' screens (/can-bo/): reception, specialist, leader, unit overview, a dossier.

Thin views (style §10): forms check the input, selectors read (always scoped to the officer),
services write; a service's refusal (``DomainError``) becomes a page message and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import Role, User
from motcua.accounts.selectors import memberships_active, units_visible_to
from motcua.apiclients.selectors import api_tokens_acting_as
from motcua.audit.models import Access
from motcua.audit.selectors import access_records_search, dossier_accesses
from motcua.audit.services import access_record, accessor_from_request, identifier_shaped
from motcua.backoffice.actions import ACTIONS, BY_SLUG, Action, Situation
from motcua.backoffice.forms import AccessLogForm, IntakeForm, RegisterForm, SearchForm
from motcua.backoffice.presentation import (
    EVENT_LABELS,
    dossier_forms,
    dossier_ref,
    event_details,
    step_rows,
)
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_search, procedure_versions_in_force
from motcua.core import clock
from motcua.core.errors import DomainError, NotFound
from motcua.core.text import record_number
from motcua.documents.selectors import register_dossiers
from motcua.documents.services import render_dossier_form, render_register
from motcua.dossiers.deadlines import step_timings
from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import EventType
from motcua.dossiers.selectors import (
    apologies_to_sign,
    applicant_identifiers_for,
    dossier_events,
    dossier_get_for_officer,
    dossier_search,
    dossiers_assigned_to,
    dossiers_awaiting_reception,
    dossiers_due_soon,
    dossiers_overdue,
    dossiers_to_approve,
    dossiers_to_assign,
    dossiers_to_forward,
    dossiers_to_return,
    dossiers_waiting_for_applicant,
    dossiers_with_changed_due,
    group_by_urgency,
    unit_overview_counts,
    units_with_role,
)
from motcua.dossiers.services import (
    IncompleteDossier,
    dossier_receive,
    dossier_refuse_at_counter,
)
from motcua.units.models import Unit

PAGE_SIZE = 25
LIST_LIMIT = 50
# How long the home page lists dossiers whose due date moved (decision 8: officers are told).
CHANGED_DUE_DAYS = 7
RECEPTION_ROLES = frozenset({Role.RECEPTION, Role.POSTAL})
HANDLER_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})
OFFICER_ROLES = frozenset(
    {Role.RECEPTION, Role.POSTAL, Role.SPECIALIST, Role.LEADER, Role.INSPECTOR, Role.UNIT_ADMIN}
)

View = Callable[..., HttpResponse]


# ---------------------------------------------------------------------------------------------
# Who is at the screen
# ---------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - login_required runs first
        raise PermissionDenied
    return user


def roles_of(user: User) -> set[str]:
    """The roles the officer holds today, in any unit (every role for a superuser)."""
    if user.is_superuser:
        return {role.value for role in Role}
    return set(memberships_active(user=user).values_list("role", flat=True))


def officer_required(roles: frozenset[Role] = OFFICER_ROLES) -> Callable[[View], View]:
    """Signed in (else the admin login page), and holding one of ``roles`` (else 403)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            held = roles_of(_user(request))
            if not held & set(roles):
                raise PermissionDenied("Tài khoản không có vai trò dùng màn hình này.")
            request.officer_roles = held  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    held: set[str] = getattr(request, "officer_roles", set())
    return {
        "roles": held,
        "is_reception": bool(held & RECEPTION_ROLES),
        "is_handler": bool(held & HANDLER_ROLES),
        "is_leader": Role.LEADER in held,
        **values,
    }


def _home_unit(user: User) -> Unit | None:
    """The unit whose calendar the officer's lists follow: their first unit."""
    membership = memberships_active(user=user).order_by("pk").first()
    return membership.unit if membership else None


def _dossier(request: HttpRequest, ref: str) -> Dossier:
    """The dossier by its code ("#12" before receipt: ``ref`` 12), if the officer may see it."""
    key = f"#{ref}" if record_number(ref) is not None else ref
    try:
        return dossier_get_for_officer(user=_user(request), code=key)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _record(request: HttpRequest, action: Access, **details: Any) -> None:
    """Who saw what (audit.services.access_record): before the data leaves, fail closed."""
    access_record(by=accessor_from_request(request, _user(request)), action=action, **details)


def _back(request: HttpRequest, dossier: Dossier) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("backoffice:dossier", ref=dossier_ref(dossier))


# ---------------------------------------------------------------------------------------------
# Home
# ---------------------------------------------------------------------------------------------


@require_GET
@officer_required()
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    held = request.officer_roles  # type: ignore[attr-defined]
    counts: dict[str, int] = {}
    if held & RECEPTION_ROLES:
        counts["awaiting"] = dossiers_awaiting_reception(user=user).count()
        counts["to_return"] = dossiers_to_return(user=user).count()
    if held & HANDLER_ROLES:
        counts["mine"] = dossiers_assigned_to(user=user).count()
    if Role.LEADER in held:
        counts["to_assign"] = dossiers_to_assign(user=user).count()
        counts["to_approve"] = dossiers_to_approve(user=user).count()
        counts["apologies"] = apologies_to_sign(user=user).count()
    since = clock.now() - dt.timedelta(days=CHANGED_DUE_DAYS)
    changed = list(dossiers_with_changed_due(user=user, since=since)[:LIST_LIMIT])
    acting = list(api_tokens_acting_as(user=user, at=clock.now()))
    return render(
        request,
        "backoffice/home.html",
        _context(
            request,
            counts=counts,
            changed_due=changed,
            changed_days=CHANGED_DUE_DAYS,
            acting_tokens=acting,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Reception (một cửa)
# ---------------------------------------------------------------------------------------------


@require_GET
@officer_required(RECEPTION_ROLES)
def reception(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = _context(
        request,
        awaiting=list(dossiers_awaiting_reception(user=user)[:LIST_LIMIT]),
        to_forward=list(dossiers_to_forward(user=user)[:LIST_LIMIT]),
        waiting=list(dossiers_waiting_for_applicant(user=user)[:LIST_LIMIT]),
        to_return=list(dossiers_to_return(user=user)[:LIST_LIMIT]),
        here=request.get_full_path(),
    )
    return render(request, "backoffice/reception.html", context)


def _intake_units(user: User) -> QuerySet[Unit]:
    units = units_with_role(user=user, roles=[Role.RECEPTION])
    if units is None:  # a superuser may receive for any unit that has an identifier
        units = Unit.objects.filter(valid_to__isnull=True).exclude(identifier="")
    return units.order_by("path")


def _intake_form(request: HttpRequest, data: Any = None) -> IntakeForm:
    """The counter form for the unit chosen (the officer's first by default), offering the
    procedures that unit receives, or every procedure in force if none is assigned to it."""
    units = _intake_units(_user(request))
    source = data if data is not None else request.GET
    wanted = str(source.get("receiving_unit") or "")
    wanted_pk = record_number(wanted)
    chosen = units.filter(pk=wanted_pk).first() if wanted_pk is not None else None
    unit = chosen or units.first()
    today = clock.today()
    versions: list[ProcedureVersion] = []
    if unit is not None:
        versions = list(procedure_search(on=today, unit=unit))
    if not versions:
        versions = list(procedure_versions_in_force(on=today).order_by("name"))
    if data is not None and not wanted and unit is not None:
        data = data.copy()  # an officer of one desk need not say which
        data["receiving_unit"] = str(unit.pk)
    initial = {"receiving_unit": unit.pk if unit else None, "procedure": source.get("procedure")}
    return IntakeForm(data, units=units, versions=versions, initial=initial)


@officer_required(frozenset({Role.RECEPTION}))
def intake(request: HttpRequest) -> HttpResponse:
    """Receive a dossier at the counter (or refuse it with reasons, Mẫu 03)."""
    missing: list[str] = []
    if request.method != "POST":
        form = _intake_form(request)
        return render(request, "backoffice/intake.html", _context(request, form=form))
    form = _intake_form(request, request.POST)
    if "load" in request.POST:  # no script: the checklist of the procedure just chosen
        return render(request, "backoffice/intake.html", _context(request, form=form))
    refusing = "refuse" in request.POST
    if form.is_valid():
        user = _user(request)
        try:
            if refusing:
                dossier = dossier_refuse_at_counter(
                    intake=form.intake(),
                    actor=user,
                    reason=form.cleaned_data["refusal_reason"],
                    at=clock.now(),
                )
                messages.success(
                    request, _("Đã ghi nhận từ chối tiếp nhận; in Phiếu từ chối (Mẫu 03).")
                )
            else:
                dossier = dossier_receive(intake=form.intake(), actor=user, at=clock.now())
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả %(time)s ngày %(date)s.")
                    % {
                        "code": dossier.code,
                        "time": f"{clock.local(dossier.due_at):%H:%M}",
                        "date": f"{clock.local(dossier.due_at):%d/%m/%Y}",
                    }
                    if dossier.due_at
                    else _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code},
                )
            return redirect("backoffice:dossier", ref=dossier_ref(dossier))
        except IncompleteDossier as exc:
            missing = list((exc.details or {}).get("missing", []))
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Thông tin chưa hợp lệ, xem các trường được đánh dấu."))
    return render(request, "backoffice/intake.html", _context(request, form=form, missing=missing))


@require_GET
@officer_required(frozenset({Role.RECEPTION}))
def intake_components(request: HttpRequest) -> HttpResponse:
    """The papers checklist of the procedure chosen (htmx swaps it in)."""
    form = _intake_form(request)
    return render(request, "backoffice/_components.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# Specialist and leader
# ---------------------------------------------------------------------------------------------


@require_GET
@officer_required(HANDLER_ROLES)
def my_work(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = clock.today()
    groups = group_by_urgency(dossiers=dossiers_assigned_to(user=user), on=today)
    return render(request, "backoffice/my_work.html", _context(request, groups=groups, today=today))


@require_GET
@officer_required(frozenset({Role.LEADER}))
def leader(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = _context(
        request,
        to_assign=list(dossiers_to_assign(user=user)[:LIST_LIMIT]),
        to_approve=list(dossiers_to_approve(user=user)[:LIST_LIMIT]),
        apologies=list(apologies_to_sign(user=user)[:LIST_LIMIT]),
        here=request.get_full_path(),
    )
    return render(request, "backoffice/leader.html", context)


# ---------------------------------------------------------------------------------------------
# Unit overview and search
# ---------------------------------------------------------------------------------------------


def _visible_units(user: User) -> QuerySet[Unit]:
    return units_visible_to(user=user).filter(valid_to__isnull=True).order_by("path")


# The search's fields that travel in pager links; the text searched never does (it may be an ID
# number: searches by text go by POST, issue 10 item 4).
_SEARCH_LINK_FIELDS = ("status", "received_from", "received_to", "unit")


@require_http_methods(["GET", "POST"])
@officer_required()
def overview(request: HttpRequest) -> HttpResponse:
    """The unit's overview and the search. The search form posts (CSRF), so that an ID number
    stays out of URLs, browser history and server logs; results and pages answer the POST (the
    pager posts the same fields again). A GET may still filter by status, dates, unit, and by a
    code or a name in ``q``, but never by an ID number: that is refused with a message."""
    user = _user(request)
    units = _visible_units(user)
    posted = request.method == "POST"
    source: QueryDict = (request.POST if posted else request.GET).copy()
    if not posted and identifier_shaped(source.get("q", "")):
        # An old bookmark or a typed address: not searched, and the number leaves the address.
        source.pop("q")
        messages.error(
            request,
            _(
                "Tìm theo số định danh hoặc mã số thuế phải dùng ô tra cứu (số không được nằm "
                "trên địa chỉ trang); đã bỏ qua số này."
            ),
        )
        rest = source.urlencode()
        return HttpResponseRedirect(request.path + (f"?{rest}" if rest else ""))
    error = ""
    bound = posted or any(source.get(name) for name in ("q", *_SEARCH_LINK_FIELDS))
    form = SearchForm(source if bound else None, units=units)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        error = _("Điều kiện tìm kiếm không hợp lệ; đã bỏ qua.")
    unit = data.get("unit")
    today = clock.today()
    text = data.get("q", "")
    results = dossier_search(
        user=user,
        query=text,
        status=data.get("status", ""),
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
        unit=unit,
    )
    page = Paginator(results, PAGE_SIZE).get_page(source.get("page"))
    if bound:
        _record(request, Access.SEARCHED, query=text, results=page.paginator.count)
    links = QueryDict(mutable=True)
    for name in _SEARCH_LINK_FIELDS:
        if value := source.get(name, ""):
            links[name] = str(value)
    if not posted and text:
        links["q"] = text  # a code or a name, already in this page's own address
    context = _context(
        request,
        form=form,
        page=page,
        error=error,
        posted=posted,
        query_string=links.urlencode(),
        pager_fields=[(name, source.get(name, "")) for name in ("q", *_SEARCH_LINK_FIELDS)],
    )
    if request.headers.get("HX-Request"):
        return render(request, "backoffice/_search_results.html", context)
    calendar_unit = unit or _home_unit(user)
    scoped_overdue = dossiers_overdue(user=user, on=today)
    scoped_soon = dossiers_due_soon(user=user, on=today, unit=calendar_unit)
    if unit is not None:
        scoped_overdue = scoped_overdue.filter(resolving_unit=unit) | scoped_overdue.filter(
            receiving_unit=unit
        )
        scoped_soon = scoped_soon.filter(resolving_unit=unit) | scoped_soon.filter(
            receiving_unit=unit
        )
    context.update(
        counts=unit_overview_counts(user=user, on=today, unit=unit),
        overdue=list(scoped_overdue[:LIST_LIMIT]),
        due_soon=list(scoped_soon[:LIST_LIMIT]),
        unit=unit,
        today=today,
        register_form=RegisterForm(
            initial={
                "unit": calendar_unit.pk if calendar_unit else None,
                "start": today.replace(day=1),
                "end": today,
            },
            units=units,
        ),
    )
    return render(request, "backoffice/overview.html", context)


# ---------------------------------------------------------------------------------------------
# A dossier
# ---------------------------------------------------------------------------------------------


def _dossier_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: tuple[Action, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    events = list(dossier_events(dossier=dossier))
    situation = Situation(dossier=dossier, user=user, events=events)
    cards = []
    for action in ACTIONS:
        if not action.available(situation):
            continue
        data = bound[1] if bound is not None and bound[0] is action else None
        cards.append({"action": action, "form": action.build(situation, data)})
    now = clock.now()
    timings = step_timings(dossier, events, now=now)
    context = _context(
        request,
        dossier=dossier,
        ref=dossier_ref(dossier),
        timeline=[
            {
                "event": event,
                "label": EVENT_LABELS.get(event.type, event.type),
                "details": event_details(event),
            }
            for event in events
        ],
        steps=step_rows(dossier, timings, today=clock.local(now).date()),
        cards=cards,
        pdf_forms=dossier_forms(dossier, events),
        identifiers=applicant_identifiers_for(user=user, dossier=dossier),
        overdue_now=dossier.overdue_on(clock.local(now).date()),
        apology=situation.last(EventType.APOLOGY_ISSUED),
        proposal=situation.last(EventType.APOLOGY_PROPOSED),
    )
    _record(request, Access.OPENED, dossiers=[dossier], what="chi-tiet")
    # Its own access history, for inspectors (this opening included).
    inspector = Role.INSPECTOR in context["roles"]
    context["accesses"] = dossier_accesses(dossier=dossier) if inspector else None
    return render(request, "backoffice/dossier.html", context, status=status)


@require_GET
@officer_required()
def dossier_detail(request: HttpRequest, ref: str) -> HttpResponse:
    return _dossier_page(request, _dossier(request, ref))


@require_POST
@officer_required()
def dossier_action(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    """Run one transition; a refusal or a stale version is a message and changes nothing."""
    spec = BY_SLUG.get(action)
    if spec is None:
        raise Http404("Không có thao tác này.")
    dossier = _dossier(request, ref)
    user = _user(request)
    situation = Situation(dossier=dossier, user=user, events=list(dossier_events(dossier=dossier)))
    form = spec.build(situation, request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("Biểu mẫu thiếu phiên bản hồ sơ; hãy tải lại trang."))
            return _back(request, dossier)
        messages.error(request, _("%(action)s: thông tin chưa hợp lệ.") % {"action": spec.title})
        return _dossier_page(request, dossier, bound=(spec, request.POST))
    try:
        updated = spec.run(form, dossier, user, clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, dossier)
    messages.success(request, str(spec.done).format(code=updated.code or dossier_ref(updated)))
    return _back(request, updated)


# ---------------------------------------------------------------------------------------------
# Official forms (PDF)
# ---------------------------------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@officer_required()
def dossier_form_pdf(request: HttpRequest, ref: str, form: str) -> HttpResponse:
    """A form of the dossier, numbered as in its form set; ``?su-kien=N`` picks the notice issued
    at event N. A form that does not apply (yet) is a 404."""
    text = request.GET.get("su-kien", "")
    event = record_number(text) if text else None
    if text and event is None:
        raise Http404("Không có mẫu này.")
    dossier = _dossier(request, ref)
    try:
        content = render_dossier_form(form=form, dossier=dossier, now=clock.now(), event=event)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    _record(request, Access.PRINTED, dossiers=[dossier], what=f"mau-{form}"[:200])
    return _pdf(content, f"mau-{form}-{dossier.code or dossier.pk}.pdf")


@require_GET
@officer_required()
def register_pdf(request: HttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ (Mẫu 06) of a unit the officer may see, over a period."""
    form = RegisterForm(request.GET, units=_visible_units(_user(request)))
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(
            request, _("Không in được sổ theo dõi: %(problems)s") % {"problems": problems}
        )
        return redirect("backoffice:overview")
    data = form.cleaned_data
    try:
        content = render_register(
            unit=data["unit"],
            start=data["start"],
            end=data["end"],
            now=clock.now(),
            actor=_user(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:overview")
    listed = register_dossiers(
        unit=data["unit"], start=data["start"], end=data["end"], actor=_user(request)
    )
    _record(
        request, Access.PRINTED, dossiers=listed.values_list("pk", flat=True), what="so-theo-doi"
    )
    stamp = f"{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
    return _pdf(content, f"so-theo-doi-{data['unit'].identifier or data['unit'].pk}-{stamp}.pdf")


# ---------------------------------------------------------------------------------------------
# Who saw what (inspectors)
# ---------------------------------------------------------------------------------------------

ACCESS_PAGE_SIZE = 50


@require_GET
@officer_required(frozenset({Role.INSPECTOR}))
def access_log(request: HttpRequest) -> HttpResponse:
    """Nhật ký truy cập: who opened, printed, exported or searched the personal data of the
    dossiers the inspector may see, filtered by officer, dossier code and dates."""
    user = _user(request)
    form = AccessLogForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    records = access_records_search(
        user=user,
        officer=data.get("officer", ""),
        dossier_code=data.get("dossier", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    page = Paginator(records, ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(request, form=form, page=page, query_string=query.urlencode())
    return render(request, "backoffice/access_log.html", context)
