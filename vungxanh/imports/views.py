"""Import pages: history with undo, upload → preview report → confirm, progress, templates.

An uploaded file is checked first and nothing is written: the preview lists every
problem by row and column and says what importing would change. The bytes wait under
``MEDIA_ROOT/uploads/<sha256>`` until the user confirms (the form carries only the
hash, and the session remembers which hashes this user uploaded); they are deleted
once imported (``uploads.py``). A request parses at most ``VX_IMPORT_INLINE_BYTES``
(an XLSX: unpacked): larger files are checked and imported in the background
(``jobs.py``: jobs of ``vungxanh.jobs``), the page following their progress from the job's
row. The kinds of file, the history and its undo are the apps' (``registry.py``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vungxanh.accounts.scoping import can
from vungxanh.domain.tabular import CellError
from vungxanh.imports import jobs, registry, uploads
from vungxanh.imports.preview import Preview, outcome
from vungxanh.imports.problems import as_rows, describe
from vungxanh.imports.readers import parse_size
from vungxanh.imports.xlsx_templates import template_csv, template_filename, template_workbook
from vungxanh.jobs.models import Job
from vungxanh.jobs.progress import current_progress
from vungxanh.lib.refusal import require

GUIDE_AREAS = 300  # list the user's areas in the template's guide up to this many
UPLOAD_SESSION_KEY = "vx_import_uploads"
SAMPLE_ROWS = 50


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of file the apps registered, as (key, label)."""
    return [(key, kind.label) for key, kind in registry.kinds().items()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=kind_choices)
    file = forms.FileField(
        label=gettext_lazy("File (XLSX or CSV)"),
        help_text=gettext_lazy("Fill in the template of this kind; its headers are checked."),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Import only the valid rows"),
        required=False,
        help_text=gettext_lazy("Otherwise a file with any problem is not imported at all."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.VX_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(describe(CellError(None, "", "too_large", {"max": limit})))
        return upload


class ConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=kind_choices)
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$")
    file_name = forms.CharField(max_length=255)
    valid_only = forms.BooleanField(required=False)
    rows = forms.IntegerField(min_value=0, required=False)


# -- helpers ---------------------------------------------------------------------------
def may_import(user) -> bool:
    return can(user, registry.history().permission, "add")


def _require_importer(request: HttpRequest) -> None:
    require(request.user, registry.history().permission, "add")


def _require_history_reader(request: HttpRequest) -> None:
    """Imports are health data: roles that may not read them get the 403 page naming who may."""
    require(request.user, registry.history().permission, "view")


def _batches(request: HttpRequest):
    return registry.history().batches(request.user)


def _may_undo(user, batch) -> bool:
    return registry.history().may_undo(user, batch)


def curve_url(area, series=None) -> str:
    """Return the address of the page that shows the figures imported for ``area``."""
    return registry.history().area_url(area, series)


def _in_background(parsed_bytes: int) -> bool:
    """Whether reading a file of ``parsed_bytes`` (see ``readers.parse_size``) is a job."""
    return parsed_bytes > settings.VX_IMPORT_INLINE_BYTES


def _keep_upload(request: HttpRequest, sha256: str, data: bytes) -> Path:
    path = uploads.keep(sha256, data)
    kept = [h for h in request.session.get(UPLOAD_SESSION_KEY, []) if h != sha256]
    request.session[UPLOAD_SESSION_KEY] = [*kept[-19:], sha256]
    return path


def _upload_path(request: HttpRequest, sha256: str) -> Path | None:
    """Return the kept upload if this user uploaded it and it is still there."""
    if sha256 not in request.session.get(UPLOAD_SESSION_KEY, []):
        return None
    path = uploads.path_of(sha256)
    return path if path.is_file() else None


def _forget_upload(request: HttpRequest, sha256: str) -> None:
    kept = request.session.get(UPLOAD_SESSION_KEY, [])
    request.session[UPLOAD_SESSION_KEY] = [h for h in kept if h != sha256]


def _report_outcome(request: HttpRequest, outcome: dict) -> HttpResponse:
    """Say how an import ended and go where the user can see it."""
    batch = outcome.get("batch")
    counts = {k: outcome.get(k, 0) for k in ("new", "corrected", "unchanged")}
    counts["file"] = outcome.get("file_name", "")
    if batch is not None:
        text = (
            _("“%(file)s” imported: %(new)d new, %(corrected)d corrected, %(unchanged)d unchanged.")
            % counts
        )
        link = _("See the epidemic curve of %(area)s") % {"area": batch.area.name}
        if outcome.get("rejected"):
            text += " " + _("%(n)d rows with problems were left out.") % {"n": outcome["rejected"]}
        note = registry.history().shown_note(batch)
        url = curve_url(batch.area, getattr(batch, "series", None))
        messages.success(request, format_html('{} <a href="{}">{}</a> {}', text, url, link, note))
        return redirect("imports:list")
    if outcome.get("problems"):
        messages.error(
            request,
            _("Nothing was imported: the file has %(n)d problems. Upload it again to see them.")
            % {"n": outcome["problems"]},
        )
        return redirect("imports:new")
    messages.info(
        request, _("Nothing to import: every row of “%(file)s” is already stored.") % counts
    )
    return redirect("imports:list")


# -- history and detail ----------------------------------------------------------------
@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    _require_history_reader(request)
    page = Paginator(_batches(request), settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    undoable = {b.pk for b in page if _may_undo(request.user, b)}
    context = {
        "page": page,
        "undoable": undoable,
        "can_import": may_import(request.user),
        "query": "",
    }
    return render(request, "imports/list.html", context)


def _display(obj, name: str) -> str:
    value = getattr(obj, name, "")
    if name == "area":
        return value.name
    if hasattr(obj, f"get_{name}_display"):
        return getattr(obj, f"get_{name}_display")()
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _sample(request: HttpRequest, batch) -> dict:
    """Return up to SAMPLE_ROWS stored rows of the batch, without personal columns."""
    kind = registry.kind(batch.kind)
    model = apps.get_model(kind.model_label)
    columns = [c for c in kind.spec.columns if not c.personal and hasattr(model, c.name)]
    rows = model.objects.for_user(request.user, "view").filter(batch=batch)
    shown = rows.select_related("area").order_by("pk")[:SAMPLE_ROWS]
    return {
        "headers": [c.label_vi for c in columns],
        "rows": [[_display(obj, c.name) for c in columns] for obj in shown],
        "count": rows.count(),
    }


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_history_reader(request)
    batch = get_object_or_404(_batches(request), pk=batch_id)
    context = {
        "batch": batch,
        "may_undo": _may_undo(request.user, batch),
        "curve_url": curve_url(batch.area),
        "sample": _sample(request, batch),
    }
    return render(request, "imports/detail.html", context)


@login_required
@require_POST
def batch_undo(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_history_reader(request)
    batch = get_object_or_404(_batches(request), pk=batch_id)
    reason = request.POST.get("reason", "")[:500]
    try:
        registry.history().undo(batch, actor=request.user, reason=reason)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not undo this import."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Import “%(file)s” undone.") % {"file": batch.file_name})
    return redirect("imports:list")


# -- upload, preview, confirm ----------------------------------------------------------
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            return _preview(request, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "imports/new.html", {"form": form, "kinds": kind_choices()})


def _preview(request: HttpRequest, cleaned: dict) -> HttpResponse:
    """Check the file here if it is small, else in a job whose page shows the same preview."""
    upload_file, kind, valid_only = cleaned["file"], cleaned["kind"], cleaned["valid_only"]
    data = upload_file.read()
    parsed_bytes = parse_size(data, upload_file.name)
    if _in_background(parsed_bytes):
        path = _keep_upload(request, hashlib.sha256(data).hexdigest(), data)
        job = jobs.submit_check(
            kind, path, upload_file.name, actor=request.user, valid_only=valid_only
        )
        return redirect("imports:job", job_id=job.pk)
    uploads.sweep()
    known = registry.kind(kind)
    check = known.check(kind, data, upload_file.name, actor=request.user, valid_only=valid_only)
    preview = Preview.of(check, valid_only)
    if preview.importable:
        _keep_upload(request, check.sha256, data)
    return _render_preview(request, preview)


def _render_preview(
    request: HttpRequest, preview: Preview, *, background: bool = False
) -> HttpResponse:
    confirm = None
    if preview.importable:
        confirm = ConfirmForm(
            initial={
                "kind": preview.kind,
                "sha256": preview.sha256,
                "file_name": preview.file_name,
                "valid_only": preview.valid_only,
                "rows": preview.rows,
            }
        )
    context = {
        "check": preview,
        "kind_label": registry.kind(preview.kind).label,
        "valid_only": preview.valid_only,
        "problems": as_rows(preview.problems),
        "hidden_problems": preview.hidden_problems,
        "confirm": confirm,
        "background": background,  # checked in the background: imported there too
    }
    return render(request, "imports/preview.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    uploads.sweep()
    form = ConfirmForm(request.POST)
    path = _upload_path(request, form.cleaned_data["sha256"]) if form.is_valid() else None
    if path is None:
        messages.error(request, _("The uploaded file is no longer here: upload it again."))
        return redirect("imports:new")
    values = form.cleaned_data
    options = {"actor": request.user, "valid_only": values["valid_only"]}
    _forget_upload(request, values["sha256"])
    if _in_background(parse_size(path, values["file_name"])):
        job = jobs.submit_import(values["kind"], path, values["file_name"], **options)
        return redirect("imports:job", job_id=job.pk)
    store = registry.kind(values["kind"]).store
    try:
        result = store(values["kind"], path.read_bytes(), values["file_name"], **options)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("imports:new")
    finally:
        path.unlink(missing_ok=True)
    return _report_outcome(
        request, {**outcome(result), "batch": result.batch, "file_name": values["file_name"]}
    )


# -- background jobs -------------------------------------------------------------------
def _job(request: HttpRequest, job_id: str) -> Job:
    """The user's own check or import job (404 for anyone else's, or no such job)."""
    job = jobs.job_of(request.user, job_id)
    if job is None:
        raise Http404
    return job


def _state(job: Job) -> dict:
    """What the progress fragment shows of a job, as known now (also mid-transaction)."""
    fraction, phase, _age = current_progress(job)
    return {
        "job": "check" if job.task == jobs.CHECK_TASK else "import",
        "status": job.status,
        "fraction": fraction,
        "phase": phase or ("queued" if job.status == Job.Status.QUEUED else ""),
        "file_name": job.params.get("file_name", ""),
        "error": job.error,
    }


def _finished(request: HttpRequest, job: Job) -> HttpResponse:
    ended = job.outcome
    batch = None
    if ended.get("batch_id"):
        batch = _batches(request).filter(pk=ended["batch_id"]).first()
    return _report_outcome(request, {**ended, "batch": batch})


def _checked(job: Job) -> bool:
    """Whether the job is a check that is done: its page is then the file's preview."""
    return job.status == Job.Status.DONE and job.task == jobs.CHECK_TASK


@login_required
def job_page(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    if _checked(job):
        preview = Preview.from_state(job.outcome["preview"])
        return _render_preview(request, preview, background=True)
    if job.status == Job.Status.DONE:
        return _finished(request, job)
    return render(request, "imports/job.html", {"job_id": job.pk, "state": _state(job)})


@login_required
def job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment htmx polls; once the job is done, send the browser on."""
    job = _job(request, job_id)
    if job.status == Job.Status.DONE:
        if _checked(job):
            target = reverse("imports:job", args=[job.pk])
        else:
            target = _finished(request, job)["Location"]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return render(request, "imports/progress.html", {"job_id": job.pk, "state": _state(job)})


# -- templates -------------------------------------------------------------------------
def _template_kind(kind: str) -> str:
    if kind not in registry.kinds():
        raise Http404
    return kind


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def download_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _template_kind(kind)
    label = registry.kind(kind).model_label
    _lookup, areas = registry.history().area_lookup(request.user, label)
    listed = sorted(areas.values(), key=lambda a: a.path) if len(areas) <= GUIDE_AREAS else []
    return _attachment(
        template_workbook(kind, [(a.code, a.name) for a in listed]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        template_filename(kind, "xlsx"),
    )


@login_required
def download_csv(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _template_kind(kind)
    return _attachment(
        template_csv(kind), "text/csv; charset=utf-8", template_filename(kind, "csv")
    )
