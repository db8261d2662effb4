"""Pages: the area browser, an area's page with its map, smaller units, boundary upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import can, member_paths, root_areas
from vungxanh.accounts.workspace import ROLES_WITH_WORK_PAGE
from vungxanh.areas import services
from vungxanh.areas.forms import BoundaryUploadForm, SubunitForm
from vungxanh.areas.models import Area, AreaKind
from vungxanh.areas.problems import describe, where


def _visible(request: HttpRequest, action: str = "view"):
    return Area.objects.for_user(request.user, action).current()


def _area(request: HttpRequest, code: str, action: str = "view") -> Area:
    return get_object_or_404(_visible(request, action), code=code)


def _children(request: HttpRequest, area: Area):
    return _visible(request).filter(parent=area).order_by("code")


@login_required
def browser(request: HttpRequest) -> HttpResponse:
    roots = root_areas(request.user)
    blocks = []
    for root in roots:
        children = list(_children(request, root))
        blocks.append(
            {"area": root, "children": children, "total": sum(c.population or 0 for c in children)}
        )
    return render(request, "areas/browser.html", {"blocks": blocks})


@login_required
def area_children(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(request, code)
    return render(
        request, "areas/_children.html", {"area": area, "children": _children(request, area)}
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(request, code)
    children = _children(request, area)
    context = {
        "area": area,
        "ancestors": _visible(request).ancestors_of(area),
        "children": children,
        "children_population": children.aggregate(total=Sum("population"))["total"],
        "children_with_boundary": children.exclude(boundary="").count(),
        "can_add_subunit": area.kind in (AreaKind.COMMUNE, AreaKind.SUBUNIT)
        and can(request.user, "areas.area", "add", area),
        "can_upload": can(request.user, "areas.area", "change", area),
        "can_audit": can(request.user, "audit.auditentry", "view", area),
        "map_config": {"geojson": f"/api/v1/areas/{area.code}/geojson?depth=1", "code": area.code},
    }
    return render(request, "areas/detail.html", context)


@login_required
def subunit_create(request: HttpRequest, code: str) -> HttpResponse:
    parent = _area(request, code, "add")
    form = SubunitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.create_subunit(parent, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("“%(name)s” created.") % {"name": area.name})
            return redirect("areas:detail", code=area.code)
    return render(request, "areas/subunit_form.html", {"parent": parent, "form": form})


@login_required
def boundary_upload(request: HttpRequest, code: str) -> HttpResponse:
    parent = _area(request, code, "change")
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        check = services.apply_boundary_upload(
            data["file"].read(),
            parent,
            actor=request.user,
            source=data["source"] or data["file"].name,
            approximate=data["approximate"],
            valid_only=data["valid_only"],
        )
        stored = len(check.matched) if (check.ok or data["valid_only"]) else 0
        report = {
            "stored": stored,
            "problems": [{"where": where(p), "message": describe(p)} for p in check.problems],
        }
        if stored and not check.problems:
            messages.success(request, _("%(n)d boundaries stored.") % {"n": stored})
            return redirect("areas:detail", code=parent.code)
    return render(
        request, "areas/boundary_upload.html", {"parent": parent, "form": form, "report": report}
    )


# -- each person's first screen --------------------------------------------------------------
def _first_area(request: HttpRequest, role: str) -> Area | None:
    """The highest area where the user holds ``role`` (and may see it), or None."""
    paths = sorted(path for held, path in member_paths(request.user) if held == role)
    if not paths:
        return None
    return _visible(request).filter(path=paths[0]).first()


def home(request: HttpRequest) -> HttpResponse:
    """Each person's first screen: a ward official their ward's levels page (the level that
    applies, why, what turns it green); a steering committee member or a viewer the levels map
    of their area; a health officer the epidemic page of their area; a department officer or
    a business the page of what their role does here; everyone else the area browser."""
    if request.user.is_authenticated:
        ward = _first_area(request, Role.WARD_OFFICIAL)
        if ward is not None:
            return redirect("risk:area", ward.code)
        # A viewer reads what the committee reads: the levels map of their area.
        committee = _first_area(request, Role.STEERING) or _first_area(request, Role.VIEWER)
        if committee is not None:
            return redirect(f"{reverse('risk:map')}?{urlencode({'area': committee.code})}")
        health = _first_area(request, Role.HEALTH_OFFICER)
        if health is not None:
            return redirect("surveillance:area", health.code)
        if any(Role(role) in ROLES_WITH_WORK_PAGE for role, _path in member_paths(request.user)):
            return redirect("accounts:my_work")
    return redirect("areas:browser")
