"""Imports API.

POST /api/v1/imports/{kind}            import a file (multipart ``file``; ``dry_run``,
                                       ``valid_only``): 200 with the report, 422 if refused
GET  /api/v1/imports/                  the imports of the caller's areas, newest first
GET  /api/v1/imports/{id}              one import
POST /api/v1/imports/{id}/undo         undo an import (optional ?reason=… for the audit trail)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vungxanh.accounts.scoping import can
from vungxanh.domain.tabular import CellError
from vungxanh.imports import registry
from vungxanh.imports.problems import as_rows
from vungxanh.imports.results import ImportCheck
from vungxanh.lib.apischema import LONG_TEXT, ErrorOut, Id, Pagination, Text, errors

router = Router(tags=["imports"])
# The kinds the apps registered (their AppConfig.ready ran before the URLs load this).
Kind = Literal[tuple(registry.kinds())]


class ImportProblemOut(Schema):
    row: int | None = Field(description="Spreadsheet row (the header is row 1); null: whole file")
    column: str
    code: str
    message: str


class ImportReportOut(Schema):
    written: bool
    batch_id: int | None
    new: int
    corrected: int
    unchanged: int
    rows: int
    problems: list[ImportProblemOut]


class ImportBatchOut(Schema):
    id: int
    kind: str
    file_name: str
    file_sha256: str
    area_code: str = Field(alias="area.code")
    series: str = Field(alias="series.code")
    actor_name: str
    source: str
    created_at: dt.datetime
    status: str
    rows_total: int
    rows_created: int
    rows_corrected: int
    rows_unchanged: int
    rows_rejected: int
    undone_at: dt.datetime | None


# A refused import: its report, or a request that never got that far (ErrorOut).
ImportRefusedOut = ImportReportOut | ErrorOut


def _batches(request: HttpRequest):
    return registry.history().batches(request.user)


def _report(check: ImportCheck, batch) -> dict:
    return {
        "written": batch is not None,
        "batch_id": batch.pk if batch is not None else None,
        "new": check.new,
        "corrected": check.corrected,
        "unchanged": check.unchanged,
        "rows": check.rows,
        "problems": as_rows(check.errors),
    }


@router.get("", response={200: list[ImportBatchOut], **errors(401, 422)}, url_name="import_list")
@paginate(Pagination)
def import_list(request: HttpRequest):
    return _batches(request)


# Declared before ``/{kind}`` so that a number is read as an import id.
@router.get(
    "/{int:batch_id}",
    response={200: ImportBatchOut, **errors(401, 404, 422)},
    url_name="import_detail",
)
def import_detail(request: HttpRequest, batch_id: Path[Id]):
    return get_object_or_404(_batches(request), pk=batch_id)


@router.post(
    "/{int:batch_id}/undo",
    response={200: ImportBatchOut, **errors(401, 403, 404, 422)},
    url_name="import_undo",
)
def import_undo(
    request: HttpRequest, batch_id: Path[Id], reason: Annotated[Text(LONG_TEXT), Query("")]
):
    """Remove the import's rows and bring back the values it replaced (403 if not allowed).

    ``reason`` (a query parameter, optional) is kept in the audit trail.
    """
    batch = get_object_or_404(_batches(request), pk=batch_id)
    return registry.history().undo(batch, actor=request.user, reason=reason)


@router.get("/{kind}", response=errors(404), include_in_schema=False)
def import_not_found(request: HttpRequest, kind: str):
    """``GET /imports/<not a number>``: no such import (rather than 405, from the POST below)."""
    raise Http404


@router.post(
    "/{kind}",
    response={200: ImportReportOut, 422: ImportRefusedOut, **errors(401, 403)},
    url_name="import_create",
)
def import_create(
    request: HttpRequest,
    kind: Path[Kind],
    file: File[UploadedFile],
    # Annotated, not Form[…] = default: pydantic drops a default set after the Form() call.
    series: Annotated[Text(40), Form("")],
    dry_run: Form[bool] = False,
    valid_only: Form[bool] = False,
):
    """Import ``file`` (XLSX or CSV) as ``kind``: cases, daily, tests, vaccination, capacity.

    Every row is imported, or none if any cell is wrong (unless ``valid_only``); each
    problem names its row and column. ``dry_run`` checks and reports without writing.
    """
    if not can(request.user, registry.history().permission, "add"):
        raise PermissionDenied(_("You may not import data."))
    known = registry.kind(kind)
    series = series or known.default_series
    options = {"actor": request.user, "series_code": series, "valid_only": valid_only}
    if file.size is not None and file.size > settings.VX_IMPORT_MAX_BYTES:
        # Refused before reading: an oversized upload never enters the process's memory.
        too_large = CellError(None, "", "too_large", {"max": settings.VX_IMPORT_MAX_BYTES})
        check = ImportCheck(kind, file.name or "", "", 0, [too_large])
        return Status(422, _report(check, None))
    data = file.read()
    if dry_run:
        check, batch = known.check(kind, data, file.name, **options), None
    else:
        result = known.store(kind, data, file.name, **options)
        check, batch = result.check, result.batch
    refused = bool(check.errors) and not valid_only
    return Status(422 if refused else 200, _report(check, batch))
