"""Error pages in the site's frame and language; refusals that say who may see a page.

The test client runs with DEBUG=False, so these are the pages a user gets in production.
Messages added with this change are compared with their translation (``gettext`` under
Vietnamese), so the test holds whatever the catalogue says, and fails on Django's bare
English pages ("Not Found", an empty 403).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from vungxanh import urls as site_urls
from vungxanh.accounts.roles import Role
from vungxanh.audit.forms import AuditFilterForm
from vungxanh.lib.dates import DayField, read_day
from vungxanh.lockdowns.forms import ZoneForm
from vungxanh.risk.forms import PublishForm
from vungxanh.testing import BaseTestCase, make_user


def _boom(request):
    raise RuntimeError("a bug")


def _refused(request):
    raise PermissionDenied


urlpatterns = [
    *site_urls.urlpatterns,
    path("test-boom/", _boom),
    path("test-refused/", _refused),
]
handler403 = site_urls.handler403
handler404 = site_urls.handler404


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return escape(gettext(msgid))


class PersonasTestCase(BaseTestCase):
    """The shared personas plus a department officer and a business account."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.department = make_user("so.congthuong", Role.DEPT_INDUSTRY_TRADE, cls.ninhkieu)
        cls.business = make_user("doanhnghiep", Role.BUSINESS, cls.ninhkieu)

    def assertFramed(self, response, status):
        """The page is the site's: its menu, Vietnamese, a way home — not Django's bare page."""
        self.assertEqual(response.status_code, status)
        self.assertContains(response, '<html lang="vi">', status_code=status)
        self.assertContains(response, 'class="topbar"', status_code=status)
        self.assertContains(response, f'data-status="{status}"', status_code=status)
        self.assertContains(response, 'data-testid="error-home"', status_code=status)
        self.assertContains(response, vi("Go to the home page"), status_code=status)
        self.assertNotContains(response, "<h1>Not Found</h1>", status_code=status)


