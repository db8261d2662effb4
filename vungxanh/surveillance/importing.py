"""What surveillance registers with the import machinery (``vungxanh.imports``).

Its kinds of file (the specs in ``specs.py``, stored by ``services.check_import`` and
``services.import_file``), the history of its batches with their undo, the words of its
choice columns, and the loaders of the data shipped in ``data/`` run as jobs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vungxanh.accounts import scoping
from vungxanh.accounts.scoping import can
from vungxanh.domain.areas import NATION_CODE
from vungxanh.imports import registry
from vungxanh.surveillance import specs

HISTORY_KEY = "surveillance"
HISTORY_PERMISSION = "surveillance.importbatch"
CANTHO_CODE = "92"  # loaders.CANTHO_CODE (not imported here: loaders read data files)
# kind -> the model its rows are stored in (services.MODELS, named without importing it)
MODEL_LABELS = {
    "cases": "surveillance.caserecord",
    "daily": "surveillance.dailycount",
    "tests": "surveillance.testcount",
    "vaccination": "surveillance.vaccinationcoverage",
    "capacity": "surveillance.carecapacity",
}
LOAD_NCSC_TASK = "surveillance.load_ncsc"
LOAD_CANTHO_TASK = "surveillance.load_cantho"


def check(kind: str, data: bytes, file_name: str, **options: Any):
    from vungxanh.surveillance import services

    return services.check_import(kind, data, file_name, **options)


def store(kind: str, data: bytes, file_name: str, **options: Any):
    from vungxanh.surveillance import services

    return services.import_file(kind, data, file_name, **options)


def batches(user):
    from vungxanh.surveillance.models import ImportBatch

    return ImportBatch.objects.for_user(user, "view").select_related("area", "series")


def may_undo(user, batch) -> bool:
    from vungxanh.surveillance.models import ImportBatch

    label = MODEL_LABELS.get(batch.kind, MODEL_LABELS["daily"])
    return batch.status == ImportBatch.Status.COMMITTED and can(user, label, "delete", batch.area)


def undo(batch, *, actor, reason: str = ""):
    from vungxanh.surveillance import services

    return services.undo_import(batch, actor=actor, reason=reason)


def rows(user, batch):
    from django.apps import apps

    model = apps.get_model(MODEL_LABELS.get(batch.kind, MODEL_LABELS["daily"]))
    return model.objects.for_user(user, "view").filter(batch=batch)


def sample(user, batch, limit: int) -> tuple[list, int]:
    stored = rows(user, batch)
    return list(stored.select_related("area").order_by("pk")[:limit]), stored.count()


def area_url(area, series=None) -> str:
    """Return the address of the epidemic curve page of ``area`` (in ``series``, if named)."""
    try:
        url = reverse("surveillance:area", args=[area.code])
    except NoReverseMatch:  # the surveillance pages are mounted separately
        url = f"/surveillance/areas/{area.code}/"
    return f"{url}?{urlencode({'series': series.code})}" if series is not None else url


def result_link(batch) -> tuple[str, str]:
    """The epidemic curve of the batch's area, in the batch's series."""
    label = _("See the epidemic curve of %(area)s") % {"area": batch.area.name}
    return area_url(batch.area, batch.series), label


def summary(batch) -> registry.Summary:
    return registry.Summary(
        imported_at=batch.created_at,
        actor_name=batch.actor_name,
        file_name=batch.file_name,
        kind_label=batch.get_kind_display(),
        area=batch.area,
        rows=batch.rows_total,
        new=batch.rows_created,
        corrected=batch.rows_corrected,
        unchanged=batch.rows_unchanged,
        rejected=batch.rows_rejected,
        status=batch.get_status_display(),
        sha256=batch.file_sha256,
        source=batch.source,
        series_name=batch.series.name if batch.series_id else "",
        undone_at=batch.undone_at,
    )


def shown_note(batch) -> str:
    """Tell the importer when the pages show another series of the area by default.

    An import never replaces the area's official series (issue 10): its figures are in
    their own series, one click away, and the levels follow the official one.
    """
    from vungxanh.surveillance.models import IndicatorSeries, Series
    from vungxanh.surveillance.queries import pick_series

    series = batch.series
    if series is None:
        return ""
    computed = IndicatorSeries.objects.filter(area=batch.area).values("series")
    options = list(Series.objects.filter(pk__in=computed).exclude(pk=series.pk))
    shown = pick_series([series, *options], None, area=batch.area)
    if shown is None or shown == series:
        return ""
    return _(
        "These figures are in the series “%(series)s”; the pages, the map and the levels "
        "show the official series “%(official)s” of %(area)s by default."
    ) % {"series": series.name, "official": shown.name, "area": batch.area.name}


def area_lookup(actor, model_label: str):
    return scoping.area_lookup(actor, model_label)


def loaded(series_code: str, *results) -> dict[str, Any]:
    """Return what a loader did, as a job's outcome (JSON values)."""
    from vungxanh.surveillance.loaders import describe

    checks = [r.check for r in results]
    return {
        "series": series_code,
        "files": [c.file_name for c in checks],
        "rows": sum(c.rows for c in checks),
        "new": sum(c.new for c in checks),
        "corrected": sum(c.corrected for c in checks),
        "unchanged": sum(c.unchanged for c in checks),
        "batch_ids": [r.batch.pk for r in results if r.batch is not None],
        "summary": describe(series_code, *results),
    }


def load_ncsc(job, progress) -> dict[str, Any]:
    """The job of ``vungxanh import ncsc``: the Ministry of Health portal's series."""
    from vungxanh.surveillance import loaders

    progress(0.1, "read")
    return loaded(loaders.NCSC_SERIES, loaders.load_ncsc(actor=job.actor))


def load_cantho(job, progress) -> dict[str, Any]:
    """The job of ``vungxanh import cantho``: the Cần Thơ figures quoted by the press."""
    from vungxanh.surveillance import loaders

    progress(0.1, "read")
    return loaded(loaders.CANTHO_SERIES, *loaders.load_cantho_press(actor=job.actor))


def register() -> None:
    """Register surveillance's kinds, history, words and loaders (``AppConfig.ready``)."""
    from vungxanh.jobs import registry as tasks
    from vungxanh.surveillance.models import ImportKind

    labels = dict(ImportKind.choices)
    for key, spec in specs.SPECS.items():
        registry.register_kind(
            registry.Kind(
                key=key,
                label=labels[key],
                spec=spec,
                model_label=MODEL_LABELS[key],
                check=check,
                store=store,
                history=HISTORY_KEY,
            )
        )
    registry.register_history(
        registry.History(
            key=HISTORY_KEY,
            batches=batches,
            summary=summary,
            may_undo=may_undo,
            undo=undo,
            sample=sample,
            result_link=result_link,
            shown_note=shown_note,
            permission=HISTORY_PERMISSION,
            area_lookup=area_lookup,
        )
    )
    registry.register_choice_words(*specs.CHOICE_WORDS)
    tasks.register(LOAD_NCSC_TASK, "vungxanh.surveillance.importing.load_ncsc")
    tasks.register(LOAD_CANTHO_TASK, "vungxanh.surveillance.importing.load_cantho")
    registry.register_loader(
        registry.Loader(
            "ncsc",
            gettext_lazy("Load the Ministry of Health portal's cases of every province"),
            LOAD_NCSC_TASK,
            area_code=NATION_CODE,
        )
    )
    registry.register_loader(
        registry.Loader(
            "cantho",
            gettext_lazy("Load the Cần Thơ Department of Health's daily counts"),
            LOAD_CANTHO_TASK,
            area_code=CANTHO_CODE,
        )
    )
