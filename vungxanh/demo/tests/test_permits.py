"""The demo's permit applications: every state, public works and essential goods first."""

from __future__ import annotations

import io

from vungxanh.accounts.roles import Role
from vungxanh.demo import economy as demo_economy
from vungxanh.demo import permits as demo
from vungxanh.permits.models import PermitApplication, State
from vungxanh.testing import BaseTestCase, make_user


class DemoPermitsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.quantri = make_user("quantri", Role.ADMIN, cls.nation)
        cls.business = make_user("doanhnghiep.demo", Role.BUSINESS, cls.ninhkieu)
        cls.trade = make_user("sct.cantho", Role.DEPT_INDUSTRY_TRADE, cls.cantho)
        cls.construction = make_user("sxd.cantho", Role.DEPT_CONSTRUCTION, cls.cantho)
        demo_economy.load_demo_establishments(io.StringIO(), total=400)

    def test_every_state_is_there_once_and_a_second_run_adds_nothing(self):
        written = demo.load_demo_permits(io.StringIO())
        # This small world's 400 establishments lack one of the trades the demo tells of.
        self.assertGreaterEqual(
            written, len(demo.TRADE_STORIES) + len(demo.CONSTRUCTION_STORIES) - 1
        )
        states = set(PermitApplication.objects.values_list("state", flat=True))
        self.assertEqual(states, set(State.values))
        self.assertEqual(demo.load_demo_permits(io.StringIO()), 0)
        self.assertEqual(PermitApplication.objects.count(), written)

    def test_essential_goods_come_first_in_the_trade_departments_queue(self):
        demo.load_demo_permits(io.StringIO())
        waiting = list(PermitApplication.objects.for_user(self.trade).queue_order())
        trade_kinds = {story.kind for story in demo.TRADE_STORIES}
        self.assertEqual(
            len(waiting), PermitApplication.objects.filter(kind__in=trade_kinds).count()
        )
        flags = [a.establishment.essential_goods for a in waiting]
        self.assertEqual(flags, sorted(flags, reverse=True))  # every essential one before
        self.assertIn(True, flags)
        self.assertIn(False, flags)

    def test_the_construction_department_reviews_the_public_works(self):
        demo.load_demo_permits(io.StringIO())
        works = list(PermitApplication.objects.for_user(self.construction))
        self.assertEqual(len(works), len(demo.CONSTRUCTION_STORIES))
        self.assertTrue(all(a.establishment.public_investment for a in works))
