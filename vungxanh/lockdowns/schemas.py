import datetime as dt
import json

from ninja import Field, Schema


class ZoneOut(Schema):
    id: int
    code: str
    name: str
    area: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    parent: int | None = Field(None, alias="parent_id")
    risk: int | None
    scope_type: str
    scope_description: str
    households: int | None
    residents: int | None
    decision_number: str
    decided_on: dt.date | None
    start_date: dt.date | None
    planned_end: dt.date | None
    lifted_on: dt.date | None
    status: str
    rule: str = Field(..., alias="rule.code")
    simulated: bool
    source_url: str
    version: int
    has_geometry: bool

    @staticmethod
    def resolve_has_geometry(obj) -> bool:
        return bool(obj.geometry)


class MissingOut(Schema):
    code: str
    sentence: str


class LiftOut(Schema):
    zone: int
    rule: str
    rule_version: str
    as_of: dt.date
    may_be_lifted_from: dt.date
    sentence: str
    met: bool
    eligible: bool
    counting_from: dt.date
    counting_from_case: str
    not_before: dt.date
    earliest: dt.date | None
    projected: dt.date | None
    rounds_counted: list[str]
    missing: list[MissingOut]


class ZoneDetailOut(ZoneOut):
    geometry: dict | None = None
    lift: LiftOut | None = None
    cases_index: list[str] = []
    cases_inside: list[str] = []
    cases_outside: list[str] = []

    @staticmethod
    def resolve_geometry(obj) -> dict | None:
        return json.loads(obj.geometry) if obj.geometry else None


class ZoneIn(Schema):
    area: str = Field(..., description="Code of the commune (ward) the zone lies in")
    name: str
    scope_type: str = Field(
        ...,
        description="household, building, alley, street_segment, residential_group, whole_ward or workplace",
    )
    code: str = ""
    scope_description: str = ""
    geometry: dict | None = Field(None, description="GeoJSON Polygon or MultiPolygon (WGS84)")
    households: int | None = None
    residents: int | None = None
    reason: str = ""
    decision_number: str = ""
    decided_on: dt.date | None = None
    start_date: dt.date | None = None
    planned_end: dt.date | None = None
    rule: str = "vn-lockdown-14d"
    source_url: str = ""
    notes: str = ""
    index_cases: list[str] = []


class ZonePatch(Schema):
    version: int = Field(..., description="The version the change was made from")
    name: str | None = None
    scope_type: str | None = None
    scope_description: str | None = None
    geometry: dict | None = None
    households: int | None = None
    residents: int | None = None
    reason: str | None = None
    decision_number: str | None = None
    decided_on: dt.date | None = None
    start_date: dt.date | None = None
    planned_end: dt.date | None = None
    source_url: str | None = None
    notes: str | None = None


class ChangeOut(Schema):
    field: str
    before: object | None
    after: object | None
    by: str
    at: dt.datetime


class ConflictOut(Schema):
    detail: str
    current_version: int
    their_changes: list[ChangeOut]


class TransitionIn(Schema):
    to: str = Field(..., description="active, partly_lifted or lifted")
    decision_number: str
    effective_on: dt.date
    decided_on: dt.date | None = None
    reason: str = ""
    override_reason: str = ""
    version: int | None = None


class CaseLinkIn(Schema):
    case_code: str
    relation: str = Field(..., description="index, inside or outside")
    isolated_on: dt.date | None = None
    note: str = ""


class ZoneCaseOut(Schema):
    zone: int = Field(..., alias="zone_id")
    case_code: str
    relation: str
    isolated_on: dt.date
    note: str


class RoundIn(Schema):
    day: dt.date
    whole_zone: bool = True
    method: str = "pcr"
    note: str = ""


class RoundResultIn(Schema):
    status: str = Field("done", description="sampled (results pending) or done")
    samples: int | None = None
    positives: int = 0
    positive_cases: list[str] = []


class RoundOut(Schema):
    id: int
    zone: int = Field(..., alias="zone_id")
    number: int
    day: dt.date
    status: str
    whole_zone: bool
    method: str
    samples: int | None
    positives: int


class ShiftOut(Schema):
    id: int
    zone: int = Field(..., alias="post.zone_id")
    zone_name: str = Field(..., alias="post.zone.name")
    post: str = Field(..., alias="post.name")
    starts_at: dt.datetime
    ends_at: dt.datetime
    required_staff: int
    staff: int


class WardShareOut(Schema):
    area: str
    name: str
    new_cases: int
    inside_zones: int
    share: float | None
    under_control: bool


class LiftRuleOut(Schema):
    code: str
    version: str
    checksum: str
    title: str
    title_vi: str
    source_document: str
    source_url: str
    parameters: list[dict]
    partial_order: str
