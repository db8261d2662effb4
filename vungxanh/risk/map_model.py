"""The map's read model: the areas a level map shows on one date, the rows of its table, its
GeoJSON and its XLSX, and the explanation of one area's level.

The page, the slider's JSON, the GeoJSON and XLSX exports, the API and the public map all
read the same ``LevelMap``, so a level exported is the level shown. The caller passes the
querysets it may read (scoped with ``for_user``, or unscoped for the public map); nothing
here widens them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain.classify import format_number
from vungxanh.domain.rules import Bilingual, Input, Level, RuleSet
from vungxanh.lib.downloads import xlsx_download
from vungxanh.lib.workbook import Book
from vungxanh.risk import applies, services
from vungxanh.risk.models import AssessmentSeries, OfficialDecision, RuleSetRecord
from vungxanh.surveillance.models import Series

NO_DATA_COLOUR = "#9e9e9e"
GEOJSON_TYPE = "application/geo+json"


def language() -> str:
    """The active page language as the rule sets name it: "vi" or "en"."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def level_label(level: Level | None) -> str:
    """The level's label in the active language; "no data" without a level."""
    if level is None:
        return _("no data")
    return level.label_en if language() == "en" else level.label_vi


def title_of(record: RuleSetRecord) -> str:
    return record.title_vi if language() == "vi" and record.title_vi else record.title


def input_label(spec: Input) -> str:
    return spec.label_en if language() == "en" else spec.label_vi


def format_value(spec: Input, value: float | None) -> str:
    """Return an input value as the page shows it: 155,6 / 98% / yes / —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if spec.kind == "bool":
        return _("yes") if value else _("no")
    unit = spec.unit_en if language() == "en" else spec.unit_vi
    return format_number(value, spec.decimals, language()) + unit


def shown_inputs(ruleset: RuleSet) -> list[Input]:
    """The inputs a map table shows: numbers and yes/no facts, not the previous level."""
    return [spec for spec in ruleset.inputs.values() if spec.kind != "level"]


@dataclass
class MapRow:
    """One area of the map on the day."""

    area: Area
    level: Level | None  # in force (after timing rules); None: no data
    computed: Level | None  # what the rules give that day
    values: dict[str, float] = field(default_factory=dict)
    changed_on: dt.date | None = None  # the level in force since
    changed_from: Level | None = None
    official: OfficialDecision | None = None
    applied: applies.AppliedLevel | None = None  # the level that applies (see risk.applies)

    @property
    def colour(self) -> str:
        return self.level.colour if self.level else NO_DATA_COLOUR

    @property
    def decided(self) -> bool:
        """Whether a decision, not this rule set's result, is the level that applies."""
        return self.applied is not None and self.applied.decided

    @property
    def label(self) -> str:
        return level_label(self.level)

    @property
    def computed_label(self) -> str:
        return level_label(self.computed)

    @property
    def applies_colour(self) -> str:
        """The colour the map paints: the level that applies (grey when none applies)."""
        return self.applied.colour if self.applied else NO_DATA_COLOUR

    @property
    def applies_label(self) -> str:
        return self.applied.label if self.applied else level_label(None)

    @property
    def applies_source(self) -> str:
        """Where the level that applies comes from (a decision or the rule set in force)."""
        return self.applied.source_text if self.applied else ""

    @property
    def differs(self) -> bool:
        """Whether the computed level is not (yet) the one in force."""
        return self.level is not None and self.computed is not None and self.level != self.computed


