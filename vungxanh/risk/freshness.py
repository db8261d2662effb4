"""How fresh what a page shows is: up to when the data counts, when the levels were computed,
and whether a recompute is pending (../shared/DESIGN.md §2: "pages say up to when the data
counts and when the levels were computed, and show a pending recompute as pending").

One read model for the surveillance and level pages, the map, the API and the exports, so
two of them never disagree without saying so. It reads the outbox (``jobs.Change``) and the
loop's jobs, the imports, and the ``computed_at`` stamps of the derived rows.

- ``data_until``: the last change of the facts counted for the area (an import, an undo,
  an edit, a merge…): the newest outbox row of the series touching the area, its ancestors
  or its descendants, or the newest import or undo there (data loaded before the outbox).
- ``levels_computed_at``: when the levels of the area (and of its units) were last written.
- ``recompute_pending``: an outbox row touching the area is not processed yet, or a run of
  the loop is queued or running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.jobs.models import Change, Job
from vungxanh.jobs.services import LOOP_TASK
from vungxanh.risk import services
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.surveillance.models import ImportBatch, IndicatorSeries, Series
from vungxanh.surveillance.queries import pick_series

# Outbox rows that do not change the facts (the rules, or which series is shown).
NOT_DATA = ("rules", "official_series", "decision")


@dataclass(frozen=True)
class Freshness:
    data_until: dt.datetime | None
    indicators_computed_at: dt.datetime | None
    levels_computed_at: dt.datetime | None
    recompute_pending: bool
    # The last day the stored figures count (not after the "as of" day): a page about
    # 23/09/2021 says so even when the data was loaded years later.
    last_day: dt.date | None = None

    def as_dict(self) -> dict:
        """The API's fields."""
        return {
            "data_until": self.data_until,
            "last_day": self.last_day,
            "levels_computed_at": self.levels_computed_at,
            "recompute_pending": self.recompute_pending,
        }

    def line(self) -> str:
        """ "Data up to 23/09/2021 22:14 · levels computed at 22:15" (the recompute apart)."""
        parts = []
        if self.data_until is not None and self.last_day is not None:
            parts.append(
                _("Data up to %(day)s (updated %(moment)s)")
                % {"day": self.last_day.strftime("%d/%m/%Y"), "moment": moment(self.data_until)}
            )
        elif self.data_until is not None:
            parts.append(_("Data up to %(moment)s") % {"moment": moment(self.data_until)})
        if self.levels_computed_at is not None:
            computed = self.levels_computed_at
            same_day = (
                self.data_until is not None
                and _local(computed).date() == _local(self.data_until).date()
            )
            parts.append(
                _("levels computed at %(moment)s")
                % {"moment": _local(computed).strftime("%H:%M") if same_day else moment(computed)}
            )
        elif self.data_until is not None:
            parts.append(_("levels not computed yet"))
        return " · ".join(parts)

    @property
    def stale(self) -> bool:
        """Whether the data changed after the levels were computed."""
        return (
            self.data_until is not None
            and self.levels_computed_at is not None
            and self.data_until > self.levels_computed_at
        )

    def csv_comment(self) -> str:
        """The first line of a CSV export (a comment a reader of the file sees first)."""
        text = self.line() or _("No data")
        if self.recompute_pending:
            text += " · " + _("a recompute is pending")
        return "# " + text


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def moment(value: dt.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the site's time zone."""
    if value is None:
        return ""
    return _local(value).strftime("%d/%m/%Y %H:%M")


def _touching(area: Area) -> Q:
    """Outbox rows whose subtree holds ``area`` or lies under it."""
    return Q(area_path__in=[area.path, *area.ancestor_paths()]) | Q(area_path__startswith=area.path)


def _of_series(series: Series | None) -> Q:
    if series is None:
        return Q()
    return Q(series_code=series.code) | Q(series_code="")


def recompute_pending(area: Area, series: Series | None = None) -> bool:
    """Whether a change touching ``area`` waits for the loop, or the loop is running."""
    waiting = Change.objects.filter(processed_at__isnull=True).filter(
        _touching(area), _of_series(series)
    )
    if waiting.exists():
        return True
    return Job.objects.filter(
        task=LOOP_TASK, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).exists()


def data_until(area: Area, series: Series | None = None) -> dt.datetime | None:
    """The last change of the facts counted for ``area`` (see the module's docstring)."""
    changes = (
        Change.objects.filter(_touching(area), _of_series(series))
        .exclude(what__in=NOT_DATA)
        .aggregate(last=Max("created_at"))["last"]
    )
    batches = ImportBatch.objects.filter(
        Q(area__path__startswith=area.path) | Q(area__path__in=area.ancestor_paths())
    )
    if series is not None:
        batches = batches.filter(series=series)
    stamps = batches.aggregate(created=Max("created_at"), undone=Max("undone_at"))
    found = [t for t in (changes, stamps["created"], stamps["undone"]) if t is not None]
    return max(found) if found else None


def levels_computed_at(
    area: Area, series: Series | None = None, record: RuleSetRecord | None = None
) -> dt.datetime | None:
    """When the levels of ``area`` and of its units were last written."""
    rows = AssessmentSeries.objects.filter(Q(area=area) | Q(area__parent=area))
    if series is not None:
        rows = rows.filter(series=series)
    if record is not None:
        rows = rows.filter(ruleset=record)
    return rows.aggregate(last=Max("computed_at"))["last"]


def freshness(
    area: Area,
    series: Series | None = None,
    record: RuleSetRecord | None = None,
    *,
    as_of: dt.date | None = None,
) -> Freshness:
    """Everything above for ``area`` in ``series`` (under ``record``'s levels, if named),
    the last day counted not after ``as_of``.

    The caller has checked that the user may read the area.
    """
    indicators = (
        IndicatorSeries.objects.filter(area=area, series=series).values_list(
            "computed_at", "start", "days"
        )
        if series is not None
        else []
    )
    computed_at, start, days = next(iter(indicators), (None, None, 0))
    last_day = start + dt.timedelta(days=days - 1) if start is not None and days else None
    if last_day is not None and as_of is not None:
        last_day = min(last_day, as_of) if as_of >= start else None
    return Freshness(
        data_until=data_until(area, series),
        indicators_computed_at=computed_at,
        levels_computed_at=levels_computed_at(area, series, record),
        recompute_pending=recompute_pending(area, series),
        last_day=last_day,
    )


@dataclass(frozen=True)
class AreaLevel:
    """The level in force of one area on one day under the first rule set in force."""

    record: RuleSetRecord
    key: str
    label_vi: str
    label_en: str
    colour: str
    computed_at: dt.datetime

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "vi").startswith("en") else self.label_vi


