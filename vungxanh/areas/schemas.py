import datetime as dt

from ninja import Field, Schema

from vungxanh.areas.models import AreaKind, SubunitType
from vungxanh.lib.apischema import LONG_TEXT, Choice, ErrorOut, Text

Code = Text(40)  # Area.code


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    unit_type: str
    parent_code: str | None = Field(None, alias="parent.code")
    population: int | None
    population_basis: str
    has_boundary: bool
    boundary_approximate: bool
    valid_from: dt.date | None
    valid_to: dt.date | None

    @staticmethod
    def resolve_has_boundary(obj) -> bool:
        return bool(obj.boundary)

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class AreaFilter(Schema):
    parent: Code | None = Field(None, description="Code of the parent unit")
    kind: Choice(AreaKind) | None = Field(None, description="The level of the units")
    valid_on: dt.date | None = Field(None, description="Units that existed on this date")
    q: Text(150) | None = Field(None, description="Name contains (accents and case ignored)")


class SubunitIn(Schema):
    name: Text(150)
    unit_type: Choice(SubunitType)
    code: Code = ""
    population: int | None = Field(None, ge=0, le=2_147_483_647)
    reason: Text(LONG_TEXT) = ""


class ProblemOut(Schema):
    feature: int | None
    field: str
    code: str
    message: str


class BoundaryUploadOut(Schema):
    stored: int
    matched: list[str]
    problems: list[ProblemOut]


# A refused upload: its report, or a request that never got that far (ErrorOut).
BoundaryRefusedOut = BoundaryUploadOut | ErrorOut
