import datetime as dt
from typing import Any

from ninja import Field, Schema


class AuditEntryOut(Schema):
    id: int
    time: dt.datetime
    actor_name: str
    source: str
    request_id: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    area_code: str | None = Field(None, alias="area.code")
    before: Any
    after: Any
    reason: str
    legal_basis: str

    @staticmethod
    def resolve_area_code(obj) -> str | None:
        return obj.area.code if obj.area_id else None


class AuditFilter(Schema):
    actor: str | None = Field(None, description="Username")
    action: str | None = None
    object_type: str | None = Field(None, description="e.g. areas.area")
    area: str | None = Field(None, description="Area code: entries in its subtree")
    source: str | None = Field(None, description="web, api, cli:…, system")
    since: dt.date | None = None
    until: dt.date | None = None
