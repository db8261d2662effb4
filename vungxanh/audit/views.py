"""The audit trail: browse, filter and export (administrators)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from vungxanh.audit import labels
from vungxanh.audit.forms import AuditFilterForm
from vungxanh.audit.models import AuditEntry
from vungxanh.audit.queries import filtered_entries
from vungxanh.lib.downloads import csv_download
from vungxanh.lib.refusal import require

CSV_COLUMNS = [
    "id",
    "time",
    "actor_name",
    "source",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "area",
    "reason",
    "legal_basis",
    "before",
    "after",
]


def _require_audit_reader(request: HttpRequest) -> None:
    require(request.user, "audit.auditentry", "view")


def _in_words(entries, words: dict[str, str]) -> None:
    """Attach what a reader sees (actions, object types, sources in words) to each entry."""
    for e in entries:
        e.action_text = labels.action_label(e.action)
        e.object_type_text = labels.object_type_label(e.object_type)
        e.source_text = labels.source_label(e.source)
        e.actor_text = labels.actor_label(e.actor_name)
        e.object_text = labels.object_text(e.object_repr, words)


def _entries(request: HttpRequest):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filtered_entries(request.user, **{k: v for k, v in filters.items() if v})


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    _require_audit_reader(request)
    form, rows = _entries(request)
    page = Paginator(rows, settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _in_words(page.object_list, labels.vocabulary())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    _require_audit_reader(request)
    entry = get_object_or_404(AuditEntry.objects.for_user(request.user, "view"), pk=entry_id)
    _in_words([entry], labels.vocabulary())
    pretty = {
        "before": json.dumps(entry.before, ensure_ascii=False, indent=2),
        "after": json.dumps(entry.after, ensure_ascii=False, indent=2),
    }
    return render(request, "audit/detail.html", {"entry": entry, "pretty": pretty})


def _csv_rows(rows):
    for e in rows.iterator(chunk_size=2000):
        yield [
            e.pk,
            timezone.localtime(e.time).strftime("%d/%m/%Y %H:%M:%S"),
            e.actor_name,
            e.source,
            e.request_id,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.area.code if e.area_id else "",
            e.reason,
            e.legal_basis,
            json.dumps(e.before, ensure_ascii=False),
            json.dumps(e.after, ensure_ascii=False),
        ]


@login_required
def entry_export(request: HttpRequest) -> HttpResponse:
    _require_audit_reader(request)
    _form, rows = _entries(request)
    return csv_download("vungxanh-audit.csv", CSV_COLUMNS, _csv_rows(rows))