@dataclass
class LevelMap:
    """The children of ``parent`` with their levels on ``day`` under one rule set and series."""

    parent: Area
    record: RuleSetRecord
    series: Series
    day: dt.date
    rows: list[MapRow]
    own: bool = False  # the map of an area without units: one row, the area itself

    @property
    def ruleset(self) -> RuleSet:
        return services.ruleset_of(self.record)

    @property
    def in_force(self) -> bool:
        return self.ruleset.applies_on(self.day)

    def columns(self) -> list[Input]:
        return shown_inputs(self.ruleset)

    def query(self) -> str:
        """The query string naming this map's rule set, series and day (for links)."""
        return urlencode(
            {
                "date": self.day.strftime("%d/%m/%Y"),
                "rules": self.record.code,
                "series": self.series.code,
            }
        )

    def table(self) -> list[dict]:
        """The table rows: each area with its input values as the page shows them."""
        columns = self.columns()
        drill = {AreaKind.NATION, AreaKind.PROVINCE, AreaKind.DISTRICT}
        return [
            {
                "row": row,
                "values": [format_value(spec, row.values.get(spec.name)) for spec in columns],
                "drill": row.area.kind in drill,
            }
            for row in self.rows
        ]

    def column_labels(self) -> list[str]:
        return [input_label(spec) for spec in self.columns()]

    def title(self) -> str:
        return title_of(self.record)

    def legend(self) -> list[dict]:
        """The colours on the map, each once: the rule set's levels, one "no data" entry
        (a rule set's own no-data level stands for it), and the colour of a decided status
        that is not a level when one is shown."""
        levels = sorted(self.ruleset.levels, key=lambda lv: (lv.state != "level", lv.rank))
        entries = [{"key": lv.key, "label": level_label(lv), "colour": lv.colour} for lv in levels]
        labels = {e["label"].casefold() for e in entries}
        colours = {e["colour"] for e in entries}
        if level_label(None).casefold() not in labels and NO_DATA_COLOUR not in colours:
            entries.append({"key": "", "label": level_label(None), "colour": NO_DATA_COLOUR})
        if any(row.applies_colour == applies.DECIDED_COLOUR for row in self.rows):
            entries.append(
                {"key": "decided", "label": _("decided status"), "colour": applies.DECIDED_COLOUR}
            )
        return entries

    def properties(self, row: MapRow, *, public: bool = False) -> dict:
        """The GeoJSON properties of one area (the public map gets levels only)."""
        props = {
            "code": row.area.code,
            "name": row.area.name,
            "level": row.level.key if row.level else None,
            "rank": row.level.rank if row.level else None,
            "label": row.applies_label,
            "colour": row.applies_colour,
            "applies_source": row.applies_source,
            "approximate": row.area.boundary_approximate,
        }
        if public:
            return props
        ruleset = self.ruleset
        props.update(
            {
                "computed": row.computed.key if row.computed else None,
                "computed_label": level_label(row.computed) if row.computed else None,
                "since": row.changed_on.strftime("%d/%m/%Y") if row.changed_on else None,
                "population": row.area.population,
                "values": {
                    spec.name: format_value(spec, row.values.get(spec.name))
                    for spec in shown_inputs(ruleset)
                },
                "rules_label": row.label,
                "rules_colour": row.colour,
                "official": row.official.label if row.official else None,
                "applies": row.applied.label if row.applied else None,
                "applies_kind": row.applied.source_kind if row.applied else None,
            }
        )
        return props

    def geojson(self, *, geometry: bool = True, public: bool = False) -> dict:
        features = []
        for row in self.rows:
            feature = {
                "type": "Feature",
                "id": row.area.code,
                "properties": self.properties(row, public=public),
            }
            if geometry:
                feature["geometry"] = row.area.boundary_geometry()
            features.append(feature)
        return {
            "type": "FeatureCollection",
            "date": self.day.strftime("%d/%m/%Y"),
            "rules": self.record.code,
            "version": self.record.version,
            "series": self.series.code,
            "in_force": self.in_force,
            "features": features,
        }

    def filename(self, extension: str) -> str:
        return (
            f"vungxanh-levels-{self.parent.code}-{self.record.code}-"
            f"{self.series.code}-{self.day:%Y%m%d}.{extension}"
        )


def build(
    parent: Area,
    record: RuleSetRecord,
    series: Series,
    day: dt.date,
    *,
    areas,
    computed,
    officials=None,
    published=None,
    own: bool = False,
) -> LevelMap:
    """Return the map of ``parent``'s children (from ``areas``) on ``day``.

    ``areas``, ``computed`` (AssessmentSeries), ``officials`` (OfficialDecision) and
    ``published`` (Assessment; None: left out) are querysets the caller may read. With
    ``own`` (see ``MapChoice.own``), or when ``parent`` has no children the caller may read,
    the map has one row: ``parent`` itself (a ward's own level). Each row carries the level
    that applies (``risk.applies``), which the map paints.
    """
    ruleset = services.ruleset_of(record)
    children = [] if own else list(areas.filter(parent=parent).order_by("name"))
    if not children:
        own = True
        children = [parent]
    stored = {
        row.area_id: row
        for row in computed.filter(ruleset=record, series=series, area__in=children)
    }
    rows = [_row(ruleset, area, stored.get(area.pk), day) for area in children]
    _apply(rows, record, series, day, computed, officials, published)
    return LevelMap(parent, record, series, day, rows, own=own)


