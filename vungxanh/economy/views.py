"""Establishment pages: the list with its filters, and the form to enter or edit one."""

from __future__ import annotations

from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import Unrestricted, allowed_paths, can
from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain import vsic
from vungxanh.economy import services, validation
from vungxanh.economy.forms import EstablishmentForm
from vungxanh.economy.models import ESTABLISHMENT, OWN_ESTABLISHMENT, Establishment
from vungxanh.lib.refusal import refusal

FLAG_FILTERS = ("essential", "public")
# Above this many wards the ward filter and the form's list would be too long to offer.
MAX_WARDS_OFFERED = 1000


def _may_view(user) -> bool:
    return can(user, ESTABLISHMENT, "view") or can(user, OWN_ESTABLISHMENT, "view")


def _wards(user, action: str):
    """The current wards and communes where ``user`` may ``action`` establishments.

    A business applicant reaches no area as such: its wards are those of the
    establishments it represents.
    """
    areas = Area.objects.current().filter(kind=AreaKind.COMMUNE).select_related("parent")
    paths = allowed_paths(user, ESTABLISHMENT, action)
    if not paths:
        own = Establishment.objects.for_user(user, action).values("ward")
        areas = areas.filter(pk__in=own)
    elif not isinstance(paths, Unrestricted):
        areas = areas.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
    return areas.order_by("path")[:MAX_WARDS_OFFERED]


def _sections() -> list:
    return [entry for entry in vsic.load_vsic() if entry.level == vsic.SECTION_LEVEL]


def _filters(request: HttpRequest, wards: list[Area], errors: list[str]) -> dict[str, str]:
    """The list's filters as given, each checked; a bad one is named and left out."""
    chosen = {
        "ward": request.GET.get("ward", "").strip()[:40],
        "section": request.GET.get("section", "").strip().upper()[:1],
        "q": request.GET.get("q", "").strip()[:100],
        **{flag: "1" if request.GET.get(flag) == "1" else "" for flag in FLAG_FILTERS},
    }
    if chosen["ward"] and chosen["ward"] not in {w.code for w in wards}:
        errors.append(
            _("There is no ward or commune with code %(code)s among yours.")
            % {"code": chosen["ward"]}
        )
        chosen["ward"] = ""
    if chosen["section"] and vsic.load_vsic().lookup(chosen["section"]) is None:
        errors.append(_("There is no VSIC section %(code)s.") % {"code": chosen["section"]})
        chosen["section"] = ""
    return chosen


def _filtered(rows, chosen: dict[str, str]):
    if chosen["ward"]:
        rows = rows.filter(ward__code=chosen["ward"], ward__valid_to__isnull=True)
    if chosen["section"]:
        rows = rows.filter(section=chosen["section"])
    if chosen["essential"]:
        rows = rows.filter(essential_goods=True)
    if chosen["public"]:
        rows = rows.filter(public_investment=True)
    if chosen["q"]:
        rows = rows.filter(name__icontains=chosen["q"]) | rows.filter(
            tax_code__startswith=chosen["q"]
        )
    return rows


@login_required
def establishment_list(request: HttpRequest) -> HttpResponse:
    if not _may_view(request.user):
        raise refusal(ESTABLISHMENT, "view")
    errors: list[str] = []
    wards = list(_wards(request.user, "view"))
    chosen = _filters(request, wards, errors)
    rows = _filtered(Establishment.objects.for_user(request.user, "view"), chosen)
    rows = rows.select_related("ward").order_by("name", "tax_code")
    page = Paginator(rows, settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    names = {e.code: e.name_vi for e in (vsic.lookup(r.vsic_code) for r in page) if e}
    context = {
        "page": page,
        "rows": [(r, names.get(r.vsic_code, "")) for r in page],
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "chosen": chosen,
        "errors": errors,
        "wards": wards,
        "sections": _sections(),
        "may_add": can(request.user, ESTABLISHMENT, "add"),
        "changeable": set(
            Establishment.objects.for_user(request.user, "change")
            .filter(pk__in=[r.pk for r in page])
            .values_list("pk", flat=True)
        ),
    }
    return render(request, "economy/list.html", context)


def _save(request: HttpRequest, form: EstablishmentForm, establishment=None):
    """Create or update through the services; put their refusals on the form."""
    data = form.cleaned_data
    values = {name: data[name] for name in validation.FIELDS}
    try:
        if establishment is None:
            return services.create_establishment(actor=request.user, ward=data["ward"], **values)
        return services.update_establishment(
            establishment, actor=request.user, ward=data["ward"], **values
        )
    except ValidationError as exc:
        for field, texts in exc.message_dict.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
    return None


@login_required
def establishment_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, ESTABLISHMENT, "add"):
        raise refusal(ESTABLISHMENT, "add")
    wards = list(_wards(request.user, "add"))
    initial = {"ward": request.GET.get("ward", "")}
    form = EstablishmentForm(request.POST or None, wards=wards, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form)
        if saved is not None:
            messages.success(request, _("“%(name)s” registered.") % {"name": saved.name})
            return redirect(f"{_list_url()}?{urlencode({'ward': saved.ward.code})}")
    return render(request, "economy/form.html", {"form": form, "establishment": None})


@login_required
def establishment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Outside the user's wards the establishment does not exist for them (404).
    establishment = get_object_or_404(
        Establishment.objects.for_user(request.user, "change").select_related("ward"), pk=pk
    )
    wards = list(_wards(request.user, "change"))
    initial = {name: getattr(establishment, name) for name in validation.FIELDS}
    initial["ward"] = establishment.ward.code
    form = EstablishmentForm(request.POST or None, wards=wards, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, establishment)
        if saved is not None:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
            return redirect(f"{_list_url()}?{urlencode({'ward': saved.ward.code})}")
    context = {"form": form, "establishment": establishment}
    return render(request, "economy/form.html", context)


def _list_url() -> str:
    return reverse("economy:list")
