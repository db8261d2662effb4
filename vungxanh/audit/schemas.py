import datetime as dt
from typing import Any

from ninja import Field, Schema

from vungxanh.lib.apischema import Text


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
    actor: Text(150) | None = Field(None, description="Username")
    action: Text(32) | None = None
    object_type: Text(100) | None = Field(None, description="e.g. areas.area")
    area: Text(40) | None = Field(None, description="Area code: entries in its subtree")
    source: Text(64) | None = Field(None, description="web, api, cli:…, system")
    since: dt.date | None = None
    until: dt.date | None = None
