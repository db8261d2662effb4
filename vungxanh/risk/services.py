"""The only code that writes rule sets, computed levels, assessments and level changes.

``sync_rulesets`` loads the rule files with their checksums. ``compute_levels`` runs a
rule set over every area's stored indicators and Rt with the level engine
(``risk.engine``: day by day, all areas of a scale in one vectorised call) and stores one
AssessmentSeries row per area. ``publish`` freezes the
levels of a date as Assessments (inputs as known when published) and records each
LevelChange with the day it takes effect; ``decide_level`` lets a steering committee
member decide another level, with a reason; both levels are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import NATION_PATH, can
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit import services as audit
from vungxanh.domain.classify import assess, explain
from vungxanh.domain.rules import RuleSet, load_ruleset, parse_ruleset
from vungxanh.jobs.services import record_change
from vungxanh.lib.bulk import copy_binary, insert_rows
from vungxanh.risk import engine
from vungxanh.risk import inputs as input_map
from vungxanh.risk.models import (
    Assessment,
    AssessmentSeries,
    LevelChange,
    RuleSetRecord,
)
from vungxanh.surveillance.models import IndicatorSeries, Series

RULESETS_DIR = Path(__file__).resolve().parent / "rulesets"
ASSESSMENT_LABEL = "risk.assessment"


# -- rule sets ------------------------------------------------------------------------------


@transaction.atomic
def sync_rulesets(*, actor=None, folder: Path = RULESETS_DIR) -> list[RuleSetRecord]:
    """Load every rule file; a changed file becomes the current version, the old one stays."""
    loaded, changed = [], []
    for path in sorted(folder.glob("*.toml")):
        ruleset = load_ruleset(path, [folder, RULESETS_DIR])
        record = RuleSetRecord.objects.filter(code=ruleset.id, checksum=ruleset.checksum).first()
        if record is None:
            RuleSetRecord.objects.filter(code=ruleset.id, current=True).update(current=False)
            record = RuleSetRecord.objects.create(**_record_fields(ruleset))
            changed.append(record.code)
        elif not record.current:
            RuleSetRecord.objects.filter(code=ruleset.id, current=True).update(current=False)
            RuleSetRecord.objects.filter(pk=record.pk).update(current=True)
            changed.append(record.code)
        loaded.append(record)
    if changed:
        audit.record(
            actor,
            "bulk_load",
            object_type="risk.rulesetrecord",
            object_repr=_("rule sets"),
            after={"loaded": changed},
        )
        # Every series and area may be assessed under a changed rule set.
        record_change("rules", area_path=NATION_PATH)
    return loaded


def _record_fields(ruleset: RuleSet) -> dict:
    return {
        "code": ruleset.id,
        "version": ruleset.version,
        "checksum": ruleset.checksum,
        "title": ruleset.title[:300],
        "title_vi": ruleset.title_vi[:300],
        "source_document": ruleset.source_document[:300],
        "source_date": ruleset.source_date,
        "source_url": ruleset.source_url[:500],
        "effective_from": ruleset.effective_from,
        "effective_to": ruleset.effective_to,
        "unverified_cells": len(ruleset.unverified_cells()),
        "document": _jsonable(ruleset.raw),
        "current": True,
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _dates_back(value):
    """TOML dates were stored as ISO text; parse them back before validating."""
    if isinstance(value, dict):
        return {k: _dates_back(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_back(v) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


_PARSED: dict[str, RuleSet] = {}


def ruleset_of(record: RuleSetRecord) -> RuleSet:
    """Return the domain RuleSet of a stored record (parsed once per version)."""
    if record.checksum not in _PARSED:
        _PARSED[record.checksum] = parse_ruleset(
            _dates_back(record.document), file=f"{record.code}.toml"
        )
    return _PARSED[record.checksum]


def parents() -> dict[str, str]:
    return {
        r.code: r.document.get("parent", "") for r in RuleSetRecord.objects.filter(current=True)
    }


def current_ruleset(code: str) -> RuleSetRecord:
    try:
        return RuleSetRecord.objects.get(code=code, current=True)
    except RuleSetRecord.DoesNotExist as exc:
        raise ValidationError(
            {"rules": _("Unknown rule set “%(code)s”.") % {"code": code}}
        ) from exc


def computable_rulesets() -> list[RuleSetRecord]:
    """The current rule sets whose every input comes from the stored indicators.

    Example files (``example = true``) illustrate the format and are never computed.
    """
    family = parents()
    return [
        r
        for r in RuleSetRecord.objects.filter(current=True).order_by("code")
        if not ruleset_of(r).example and input_map.computable(ruleset_of(r), family)
    ]


def rulesets_on(day: dt.date) -> list[RuleSetRecord]:
    """The computable rule sets in force on ``day``."""
    return [r for r in computable_rulesets() if ruleset_of(r).applies_on(day)]


# -- computing levels ----------------------------------------------------------------------


def compute_levels(
    record: RuleSetRecord, series: Series, *, provinces: list[Area] | None = None
) -> int:
    """Compute and store every day's level of every area under ``record``; return rows.

    Derived data: run by the loop's levels stage (one audit entry per loop job).
    """
    return compute_all_levels([record], series, provinces=provinces)


def compute_all_levels(
    records: list[RuleSetRecord], series: Series, *, provinces: list[Area] | None = None
) -> int:
    """``compute_levels`` for several rule sets at once, set-based; return the rows stored.

    The indicators are read once for every rule set; provinces that share a day axis are
    evaluated together (one pass per day for all of them, as each area's level depends
    only on its own inputs and its children's levels), then cut back into one row per area
    on its province's axis, exactly as a province computed alone; the rows are written in
    one stream (COPY on PostgreSQL), not one model instance each.
    """
    provinces = provinces or list(Area.objects.current().filter(kind=AreaKind.PROVINCE))
    family = parents()
    plans = []
    for record in records:
        ruleset = ruleset_of(record)
        plans.append((record, ruleset, input_map.mapping_for(ruleset, family)))
    names = set().union(*(input_map.needed_indicators(mapping) for _r, _s, mapping in plans))
    blocks = _load_blocks(series, provinces, names) if plans else []
    scope = Q(*[Q(area__path__startswith=p.path) for p in provinces], _connector=Q.OR)
    written = 0
    with transaction.atomic():
        AssessmentSeries.objects.filter(
            scope, ruleset__in=[record for record, _s, _m in plans], series=series
        ).delete()
        for record, ruleset, mapping in plans:
            for block in blocks:
                written += _store_province(record, ruleset, mapping, series, block)
    return written


@dataclass(frozen=True)
class _Unit:
    """What the level engine needs of an area (no model instance for 11,000 of them)."""

    pk: int
    kind: str
    parent_id: int | None


def _load_blocks(series: Series, provinces: list[Area], names: set[str]) -> list[engine.Province]:
    """Return the stored inputs of the provinces' areas, provinces of one day axis together.

    Each province's axis is the one ``engine.load_province`` gives it (its areas' first
    day to their last); one query reads every row, without model instances.
    """
    scope = Q(*[Q(area__path__startswith=p.path) for p in provinces], _connector=Q.OR)
    rows = IndicatorSeries.objects.filter(scope, series=series).values_list(
        "area_id", "area__path", "start", "days", "names", "data"
    )
    by_province: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_province["/".join(row[1].split("/")[:2])].append(row)
    by_axis: dict[tuple[dt.date, int], list[tuple]] = defaultdict(list)
    for found in by_province.values():
        start = min(r[2] for r in found)
        end = max(r[2] + dt.timedelta(days=r[3]) for r in found)
        by_axis[(start, (end - start).days)].extend(found)
    under = Q(*[Q(path__startswith=p.path) for p in provinces], _connector=Q.OR)
    areas = {
        pk: _Unit(pk, kind, parent)
        for pk, kind, parent in Area.objects.filter(under).values_list("pk", "kind", "parent")
    }
    stored = sorted(n for n in names if not input_map.is_rt(n))
    statistics = input_map.rt_statistics(names)
    blocks = []
    for (start, days), found in sorted(by_axis.items()):
        matrices = {n: np.full((len(found), days), np.nan, dtype=np.float64) for n in names}
        for i, (_pk, _path, first, length, row_names, data) in enumerate(found):
            offset = (first - start).days
            values = np.frombuffer(bytes(data), dtype=np.float32).reshape(len(row_names), length)
            for name in stored:
                matrices[name][i, offset : offset + length] = values[row_names.index(name)]
        area_ids = [r[0] for r in found]
        if statistics:
            engine.fill_rt(matrices, series, area_ids, start, days, statistics)
        blocks.append(engine.Province([areas[pk] for pk in area_ids], start, days, matrices))
    return blocks


STORED_LEVEL_FIELDS = (
    "area",
    "ruleset",
    "series",
    "start",
    "days",
    "levels",
    "computed",
    "input_names",
    "inputs",
    "computed_at",
)


def _store_province(record, ruleset, mapping, series, province: engine.Province) -> int:
    n, days = len(province.areas), province.days
    computed, decided = engine.evaluate_province(ruleset, mapping, province)
    input_names = sorted(mapping)
    stack = (
        np.stack([engine.input_matrix(mapping, province, name) for name in input_names])
        if input_names
        else np.zeros((0, n, days))
    )
    now = models.DateTimeField().get_db_prep_value(timezone.now(), connection)
    binary = connection.vendor == "postgresql"
    names_value = input_names if binary else json.dumps(input_names)
    # One row per area on its province's axis (a block may hold provinces of one axis).
    rows = (
        (
            area.pk,
            record.pk,
            series.pk,
            province.start,
            days,
            decided[i].astype(np.int16).tobytes(),
            computed[i].astype(np.int16).tobytes(),
            names_value,
            np.ascontiguousarray(stack[:, i, :], dtype=np.float32).tobytes(),
            now,
        )
        for i, area in enumerate(province.areas)
    )
    if binary:
        return copy_binary(AssessmentSeries, STORED_LEVEL_FIELDS, rows)
    return insert_rows(AssessmentSeries, STORED_LEVEL_FIELDS, rows)


# -- reading one day -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayLevel:
    area: Area
    level_key: str
    rank: int
    colour: str
    label: str
    computed_key: str


def levels_on(record: RuleSetRecord, series: Series, areas, day: dt.date) -> dict[int, DayLevel]:
    """Return each area's level on ``day`` from the stored series (areas without one: absent)."""
    ruleset = ruleset_of(record)
    found = {}
    for row in AssessmentSeries.objects.filter(
        ruleset=record, series=series, area__in=areas
    ).select_related("area"):
        offset = row.offset(day)
        if offset is None:
            continue
        index = int(row.level_indexes()[offset])
        computed = int(row.level_indexes(computed=True)[offset])
        if index < 0:
            continue
        level = ruleset.levels[index]
        found[row.area_id] = DayLevel(
            row.area,
            level.key,
            level.rank,
            level.colour,
            level.label,
            ruleset.levels[computed].key if computed >= 0 else "",
        )
    return found


