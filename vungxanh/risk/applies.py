"""The level that applies to an area on a day: one answer, with where it comes from.

Every page and the API show this first (the map's table, an area's page, the freshness line
of the surveillance overview, ``/api/v1/risk/areas/{code}/explain``):

1. the **decided** level, if there is one in force that day: the latest official decision
   (``OfficialDecision``, e.g. "Chỉ thị 16") or the level the steering committee published
   (``Assessment.decided_key`` under the rule set in force), whichever took effect last (an
   official decision wins a tie: it is the authority's own word);
2. else the **computed** level (after timing rules) of the first computable rule set in
   force that day.

The other rule sets' levels that day are kept as ``secondary``: shown after, labelled as
another rule set's result, never as the level that applies. ``decide`` is pure (it gets the
facts); ``level_in_force`` reads them from the caller's scoped querysets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from vungxanh.areas.models import Area
from vungxanh.domain.rules import Level, RuleSet
from vungxanh.risk import services
from vungxanh.risk.models import Assessment, OfficialDecision, RuleSetRecord
from vungxanh.surveillance.models import Series

OFFICIAL = "official"
PUBLISHED = "published"
COMPUTED = "computed"
# The colour of a decided status that is not a level (no comparable rank).
DECIDED_COLOUR = "#546e7a"


def _label(level: Level | None) -> str:
    from vungxanh.risk.map_model import level_label

    return level_label(level)


def _title(record: RuleSetRecord) -> str:
    from vungxanh.risk.map_model import title_of

    return title_of(record)


@dataclass
class Computed:
    """One rule set's level for the area that day (in force after timing rules)."""

    record: RuleSetRecord
    level: Level | None
    in_force: bool  # whether the rule set itself was in force that day

    @property
    def ruleset(self) -> RuleSet:
        return services.ruleset_of(self.record)

    @property
    def label(self) -> str:
        return _label(self.level)

    @property
    def colour(self) -> str:
        from vungxanh.risk.map_model import NO_DATA_COLOUR

        return self.level.colour if self.level else NO_DATA_COLOUR

    @property
    def title(self) -> str:
        return _title(self.record)


@dataclass
class AppliedLevel:
    """The level that applies, its colour and its source; other results as ``secondary``."""

    day: dt.date
    label: str
    colour: str
    key: str | None
    rank: int | None
    source_kind: str  # OFFICIAL, PUBLISHED or COMPUTED
    record: RuleSetRecord | None = None  # the rule set in force that day (None: none computed)
    official: OfficialDecision | None = None
    published: Assessment | None = None
    computed: Computed | None = None  # the rule set in force's own result
    secondary: list[Computed] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.source_kind in (OFFICIAL, PUBLISHED)

    @property
    def source_text(self) -> str:
        """Where the level comes from, in the page's language."""
        if self.source_kind == OFFICIAL:
            return _("Official decision “%(label)s”, in force from %(day)s") % {
                "label": self.official.label,
                "day": self.official.effective_on.strftime("%d/%m/%Y"),
            }
        if self.source_kind == PUBLISHED:
            return _("Decided by the steering committee on %(day)s (rule set “%(rules)s”)") % {
                "day": self.published.date.strftime("%d/%m/%Y"),
                "rules": _title(self.published.ruleset),
            }
        return _("Computed by the rule set “%(rules)s”") % {"rules": _title(self.record)}

    @property
    def source_url(self) -> str:
        return self.official.source_url if self.source_kind == OFFICIAL else ""

    def as_dict(self) -> dict:
        """The API's ``applies`` object."""
        return {
            "date": self.day,
            "label": self.label,
            "colour": self.colour,
            "level": self.key,
            "rank": self.rank,
            "source_kind": self.source_kind,
            "source_text": self.source_text,
            "source_url": self.source_url,
            "rules": self.record.code if self.record else None,
            "computed": {
                "rules": self.computed.record.code,
                "level": self.computed.level.key if self.computed.level else None,
                "label": self.computed.label,
            }
            if self.computed
            else None,
            "secondary": [
                {
                    "rules": c.record.code,
                    "title": c.title,
                    "level": c.level.key if c.level else None,
                    "label": c.label,
                    "in_force": c.in_force,
                }
                for c in self.secondary
            ],
        }


