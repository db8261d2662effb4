"""The page of what a role does here: links to pages that exist, coming modules named."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from vungxanh.accounts.roles import Role
from vungxanh.accounts.workspace import WORK_BY_ROLE, Work, work_links
from vungxanh.testing import BaseTestCase, make_user


class MyWorkPageTestCase(BaseTestCase):
    def page(self, user):
        self.client.force_login(user)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Vietnamese first
        with translation.override("en"):
            return self.client.get(reverse("accounts:my_work"), HTTP_ACCEPT_LANGUAGE="en")

    def test_a_construction_officer_sees_their_work_and_what_is_not_built_yet(self):
        officer = make_user("sxd", Role.DEPT_CONSTRUCTION, self.cantho)
        response = self.page(officer)
        self.assertEqual(response.status_code, 200)
        (entry,) = response.context["roles"]
        self.assertEqual(entry["role"], Role.DEPT_CONSTRUCTION)
        self.assertEqual(entry["area"], self.cantho)
        by_url_name = {link.work.url_name: link.url for link in entry["work"]}
        # The levels map exists today: a link to the officer's own area.
        self.assertEqual(by_url_name["risk:map"], reverse("risk:map") + "?area=92")
        self.assertEqual(by_url_name["lockdowns:index"], reverse("lockdowns:index"))
        self.assertContains(response, reverse("risk:map") + "?area=92")

    def test_work_whose_page_does_not_exist_is_named_without_a_link(self):
        missing = Work("Something coming", "Why", "nowhere:at_all", module="a module")
        present = Work("Levels", "Why", "risk:map", area_query=True)
        links = {link.work.url_name: link.url for link in _links_of(missing, present, "916")}
        self.assertIsNone(links["nowhere:at_all"])
        self.assertEqual(links["risk:map"], reverse("risk:map") + "?area=916")

    def test_the_page_marks_what_is_not_in_this_version(self):
        business = make_user("dn", Role.BUSINESS, self.ninhkieu)
        response = self.page(business)
        items = [link for link in response.context["roles"][0]["work"]]
        unavailable = [link for link in items if link.url is None]
        available = [link for link in items if link.url is not None]
        # The public map is there today; whatever is not yet built is said so, with no link.
        self.assertTrue(any(link.work.url_name == "public:map" for link in available))
        self.assertContains(response, 'data-available="yes"')
        if unavailable:
            self.assertContains(response, "not in this version yet")
        for link in unavailable:
            self.assertContains(response, str(link.work.title))

    def test_every_department_and_the_business_role_has_work_listed(self):
        for role in (
            Role.DEPT_INDUSTRY_TRADE,
            Role.DEPT_CONSTRUCTION,
            Role.DEPT_LABOUR,
            Role.DEPT_PLANNING,
            Role.BUSINESS,
        ):
            with self.subTest(role=role):
                self.assertGreaterEqual(len(WORK_BY_ROLE[role]), 3)

    def test_a_person_sees_only_their_own_roles(self):
        officer = make_user("sct", Role.DEPT_INDUSTRY_TRADE, self.cantho)
        response = self.page(officer)
        self.assertEqual([e["role"] for e in response.context["roles"]], [Role.DEPT_INDUSTRY_TRADE])
        self.assertNotContains(response, "anhoa_official")

    def test_a_person_with_no_role_is_told_to_ask_for_one(self):
        response = self.page(self.outsider)
        self.assertEqual(response.context["roles"], [])
        self.assertContains(response, "Ask an administrator")

    @override_settings(LOGIN_URL="/accounts/login/")
    def test_a_visitor_is_sent_to_sign_in(self):
        response = self.client.get(reverse("accounts:my_work"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])


def _links_of(missing: Work, present: Work, area_code: str):
    original = dict(WORK_BY_ROLE)
    try:
        WORK_BY_ROLE[Role.VIEWER] = (missing, present)
        return work_links(Role.VIEWER, area_code)
    finally:
        WORK_BY_ROLE.clear()
        WORK_BY_ROLE.update(original)