def _in_force_levels(
    rows: list[MapRow], record: RuleSetRecord, series: Series, day: dt.date, computed
) -> tuple[RuleSetRecord | None, dict[int, Level | None]]:
    """The rule set in force on ``day`` and each row's level under it (area id -> level).

    The map's own rule set when it is in force; else the first computable rule set in force
    that has levels for these areas (one more query). On a day no computable rule set is
    in force (before the first one), the map's own rule set stands in: the map then says
    "not in force on this date" rather than painting every unit grey."""
    if services.ruleset_of(record).applies_on(day):
        return record, {row.area.pk: row.level for row in rows if row.computed is not None}
    areas = [row.area for row in rows]
    for other in services.rulesets_on(day):
        stored = list(computed.filter(ruleset=other, series=series, area__in=areas))
        if stored:
            ruleset = services.ruleset_of(other)
            by_area = {s.area_id: _row(ruleset, s.area, s, day) for s in stored}
            return other, {pk: r.level for pk, r in by_area.items() if r.computed is not None}
    if services.rulesets_on(day):
        return None, {}
    return record, {row.area.pk: row.level for row in rows if row.computed is not None}


def _apply(rows, record, series, day, computed, officials, published) -> None:
    """Set each row's official decision in force and the level that applies."""
    areas = [row.area for row in rows]
    in_force_official: dict[int, OfficialDecision] = {}
    if officials is not None:
        for decision in officials.filter(area__in=areas, effective_on__lte=day).order_by(
            "effective_on", "announced_on", "id"
        ):
            in_force_official[decision.area_id] = decision
    primary, levels = _in_force_levels(rows, record, series, day, computed)
    latest: dict[int, object] = {}
    if published is not None and primary is not None:
        for assessment in (
            published.filter(area__in=areas, ruleset=primary, series=series, date__lte=day)
            .select_related("ruleset")
            .order_by("date")
        ):
            latest[assessment.area_id] = assessment
    for row in rows:
        row.official = in_force_official.get(row.area.pk)
        results = []
        if primary is not None and row.area.pk in levels:
            results.append(applies.Computed(primary, levels[row.area.pk], True))
        if primary != record and row.computed is not None:
            results.append(applies.Computed(record, row.level, False))
        row.applied = applies.decide(
            day, results, official=row.official, published=latest.get(row.area.pk)
        )


def _row(ruleset: RuleSet, area: Area, stored: AssessmentSeries | None, day: dt.date) -> MapRow:
    if stored is None or stored.offset(day) is None:
        return MapRow(area, None, None)
    offset = stored.offset(day)
    levels = stored.level_indexes()
    index, computed = int(levels[offset]), int(stored.level_indexes(computed=True)[offset])
    row = MapRow(
        area,
        ruleset.levels[index] if index >= 0 else None,
        ruleset.levels[computed] if computed >= 0 else None,
        stored.input_values(day),
    )
    if row.level is not None:
        changes = np.flatnonzero(levels[1 : offset + 1] != levels[:offset])
        if len(changes):
            at = int(changes[-1]) + 1
            row.changed_on = stored.start + dt.timedelta(days=at)
            previous = int(levels[at - 1])
            row.changed_from = ruleset.levels[previous] if previous >= 0 else None
    return row


# -- responses -----------------------------------------------------------------------------


