"""The only code that writes rule sets, computed levels, assessments and level changes.

``sync_rulesets`` loads the rule files with their checksums. ``compute_levels`` runs a
rule set over every area's stored indicators, day by day, all areas of a scale in one
vectorised call, and stores one AssessmentSeries row per area. ``publish`` freezes the
levels of a date as Assessments (inputs as known when published) and records each
LevelChange with the day it takes effect; ``decide_level`` lets a steering committee
member decide another level, with a reason; both levels are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit import services as audit
from vungxanh.domain.classify import NO_RULE, apply_timing, assess, explain, index_of_rank
from vungxanh.domain.indicators import forward_fill
from vungxanh.domain.rules import RuleSet, load_ruleset, parse_ruleset
from vungxanh.risk import inputs as input_map
from vungxanh.risk.models import (
    Assessment,
    AssessmentSeries,
    LevelChange,
    RuleSetRecord,
)
from vungxanh.surveillance.models import IndicatorSeries, Series

RULESETS_DIR = Path(__file__).resolve().parent / "rulesets"
# Scales in the order they are evaluated: a scale judged on its children comes after them.
SCALE_ORDER = [
    AreaKind.SUBUNIT,
    AreaKind.COMMUNE,
    AreaKind.DISTRICT,
    AreaKind.PROVINCE,
    AreaKind.NATION,
]
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


@dataclass
class _Province:
    """The areas of one province with their indicator matrices on a common day axis."""

    areas: list[Area]
    start: dt.date
    days: int
    indicators: dict[str, np.ndarray]


def _load_province(series: Series, province: Area, names: set[str]) -> _Province | None:
    rows = list(
        IndicatorSeries.objects.filter(
            series=series, area__path__startswith=province.path
        ).select_related("area")
    )
    if not rows:
        return None
    start = min(r.start for r in rows)
    end = max(r.start + dt.timedelta(days=r.days) for r in rows)
    days = (end - start).days
    matrices = {n: np.full((len(rows), days), np.nan, dtype=np.float64) for n in names}
    for i, row in enumerate(rows):
        offset = (row.start - start).days
        data = row.matrix()
        for name in names:
            matrices[name][i, offset : offset + row.days] = data[row.names.index(name)]
    return _Province([r.area for r in rows], start, days, matrices)


@dataclass(frozen=True)
class _ScaleStep:
    """The areas of one scale, and for scales judged on children, who their children are."""

    scale: str
    rows: np.ndarray  # positions of the scale's areas
    children: np.ndarray | None  # positions of their children
    parent_slot: np.ndarray | None  # for each child, the index of its parent within ``rows``


def _plan(ruleset: RuleSet, areas: list[Area]) -> list[_ScaleStep]:
    """Work out once per province which rows each scale evaluates (no per-day loops)."""
    position = {a.pk: i for i, a in enumerate(areas)}
    kinds = np.array([a.kind for a in areas])
    steps = []
    for scale in SCALE_ORDER:
        rows = np.flatnonzero(kinds == scale)
        if not len(rows):
            continue
        rule = ruleset.scale_rules.get(str(scale))
        children = parent_slot = None
        if rule is not None and rule.method == "children":
            slot_of = {areas[r].pk: k for k, r in enumerate(rows)}
            pairs = [
                (position[a.pk], slot_of[a.parent_id]) for a in areas if a.parent_id in slot_of
            ]
            children = np.array([p for p, _slot in pairs], dtype=int)
            parent_slot = np.array([slot for _p, slot in pairs], dtype=int)
        steps.append(_ScaleStep(str(scale), rows, children, parent_slot))
    return steps


def _child_levels(ruleset: RuleSet, step: _ScaleStep, level_index: np.ndarray):
    """Count the children at each level key, per parent, for share() and count()."""
    size = len(step.rows)
    child_index = level_index[step.children]
    assessed = np.zeros(size)
    np.add.at(assessed, step.parent_slot[child_index >= 0], 1.0)
    counts = {}
    for number, level in enumerate(ruleset.levels):
        at_level = np.zeros(size)
        np.add.at(at_level, step.parent_slot[child_index == number], 1.0)
        counts[level.key] = (at_level, assessed)
    return counts


def _evaluate_day(
    ruleset,
    mapping,
    province: _Province,
    plan: list[_ScaleStep],
    column: int,
    day: dt.date,
    previous: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (level index, rank) of every area of the province on one day."""
    values = input_map.day_values(mapping, province.indicators, day, column, previous)
    level_index = np.full(len(province.areas), NO_RULE, dtype=np.int64)
    for step in plan:
        child_levels = (
            _child_levels(ruleset, step, level_index) if step.children is not None else None
        )
        result = assess(
            ruleset,
            {k: v[step.rows] for k, v in values.items()},
            scale=step.scale,
            child_levels=child_levels,
        )
        level_index[step.rows] = result.level_index
    ranks = np.array([lv.rank for lv in ruleset.levels] + [0], dtype=np.float64)
    return level_index, np.where(level_index >= 0, ranks[level_index], np.nan)


