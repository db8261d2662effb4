"""The helpers of the one permission module (accounts/scoping.py), built on for_user and can."""

from __future__ import annotations

from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import area_lookup, default_area, eligible_officials, root_areas
from vungxanh.testing import BaseTestCase, make_user


class ScopingHelpersTestCase(BaseTestCase):
    def test_root_areas_are_where_each_users_reach_begins(self):
        self.assertEqual(root_areas(self.admin), [self.nation])
        self.assertEqual(root_areas(self.district_steering), [self.ninhkieu])
        self.assertEqual(root_areas(self.anhoa_official), [self.anhoa])
        self.assertEqual(root_areas(self.outsider), [])
        both = make_user("both", Role.WARD_OFFICIAL, self.anhoa)
        both.memberships.create(role=Role.VIEWER, area=self.ninhkieu)
        self.assertEqual(root_areas(both), [self.ninhkieu])  # An Hòa lies under it

    def test_the_default_area_is_the_highest_one_whose_cases_the_user_may_read(self):
        self.assertEqual(default_area(self.health_officer), self.ninhkieu)
        self.assertEqual(default_area(self.anhoa_official), self.anhoa)
        self.assertIsNone(default_area(self.outsider))

    def test_the_area_lookup_holds_the_areas_an_actor_may_add_to(self):
        lookup, areas = area_lookup(self.anhoa_official, "surveillance.dailycount")
        self.assertEqual(set(areas), {self.anhoa.pk})
        self.assertIsNotNone(lookup)
        _lookup, everywhere = area_lookup(None, "surveillance.dailycount")
        self.assertIn(self.hungphu.pk, everywhere)  # a trusted loader may use every area
        _lookup, none = area_lookup(self.outsider, "surveillance.dailycount")
        self.assertEqual(none, {})

    def test_officials_eligible_for_a_duty_hold_a_role_over_the_area(self):
        names = set(eligible_officials(self.anhoa).values_list("username", flat=True))
        self.assertIn("anhoa_official", names)
        self.assertIn("district_steering", names)  # over Ninh Kiều, so over An Hòa
        self.assertNotIn("caikhe_official", names)
        self.assertNotIn("outsider", names)
        self.anhoa_official.is_active = False
        self.anhoa_official.save()
        self.assertNotIn(
            "anhoa_official", set(eligible_officials(self.anhoa).values_list("username", flat=True))
        )
