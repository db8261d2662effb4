"""Import pages: history with undo, upload → preview report → confirm, progress, templates.

An uploaded file is checked first and nothing is written: the preview lists every
problem by row and column and says what importing would change. The bytes wait under
``MEDIA_ROOT/uploads/<sha256>`` until the user confirms (the form carries only the
hash, and the session remembers which hashes this user uploaded); they are deleted
once imported (``uploads.py``). A request parses at most ``VX_IMPORT_INLINE_BYTES``
(an XLSX: unpacked): larger files are checked and imported in the background
(``jobs.py``: jobs of ``vungxanh.jobs``), the page following their progress from the job's
row. The kinds of file, their histories (one per app) and undo are the apps'
(``registry.py``): a user imports the kinds whose model they may add to, the list merges
every history they may read (``listing.py``), and a batch is addressed by its history.
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

from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area
from vungxanh.domain.tabular import CellError
from vungxanh.imports import jobs, listing, registry, uploads
from vungxanh.imports.preview import Preview, outcome
from vungxanh.imports.problems import as_rows, describe
from vungxanh.imports.readers import parse_size
from vungxanh.imports.xlsx_templates import template_csv, template_filename, template_workbook
from vungxanh.jobs.models import Job
from vungxanh.jobs.progress import current_progress
from vungxanh.lib.refusal import roles_that_may

GUIDE_AREAS = 300  # list the user's areas in the template's guide up to this many
UPLOAD_SESSION_KEY = "vx_import_uploads"
SAMPLE_ROWS = 50


# Batch ids before histories had keys were the surveillance app's: its old addresses
# (``/imports/<id>/``, ``/imports/<id>/undo/``) keep working in links and bookmarks.
LEGACY_HISTORY = "surveillance"


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of file the apps registered, as (key, label)."""
    return [(key, kind.label) for key, kind in registry.kinds().items()]


def importable_choices(user) -> list[tuple[str, str]]:
    """The kinds of file ``user`` may import, as (key, label)."""
    return [(key, kind.label) for key, kind in registry.importable_kinds(user).items()]