def _colour_of_rank(computed: Computed | None, rank: int | None) -> str:
    """The colour the rule set in force gives ``rank`` (its top level's above its top)."""
    if computed is None or rank is None:
        return DECIDED_COLOUR
    ranked = computed.ruleset.ranked_levels()
    if not ranked:
        return DECIDED_COLOUR
    fitting = [lv for lv in ranked if lv.rank <= rank] or ranked[:1]
    return max(fitting, key=lambda lv: lv.rank).colour


def decide(
    day: dt.date,
    results: list[Computed],
    *,
    official: OfficialDecision | None = None,
    published: Assessment | None = None,
) -> AppliedLevel | None:
    """The level that applies on ``day`` from the facts (pure).

    ``results``: each computable rule set's level that day, those in force first;
    ``official``: the latest official decision in force; ``published``: the latest
    published assessment under the rule set in force. None: nothing to say.
    """
    primary = next((c for c in results if c.in_force), None)
    secondary = [c for c in results if c is not primary]
    if official is not None and published is not None:
        if published.date > official.effective_on:
            official = None
        else:
            published = None
    if official is not None:
        return AppliedLevel(
            day,
            official.label,
            _colour_of_rank(primary, official.rank),
            None,
            official.rank,
            OFFICIAL,
            record=primary.record if primary else None,
            official=official,
            computed=primary,
            secondary=secondary,
        )
    if published is not None and primary is not None:
        level = next((lv for lv in primary.ruleset.levels if lv.key == published.decided_key), None)
        return AppliedLevel(
            day,
            _label(level) if level else published.decided_key,
            level.colour if level else DECIDED_COLOUR,
            published.decided_key,
            published.decided_rank,
            PUBLISHED,
            record=primary.record,
            published=published,
            computed=primary,
            secondary=secondary,
        )
    if primary is None or primary.level is None:
        return None
    return AppliedLevel(
        day,
        primary.label,
        primary.colour,
        primary.level.key,
        primary.level.rank,
        COMPUTED,
        record=primary.record,
        computed=primary,
        secondary=secondary,
    )


def level_in_force(
    area: Area,
    day: dt.date | None,
    series: Series | None,
    computed,
    officials=None,
    published=None,
) -> AppliedLevel | None:
    """The level that applies to ``area`` on ``day``; ``computed`` (AssessmentSeries),
    ``officials`` (OfficialDecision) and ``published`` (Assessment) are the caller's scoped
    querysets (None: left out)."""
    if day is None:
        return None
    results: list[Computed] = []
    if series is not None:
        rows = {
            r.ruleset_id: r
            for r in computed.filter(area=area, series=series).select_related("ruleset")
        }
        for record in services.computable_rulesets():
            row = rows.get(record.pk)
            if row is None or row.offset(day) is None:
                continue
            ruleset = services.ruleset_of(record)
            index = int(row.level_indexes()[row.offset(day)])
            level = ruleset.levels[index] if index >= 0 else None
            results.append(Computed(record, level, ruleset.applies_on(day)))
    results.sort(key=lambda c: not c.in_force)
    official = None
    if officials is not None:
        official = (
            officials.filter(area=area, effective_on__lte=day)
            .order_by("-effective_on", "-announced_on", "-id")
            .first()
        )
    assessment = None
    primary = next((c for c in results if c.in_force), None)
    if published is not None and primary is not None:
        assessment = (
            published.filter(area=area, ruleset=primary.record, series=series, date__lte=day)
            .select_related("ruleset")
            .order_by("-date")
            .first()
        )
    return decide(day, results, official=official, published=assessment)
