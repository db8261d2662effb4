"""Shared test personas and a small area tree (the healthchecks "alice, bob, charlie" idea).

The tree is real Cần Thơ codes: Việt Nam → Cần Thơ (92) → Ninh Kiều (916) → An Hòa (31120),
Cái Khế (31117); and Cái Răng (919) → Hưng Phú (31189).

- ``admin``: administrator for the whole nation; sees and changes everything.
- ``city_steering``: steering committee of Cần Thơ; sees the city, reads its audit trail.
- ``district_steering``: steering committee of Ninh Kiều; must not see Cái Răng.
- ``anhoa_official``: ward official of An Hòa; must not see Cái Khế or Hưng Phú.
- ``caikhe_official``: ward official of Cái Khế; the "other ward" of isolation tests.
- ``health_officer``: Ninh Kiều's health centre; imports cases, reads personal data.
- ``viewer``: viewer of Ninh Kiều; may read, never change.
- ``outsider``: signed in, with no membership at all; sees nothing.
"""

from __future__ import annotations

from django.test import TestCase

from vungxanh.accounts.models import Membership, User
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain.areas import fold_name, path_for

PASSWORD = "correct horse battery staple 2021"


def make_area(
    code: str,
    name: str,
    kind: str,
    parent: Area | None,
    population: int | None,
    unit_type: str = "",
    boundary: str = "",
) -> Area:
    return Area.objects.create(
        code=code,
        name=name,
        kind=kind,
        unit_type=unit_type,
        parent=parent,
        path=path_for(parent.path if parent else "", code),
        folded_name=fold_name(name),
        population=population,
        population_basis="census",
        boundary=boundary,
    )


def make_user(username: str, role: Role | None = None, area: Area | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role is not None:
        Membership.objects.create(user=user, area=area, role=role)
    return user


def build_world(cls) -> None:
    """Create the area tree and the personas on ``cls`` (call from setUpTestData)."""
    cls.nation = make_area("VN", "Việt Nam", AreaKind.NATION, None, 96_208_984)
    cls.cantho = make_area(
        "92", "Thành phố Cần Thơ", AreaKind.PROVINCE, cls.nation, 1_235_171, "Thành phố Trung ương"
    )
    cls.ninhkieu = make_area(
        "916", "Quận Ninh Kiều", AreaKind.DISTRICT, cls.cantho, 280_494, "Quận"
    )
    cls.anhoa = make_area(
        "31120", "Phường An Hòa", AreaKind.COMMUNE, cls.ninhkieu, 31_268, "Phường"
    )
    cls.caikhe = make_area(
        "31117", "Phường Cái Khế", AreaKind.COMMUNE, cls.ninhkieu, 22_106, "Phường"
    )
    cls.cairang = make_area("919", "Quận Cái Răng", AreaKind.DISTRICT, cls.cantho, 97_000, "Quận")
    cls.hungphu = make_area(
        "31189", "Phường Hưng Phú", AreaKind.COMMUNE, cls.cairang, 20_000, "Phường"
    )
    cls.admin = make_user("admin", Role.ADMIN, cls.nation)
    cls.city_steering = make_user("city_steering", Role.STEERING, cls.cantho)
    cls.district_steering = make_user("district_steering", Role.STEERING, cls.ninhkieu)
    cls.anhoa_official = make_user("anhoa_official", Role.WARD_OFFICIAL, cls.anhoa)
    cls.caikhe_official = make_user("caikhe_official", Role.WARD_OFFICIAL, cls.caikhe)
    cls.health_officer = make_user("health_officer", Role.HEALTH_OFFICER, cls.ninhkieu)
    cls.viewer = make_user("viewer", Role.VIEWER, cls.ninhkieu)
    cls.outsider = make_user("outsider")


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_world(cls)
