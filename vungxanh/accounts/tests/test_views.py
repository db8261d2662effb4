from django.test import override_settings
from django.urls import reverse

from vungxanh.accounts.models import ApiToken
from vungxanh.testing import PASSWORD, BaseTestCase


class LoginTestCase(BaseTestCase):
    def test_signing_in_lands_on_the_persons_first_screen(self):
        response = self.client.post(
            reverse("accounts:login"), {"username": "anhoa_official", "password": PASSWORD}
        )
        self.assertRedirects(response, reverse("home"), target_status_code=302)
        first_screen = self.client.get(response["Location"])
        self.assertRedirects(first_screen, reverse("risk:area", args=["31120"]))

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_repeated_failures_lock_the_account_for_a_while(self):
        url = reverse("accounts:login")
        for _attempt in range(3):
            self.client.post(url, {"username": "anhoa_official", "password": "wrong"})
        locked = self.client.post(url, {"username": "anhoa_official", "password": PASSWORD})
        self.assertEqual(locked.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_pages_need_a_signed_in_user(self):
        response = self.client.get(reverse("areas:browser"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_the_default_language_is_vietnamese_and_english_is_one_click_away(self):
        page = self.client.get(reverse("accounts:login"))
        self.assertContains(page, '<html lang="vi">')
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertContains(self.client.get(reverse("accounts:login")), '<html lang="en">')

    def test_every_page_carries_a_content_security_policy(self):
        response = self.client.get(reverse("accounts:login"))
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")


class TokenPageTestCase(BaseTestCase):
    def test_creating_and_revoking_a_token(self):
        self.client.force_login(self.viewer)
        page = self.client.post(reverse("accounts:tokens"), {"name": "excel"}, follow=True)
        token = ApiToken.objects.get(user=self.viewer)
        self.assertContains(page, token.prefix)
        self.assertContains(page, 'data-testid="new-token"')
        self.assertNotContains(
            self.client.get(reverse("accounts:tokens")), 'data-testid="new-token"'
        )
        self.client.post(reverse("accounts:token_revoke", args=[token.pk]))
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)

    def test_a_nameless_token_gets_a_message(self):
        self.client.force_login(self.viewer)
        page = self.client.post(reverse("accounts:tokens"), {"name": "  "}, follow=True)
        self.assertFalse(ApiToken.objects.exists())
        self.assertEqual(len(list(page.context["messages"])), 1)


class LanguageTestCase(BaseTestCase):
    def test_an_english_browser_still_gets_vietnamese_first(self):
        page = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(page, '<html lang="vi">')
