"""Risk levels API.

GET  /api/v1/risk/rulesets                  the rule sets loaded (current versions)
GET  /api/v1/risk/rulesets/{id}             one rule set: levels, inputs, unverified cells
GET  /api/v1/risk/levels                    the levels of an area's units on a date
GET  /api/v1/risk/areas/{code}/explain      why an area has its level on a date
GET  /api/v1/risk/assessments               published levels (computed and decided)
GET  /api/v1/risk/changes                   level changes with the day they take effect
POST /api/v1/risk/assessments/{id}/decide   decide another level, with a reason (steering)
"""

import datetime as dt
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate

from vungxanh.accounts.scoping import root_areas
from vungxanh.areas.models import Area
from vungxanh.domain.tabular import parse_date
from vungxanh.lib.apischema import Id, Pagination, Text, errors
from vungxanh.risk import applies, map_model, outlook, services
from vungxanh.risk import inputs as input_map
from vungxanh.risk.freshness import freshness, shown_series_code
from vungxanh.risk.models import (
    Assessment,
    AssessmentSeries,
    LevelChange,
    OfficialDecision,
    RuleSetRecord,
)
from vungxanh.risk.schemas import (
    AreaCode,
    AssessmentFilter,
    AssessmentOut,
    DayText,
    DecideIn,
    ExplanationOut,
    LevelChangeOut,
    LevelsOut,
    RulesCode,
    RuleSetDetailOut,
    RuleSetOut,
)

router = Router(tags=["risk"])
READ_ERRORS = errors(401, 404, 422)
SeriesCode = Text(40)


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise ValidationError(
            {"date": _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text}}
        )
    return day


def _area(request: HttpRequest, code: str) -> Area:
    return get_object_or_404(Area.objects.for_user(request.user, "view").current(), code=code)


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _ruleset_out(record: RuleSetRecord, computable: set[int]) -> dict:
    return {
        "code": record.code,
        "version": record.version,
        "checksum": record.checksum,
        "title": record.title,
        "title_vi": record.title_vi,
        "source_document": record.source_document,
        "source_date": record.source_date,
        "source_url": record.source_url,
        "effective_from": record.effective_from,
        "effective_to": record.effective_to,
        "unverified_cells": record.unverified_cells,
        "computable": record.pk in computable,
    }


@router.get("/rulesets", response={200: list[RuleSetOut], **errors(401)}, url_name="risk_rulesets")
def ruleset_list(request: HttpRequest):
    computable = {r.pk for r in services.computable_rulesets()}
    return [
        _ruleset_out(r, computable)
        for r in RuleSetRecord.objects.filter(current=True).order_by("code")
    ]


@router.get(
    "/rulesets/{code}", response={200: RuleSetDetailOut, **READ_ERRORS}, url_name="risk_ruleset"
)
def ruleset_detail(request: HttpRequest, code: Path[RulesCode]):
    record = get_object_or_404(RuleSetRecord, code=code, current=True)
    ruleset = services.ruleset_of(record)
    computable = set()
    if input_map.computable(ruleset, services.parents()):
        computable.add(record.pk)
    return {
        **_ruleset_out(record, computable),
        "notes": ruleset.notes,
        "parent": ruleset.parent,
        "levels": [vars(level) for level in ruleset.levels],
        "inputs": [
            {
                "name": spec.name,
                "label_vi": spec.label_vi,
                "label_en": spec.label_en,
                "kind": spec.kind,
                "unit_vi": spec.unit_vi,
                "unit_en": spec.unit_en,
                "direction": spec.direction,
            }
            for spec in ruleset.inputs.values()
        ],
        "unverified": ruleset.unverified_cells(),
    }


@router.get(
    "/levels", response={200: LevelsOut, **errors(401, 403, 404, 422)}, url_name="risk_levels"
)
def levels(
    request: HttpRequest,
    area: AreaCode | None = None,
    date: DayText | None = None,
    rules: RulesCode | None = None,
    series: SeriesCode | None = None,
):
    """The level in force of each unit directly under ``area`` on ``date`` (an area with
    no units the caller may read, e.g. a ward official's ward: the area itself, one row).
    ``applies``: the level that applies (the decision in force, else this level).

    Defaults as on the map: the caller's highest area, the first computable rule set in
    force that day, the area's official series, the last day reported. ``warning``: likely
    to move to a higher level in the next 7 days (the 14-day projection).
    """
    if area:
        parent = _area(request, area)
    else:
        roots = root_areas(request.user)
        if not roots:
            raise PermissionDenied
        parent = min(roots, key=lambda a: a.path)
    computed = AssessmentSeries.objects.for_user(request.user, "view")
    choice = map_model.choose(
        parent,
        computed,
        rules=rules or "",
        series=shown_series_code(parent, computed, series or ""),
        day=_date(date),
        today=timezone.localdate(),
    )
    if not choice.ready or (rules and choice.record.code != rules):
        raise Http404
    level_map = map_model.build(
        parent,
        choice.record,
        choice.series,
        choice.day,
        areas=Area.objects.for_user(request.user, "view").current(),
        computed=computed,
        officials=OfficialDecision.objects.for_user(request.user, "view"),
        published=Assessment.objects.for_user(request.user, "view"),
        own=choice.own,
    )
    warnings = outlook.outlooks(
        choice.record,
        choice.series,
        choice.day,
        list(
            computed.filter(
                ruleset=choice.record,
                series=choice.series,
                area__in=[row.area for row in level_map.rows],
            ).select_related("area")
        ),
    )
    return {
        **freshness(parent, choice.series, choice.record, as_of=choice.day).as_dict(),
        "area": parent.code,
        "date": choice.day,
        "rules": choice.record.code,
        "version": choice.record.version,
        "series": choice.series.code,
        "in_force": level_map.in_force,
        "levels": [
            {
                "code": row.area.code,
                "name": row.area.name,
                "level": row.level.key if row.level else None,
                "rank": row.level.rank if row.level else None,
                "label": row.label,
                "colour": row.colour,
                "computed": row.computed.key if row.computed else None,
                "since": row.changed_on,
                "official": row.official.label if row.official else None,
                "applies": row.applied.as_dict() if row.applied else None,
                "inputs": {k: _number(v) for k, v in row.values.items()},
                "warning": row.area.pk in warnings and warnings[row.area.pk].warning,
            }
            for row in level_map.rows
        ],
    }


