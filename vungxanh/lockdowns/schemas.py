import datetime as dt
import json
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ValidationInfo, field_validator

from vungxanh.lib.apischema import LONG_TEXT, Choice, Text
from vungxanh.lib.bounds import Count, DataDate, PlanDate, check_lead
from vungxanh.lockdowns.models import Scope, Status, TestingRound, ZoneCase

AreaCode = Text(40)  # Area.code
CaseCode = Text(40)  # CaseRecord.case_code
Decision = Text(200)  # LockdownZone.decision_number
Url = Text(500)  # LockdownZone.source_url
# LockdownZone.version, a PositiveIntegerField: a counter with no domain bound but its column's.
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]


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
    expected: bool = Field(
        description="The date rests on rounds not yet taken or results not yet known."
    )
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
    area: AreaCode = Field(..., description="Code of the commune (ward) the zone lies in")
    name: Text(200)
    scope_type: Choice(Scope) = Field(..., description="What the zone closes")
    code: Text(80) = ""
    scope_description: Text(LONG_TEXT) = ""
    geometry: dict | None = Field(None, description="GeoJSON Polygon or MultiPolygon (WGS84)")
    households: Count | None = None
    residents: Count | None = None
    reason: Text(LONG_TEXT) = ""
    decision_number: Decision = ""
    decided_on: DataDate | None = None
    start_date: PlanDate | None = None
    planned_end: PlanDate | None = None
    rule: Text(60) = "vn-lockdown-14d"
    source_url: Url = ""
    notes: Text(LONG_TEXT) = ""
    index_cases: list[CaseCode] = Field([], max_length=100)

    @field_validator("start_date")
    @classmethod
    def _decided_on_or_shortly_before(cls, start, info: ValidationInfo):
        check_lead(info.data.get("decided_on"), start)
        return start


class ZonePatch(Schema):
    version: Version = Field(..., description="The version the change was made from")
    name: Text(200) | None = None
    scope_type: Choice(Scope) | None = None
    scope_description: Text(LONG_TEXT) | None = None
    geometry: dict | None = None
    households: Count | None = None
    residents: Count | None = None
    reason: Text(LONG_TEXT) | None = None
    decision_number: Decision | None = None
    decided_on: DataDate | None = None
    start_date: PlanDate | None = None
    planned_end: PlanDate | None = None
    source_url: Url | None = None
    notes: Text(LONG_TEXT) | None = None

    @field_validator("start_date")
    @classmethod
    def _decided_on_or_shortly_before(cls, start, info: ValidationInfo):
        check_lead(info.data.get("decided_on"), start)
        return start


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
    to: Literal[Status.ACTIVE.value, Status.PARTLY_LIFTED.value, Status.LIFTED.value]
    decision_number: Decision
    effective_on: PlanDate
    decided_on: DataDate | None = None
    reason: Text(LONG_TEXT) = ""
    override_reason: Text(LONG_TEXT) = ""
    version: Version | None = None


class CaseLinkIn(Schema):
    case_code: CaseCode
    relation: Choice(ZoneCase.Relation)
    isolated_on: DataDate | None = None
    note: Text(300) = ""


class ZoneCaseOut(Schema):
    zone: int = Field(..., alias="zone_id")
    case_code: str
    relation: str
    isolated_on: dt.date
    note: str


class RoundIn(Schema):
    day: PlanDate
    whole_zone: bool = True
    method: Choice(TestingRound.Method) = "pcr"
    note: Text(LONG_TEXT) = ""


class RoundResultIn(Schema):
    status: Literal[TestingRound.RoundState.SAMPLED.value, TestingRound.RoundState.DONE.value] = (
        Field("done", description="sampled (results pending) or done")
    )
    samples: Count | None = None
    positives: Count = 0
    positive_cases: list[CaseCode] = Field([], max_length=1000)


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
