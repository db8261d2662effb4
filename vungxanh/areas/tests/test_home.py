"""Each person's first screen: where ``/`` takes each role."""

from __future__ import annotations

from django.urls import reverse

from vungxanh.accounts.models import Membership
from vungxanh.accounts.roles import Role
from vungxanh.testing import BaseTestCase, make_user


class HomeTestCase(BaseTestCase):
    def home_of(self, user) -> str:
        if user is not None:
            self.client.force_login(user)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 302)
        return response["Location"]

    def test_a_ward_official_lands_on_their_wards_levels_page(self):
        self.assertEqual(self.home_of(self.anhoa_official), reverse("risk:area", args=["31120"]))
        self.assertEqual(self.home_of(self.caikhe_official), reverse("risk:area", args=["31117"]))

    def test_a_committee_member_lands_on_the_levels_map_of_their_area(self):
        self.assertEqual(self.home_of(self.district_steering), reverse("risk:map") + "?area=916")
        self.assertEqual(
            self.home_of(self.city_steering), f"{reverse('risk:map')}?area={self.cantho.code}"
        )

    def test_a_ward_official_who_also_sits_on_a_committee_lands_on_the_ward(self):
        Membership.objects.create(user=self.anhoa_official, area=self.ninhkieu, role=Role.STEERING)
        self.assertEqual(self.home_of(self.anhoa_official), reverse("risk:area", args=["31120"]))

    def test_a_viewer_lands_on_the_levels_map_of_their_area(self):
        self.assertEqual(self.home_of(self.viewer), reverse("risk:map") + "?area=916")

    def test_a_health_officer_lands_on_the_epidemic_page_of_their_area(self):
        self.assertEqual(
            self.home_of(self.health_officer), reverse("surveillance:area", args=["916"])
        )

    def test_department_officers_and_businesses_land_on_the_page_of_their_work(self):
        for role in (Role.DEPT_CONSTRUCTION, Role.DEPT_INDUSTRY_TRADE, Role.BUSINESS):
            with self.subTest(role=role):
                user = make_user(f"user_{role}", role, self.cantho)
                self.assertEqual(self.home_of(user), reverse("accounts:my_work"))

    def test_administrators_people_without_a_role_and_visitors_land_on_the_area_browser(self):
        for user in (self.outsider, self.admin, None):
            with self.subTest(user=user):
                self.client.logout()
                self.assertEqual(self.home_of(user), reverse("areas:browser"))

    def test_the_ward_officials_first_screen_shows_the_level_that_applies(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("home"), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["area"].code, "31120")
        self.assertIn("applies", response.context)