def explain_day(record: RuleSetRecord, row: AssessmentSeries, day: dt.date):
    """Return the explanation of one area's computed level on ``day``."""
    ruleset = ruleset_of(record)
    values = {k: np.array([v]) for k, v in row.input_values(day).items()}
    offset = row.offset(day)
    if offset is not None and "previous_level" in ruleset.inputs and offset > 0:
        ranks = [lv.rank for lv in ruleset.levels]
        previous = int(row.level_indexes()[offset - 1])
        values["previous_level"] = np.array([ranks[previous] if previous >= 0 else np.nan])
    for name in ruleset.inputs:
        values.setdefault(name, np.array([np.nan]))
    return explain(assess(ruleset, values, scale=str(row.area.kind)), 0), values


# -- publishing and deciding ----------------------------------------------------------------


@transaction.atomic
def publish(
    record: RuleSetRecord,
    series: Series,
    day: dt.date,
    scope: Area,
    *,
    actor,
    legal_basis: str = "",
) -> list[Assessment]:
    """Freeze the levels of ``day`` for ``scope`` and its subtree as Assessments."""
    if actor is not None and not can(actor, ASSESSMENT_LABEL, "add", scope):
        raise PermissionDenied(_("You may not publish levels for this area."))
    ruleset = ruleset_of(record)
    rows = AssessmentSeries.objects.filter(
        ruleset=record, series=series, area__path__startswith=scope.path
    ).select_related("area")
    now = timezone.now()
    existing = set(
        Assessment.objects.filter(
            ruleset=record, series=series, date=day, area__path__startswith=scope.path
        ).values_list("area_id", flat=True)
    )
    created = []
    for row in rows:
        if row.area_id in existing or row.offset(day) is None:
            continue
        # Publish what the rules give for the day; the delay before a raise takes effect
        # is recorded on the LevelChange, not applied to the assessment.
        index = int(row.level_indexes(computed=True)[row.offset(day)])
        if index < 0:
            continue
        explanation, values = explain_day(record, row, day)
        level = ruleset.levels[index]
        created.append(
            Assessment(
                area=row.area,
                ruleset=record,
                series=series,
                date=day,
                computed_key=level.key,
                computed_rank=level.rank,
                decided_key=level.key,
                decided_rank=level.rank,
                criterion=explanation.decided_by[:200],
                adjustments=list(explanation.adjustments),
                inputs={k: (None if np.isnan(v[0]) else float(v[0])) for k, v in values.items()},
                explanation_vi=explanation.sentence_vi,
                explanation_en=explanation.sentence_en,
                data_as_of=now,
                published_by=actor,
                legal_basis=legal_basis[:200],
            )
        )
    Assessment.objects.bulk_create(created, batch_size=500)
    saved = list(
        Assessment.objects.filter(
            ruleset=record, series=series, date=day, area_id__in=[a.area_id for a in created]
        )
    )
    _record_changes(record, ruleset, saved, day)
    if saved:
        audit.record(
            actor,
            "publish",
            object_type=ASSESSMENT_LABEL,
            object_repr=f"{record.code} {day:%d/%m/%Y}",
            area=scope,
            after={
                "date": day.isoformat(),
                "rules": record.code,
                "version": record.version,
                "areas": len(saved),
            },
            legal_basis=legal_basis,
        )
        record_change("decision", area_path=scope.path, series_code=series.code, date_from=day)
    return saved