def geojson_response(level_map: LevelMap, *, download: bool, geometry: bool) -> JsonResponse:
    response = JsonResponse(
        level_map.geojson(geometry=geometry),
        json_dumps_params={"ensure_ascii": False},
        content_type=GEOJSON_TYPE if download else "application/json",
    )
    if download:
        name = level_map.filename("geojson")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_header(level_map: LevelMap) -> list[str]:
    return [
        _("code"),
        _("area"),
        _("level"),
        _("level key"),
        _("rank"),
        _("computed level"),
        _("level that applies"),
        _("where the level that applies comes from"),
        _("in force since"),
        *(input_label(spec) for spec in level_map.columns()),
        _("official decision in force"),
        _("rule set"),
        _("version"),
        _("series"),
        _("date"),
    ]


def xlsx_rows(level_map: LevelMap) -> list[list]:
    rows = []
    for row in level_map.rows:
        values = []
        for spec in level_map.columns():
            value = row.values.get(spec.name)
            values.append(None if value is None or math.isnan(value) else round(value, 4))
        rows.append(
            [
                row.area.code,
                row.area.name,
                row.label,
                row.level.key if row.level else "",
                row.level.rank if row.level else None,
                level_label(row.computed) if row.computed else "",
                row.applied.label if row.applied else "",
                _applies_source_cell(row.applied),
                row.changed_on.strftime("%d/%m/%Y") if row.changed_on else "",
                *values,
                row.official.label if row.official else "",
                level_map.record.code,
                level_map.record.version,
                level_map.series.code,
                level_map.day.strftime("%d/%m/%Y"),
            ]
        )
    return rows


def _applies_source_cell(applied: applies.AppliedLevel | None) -> str:
    """The source of the level that applies, short: the decision, else the rule set's title."""
    if applied is None:
        return ""
    if applied.source_kind == applies.OFFICIAL:
        return applied.official.label
    if applied.source_kind == applies.PUBLISHED:
        return _("decided by the steering committee on %(day)s") % {
            "day": applied.published.date.strftime("%d/%m/%Y")
        }
    return title_of(applied.record)


def xlsx_response(level_map: LevelMap) -> HttpResponse:
    book = Book(streaming=True)
    sheet = book.sheet(_("Levels"))
    sheet.append(xlsx_header(level_map))
    for row in xlsx_rows(level_map):
        sheet.append(row)
    return xlsx_download(level_map.filename("xlsx"), book)


# -- what a map shows by default -------------------------------------------------------------


@dataclass
class MapChoice:
    """The rule set, series and day a map of ``area``'s children shows, and the options."""

    area: Area
    record: RuleSetRecord | None = None
    series: Series | None = None
    day: dt.date | None = None
    records: list[RuleSetRecord] = field(default_factory=list)
    series_options: list[Series] = field(default_factory=list)
    first: dt.date | None = None  # the days the chosen rule set and series cover
    last: dt.date | None = None
    # No unit under the area has levels the user may read, the area itself has: the map
    # shows the area's own level (a ward official's ward).
    own: bool = False

    @property
    def ready(self) -> bool:
        return self.record is not None and self.series is not None and self.day is not None

    def query(self, **changes) -> dict[str, str]:
        """The query parameters that show this choice (``changes`` override them)."""
        values = {
            "area": self.area.code,
            "date": self.day.strftime("%d/%m/%Y") if self.day else "",
            "rules": self.record.code if self.record else "",
            "series": self.series.code if self.series else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}


def _units(computed, area: Area, own: bool):
    """The computed levels a map of ``area`` reads: its children's, or its own."""
    return computed.filter(area=area) if own else computed.filter(area__parent=area)


def _ranges(
    computed, area: Area, own: bool = False
) -> dict[tuple[int, int], tuple[dt.date, dt.date]]:
    """(rule set id, series id) -> first and last day computed for ``area``'s children."""
    ranges: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}
    rows = (
        _units(computed, area, own)
        .order_by()
        .values_list("ruleset_id", "series_id", "start", "days")
    )
    for ruleset_id, series_id, start, days in rows:
        end = start + dt.timedelta(days=days - 1)
        first, last = ranges.get((ruleset_id, series_id), (start, end))
        ranges[(ruleset_id, series_id)] = (min(first, start), max(last, end))
    return ranges


def _counts(computed, area: Area, record: RuleSetRecord, own: bool = False) -> dict[int, int]:
    """Series id -> how many of ``area``'s children have levels under ``record``."""
    rows = (
        _units(computed, area, own)
        .filter(ruleset=record)
        .order_by()
        .values("series_id")
        .annotate(n=Count("id"))
    )
    return {row["series_id"]: row["n"] for row in rows}


