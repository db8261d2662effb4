"""Imports API.

POST /api/v1/imports/{kind}            import a file (multipart ``file``; ``dry_run``,
                                       ``valid_only``): 200 with the report, 422 if refused
GET  /api/v1/imports/                  the imports of the caller's areas, every history
                                       (app) merged, newest first
GET  /api/v1/imports/{history}/{id}    one import of a history ("surveillance", "economy")
POST /api/v1/imports/{history}/{id}/undo  undo an import (optional ?reason=… for the audit)
GET  /api/v1/imports/{id}, POST /api/v1/imports/{id}/undo: the same for a surveillance
                                       import (its addresses before there were histories)
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
from vungxanh.imports.listing import Listed, Merged
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
    history: str = Field(description="The app that keeps the import: surveillance, economy")
    kind: str
    file_name: str
    file_sha256: str
    area_code: str
    series: str | None = Field(description="The series of its figures (surveillance only)")
    actor_name: str
    source: str
    created_at: dt.datetime
    status: str
    rows_total: int | None
    rows_created: int | None
    rows_corrected: int | None
    rows_unchanged: int | None
    rows_rejected: int | None = Field(description="null: the app keeps no such count")
    undone_at: dt.datetime | None


# A refused import: its report, or a request that never got that far (ErrorOut).
ImportRefusedOut = ImportReportOut | ErrorOut


# Batch ids before histories had keys were the surveillance app's.
LEGACY_HISTORY = "surveillance"


def _out(listed: Listed) -> dict:
    """A batch of any history as ``ImportBatchOut``, from its history's summary."""
    batch, summary = listed.batch, listed.summary
    series = getattr(batch, "series", None)
    return {
        "id": batch.pk,
        "history": listed.history,
        "kind": batch.kind,
        "file_name": summary.file_name,
        "file_sha256": summary.sha256,
        "area_code": summary.area.code,
        "series": series.code if series is not None else None,
        "actor_name": summary.actor_name,
        "source": summary.source,
        "created_at": summary.imported_at,
        "status": getattr(batch, "status", "committed"),  # a batch without status stays
        "rows_total": summary.rows,
        "rows_created": summary.new,
        "rows_corrected": summary.corrected,
        "rows_unchanged": summary.unchanged,
        "rows_rejected": summary.rejected,
        "undone_at": summary.undone_at,
    }


def _found(request: HttpRequest, key: str, batch_id: int) -> tuple[registry.History, Listed]:
    """The batch ``batch_id`` of history ``key`` if the caller may read it, else 404."""
    try:
        history = registry.history(key)
    except LookupError:
        raise Http404 from None
    batch = get_object_or_404(history.batches(request.user), pk=batch_id)
    summary = history.summary(batch)
    return history, Listed(key, batch, summary, history.may_undo(request.user, batch))


def _undone(request: HttpRequest, key: str, batch_id: int, reason: str) -> dict:
    history, listed = _found(request, key, batch_id)
    batch = history.undo(listed.batch, actor=request.user, reason=reason)
    return _out(Listed(key, batch, history.summary(batch), False))


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
    """The imports of every app the caller may read, in the caller's areas, newest first."""
    return Merged(request.user, convert=_out)


# Declared before ``/{kind}`` so that a number is read as an import id.
@router.get(
    "/{int:batch_id}",
    response={200: ImportBatchOut, **errors(401, 404, 422)},
    url_name="import_detail",
)
def import_detail(request: HttpRequest, batch_id: Path[Id]):
    """A surveillance import (its address before imports were kept by app)."""
    return _out(_found(request, LEGACY_HISTORY, batch_id)[1])


@router.post(
    "/{int:batch_id}/undo",
    response={200: ImportBatchOut, **errors(401, 403, 404, 422)},
    url_name="import_undo",
)
def import_undo(
    request: HttpRequest, batch_id: Path[Id], reason: Annotated[Text(LONG_TEXT), Query("")]
):
    """Undo a surveillance import (its address before imports were kept by app)."""
    return _undone(request, LEGACY_HISTORY, batch_id, reason)


@router.get(
    "/{history}/{int:batch_id}",
    response={200: ImportBatchOut, **errors(401, 404, 422)},
    url_name="import_batch",
)
def import_batch(request: HttpRequest, history: Path[Text(40)], batch_id: Path[Id]):
    """One import of ``history`` (the app that keeps it: surveillance, economy)."""
    return _out(_found(request, history, batch_id)[1])


@router.post(
    "/{history}/{int:batch_id}/undo",
    response={200: ImportBatchOut, **errors(401, 403, 404, 422)},
    url_name="import_batch_undo",
)
def import_batch_undo(
    request: HttpRequest,
    history: Path[Text(40)],
    batch_id: Path[Id],
    reason: Annotated[Text(LONG_TEXT), Query("")],
):
    """Remove the import's rows and bring back the values it replaced (403 if not allowed).

    ``reason`` (a query parameter, optional) is kept in the audit trail. An app whose
    imports cannot be undone (economy) answers 403 with why.
    """
    return _undone(request, history, batch_id, reason)


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
    """Import ``file`` (XLSX or CSV) as ``kind``: cases, daily, tests, vaccination, capacity,
    establishments.

    Every row is imported, or none if any cell is wrong (unless ``valid_only``); each
    problem names its row and column. ``dry_run`` checks and reports without writing.
    """
    known = registry.kind(kind)
    if not can(request.user, known.model_label, "add"):
        raise PermissionDenied(_("You may not import data."))
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