def _previous_decided(record: RuleSetRecord, area_ids: list[int], day: dt.date) -> dict:
    latest: dict[int, Assessment] = {}
    for assessment in Assessment.objects.filter(
        ruleset=record, area_id__in=area_ids, date__lt=day
    ).order_by("date"):
        latest[assessment.area_id] = assessment
    return latest


def _record_changes(record, ruleset: RuleSet, assessments: list[Assessment], day: dt.date):
    """Add a LevelChange wherever the decided level differs from the last published one."""
    before = _previous_decided(record, [a.area_id for a in assessments], day)
    changes = []
    for assessment in assessments:
        previous = before.get(assessment.area_id)
        if previous is not None and previous.decided_key == assessment.decided_key:
            continue
        raising = previous is not None and assessment.decided_rank > previous.decided_rank
        delay = ruleset.timing.raise_delay_days if raising else ruleset.timing.lower_delay_days
        changes.append(
            LevelChange(
                area_id=assessment.area_id,
                ruleset=record,
                assessment=assessment,
                from_key=previous.decided_key if previous else "",
                from_rank=previous.decided_rank if previous else None,
                to_key=assessment.decided_key,
                to_rank=assessment.decided_rank,
                announced_on=day,
                effective_on=day + dt.timedelta(days=delay if previous else 0),
                reason=assessment.override_reason or assessment.explanation_vi,
            )
        )
    LevelChange.objects.bulk_create(changes)