def default_day(first: dt.date, last: dt.date, today: dt.date, *, demo: bool) -> dt.date:
    """The demo's day if it is covered; else today, but not past the last reported fact."""
    from vungxanh.surveillance.indicators import TAIL_DAYS

    if demo and first <= settings.VX_DEMO_DAY <= last:
        return settings.VX_DEMO_DAY
    last_fact = max(first, last - dt.timedelta(days=TAIL_DAYS))
    return min(max(today, first), last_fact)


def choose(
    area: Area,
    computed,
    *,
    rules: str = "",
    series: str = "",
    day: dt.date | None = None,
    today: dt.date,
    demo: bool = False,
    own_levels: bool = True,
) -> MapChoice:
    """Pick what a map of ``area``'s children shows from what is computed (``computed``).

    Default rule set: the first computable rule set in force on the day; default series:
    the one of highest priority; default day: see ``default_day``, moved into the rule
    set's effective dates when it falls outside them. When nothing is computed under
    ``area`` (and ``own_levels``), the choice is about ``area``'s own level (``own``).
    """
    choice = MapChoice(area)
    ranges = _ranges(computed, area)
    current = {r.pk: r for r in services.computable_rulesets()}
    if not any(r in current for r, _s in ranges) and own_levels:
        # Nothing computed under the area (a ward): its own level is the answer.
        choice.own = True
        ranges = _ranges(computed, area, own=True)
    choice.records = sorted({current[r] for r, _s in ranges if r in current}, key=lambda r: r.code)
    if not choice.records:
        choice.day = day
        return choice
    if day is None:
        everything = [span for (r, _s), span in ranges.items() if r in current]
        first, last = min(s[0] for s in everything), max(s[1] for s in everything)
        probe = default_day(first, last, today, demo=demo)
    else:
        probe = day
    in_force = [r for r in choice.records if services.ruleset_of(r).applies_on(probe)]
    named = [r for r in choice.records if r.code == rules]
    choice.record = (named or in_force or choice.records)[0]
    counts = _counts(computed, area, choice.record, own=choice.own)
    # The series covering most of the units first (a city's own series before the national
    # one on a city's map, the national one on the nation's), then by priority.
    choice.series_options = sorted(
        Series.objects.filter(pk__in=counts), key=lambda s: (-counts[s.pk], s.priority, s.code)
    )
    choice.series = next(
        (s for s in choice.series_options if s.code == series), choice.series_options[0]
    )
    choice.first, choice.last = ranges[(choice.record.pk, choice.series.pk)]
    if day is not None:
        choice.day = day
        return choice
    day = default_day(choice.first, choice.last, today, demo=demo)
    ruleset = services.ruleset_of(choice.record)
    if ruleset.effective_from and day < ruleset.effective_from <= choice.last:
        day = ruleset.effective_from
    elif ruleset.effective_to and day > ruleset.effective_to >= choice.first:
        day = ruleset.effective_to
    choice.day = day
    return choice


def records_for_select(choice: MapChoice) -> list[tuple[RuleSetRecord, bool]]:
    """The rule sets to offer, those in force on the day first: (record, in force)."""
    if choice.day is None:
        return [(r, False) for r in choice.records]
    marked = [(r, services.ruleset_of(r).applies_on(choice.day)) for r in choice.records]
    return sorted(marked, key=lambda pair: not pair[1])


# -- why one area has its level ----------------------------------------------------------


@dataclass
class Criterion(Bilingual):
    """The rule, matrix cell or band that decided, and whether the legal text was verified."""

    name: str
    verified: bool
    note: str = ""
    name_vi: str = ""
    note_vi: str = ""

    @property
    def shown_name(self) -> str:
        return self.name_for(language())

    @property
    def shown_note(self) -> str:
        return self.note_for(language())