def compute_levels(
    record: RuleSetRecord, series: Series, *, provinces: list[Area] | None = None
) -> int:
    """Compute and store every day's level of every area under ``record``; return rows."""
    ruleset = ruleset_of(record)
    mapping = input_map.mapping_for(ruleset, parents())
    names = input_map.needed_indicators(mapping)
    provinces = provinces or list(Area.objects.current().filter(kind=AreaKind.PROVINCE))
    written = 0
    for province in provinces:
        loaded = _load_province(series, province, names)
        with transaction.atomic():
            AssessmentSeries.objects.filter(
                ruleset=record, series=series, area__path__startswith=province.path
            ).delete()
            if loaded is not None:
                written += _store_province(record, ruleset, mapping, series, loaded)
    return written


def _store_province(record, ruleset, mapping, series, province: _Province) -> int:
    n, days = len(province.areas), province.days
    computed = np.full((n, days), NO_RULE, dtype=np.int64)
    previous = np.full(n, np.nan)
    dates = [province.start + dt.timedelta(days=t) for t in range(days)]
    plan = _plan(ruleset, province.areas)
    for t, day in enumerate(dates):
        computed[:, t], previous = _evaluate_day(ruleset, mapping, province, plan, t, day, previous)
    decided = _timed(ruleset, computed, dates)
    input_names = sorted(mapping)
    stack = (
        np.stack([_input_matrix(mapping, province, dates, name) for name in input_names])
        if input_names
        else np.zeros((0, n, days))
    )
    rows = [
        AssessmentSeries(
            area=area,
            ruleset=record,
            series=series,
            start=province.start,
            days=days,
            levels=decided[i].astype(np.int16).tobytes(),
            computed=computed[i].astype(np.int16).tobytes(),
            input_names=input_names,
            inputs=np.ascontiguousarray(stack[:, i, :], dtype=np.float32).tobytes(),
        )
        for i, area in enumerate(province.areas)
    ]
    AssessmentSeries.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _input_matrix(mapping, province: _Province, dates, name: str) -> np.ndarray:
    indicator = mapping[name]
    if indicator == input_map.PREVIOUS_LEVEL:
        return np.full((len(province.areas), len(dates)), np.nan)
    if indicator == input_map.ELDERLY:
        switch = np.array([d >= input_map.ELDERLY_50_FROM for d in dates])
        return np.where(
            switch,
            province.indicators["vacc_full_50plus_pct"],
            province.indicators["vacc_full_65plus_pct"],
        )
    return province.indicators[indicator]


def _timed(ruleset: RuleSet, computed: np.ndarray, dates) -> np.ndarray:
    """Apply hysteresis and delays to ranked levels; grey/unknown states pass through."""
    ranks = np.array([lv.rank for lv in ruleset.levels] + [0], dtype=np.float64)
    ranked = np.array([lv.state == "level" for lv in ruleset.levels] + [False])
    is_ranked = ranked[computed]
    rank = np.where(is_ranked, ranks[computed], np.nan)
    # An unranked day (no data) neither raises nor lowers: carry the last ranked level.
    filled = forward_fill(rank)
    timed = apply_timing(ruleset, np.nan_to_num(filled, nan=0.0), dates)
    # Before an area's first ranked day apply_timing gives NaN: no decided level yet.
    index = index_of_rank(ruleset, timed)
    return np.where(is_ranked | ~np.isnan(filled), index, computed)


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
    return assessment