class KindField(forms.ChoiceField):
    """A registered kind the user may import; a kind refused is named in the field's error."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, choices=kind_choices, **kwargs)
        self.user = user
        if user is not None:
            self.choices = importable_choices(user)

    def validate(self, value):
        known = registry.kinds().get(value)
        if (
            known is not None
            and self.user is not None
            and not can(self.user, known.model_label, "add")
        ):
            raise forms.ValidationError(
                _("Your role does not allow importing “%(kind)s”.") % {"kind": known.label},
                code="not_allowed",
            )
        super().validate(value)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (XLSX or CSV)"),
        help_text=gettext_lazy("Fill in the template of this kind; its headers are checked."),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Import only the valid rows"),
        required=False,
        help_text=gettext_lazy("Otherwise a file with any problem is not imported at all."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "kind": KindField(label=gettext_lazy("What the file holds"), user=user),
            **self.fields,
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.VX_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(describe(CellError(None, "", "too_large", {"max": limit})))
        return upload


class ConfirmForm(forms.Form):
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$")
    file_name = forms.CharField(max_length=255)
    valid_only = forms.BooleanField(required=False)
    rows = forms.IntegerField(min_value=0, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"kind": KindField(user=user), **self.fields}


# -- helpers ---------------------------------------------------------------------------
def may_import(user) -> bool:
    return bool(registry.importable_kinds(user))


def _refusal(*rights: tuple[str, str]) -> PermissionDenied:
    """The 403 naming every role that holds one of ``rights`` ((model label, action))."""
    allowed = {role for label, action in rights for role in roles_that_may(label, action)}
    if not allowed:
        return PermissionDenied(_("Your role does not give access to this page."))
    names = ", ".join(str(role.label) for role in Role if role in allowed)
    return PermissionDenied(_("This page is for: %(roles)s.") % {"roles": names})


def _import_rights() -> list[tuple[str, str]]:
    return [(kind.model_label, "add") for kind in registry.kinds().values()]


def _require_importer(request: HttpRequest) -> None:
    """Only who may import some kind of file; the 403 names the roles that may."""
    if not may_import(request.user):
        raise _refusal(*_import_rights())


def _require_history_reader(request: HttpRequest) -> None:
    """Who may import some kind or read some history; the others get the 403 naming who may."""
    if may_import(request.user) or registry.readable_histories(request.user):
        return
    reading = [(h.permission, "view") for h in registry.histories().values()]
    raise _refusal(*_import_rights(), *reading)


def _history(key: str) -> registry.History:
    try:
        return registry.history(key)
    except LookupError:
        raise Http404 from None


def _batch(request: HttpRequest, history: registry.History, batch_id: int):
    """The batch of ``history`` if the user may see it (404 otherwise: nothing revealed)."""
    return get_object_or_404(history.batches(request.user), pk=batch_id)


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
    """Say how an import ended and link where its history shows what it stored."""
    batch = outcome.get("batch")
    counts = {k: outcome.get(k, 0) for k in ("new", "corrected", "unchanged")}
    counts["file"] = outcome.get("file_name", "")
    if batch is not None:
        text = (
            _("“%(file)s” imported: %(new)d new, %(corrected)d corrected, %(unchanged)d unchanged.")
            % counts
        )
        if outcome.get("rejected"):
            text += " " + _("%(n)d rows with problems were left out.") % {"n": outcome["rejected"]}
        history = registry.history_of(outcome["kind"])
        url, link = history.result_link(batch)
        note = history.shown_note(batch)
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
    merged = listing.Merged(request.user)
    page = Paginator(merged, settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": list(page),
        "can_import": may_import(request.user),
        "query": "",
    }
    return render(request, "imports/list.html", context)


def _display(obj, name: str) -> str:
    value = getattr(obj, name, "")
    if isinstance(value, Area):
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


def _sample(request: HttpRequest, history: registry.History, batch) -> dict:
    """Return up to SAMPLE_ROWS stored rows of the batch, without personal columns."""
    kind = registry.kind(batch.kind)
    model = apps.get_model(kind.model_label)
    shown, count = history.sample(request.user, batch, SAMPLE_ROWS)
    columns = [c for c in kind.spec.columns if not c.personal and hasattr(model, c.name)]
    return {
        "headers": [c.label_vi for c in columns],
        "rows": [[_display(obj, c.name) for c in columns] for obj in shown],
        "count": count,
    }


def _detail(request: HttpRequest, key: str, batch_id: int) -> HttpResponse:
    _require_history_reader(request)
    history = _history(key)
    batch = _batch(request, history, batch_id)
    url, label = history.result_link(batch)
    context = {
        "history": key,
        "batch": batch,
        "summary": history.summary(batch),
        "may_undo": history.may_undo(request.user, batch),
        "result_url": url,
        "result_label": label,
        "sample": _sample(request, history, batch),
    }
    return render(request, "imports/detail.html", context)


def _undo(request: HttpRequest, key: str, batch_id: int) -> HttpResponse:
    _require_history_reader(request)
    history = _history(key)
    batch = _batch(request, history, batch_id)
    reason = request.POST.get("reason", "")[:500]
    try:
        history.undo(batch, actor=request.user, reason=reason)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not undo this import."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Import “%(file)s” undone.") % {"file": batch.file_name})
    return redirect("imports:list")


@login_required
def batch_detail(request: HttpRequest, history: str, batch_id: int) -> HttpResponse:
    return _detail(request, history, batch_id)


@login_required
@require_POST
def batch_undo(request: HttpRequest, history: str, batch_id: int) -> HttpResponse:
    return _undo(request, history, batch_id)


@login_required
def legacy_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """``/imports/<id>/``: the surveillance batch, as it was addressed before histories."""
    return _detail(request, LEGACY_HISTORY, batch_id)


@login_required
@require_POST
def legacy_undo(request: HttpRequest, batch_id: int) -> HttpResponse:
    """``/imports/<id>/undo/``: undo of the surveillance batch (forms of older pages)."""
    return _undo(request, LEGACY_HISTORY, batch_id)


# -- upload, preview, confirm ----------------------------------------------------------
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            return _preview(request, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    kinds = importable_choices(request.user)
    return render(request, "imports/new.html", {"form": form, "kinds": kinds})


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
    form = ConfirmForm(request.POST, user=request.user)
    if not form.is_valid() and "kind" in form.errors:  # a kind this user may not import
        messages.error(request, " ".join(form.errors["kind"]))
        return redirect("imports:new")
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
    """Report a finished import job, linking its batch where the kind's history shows it."""
    ended = {"kind": job.params["kind"], **job.outcome}
    return _report_outcome(request, {**ended, "batch": jobs.batch_of(job, request.user)})


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
    _lookup, areas = registry.history_of(kind).area_lookup(request.user, label)
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