@router.get(
    "/areas/{code}/explain", response={200: ExplanationOut, **READ_ERRORS}, url_name="risk_explain"
)
def explain(
    request: HttpRequest,
    code: Path[AreaCode],
    rules: RulesCode,
    date: DayText | None = None,
    series: SeriesCode | None = None,
):
    """Why the area has its level on ``date`` under ``rules``."""
    area = _area(request, code)
    record = get_object_or_404(RuleSetRecord, code=rules, current=True)
    rows = sorted(
        AssessmentSeries.objects.for_user(request.user, "view")
        .filter(area=area, ruleset=record)
        .select_related("series", "area"),
        key=lambda r: (r.series.priority, r.series.code),
    )
    if series:
        rows = [r for r in rows if r.series.code == series]
    else:
        wanted = shown_series_code(
            area, AssessmentSeries.objects.for_user(request.user, "view"), children=False
        )
        rows = sorted(rows, key=lambda r: r.series.code != wanted)
    if not rows:
        raise Http404
    stored = rows[0]
    day = _date(date) or timezone.localdate()
    found = map_model.explain_area(
        record,
        stored.series,
        stored,
        day,
        published=Assessment.objects.for_user(request.user, "view"),
        officials=OfficialDecision.objects.for_user(request.user, "view"),
    )
    published = found.published
    official = found.official
    applied = applies.level_in_force(
        area,
        day,
        stored.series,
        AssessmentSeries.objects.for_user(request.user, "view"),
        OfficialDecision.objects.for_user(request.user, "view"),
        Assessment.objects.for_user(request.user, "view"),
    )
    projected = outlook.outlook(record, stored.series, day, stored)
    return {
        **freshness(area, stored.series, record, as_of=day).as_dict(),
        "outlook": projected.as_dict() if projected is not None else None,
        "applies": applied.as_dict() if applied is not None else None,
        "area": area.code,
        "name": area.name,
        "date": day,
        "rules": record.code,
        "version": record.version,
        "legal_source": record.source_document,
        "series": stored.series.code,
        "level": found.level.key if found.level else None,
        "level_label": found.level_label,
        "computed": found.computed.key if found.computed else None,
        "in_force_since": found.changed_on,
        "sentence_vi": found.sentence_vi,
        "sentence_en": found.sentence_en,
        "inputs": {spec.name: value for spec, value in found.values},
        "criterion": vars(found.criterion) if found.criterion else None,
        "adjustments": [vars(a) for a in found.adjustments],
        "published": {
            "id": published.pk,
            "date": published.date,
            "computed": published.computed_key,
            "decided": published.decided_key,
            "reason": published.override_reason,
        }
        if published
        else None,
        "official": {
            "announced_on": official.announced_on,
            "effective_on": official.effective_on,
            "label": official.label,
            "rank": official.rank,
            "source_url": official.source_url,
        }
        if official
        else None,
    }


@router.get(
    "/assessments", response={200: list[AssessmentOut], **READ_ERRORS}, url_name="risk_assessments"
)
@paginate(Pagination)
def assessment_list(request: HttpRequest, filters: Query[AssessmentFilter]):
    rows = Assessment.objects.for_user(request.user, "view").select_related(
        "area", "ruleset", "series"
    )
    if filters.area:
        rows = rows.filter(area__path__startswith=_area(request, filters.area).path)
    day = _date(filters.date)
    if day:
        rows = rows.filter(date=day)
    if filters.rules:
        rows = rows.filter(ruleset__code=filters.rules)
    return rows.order_by("-date", "area__path", "ruleset__code")


@router.get(
    "/changes", response={200: list[LevelChangeOut], **READ_ERRORS}, url_name="risk_changes"
)
@paginate(Pagination)
def change_list(request: HttpRequest, area: AreaCode | None = None, rules: RulesCode | None = None):
    rows = LevelChange.objects.for_user(request.user, "view").select_related("area", "ruleset")
    if area:
        rows = rows.filter(area__path__startswith=_area(request, area).path)
    if rules:
        rows = rows.filter(ruleset__code=rules)
    return rows.order_by("-announced_on", "area__path", "-id")


@router.post(
    "/assessments/{assessment_id}/decide",
    response={200: AssessmentOut, **errors(400, 401, 403, 404, 422)},
    url_name="risk_decide",
)
def decide(request: HttpRequest, assessment_id: Path[Id], payload: DecideIn):
    """Decide a level different from the computed one (steering committee), with a reason."""
    visible = Assessment.objects.for_user(request.user, "view")
    assessment = get_object_or_404(
        visible.select_related("area", "ruleset", "series"), pk=assessment_id
    )
    return services.decide_level(
        assessment,
        actor=request.user,
        level_key=payload.level,
        reason=payload.reason,
        legal_basis=payload.legal_basis,
    )