@dataclass
class AreaExplanation:
    """Everything the explanation panel and the API say about one area on one day."""

    area: Area
    record: RuleSetRecord
    series: Series
    day: dt.date
    level: Level | None  # in force
    computed: Level | None
    sentence_vi: str = ""
    sentence_en: str = ""
    values: list[tuple[Input, float | None]] = field(default_factory=list)
    criterion: Criterion | None = None
    adjustments: list[Criterion] = field(default_factory=list)
    changed_on: dt.date | None = None
    published: object | None = None  # the latest Assessment published on or before the day
    official: OfficialDecision | None = None

    @property
    def ruleset(self) -> RuleSet:
        return services.ruleset_of(self.record)

    @property
    def sentence(self) -> str:
        return self.sentence_en if language() == "en" else self.sentence_vi

    @property
    def differs(self) -> bool:
        return self.level is not None and self.computed is not None and self.level != self.computed

    def title(self) -> str:
        return title_of(self.record)

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def computed_label(self) -> str:
        return level_label(self.computed) if self.computed else "—"

    def published_levels(self) -> tuple[str, str]:
        """The computed and the decided level of the published assessment, as labels."""
        if self.published is None:
            return "", ""
        ruleset = self.ruleset

        def label(key: str) -> str:
            return level_label(next((lv for lv in ruleset.levels if lv.key == key), None))

        return label(self.published.computed_key), label(self.published.decided_key)

    def formatted(self) -> list[tuple[str, str, str]]:
        """(input name, label, value as shown) of every input the rule set reads."""
        return [(spec.name, input_label(spec), format_value(spec, v)) for spec, v in self.values]


def criterion_of(ruleset: RuleSet, scale: str, decided_by: str) -> Criterion:
    """Return the cell or rule named by ``Explanation.decided_by`` with its verified flag."""
    matrix = ruleset.matrix
    if decided_by.startswith("matrix[") and matrix is not None:
        row, col = (int(n) - 1 for n in decided_by[7:-1].split("]["))
        note_vi = matrix.notes_vi[row][col] if matrix.notes_vi else ""
        return Criterion(decided_by, matrix.verified[row][col], matrix.notes[row][col], "", note_vi)
    if decided_by.startswith("band ") and decided_by[5:] in ruleset.bands:
        band = ruleset.bands[decided_by[5:]]
        return Criterion(decided_by, band.verified, band.note, "", band.note_vi)
    scale_rule = ruleset.scale_rules.get(scale)
    rules = (scale_rule.rules if scale_rule else ()) + ruleset.rules
    rule = next((r for r in rules if r.name == decided_by), None)
    if rule is not None:
        return Criterion(rule.name, rule.verified, rule.note, rule.name_vi, rule.note_vi)
    return Criterion(decided_by, True)


def explain_area(
    record: RuleSetRecord,
    series: Series,
    stored: AssessmentSeries,
    day: dt.date,
    *,
    published=None,
    officials=None,
) -> AreaExplanation:
    """Explain ``stored.area``'s level on ``day``; ``published`` and ``officials`` are the
    caller's scoped querysets of Assessments and OfficialDecisions (None: left out)."""
    ruleset = services.ruleset_of(record)
    area = stored.area
    row = _row(ruleset, area, stored, day)
    found = AreaExplanation(area, record, series, day, row.level, row.computed)
    found.changed_on = row.changed_on
    if stored.offset(day) is not None:
        explanation, values = services.explain_day(record, stored, day)
        found.sentence_vi, found.sentence_en = explanation.sentence_vi, explanation.sentence_en
        found.values = [(spec, _number(values.get(spec.name))) for spec in shown_inputs(ruleset)]
        found.criterion = criterion_of(ruleset, str(area.kind), explanation.decided_by)
        found.adjustments = [
            Criterion(a.name, a.verified, a.note, a.name_vi, a.note_vi)
            for a in ruleset.adjustments
            if a.name in explanation.adjustments
        ]
    if published is not None:
        found.published = (
            published.filter(area=area, ruleset=record, series=series, date__lte=day)
            .order_by("-date")
            .first()
        )
    if officials is not None:
        found.official = (
            officials.filter(area=area, effective_on__lte=day)
            .order_by("-effective_on", "-announced_on", "-id")
            .first()
        )
    return found


def _number(values) -> float | None:
    if values is None:
        return None
    value = float(values[0])
    return None if math.isnan(value) else value
