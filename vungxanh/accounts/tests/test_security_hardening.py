"""Issue 9, findings 4, 12 and 13: token writes, login lockout, the proxy header, identifiers
kept out of URLs and logs, private data files."""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from vungxanh.accounts.models import ApiToken
from vungxanh.accounts.services import create_api_token
from vungxanh.areas.models import Area
from vungxanh.surveillance import services as surveillance
from vungxanh.testing import PASSWORD, BaseTestCase

ROOT = Path(__file__).resolve().parents[3]
PHONE, ID_NUMBER, NAME = "0907000111", "092000000777", "Phạm Văn Riêng"
CASES = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Họ tên,Số điện thoại,Số CCCD/CMND\n"
    f"SEC-1,31120,10/09/2021,Cộng đồng,{NAME},{PHONE},{ID_NUMBER}\n"
    "SEC-2,31120,11/09/2021,Cộng đồng,,,\n"
)


def subunit_url(code: str = "31120") -> str:
    return reverse("api:area_subunit_create", args=[code])


SUBUNIT = {"name": "Khu vực 7", "unit_type": "Khu vực"}


class TokenWritesTestCase(BaseTestCase):
    """Finding 4: a token client writes without CSRF; a session client still needs it."""

    def setUp(self) -> None:
        self.client = Client(enforce_csrf_checks=True)

    def bearer(self, user) -> dict:
        _token, raw = create_api_token(user, actor=user, name="script")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def test_a_token_creates_without_a_csrf_token(self):
        response = self.client.post(
            subunit_url(),
            SUBUNIT,
            content_type="application/json",
            **self.bearer(self.anhoa_official),
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(Area.objects.filter(parent=self.anhoa, name="Khu vực 7").exists())

    def test_a_token_deletes_without_a_csrf_token(self):
        auth = self.bearer(self.anhoa_official)
        other, _raw = create_api_token(self.anhoa_official, actor=self.anhoa_official, name="old")
        response = self.client.delete(reverse("api:token_revoke", args=[other.pk]), **auth)
        self.assertIn(response.status_code, {200, 204}, response.content)
        self.assertIsNotNone(ApiToken.objects.get(pk=other.pk).revoked_at)

    def test_a_session_write_without_the_csrf_token_is_refused(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(subunit_url(), SUBUNIT, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Area.objects.filter(parent=self.anhoa).exists())

    def test_a_bad_token_does_not_fall_back_to_the_session_without_csrf(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            subunit_url(),
            SUBUNIT,
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer vx_not-a-token",
        )
        self.assertIn(response.status_code, {401, 403})
        self.assertFalse(Area.objects.filter(parent=self.anhoa).exists())

    def test_a_session_write_with_the_csrf_token_still_works(self):
        self.client.force_login(self.anhoa_official)
        self.client.get(reverse("accounts:tokens"))  # sets the CSRF cookie
        token = self.client.cookies[settings.CSRF_COOKIE_NAME].value
        response = self.client.post(
            subunit_url(), SUBUNIT, content_type="application/json", HTTP_X_CSRFTOKEN=token
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_a_token_is_scoped_like_the_session(self):
        response = self.client.post(
            subunit_url("31117"),
            SUBUNIT,
            content_type="application/json",
            **self.bearer(self.anhoa_official),
        )
        self.assertIn(response.status_code, {403, 404})
        self.assertFalse(Area.objects.filter(parent=self.caikhe).exists())


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=0.25)
class LockoutTestCase(BaseTestCase):
    """Finding 13: failures count per account across addresses and per address across accounts."""

    url = reverse("accounts:login")

    def attempt(self, username: str, password: str = "wrong", address: str = "10.0.0.1"):
        return self.client.post(
            self.url, {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def assert_locked(self, response) -> None:
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        with translation.override("vi"):
            message = gettext(
                "Too many failed sign-in attempts with this account or from this address. "
                "Signing in is paused for %(minutes)s minutes: try again later, or ask an "
                "administrator to unlock it."
            ) % {"minutes": 15}
        self.assertContains(response, message, status_code=429)

    def test_one_address_cannot_try_passwords_on_every_account(self):
        for username in ("viewer", "health_officer", "caikhe_official"):
            self.attempt(username)
        self.assert_locked(self.attempt("anhoa_official", PASSWORD))

    def test_many_addresses_against_one_account_are_combined(self):
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            self.attempt("anhoa_official", address=address)
        self.assert_locked(self.attempt("anhoa_official", PASSWORD, address="10.9.9.9"))

    def test_others_still_sign_in_from_another_address(self):
        for _attempt in range(3):
            self.attempt("viewer")
        response = self.attempt("anhoa_official", PASSWORD, address="10.0.0.2")
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)


class ProxyHeaderTestCase(BaseTestCase):
    """Finding 13: X-Forwarded-Proto and X-Forwarded-For count only behind a configured proxy."""

    def test_a_client_cannot_claim_https_by_default(self):
        self.assertIsNone(settings.SECURE_PROXY_SSL_HEADER)
        response = self.client.get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
        self.assertFalse(response.wsgi_request.is_secure())

    def test_the_proxy_header_is_trusted_when_configured(self):
        code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
        trusted = run_cli("shell", "-c", code, VX_BEHIND_PROXY="true")
        self.assertEqual(
            trusted.stdout.splitlines()[-1], "('HTTP_X_FORWARDED_PROTO', 'https')", trusted.stderr
        )
        default = run_cli("shell", "-c", code)
        self.assertEqual(default.stdout.splitlines()[-1], "None", default.stderr)

    def test_the_lockout_address_ignores_a_forged_forwarded_for(self):
        from vungxanh.accounts.throttle import client_address

        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
        self.assertEqual(client_address(request), "10.0.0.1")
        with override_settings(VX_BEHIND_PROXY=True):
            forwarded = RequestFactory().get(
                "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 5.6.7.8"
            )
            # The proxy appends the address it saw: the client may forge only the left part.
            self.assertEqual(client_address(forwarded), "5.6.7.8")


class SearchPrivacyTestCase(BaseTestCase):
    """Finding 12: the health officer's search by name, phone or ID never reaches a URL."""

    url = reverse("surveillance:cases")

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        result = surveillance.import_file("cases", CASES.encode(), "c.csv", actor=cls.admin)
        assert result.written, result.check.errors

    def search(self, text: str):
        self.client.force_login(self.health_officer)
        return self.client.post(self.url, {"q": text, "area": "916", "detection": ""})

    def test_the_search_is_posted_and_the_result_url_names_no_identifier(self):
        for text in (PHONE, ID_NUMBER, NAME):
            with self.subTest(text=text):
                response = self.search(text)
                self.assertEqual(response.status_code, 302)
                location = unquote(response["Location"])
                self.assertNotIn(text, location)
                self.assertIn("area=916", location)
                page = self.client.get(response["Location"])
                codes = [case.case_code for case, _person in page.context["cases"]]
                self.assertEqual(codes, ["SEC-1"])
                for link in ("first_query", "next_query", "previous_query", "export_query"):
                    self.assertNotIn(text, unquote(page.context[link]))

    def test_the_search_form_posts_with_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.health_officer)
        page = client.get(self.url).content.decode()
        form = page[page.index('<form method="post" class="card filters"') :]
        form = form[: form.index("</form>")]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
        self.assertEqual(client.post(self.url, {"q": PHONE}).status_code, 403)
        sent = client.post(self.url, {"q": PHONE, "csrfmiddlewaretoken": token})
        self.assertEqual(sent.status_code, 302)

    def test_the_export_keeps_the_search(self):
        response = self.search(PHONE)
        export = reverse("surveillance:cases_export", args=["csv"])
        query = response["Location"].split("?", 1)[1]
        body = b"".join(self.client.get(f"{export}?{query}").streaming_content).decode("utf-8-sig")
        self.assertIn("SEC-1", body)
        self.assertNotIn("SEC-2", body)

    def test_an_old_link_with_the_identifier_is_moved_out_of_the_url(self):
        self.client.force_login(self.health_officer)
        response = self.client.get(self.url, {"q": PHONE, "area": "916"})
        self.assertEqual(response.status_code, 302)
        self.assertNotIn(PHONE, unquote(response["Location"]))
        page = self.client.get(response["Location"])
        self.assertEqual([c.case_code for c, _p in page.context["cases"]], ["SEC-1"])

    def test_another_session_cannot_replay_the_search(self):
        location = self.search(PHONE)["Location"]
        other = Client()
        other.force_login(self.health_officer)
        codes = [case.case_code for case, _p in other.get(location).context["cases"]]
        self.assertEqual(codes, ["SEC-2", "SEC-1"])

    def test_the_access_log_redacts_personal_query_parameters(self):
        handler = next(h for h in logging.getLogger("django.server").handlers)
        stream = io.StringIO()
        previous = handler.setStream(stream)
        try:
            # As Django's development server logs a request line.
            logging.getLogger("django.server").info(
                '"%s" %s %s',
                f"GET /surveillance/cases/?area=916&q={PHONE}&full_name=Ph%E1%BA%A1m HTTP/1.1",
                "200",
                "512",
            )
        finally:
            handler.setStream(previous)
        line = stream.getvalue()
        self.assertIn("area=916", line)
        self.assertNotIn(PHONE, line)
        self.assertNotIn("Ph%E1%BA%A1m", line)
        self.assertIn("q=[redacted]", line)

    def test_request_warnings_redact_personal_query_parameters(self):
        handler = next(h for h in logging.getLogger("django.request").handlers)
        stream = io.StringIO()
        previous = handler.setStream(stream)
        try:
            logging.getLogger("django.request").warning(
                "Not Found: %s", f"/surveillance/cases/?phone={PHONE}"
            )
        finally:
            handler.setStream(previous)
        self.assertNotIn(PHONE, stream.getvalue())
        self.assertIn("phone=[redacted]", stream.getvalue())


def run_cli(*args, **env):
    full_env = {**os.environ, **env}
    # A fresh process: its own key file, never the PostgreSQL leg's database.
    for name in ("DJANGO_SETTINGS_MODULE", "VX_DATABASE_URL", "VX_SECRET_KEY", "VX_BEHIND_PROXY"):
        full_env.pop(name, None)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "vungxanh.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_and_the_database_file_are_private(tmp_path):
    """Finding 12: no other account on the machine reads the database, key or uploads."""
    data = tmp_path / "data"
    result = run_cli("migrate", "--no-input", VX_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    assert mode(data / "vungxanh.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    for path in data.rglob("*"):
        assert mode(path) & 0o077 == 0, (path, oct(mode(path)))


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    database = data / "vungxanh.sqlite3"
    database.touch()
    database.chmod(0o644)
    result = run_cli("migrate", "--no-input", VX_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert (mode(data), mode(database)) == (0o700, 0o600)