@transaction.atomic
def decide_level(
    assessment: Assessment, *, actor, level_key: str, reason: str, legal_basis: str = ""
) -> Assessment:
    """Record a level decided by the steering committee, different from the computed one."""
    if not can(actor, ASSESSMENT_LABEL, "change", assessment.area):
        raise PermissionDenied(_("Only the steering committee may decide a level."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write the reason for the decided level.")})
    ruleset = ruleset_of(assessment.ruleset)
    try:
        level = ruleset.level(level_key)
    except StopIteration as exc:
        raise ValidationError({"level": _("Unknown level.")}) from exc
    before = audit.snapshot(
        assessment, fields=["decided_key", "decided_rank", "override_reason", "legal_basis"]
    )
    assessment.decided_key, assessment.decided_rank = level.key, level.rank
    assessment.override_reason, assessment.override_by = reason.strip(), actor
    assessment.legal_basis = legal_basis[:200] or assessment.legal_basis
    assessment.save(
        update_fields=[
            "decided_key",
            "decided_rank",
            "override_reason",
            "override_by",
            "legal_basis",
        ]
    )
    LevelChange.objects.filter(assessment=assessment).delete()
    _record_changes(assessment.ruleset, ruleset, [assessment], assessment.date)
    audit.record(
        actor,
        "update",
        assessment,
        area=assessment.area,
        before=before,
        after=audit.snapshot(
            assessment, fields=["decided_key", "decided_rank", "override_reason", "legal_basis"]
        ),
        reason=reason,
        legal_basis=legal_basis,
    )
    record_change(
        "decision",
        area_path=assessment.area.path,
        series_code=assessment.series.code,
        date_from=assessment.date,
    )
    return assessment
