"""Permit pages: the list (a business's own, a department's queue), plans, applications."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area
from vungxanh.domain import workplace
from vungxanh.economy.models import Establishment
from vungxanh.lib.refusal import refusal, require
from vungxanh.permits import config, letters, services
from vungxanh.permits.documents import render as render_docx
from vungxanh.permits.forms import (
    DECISIONS,
    ApplicationForm,
    DecisionForm,
    PlanForm,
    TestRecordForm,
)
from vungxanh.permits.models import (
    APPLICATION,
    OPEN_STATES,
    PLAN,
    TEST_RECORD,
    PermitApplication,
    PermitKind,
    SafetyPlan,
    State,
    _scope,
)
from vungxanh.permits.queries import DUE_SOON, OVERDUE, deadline_flag, flagged, permit_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_SCHEME = "vn-2194-2020"
STATE_FILTERS = ("open", "all", *State.values)


def _own_establishments(user, label: str):
    return _scope(Establishment.objects.all(), user, label, "add", "", "").order_by("name")


def _put_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for text in errors:
                form.add_error(target, text)
    else:
        for text in exc.messages:
            form.add_error(None, text)


# -- the list ------------------------------------------------------------------------


def _filters(request: HttpRequest, errors: list[str]) -> dict[str, str]:
    chosen = {
        "state": request.GET.get("state", "open")[:24],
        "kind": request.GET.get("kind", "")[:24],
        "flag": request.GET.get("flag", "")[:16],
        "ward": request.GET.get("ward", "").strip()[:40],
    }
    if chosen["state"] not in STATE_FILTERS:
        errors.append(_("There is no state %(state)s.") % {"state": chosen["state"]})
        chosen["state"] = "open"
    if chosen["kind"] and chosen["kind"] not in PermitKind.values:
        errors.append(_("There is no kind of application %(kind)s.") % {"kind": chosen["kind"]})
        chosen["kind"] = ""
    if chosen["ward"] and not Area.objects.current().filter(code=chosen["ward"]).exists():
        errors.append(
            _("There is no ward or commune with code %(code)s.") % {"code": chosen["ward"]}
        )
        chosen["ward"] = ""
    if chosen["flag"] not in ("", OVERDUE, DUE_SOON):
        chosen["flag"] = ""
    return chosen


def _filtered(rows, chosen: dict[str, str], today):
    if chosen["state"] == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif chosen["state"] != "all":
        rows = rows.filter(state=chosen["state"])
    if chosen["kind"]:
        rows = rows.filter(kind=chosen["kind"])
    if chosen["ward"]:
        rows = rows.filter(establishment__ward__code=chosen["ward"])
    return flagged(rows, chosen["flag"], today) if chosen["flag"] else rows


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    require(request.user, APPLICATION, "view")
    errors: list[str] = []
    chosen = _filters(request, errors)
    today = timezone.localdate()
    visible = PermitApplication.objects.for_user(request.user, "view")
    rows = _filtered(visible, chosen, today).select_related("establishment__ward", "plan")
    page = Paginator(rows.queue_order(), settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    may_apply = can(request.user, APPLICATION, "add")
    context = {
        "page": page,
        "rows": [(a, deadline_flag(a, today)) for a in page],
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "chosen": chosen,
        "errors": errors,
        "states": State.choices,
        "kinds": PermitKind.choices,
        "may_apply": may_apply,
        "may_review": can(request.user, APPLICATION, "change"),
        "plans": (
            SafetyPlan.objects.for_user(request.user, "view")
            .select_related("establishment")
            .order_by("-created_at")[:20]
            if may_apply
            else []
        ),
    }
    return render(request, "permits/list.html", context)


# -- safety plans ------------------------------------------------------------------------


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    require(request.user, PLAN, "add")
    schemes = config.schemes()
    scheme_id = request.GET.get("scheme", DEFAULT_SCHEME)
    scheme = schemes.get(scheme_id) or schemes[DEFAULT_SCHEME]
    establishments = _own_establishments(request.user, PLAN)
    form = PlanForm(request.POST or None, establishments=establishments, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                request.user,
                data["establishment"],
                production_model=data["production_model"],
                workers_on_site=data["workers_on_site"],
                scheme=scheme.id,
                answers=form.answers(),
                test_every_days=data["test_every_days"],
                responsible_person=data["responsible_person"],
                responsible_phone=data["responsible_phone"],
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("Safety plan saved."))
            return redirect("permits:plan", pk=plan.pk)
    context = {
        "form": form,
        "scheme": scheme,
        "schemes": [
            (s.id, s.title_vi if translation.get_language() == "vi" else s.title)
            for s in schemes.values()
        ],
        "represents_none": not establishments.exists(),
    }
    return render(request, "permits/plan_form.html", context)


def _plan(request: HttpRequest, pk: int) -> SafetyPlan:
    plans = SafetyPlan.objects.for_user(request.user, "view").select_related("establishment__ward")
    return get_object_or_404(plans, pk=pk)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    may_record = (
        _own_establishments(request.user, TEST_RECORD).filter(pk=plan.establishment_id).exists()
    )
    form = TestRecordForm(request.POST or None)
    if request.method == "POST":
        if not may_record:
            raise refusal(TEST_RECORD, "add")
        if form.is_valid():
            try:
                services.record_test(request.user, plan, **form.cleaned_data)
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, _("Test round recorded."))
                return redirect("permits:plan", pk=plan.pk)
    scheme = config.schemes().get(plan.scheme)
    vietnamese = translation.get_language() == "vi"
    band = scheme.band(plan.band) if scheme else None
    context = {
        "plan": plan,
        "scheme_title": (scheme.title_vi if vietnamese else scheme.title)
        if scheme
        else plan.scheme,
        "band": band,
        "band_name": (band.name_vi if vietnamese else band.name) if band else plan.band,
        "answers": [
            (name_vi if vietnamese else name, plan.answers.get(key))
            for key, name, name_vi in (workplace.answer_fields(scheme) if scheme else ())
        ],
        "tests": plan.tests.all()[:100],
        "form": form,
        "may_record": may_record,
    }
    return render(request, "permits/plan_detail.html", context)


@login_required
def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return _docx(render_docx(letters.plan_letter(plan)), f"phuong-an-{plan.pk}.docx")


def _docx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- applications ------------------------------------------------------------------------


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    require(request.user, APPLICATION, "add")
    own = _own_establishments(request.user, APPLICATION)
    plans = SafetyPlan.objects.filter(establishment__in=own).select_related("establishment")
    initial = {"plan": request.GET.get("plan", "")[:12]}
    form = ApplicationForm(request.POST or None, plans=plans, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        plan = data.pop("plan")
        try:
            application = services.submit_application(
                request.user, plan.establishment, plan=plan, **data
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("Application submitted."))
            return redirect("permits:application", pk=application.pk)
    return render(request, "permits/application_form.html", {"form": form})


def _application(request: HttpRequest, pk: int) -> PermitApplication:
    rows = PermitApplication.objects.for_user(request.user, "view").select_related(
        "establishment__ward", "plan", "decided_by"
    )
    return get_object_or_404(rows, pk=pk)


def _moves(request: HttpRequest, application: PermitApplication) -> list[str]:
    """The decisions this user may make on this application now (buttons to show)."""
    visible = PermitApplication.objects.filter(pk=application.pk)
    reviewer = visible.for_user(request.user, "change").exists()
    applicant = visible.for_user(request.user, "add").exists()
    moves = []
    for name, target in DECISIONS.items():
        who = services.TRANSITIONS.get((application.state, target))
        if (who == services.REVIEW and reviewer) or (who == services.APPLICANT and applicant):
            moves.append(name)
    return moves


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = DecisionForm(request.POST or None, initial={"version": application.version})
    if request.method == "POST":
        if not _moves(request, application) and not can(request.user, APPLICATION, "change"):
            raise refusal(APPLICATION, "change")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.transition(
                    request.user,
                    application,
                    DECISIONS[data["decision"]],
                    version=data["version"],
                    reason=data["reason"],
                    description=data["description"],
                )
            except services.StaleApplication as exc:
                # Someone decided first: show what they decided, keep nothing of this post.
                messages.error(request, exc.messages[0])
                return redirect("permits:application", pk=application.pk)
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, _("Decision saved."))
                return redirect("permits:application", pk=application.pk)
    today = timezone.localdate()
    context = {
        "application": application,
        "flag": deadline_flag(application, today),
        "steps": application.steps.select_related("actor"),
        "department": config.load().departments[application.department].title_vi,
        "moves": _moves(request, application),
        "form": form,
        "number": permit_number(application) if application.number else "",
    }
    return render(request, "permits/application_detail.html", context)


@login_required
def permit_docx(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if application.state != State.APPROVED:
        raise PermissionDenied(_("Only an approved application has a permit to print."))
    content = render_docx(letters.permit_letter(application))
    return _docx(content, f"giay-phep-{application.year}-{application.number:02d}.docx")
