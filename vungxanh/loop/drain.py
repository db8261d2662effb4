"""Drain the outbox: turn pending changes into one plan and run the stages over it.

Changes are merged before anything runs: ten imports of one ward since the last run cost
one recompute of its province, and a change of the nation (a rule-set reload, a national
import) one national recompute. The run and the "processed" marks commit together (the
job runner's transaction), so a crash leaves the changes pending for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.jobs.models import Change, Job
from vungxanh.loop.stages import STAGES
from vungxanh.surveillance.models import Series

RULE_CHANGES = {"rules", "decision"}  # only the stages that read rule sets or decisions
# Changes that move establishment statuses only: the stages below the levels are not rerun.
STATUS_CHANGES = {"establishments", "lockdown"}


def province_path(path: str) -> str | None:
    """Return the province path holding ``path``, or None for the nation itself."""
    parts = [p for p in path.split("/") if p]
    return None if len(parts) < 2 else f"{parts[0]}/{parts[1]}/"


@dataclass
class Work:
    """What one series needs: the provinces (None = all) and whether data or rules moved."""

    provinces: set[str] | None = field(default_factory=set)
    data: bool = False
    rules: bool = False
    statuses: bool = False

    def add(self, path: str | None) -> None:
        if path is None or self.provinces is None:
            self.provinces = None
        else:
            self.provinces.add(path)


def plan(changes: list[Change]) -> dict[str, Work]:
    """Return series code -> work; a change naming no series concerns every series."""
    every_series: list[str] | None = None
    work: dict[str, Work] = {}
    for change in changes:
        if not change.series_code and every_series is None:
            every_series = list(Series.objects.values_list("code", flat=True))
        codes = [change.series_code] if change.series_code else every_series
        for code in codes:
            item = work.setdefault(code, Work())
            item.add(province_path(change.area_path))
            if change.what in RULE_CHANGES:
                item.rules = True
            elif change.what in STATUS_CHANGES:
                item.statuses = True
            else:
                item.data = True
    return work


def _pending() -> list[Change]:
    pending = Change.objects.filter(processed_at__isnull=True).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        # Two workers never drain the same change; each takes what is free.
        pending = pending.select_for_update(skip_locked=True)
    return list(pending[:10000])


def drain(job: Job | None, progress) -> dict:
    """Run the stages for every pending change; return what was recomputed."""
    changes = _pending()
    if not changes:
        return {"changes": 0}
    work = plan(changes)
    series = {s.code: s for s in Series.objects.filter(code__in=list(work))}
    done: dict[str, dict[str, int]] = {}
    steps = max(1, len(work) * len(STAGES))
    step = 0
    for code, item in sorted(work.items()):
        if code not in series:
            continue
        provinces = (
            None
            if item.provinces is None
            else list(Area.objects.filter(path__in=sorted(item.provinces)))
        )
        for stage in STAGES:
            step += 1
            if (
                (item.data and stage.needs_data)
                or (item.rules and stage.needs_rules)
                or (item.statuses and stage.needs_statuses)
            ):
                progress(step / steps, stage.name)
                done.setdefault(code, {})[stage.name] = stage.run(series[code], provinces)
    Change.objects.filter(pk__in=[c.pk for c in changes]).update(
        processed_at=timezone.now(), job=job
    )
    outcome = {
        "changes": len(changes),
        "series": done,
        "provinces": sorted({p for item in work.values() if item.provinces for p in item.provinces})
        or ["*"],
    }
    if job is not None:
        audit.record(None, "recompute", job, after=outcome)
    else:
        audit.record(None, "recompute", object_type="loop", object_repr="loop", after=outcome)
    return outcome
