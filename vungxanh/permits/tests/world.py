"""Shared pieces of the permit tests: establishments, their representatives, reviewers."""

from __future__ import annotations

import datetime as dt

from vungxanh.accounts.roles import Role
from vungxanh.economy import services as economy
from vungxanh.economy.tests.world import values
from vungxanh.permits import services
from vungxanh.testing import BaseTestCase, make_user

GOOD_ANSWERS = {"score": 20, "maximum": 100}  # 20 %: low risk, may operate
FIRST_DAY = dt.date(2021, 10, 1)


def establishment(tc, n: int, ward, representative=None, **changes):
    return economy.create_establishment(
        actor=tc.admin, ward=ward, representative=representative, **values(n, **changes)
    )


def plan(actor, est, answers=None, scheme="vn-2194-2020"):
    return services.create_plan(
        actor,
        est,
        production_model="on_site",
        workers_on_site=12,
        scheme=scheme,
        answers=answers or GOOD_ANSWERS,
        test_every_days=7,
        responsible_person="Nguyễn Văn A",
    )


def apply(actor, est, plan_=None, kind="reopen", **changes):
    return services.submit_application(
        actor,
        est,
        plan=plan_ or plan(actor, est),
        kind=kind,
        first_day=changes.pop("first_day", FIRST_DAY),
        description=changes.pop("description", "Mở lại cửa hàng"),
        **changes,
    )


class PermitTestCase(BaseTestCase):
    """An Hòa: a grocery (trade, G) and a builder (F, public works); Cái Khế: a grocery."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.business = make_user("business_anhoa", Role.BUSINESS, cls.anhoa)
        cls.other_business = make_user("business_other", Role.BUSINESS, cls.anhoa)
        cls.caikhe_business = make_user("business_caikhe", Role.BUSINESS, cls.caikhe)
        cls.trade = make_user("dept_trade", Role.DEPT_INDUSTRY_TRADE, cls.cantho)
        cls.trade_ninhkieu = make_user("dept_trade_nk", Role.DEPT_INDUSTRY_TRADE, cls.ninhkieu)
        cls.trade_cairang = make_user("dept_trade_cr", Role.DEPT_INDUSTRY_TRADE, cls.cairang)
        cls.construction = make_user("dept_construction", Role.DEPT_CONSTRUCTION, cls.cantho)
        cls.grocery = establishment(cls, 1, cls.anhoa, cls.business, name="Tạp hóa <An Hòa>")
        cls.builder = establishment(
            cls,
            2,
            cls.anhoa,
            cls.business,
            name="Xây dựng An Hòa",
            vsic_code="41010",
            essential_goods=False,
            goods="",
            public_investment=True,
            investor="UBND quận Ninh Kiều",
        )
        cls.clinic = establishment(
            cls,
            3,
            cls.anhoa,
            cls.other_business,
            name="Phòng khám An Hòa",
            vsic_code="86101",
            essential_goods=False,
            goods="",
        )
        cls.caikhe_shop = establishment(
            cls, 4, cls.caikhe, cls.caikhe_business, name="Cái Khế shop"
        )
