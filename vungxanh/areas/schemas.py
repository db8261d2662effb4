import datetime as dt

from ninja import Field, Schema


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
    parent: str | None = Field(None, description="Code of the parent unit")
    kind: str | None = Field(None, description="nation, province, district, commune or subunit")
    valid_on: dt.date | None = Field(None, description="Units that existed on this date")
    q: str | None = Field(None, description="Name contains (accents and case ignored)")


class SubunitIn(Schema):
    name: str
    unit_type: str
    code: str = ""
    population: int | None = None
    reason: str = ""


class ProblemOut(Schema):
    feature: int | None
    field: str
    code: str
    message: str


class BoundaryUploadOut(Schema):
    stored: int
    matched: list[str]
    problems: list[ProblemOut]