def level_on(area: Area, series: Series | None, day: dt.date | None, computed) -> AreaLevel | None:
    """The level in force of ``area`` on ``day`` from ``computed`` (the caller's scoped
    AssessmentSeries), under the first computable rule set in force that day."""
    if series is None or day is None:
        return None
    rows = {
        r.ruleset_id: r for r in computed.filter(area=area, series=series).select_related("ruleset")
    }
    for record in services.computable_rulesets():
        row = rows.get(record.pk)
        ruleset = services.ruleset_of(record)
        if row is None or not ruleset.applies_on(day) or row.offset(day) is None:
            continue
        index = int(row.level_indexes()[row.offset(day)])
        if index < 0:
            return None
        level = ruleset.levels[index]
        return AreaLevel(
            record, level.key, level.label_vi, level.label_en, level.colour, row.computed_at
        )
    return None


__all__ = [
    "AreaLevel",
    "Freshness",
    "data_until",
    "freshness",
    "level_on",
    "levels_computed_at",
    "moment",
    "recompute_pending",
    "shown_series_code",
]


def shown_series_code(area: Area, computed, named: str = "", *, children: bool = True) -> str:
    """The series a level page of ``area`` shows: ``named``, else the one every other page
    shows by default (``surveillance.queries.pick_series``: the official series, else the
    one counting the most cases), among those with levels in ``computed`` (the caller's
    scoped AssessmentSeries) for ``area``'s units (``children``) or ``area`` itself."""
    if named:
        return named
    rows = computed.filter(area__parent=area) if children else computed.filter(area=area)
    options = list(Series.objects.filter(pk__in=rows.values("series_id")))
    chosen = pick_series(options, None, area=area)
    return chosen.code if chosen else ""
