import datetime as dt
from typing import Any

from ninja import Field, Schema

from vungxanh.lib.apischema import LONG_TEXT, Text

AreaCode = Text(40)  # Area.code
RulesCode = Text(60)  # RuleSetRecord.code
DayText = Text(40)  # a date as text (dd/mm/yyyy or yyyy-mm-dd)


class LevelOut(Schema):
    key: str
    rank: int
    label: str
    label_vi: str
    label_en: str
    colour: str
    state: str


class InputOut(Schema):
    name: str
    label_vi: str
    label_en: str
    kind: str
    unit_vi: str
    unit_en: str
    direction: str


class RuleSetOut(Schema):
    code: str = Field(description="The rule set's id, e.g. vn-4800-2021")
    version: str
    checksum: str
    title: str
    title_vi: str
    source_document: str
    source_date: dt.date | None
    source_url: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    unverified_cells: int
    computable: bool = Field(description="Every input comes from the stored indicators")


class RuleSetDetailOut(RuleSetOut):
    notes: str
    parent: str
    levels: list[LevelOut]
    inputs: list[InputOut]
    unverified: list[str] = Field(description="Every cell not verified in the legal text")


class FreshnessOut(Schema):
    data_until: dt.datetime | None = Field(
        None, description="The last change of the facts counted here (import, edit, undo…)"
    )
    last_day: dt.date | None = Field(None, description="The last day the stored figures count")
    levels_computed_at: dt.datetime | None = Field(
        None, description="When these levels were last computed"
    )
    recompute_pending: bool = Field(
        False, description="A change waits for the loop: the levels may be behind the data"
    )


class OutlookOut(Schema):
    day: dt.date
    warning: bool = Field(description="Likely to move to a higher level in the next 7 days")
    probability: float | None = Field(
        description="Probability that the weekly case rate reaches the next level within 7 days"
    )
    next_level: str | None
    threshold_per_100k_week: float | None
    threshold_cases_week: float | None
    projected_cases: list[float] = Field(description="Expected new cases, the next 14 days")
    projected_low: list[float]
    projected_high: list[float]


class AppliedComputedOut(Schema):
    rules: str
    level: str | None
    label: str


class AppliedOtherOut(AppliedComputedOut):
    title: str
    in_force: bool = Field(description="Whether that rule set was in force on the date")


class AppliedOut(Schema):
    """The level that applies (risk.applies): the decision in force, else the computed level
    of the rule set in force, with its source; other rule sets' results as ``secondary``."""

    date: dt.date
    label: str
    colour: str
    level: str | None = Field(description="The level's key (None for an official status)")
    rank: int | None
    source_kind: str = Field(description="official, published or computed")
    source_text: str
    source_url: str
    rules: str | None = Field(description="The rule set in force on the date")
    computed: AppliedComputedOut | None
    secondary: list[AppliedOtherOut]


class AreaLevelOut(Schema):
    code: str
    name: str
    level: str | None = Field(description="Key of the level in force; null: no data")
    rank: int | None
    label: str
    colour: str
    computed: str | None = Field(description="Key of the level the rules give that day")
    since: dt.date | None = Field(description="The level in force since")
    official: str | None = Field(description="Official decision in force, if any")
    inputs: dict[str, float | None]
    warning: bool = Field(
        False, description="Likely to move to a higher level in the next 7 days (projection)"
    )
    applies: AppliedOut | None = Field(
        None, description="The level that applies on the date and where it comes from"
    )


class LevelsOut(FreshnessOut):
    area: str
    date: dt.date
    rules: str
    version: str
    series: str
    in_force: bool = Field(description="Whether the rule set was in force on the date")
    levels: list[AreaLevelOut]


class CriterionOut(Schema):
    name: str
    verified: bool
    note: str


class PublishedOut(Schema):
    id: int
    date: dt.date
    computed: str
    decided: str
    reason: str


class OfficialOut(Schema):
    announced_on: dt.date
    effective_on: dt.date
    label: str
    rank: int | None
    source_url: str


class ExplanationOut(FreshnessOut):
    area: str
    name: str
    date: dt.date
    rules: str
    version: str
    legal_source: str
    series: str
    level: str | None
    level_label: str
    computed: str | None
    in_force_since: dt.date | None
    sentence_vi: str
    sentence_en: str
    inputs: dict[str, float | None]
    criterion: CriterionOut | None
    adjustments: list[CriterionOut]
    published: PublishedOut | None
    official: OfficialOut | None
    outlook: OutlookOut | None = Field(
        None, description="The 14-day projection of cases and its warning"
    )
    applies: AppliedOut | None = Field(
        None, description="The level that applies on the date and where it comes from"
    )


class AssessmentOut(Schema):
    id: int
    area: str = Field(alias="area.code")
    area_name: str = Field(alias="area.name")
    rules: str = Field(alias="ruleset.code")
    version: str = Field(alias="ruleset.version")
    series: str = Field(alias="series.code")
    date: dt.date
    computed_key: str
    computed_rank: int
    decided_key: str
    decided_rank: int
    overridden: bool
    criterion: str
    adjustments: list[str]
    inputs: dict[str, Any]
    explanation_vi: str
    explanation_en: str
    override_reason: str
    legal_basis: str
    published_at: dt.datetime


class AssessmentFilter(Schema):
    area: AreaCode | None = Field(None, description="Area code: assessments in its subtree")
    date: DayText | None = Field(None, description="dd/mm/yyyy or yyyy-mm-dd")
    rules: RulesCode | None = Field(None, description="Rule set id")


class LevelChangeOut(Schema):
    id: int
    area: str = Field(alias="area.code")
    area_name: str = Field(alias="area.name")
    rules: str = Field(alias="ruleset.code")
    from_key: str
    to_key: str
    from_rank: int | None
    to_rank: int
    announced_on: dt.date
    effective_on: dt.date
    reason: str


class DecideIn(Schema):
    level: Text(30) = Field(description="Key of the decided level")
    reason: Text(LONG_TEXT) = Field(description="Why it differs from the computed level (required)")
    legal_basis: Text(200) = ""
