"""The reopening test world: the levels world (``risk/tests/test_views.build_levels``) with
establishments in Ninh Kiều and Cái Răng and their statuses computed through the loop.

Cái Khế: a restaurant (VSIC 56101, represented by ``business_caikhe``) and a grocery
(47112). An Hòa: a restaurant. Hưng Phú (Cái Răng): a restaurant. Under vn-4800-2021 Cái Khế
is at Cấp 1–2 in October (restaurants allowed); ``decide_level_4`` has the committee put it
at Cấp 4 from ``CHANGE_DAY``, where restaurants are limited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from vungxanh.accounts.roles import Role
from vungxanh.economy import services as economy
from vungxanh.economy.tests.world import tax_code
from vungxanh.reopening.services import record_establishments_changed
from vungxanh.risk import services as risk
from vungxanh.risk.tests.test_views import LevelsTestCase
from vungxanh.testing import make_user

CHANGE_DAY = dt.date(2021, 10, 25)


def establish(cls, n: int, ward, vsic: str, name: str, representative=None):
    return economy.create_establishment(
        actor=cls.admin, ward=ward, representative=representative, name=name,
        tax_code=tax_code(n), kind="household", vsic_code=vsic, address=f"{n} Lê Lợi",
        workers=3, essential_goods=False, goods="", public_investment=False, investor="",
        phone="", email="",
    )  # fmt: skip


def build_establishments(cls) -> None:
    cls.business = make_user("business_caikhe", Role.BUSINESS, cls.caikhe)
    cls.other_business = make_user("business_anhoa", Role.BUSINESS, cls.anhoa)
    with transaction.atomic():
        cls.restaurant = establish(cls, 1, cls.caikhe, "56101", "Quán cơm Cái Khế", cls.business)
        cls.grocery = establish(cls, 2, cls.caikhe, "47112", "Tạp hóa Cái Khế")
        cls.anhoa_restaurant = establish(
            cls, 3, cls.anhoa, "56101", "Quán An Hòa", cls.other_business
        )
        cls.hungphu_restaurant = establish(cls, 4, cls.hungphu, "56101", "Quán Hưng Phú")
        record_establishments_changed(cls.cantho)


def decide_level_4(cls) -> None:
    """The city's committee publishes 25/10 and decides Cấp 4 for Cái Khế (through the loop)."""
    assessments = risk.publish(cls.r4800, cls.series, CHANGE_DAY, cls.caikhe, actor=cls.admin)
    risk.decide_level(
        assessments[0], actor=cls.admin, level_key="4", reason="Ổ dịch mới ở chợ Cái Khế"
    )


class ReopeningTestCase(LevelsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_establishments(cls)