class ErrorPageTestCase(PersonasTestCase):
    def test_a_missing_page_is_the_sites_404_in_vietnamese_with_the_menu(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get("/khong-co-trang-nay/", HTTP_REFERER="http://testserver/areas/")
        self.assertFramed(response, 404)
        self.assertContains(response, vi("Page not found"), status_code=404)
        self.assertContains(response, "/khong-co-trang-nay/", status_code=404)
        # The menu of the signed-in user is there ("Địa bàn"), and the way back.
        self.assertContains(response, vi("Areas"), status_code=404)
        self.assertContains(response, 'href="http://testserver/areas/"', status_code=404)

    def test_an_area_outside_ones_own_is_the_same_404_without_the_internal_message(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("areas:detail", args=[self.hungphu.code]))
        self.assertFramed(response, 404)
        self.assertNotContains(response, "matches the given query", status_code=404)

    def test_a_link_back_to_another_site_is_not_offered(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get("/khong-co/", HTTP_REFERER="https://evil.example/x")
        self.assertNotContains(response, "evil.example", status_code=404)
        self.assertNotContains(response, 'data-testid="error-back"', status_code=404)

    def test_a_department_officer_at_the_audit_trail_is_told_which_roles_may_see_it(self):
        self.client.force_login(self.department)
        response = self.client.get(reverse("audit:list"))
        self.assertFramed(response, 403)
        self.assertContains(response, vi("You may not open this page"), status_code=403)
        with translation.override("vi"):
            steering, admin = str(Role.STEERING.label), str(Role.ADMIN.label)
            ward = str(Role.WARD_OFFICIAL.label)
        message = response.content.decode().split('data-testid="error-message">')[1].split("<")[0]
        self.assertIn(steering, message)
        self.assertIn(admin, message)
        self.assertNotIn(ward, message)

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_refusal_without_a_message_gets_a_general_sentence(self):
        self.client.force_login(self.viewer)
        response = self.client.get("/test-refused/")
        self.assertFramed(response, 403)
        self.assertContains(
            response,
            vi("Your role or your area does not give access to this page or this action."),
            status_code=403,
        )

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_server_error_is_the_sites_500_page_without_the_database(self):
        self.client.force_login(self.anhoa_official)
        self.client.raise_request_exception = False
        response = self.client.get("/test-boom/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, '<html lang="vi">', status_code=500)
        self.assertContains(response, vi("Something went wrong on the server"), status_code=500)
        self.assertContains(response, 'data-testid="error-home"', status_code=500)
        self.assertNotContains(response, "a bug", status_code=500)
        # Rendered without a request: no language form that would fail its CSRF check.
        self.assertNotContains(response, "lang-switch", status_code=500)

    def test_a_form_sent_without_its_security_token_gets_the_sites_page(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.anhoa_official)
        response = client.post(reverse("accounts:tokens"), {"name": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, '<html lang="vi">', status_code=403)
        self.assertContains(response, vi("The form has expired"), status_code=403)
        self.assertContains(response, 'data-testid="error-home"', status_code=403)

    def test_the_500_and_400_templates_render_with_no_request_and_no_database(self):
        from django.template import loader

        with translation.override("vi"), self.assertNumQueries(0):
            for name, heading in (
                ("500.html", "Something went wrong on the server"),
                ("400.html", "The request could not be understood"),
            ):
                html = loader.get_template(name).render()
                self.assertIn(vi(heading), html)
                self.assertIn('class="topbar"', html)


class RefusedPagesTestCase(PersonasTestCase):
    def test_the_business_account_is_refused_the_imports_pages_and_their_menu_entry(self):
        self.client.force_login(self.business)
        for url in (reverse("imports:list"), reverse("imports:new")):
            response = self.client.get(url)
            self.assertFramed(response, 403)
            with translation.override("vi"):
                health = str(Role.HEALTH_OFFICER.label)
            self.assertContains(response, health, status_code=403)
        home = self.client.get(reverse("areas:browser"))
        self.assertNotContains(home, reverse("imports:list"))

    def test_the_business_account_is_told_who_reads_the_epidemic_pages(self):
        self.client.force_login(self.business)
        with translation.override("vi"):
            health = str(Role.HEALTH_OFFICER.label)
        for url in ("/surveillance/", f"/surveillance/areas/{self.ninhkieu.code}/"):
            response = self.client.get(url)
            self.assertFramed(response, 403)
            self.assertContains(response, health, status_code=403)

    def test_a_health_officer_still_opens_the_imports_pages_and_sees_the_menu_entry(self):
        self.client.force_login(self.health_officer)
        self.assertEqual(self.client.get(reverse("imports:list")).status_code, 200)
        self.assertContains(self.client.get(reverse("areas:browser")), reverse("imports:list"))

    def test_a_viewer_reads_the_import_history_but_may_not_upload(self):
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(reverse("imports:list")).status_code, 200)
        self.assertFramed(self.client.get(reverse("imports:new")), 403)


class TokensPageTestCase(BaseTestCase):
    def test_the_header_to_send_shows_its_placeholder(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("accounts:tokens"))
        self.assertContains(response, "Authorization: Bearer &lt;")
        self.assertNotContains(response, "Bearer .")
        self.assertNotContains(response, "<token>")


class DayErrorsTestCase(BaseTestCase):
    def test_a_day_that_does_not_exist_is_named_as_such(self):
        with translation.override("vi"):
            day, message = read_day("31/09/2021")
        self.assertIsNone(day)
        self.assertIn("31/09/2021", message)
        self.assertIn("30", message)
        self.assertNotIn("không phải là ngày", message.lower())
        with translation.override("en"):
            self.assertIn("September has 30 days", read_day("31/09/2021")[1])
            self.assertIn("February has 28 days", read_day("29/02/2021")[1])
            self.assertIn("is not a date", read_day("hôm qua")[1])
        self.assertEqual(str(read_day("29/02/2020")[0]), "2020-02-29")
        self.assertEqual(str(read_day("2021-09-30")[0]), "2021-09-30")

    def test_form_date_fields_say_what_is_wrong(self):
        with translation.override("en"):
            for field in (
                ZoneForm.base_fields["decided_on"],
                PublishForm.base_fields["date"],
                AuditFilterForm.base_fields["since"],
            ):
                self.assertIsInstance(field, DayField)
                self.assertEqual(str(field.clean("20/09/2021")), "2021-09-20")
                with self.assertRaises(forms.ValidationError) as caught:
                    field.clean("31/09/2021")
                self.assertIn("September has 30 days", " ".join(caught.exception.messages))

    def test_a_filter_day_that_does_not_exist_is_named_on_the_page(self):
        self.client.force_login(self.anhoa_official)
        with translation.override("vi"):
            expected = escape(read_day("31/09/2021")[1])
        response = self.client.get(reverse("lockdowns:index"), {"date": "31/09/2021"})
        self.assertContains(response, expected)
