"""Areas API.

GET  /api/v1/areas/                      list (filter by parent, kind, valid_on, q)
GET  /api/v1/areas/{code}                one unit
GET  /api/v1/areas/{code}/subtree        the unit and every unit under it
GET  /api/v1/areas/{code}/geojson        GeoJSON FeatureCollection of the subtree
POST /api/v1/areas/{code}/subunits       create a smaller unit under a commune
POST /api/v1/areas/{code}/boundaries     upload GeoJSON boundaries for its children
"""

import re
from typing import Annotated

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vungxanh.areas import services
from vungxanh.areas.geojson import feature_collection
from vungxanh.areas.models import Area
from vungxanh.areas.problems import describe
from vungxanh.areas.schemas import (
    AreaFilter,
    AreaOut,
    BoundaryRefusedOut,
    BoundaryUploadOut,
    Code,
    SubunitIn,
)
from vungxanh.domain.areas import fold
from vungxanh.lib.apischema import Pagination, Text, errors

router = Router(tags=["areas"])


def visible_areas(request: HttpRequest, action: str = "view"):
    return Area.objects.for_user(request.user, action).select_related("parent")


def area_by_code(request: HttpRequest, code: str, action: str = "view") -> Area:
    return get_object_or_404(visible_areas(request, action).current(), code=code)


@router.get("", response={200: list[AreaOut], **errors(401, 422)}, url_name="area_list")
@paginate(Pagination)
def area_list(request: HttpRequest, filters: Query[AreaFilter]):
    rows = visible_areas(request)
    rows = rows.valid_on(filters.valid_on) if filters.valid_on else rows.current()
    if filters.parent:
        rows = rows.filter(parent__code=filters.parent, parent__valid_to__isnull=True)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.q:
        rows = rows.filter(folded_name__contains=fold(filters.q))
    return rows


@router.get("/{code}", response={200: AreaOut, **errors(401, 404, 422)}, url_name="area_detail")
def area_detail(request: HttpRequest, code: Path[Code]):
    return area_by_code(request, code)


@router.get(
    "/{code}/subtree",
    response={200: list[AreaOut], **errors(401, 404, 422)},
    url_name="area_subtree",
)
@paginate(Pagination)
def area_subtree(request: HttpRequest, code: Path[Code]):
    area = area_by_code(request, code)
    return visible_areas(request).current().subtree(area)


@router.get(
    "/{code}/geojson", response={200: dict, **errors(401, 404, 422)}, url_name="area_geojson"
)
def area_geojson(request: HttpRequest, code: Path[Code], depth: int = 1):
    """The unit and its descendants down to ``depth`` levels, with their boundaries."""
    area = area_by_code(request, code)
    rows = visible_areas(request).current().subtree(area)
    levels = min(max(depth, 0), 4)
    rows = rows.filter(path__regex=rf"^{re.escape(area.path)}([^/]+/){{0,{levels}}}$")
    return JsonResponse(feature_collection(rows), json_dumps_params={"ensure_ascii": False})


@router.post(
    "/{code}/subunits",
    response={201: AreaOut, **errors(400, 401, 403, 404, 422)},
    url_name="area_subunit_create",
)
def area_subunit_create(request: HttpRequest, code: Path[Code], payload: SubunitIn):
    parent = area_by_code(request, code, "add")
    area = services.create_subunit(parent, actor=request.user, **payload.dict())
    return Status(201, area)


@router.post(
    "/{code}/boundaries",
    response={200: BoundaryUploadOut, 422: BoundaryRefusedOut, **errors(401, 403, 404)},
    url_name="area_boundary_upload",
)
def area_boundary_upload(
    request: HttpRequest,
    code: Path[Code],
    file: File[UploadedFile],
    source: Annotated[Text(200), Form("")],  # not Form[…] = "": the default would be lost
    approximate: Form[bool] = False,
    valid_only: Form[bool] = False,
):
    """Store the boundaries of the units under ``code``: all of them, or none if any is wrong."""
    parent = area_by_code(request, code, "change")
    check = services.apply_boundary_upload(
        file.read(),
        parent,
        actor=request.user,
        source=source or file.name,
        approximate=approximate,
        valid_only=valid_only,
    )
    stored = len(check.matched) if (valid_only or check.ok) else 0
    body = {
        "stored": stored,
        "matched": [m.unit.code for m in check.matched],
        "problems": [
            {"feature": p.feature, "field": p.field, "code": p.code, "message": describe(p)}
            for p in check.problems
        ],
    }
    return Status(200 if stored or check.ok else 422, body)
