import datetime as dt

from ninja import Schema

from vungxanh.lib.apischema import Text


class MembershipOut(Schema):
    area_code: str
    area_name: str
    role: str
    role_label: str


class MeOut(Schema):
    username: str
    full_name: str
    is_superuser: bool
    memberships: list[MembershipOut]


class TokenIn(Schema):
    name: Text(100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str
