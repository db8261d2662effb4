"""A user of one area can neither see nor change another area's data, on any page or endpoint.

The routes are enumerated from the URL configuration: a route without an entry in
``CHECKS`` makes ``test_every_route_has_an_isolation_check`` fail, so a new page or
endpoint cannot be added without saying how it is isolated. Apps add their checks in
``vungxanh/<app>/tests/isolation_*.py`` modules, each with a ``CHECKS`` dict of route
name -> function(test_case, route_name); they run with the personas of this test case.

The write leg: every write operation of the API (each POST, PUT, PATCH and DELETE of its
OpenAPI document, keyed ``"METHOD /api/v1/path"``) and every page whose view takes a form
(keyed by route name) needs an entry in ``WRITE_CHECKS`` (the apps' modules add theirs
too), which attempts it, as An Hòa's ward official, against Cái Khế's or Cái Răng's
objects and asserts it refused with nothing changed: a new write endpoint without a write
check fails ``test_every_write_has_a_write_check``.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse

from vungxanh.accounts.models import ApiToken
from vungxanh.accounts.services import create_api_token
from vungxanh.areas.models import Area
from vungxanh.audit.models import AuditEntry
from vungxanh.audit.services import record
from vungxanh.testing import BaseTestCase

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[105.7, 10.0], [105.8, 10.0], [105.8, 10.1], [105.7, 10.1], [105.7, 10.0]]],
}


def route_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            names |= route_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


class IsolationTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # An audit entry in Cái Răng that Ninh Kiều's steering committee must not read.
        cls.foreign_entry = record(
            cls.admin, "update", cls.hungphu, area=cls.hungphu, reason="foreign-entry-marker"
        )
        cls.own_entry = record(
            cls.admin, "update", cls.anhoa, area=cls.anhoa, reason="own-entry-marker"
        )
        cls.foreign_token, _raw = create_api_token(
            cls.caikhe_official, actor=cls.caikhe_official, name="foreign-token"
        )

    # -- helpers ---------------------------------------------------------------
    def as_ward(self):
        """An Hòa's ward official: every foreign object below lies in Cái Khế or Cái Răng."""
        self.client.force_login(self.anhoa_official)

    def assert_refused(self, response) -> None:
        self.assertIn(response.status_code, {403, 404}, response.content[:300])

    def assert_hides(self, url: str, hidden: list[str], shown: list[str] = ()) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        for marker in hidden:
            self.assertNotIn(marker, text, url)
        for marker in shown:
            self.assertIn(marker, text, url)

    # -- public routes: no area data -------------------------------------------
    def check_public(self, name: str) -> None:
        """Reachable without signing in, and showing no area data."""
        self.client.logout()
        response = self.client.get(reverse(name))
        self.assertIn(response.status_code, {200, 302, 404, 405})
        self.assertNotIn("Cái Khế", response.content.decode(errors="ignore"))

    # -- pages -----------------------------------------------------------------
    def check_area_browser(self, name: str) -> None:
        self.as_ward()
        self.assert_hides(reverse(name), ["Cái Khế", "Hưng Phú", "Cái Răng"], ["An Hòa"])

    def check_area_page(self, name: str) -> None:
        self.as_ward()
        self.assert_refused(self.client.get(reverse(name, args=[self.caikhe.code])))
        self.assertEqual(self.client.get(reverse(name, args=[self.anhoa.code])).status_code, 200)

    def check_subunit_create(self, name: str) -> None:
        self.as_ward()
        url = reverse(name, args=[self.caikhe.code])
        self.assert_refused(self.client.get(url))
        self.assert_refused(self.client.post(url, {"name": "Khu vực 9", "unit_type": "Khu vực"}))
        self.assertFalse(Area.objects.filter(parent=self.caikhe).exists())

    def check_boundary_upload_page(self, name: str) -> None:
        self.as_ward()
        url = reverse(name, args=[self.ninhkieu.code])
        upload = SimpleUploadedFile(
            "b.geojson",
            json.dumps(
                {"type": "Feature", "properties": {"code": "31117"}, "geometry": SQUARE}
            ).encode(),
        )
        self.assert_refused(self.client.post(url, {"file": upload}))
        self.caikhe.refresh_from_db()
        self.assertEqual(self.caikhe.boundary, "")

    def check_audit_list(self, name: str) -> None:
        self.client.force_login(self.district_steering)
        self.assert_hides(reverse(name), ["foreign-entry-marker"], ["own-entry-marker"])

    def check_audit_detail(self, name: str) -> None:
        self.client.force_login(self.district_steering)
        self.assert_refused(self.client.get(reverse(name, args=[self.foreign_entry.pk])))
        ok = self.client.get(reverse(name, args=[self.own_entry.pk]))
        self.assertEqual(ok.status_code, 200)

    def check_token_page(self, name: str) -> None:
        self.as_ward()
        self.assert_hides(reverse(name), ["foreign-token"])

    def check_my_work(self, name: str) -> None:
        # A person's own roles and areas only: never another ward's official or area.
        self.as_ward()
        self.assert_hides(reverse(name), ["Phường Cái Khế", "caikhe_official"], ["Phường An Hòa"])

    def check_token_revoke(self, name: str) -> None:
        self.as_ward()
        self.assert_refused(self.client.post(reverse(name, args=[self.foreign_token.pk])))
        self.assertIsNone(ApiToken.objects.get(pk=self.foreign_token.pk).revoked_at)

    # -- API -------------------------------------------------------------------
    def check_api_area_list(self, name: str) -> None:
        self.as_ward()
        response = self.client.get(reverse(name), {"limit": 1000})
        codes = {row["code"] for row in response.json()["items"]}
        self.assertEqual(codes, {"31120"})

    def check_api_area_object(self, name: str) -> None:
        self.as_ward()
        self.assert_refused(self.client.get(reverse(name, args=[self.caikhe.code])))
        self.assertEqual(self.client.get(reverse(name, args=[self.anhoa.code])).status_code, 200)

    def check_api_subunit_create(self, name: str) -> None:
        self.as_ward()
        response = self.client.post(
            reverse(name, args=[self.caikhe.code]),
            {"name": "Khu vực 9", "unit_type": "Khu vực"},
            content_type="application/json",
        )
        self.assert_refused(response)
        self.assertFalse(Area.objects.filter(parent=self.caikhe).exists())

    def check_api_boundary_upload(self, name: str) -> None:
        self.as_ward()
        upload = SimpleUploadedFile(
            "b.geojson",
            json.dumps(
                {"type": "Feature", "properties": {"code": "31117"}, "geometry": SQUARE}
            ).encode(),
        )
        response = self.client.post(reverse(name, args=[self.ninhkieu.code]), {"file": upload})
        self.assert_refused(response)
        self.caikhe.refresh_from_db()
        self.assertEqual(self.caikhe.boundary, "")

    def check_api_me(self, name: str) -> None:
        self.as_ward()
        memberships = self.client.get(reverse(name)).json()["memberships"]
        self.assertEqual([m["area_code"] for m in memberships], ["31120"])

    def check_api_tokens(self, name: str) -> None:
        self.as_ward()
        self.assertEqual(self.client.get(reverse(name)).json(), [])

    def check_api_token_revoke(self, name: str) -> None:
        self.as_ward()
        self.assert_refused(self.client.delete(reverse(name, args=[self.foreign_token.pk])))
        self.assertIsNone(ApiToken.objects.get(pk=self.foreign_token.pk).revoked_at)

    def check_api_audit(self, name: str) -> None:
        self.client.force_login(self.district_steering)
        reasons = {row["reason"] for row in self.client.get(reverse(name)).json()["items"]}
        self.assertIn("own-entry-marker", reasons)
        self.assertNotIn("foreign-entry-marker", reasons)
        self.as_ward()  # ward officials cannot read the audit trail at all
        self.assertEqual(self.client.get(reverse(name)).json()["items"], [])

    def check_admin(self, name: str) -> None:
        """The admin site lets no one without staff status in; its lists use for_user."""
        self.as_ward()
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response["Location"])


# route name -> the check that proves it is isolated
CHECKS: dict[str, Callable[[IsolationTestCase, str], None]] = {
    "home": IsolationTestCase.check_public,
    "accounts:login": IsolationTestCase.check_public,
    "accounts:logout": IsolationTestCase.check_public,
    "set_language": IsolationTestCase.check_public,
    "api:openapi-json": IsolationTestCase.check_public,
    "api:openapi-view": IsolationTestCase.check_public,
    "api:api-root": IsolationTestCase.check_public,
    "accounts:tokens": IsolationTestCase.check_token_page,
    "accounts:my_work": IsolationTestCase.check_my_work,
    "accounts:token_revoke": IsolationTestCase.check_token_revoke,
    "areas:browser": IsolationTestCase.check_area_browser,
    "areas:detail": IsolationTestCase.check_area_page,
    "areas:children": IsolationTestCase.check_area_page,
    "areas:subunit_create": IsolationTestCase.check_subunit_create,
    "areas:boundary_upload": IsolationTestCase.check_boundary_upload_page,
    "audit:list": IsolationTestCase.check_audit_list,
    "audit:export": IsolationTestCase.check_audit_list,
    "audit:detail": IsolationTestCase.check_audit_detail,
    "api:area_list": IsolationTestCase.check_api_area_list,
    "api:area_detail": IsolationTestCase.check_api_area_object,
    "api:area_subtree": IsolationTestCase.check_api_area_object,
    "api:area_geojson": IsolationTestCase.check_api_area_object,
    "api:area_subunit_create": IsolationTestCase.check_api_subunit_create,
    "api:area_boundary_upload": IsolationTestCase.check_api_boundary_upload,
    "api:me": IsolationTestCase.check_api_me,
    "api:token_list": IsolationTestCase.check_api_tokens,
    "api:token_create": IsolationTestCase.check_api_tokens,
    "api:token_revoke": IsolationTestCase.check_api_token_revoke,
    "api:audit_list": IsolationTestCase.check_api_audit,
}
ADMIN_NAMESPACE = "admin:"
API_NAMESPACE = "api:"
WRITE_METHODS = ("post", "put", "patch", "delete")


# -- the write leg ---------------------------------------------------------------------------
def api_write_operations() -> set[str]:
    """Every write operation of the API, as ``"METHOD /api/v1/path"`` (its OpenAPI paths)."""
    from vungxanh.api import api

    schema = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    }


def _takes_a_form(view: Callable) -> bool:
    """Whether a page's view accepts POST: a class view with ``post``, or one that reads it."""
    while isinstance(view, functools.partial):
        view = view.func
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    return "POST" in inspect.getsource(view)  # the decorators (require_POST) included


def page_write_routes(patterns=None, namespace: str = "") -> set[str]:
    """The route names of every page that accepts a form (the API and the admin aside)."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            names |= page_write_routes(pattern.url_patterns, inner)
        elif pattern.name and _takes_a_form(pattern.callback):
            names.add(namespace + pattern.name)
    return {n for n in names if not n.startswith((ADMIN_NAMESPACE, API_NAMESPACE))}


# Pages that take a form but change no data of any area.
NOT_DATA_WRITES = {
    "home": "redirects to the area browser",
    "accounts:login": "signs in (throttled: test_security_hardening)",
    "accounts:logout": "signs out",
    "set_language": "the language of one's own session",
    "surveillance:cases": "a search, posted to keep identifiers out of URLs",
}


def check_token_create(tc, key: str) -> None:
    """A token is always the caller's own: naming another user in the body changes nothing."""
    foreign_tokens = set(ApiToken.objects.filter(user=tc.caikhe_official).values_list("pk"))
    tc.as_ward()
    body = {"name": "iso-token", "user": tc.caikhe_official.pk, "username": "caikhe_official"}
    if key.startswith("POST /"):
        response = tc.client.post(
            reverse("api:token_create"), body, content_type="application/json"
        )
        tc.assertEqual(response.status_code, 201, response.content[:300])
    else:
        tc.client.post(reverse(key), body)
    tc.assertEqual(
        set(ApiToken.objects.filter(user=tc.caikhe_official).values_list("pk")), foreign_tokens
    )
    tc.assertEqual(ApiToken.objects.get(name="iso-token").user, tc.anhoa_official)


def check_api_token_revoke_write(tc, key: str) -> None:
    IsolationTestCase.check_api_token_revoke(tc, "api:token_revoke")
    own, _raw = create_api_token(tc.anhoa_official, actor=tc.anhoa_official, name="own-token")
    response = tc.client.delete(reverse("api:token_revoke", args=[own.pk]))
    tc.assertEqual(response.status_code, 200, response.content[:300])  # the check can succeed
    tc.assertIsNotNone(ApiToken.objects.get(pk=own.pk).revoked_at)


def check_api_subunit_write(tc, key: str) -> None:
    tc.as_ward()
    url = "api:area_subunit_create"
    for foreign in (tc.caikhe, tc.hungphu, tc.ninhkieu):
        response = tc.client.post(
            reverse(url, args=[foreign.code]),
            {"name": "Khu vực 9", "unit_type": "Khu vực"},
            content_type="application/json",
        )
        tc.assert_refused(response)
        tc.assertFalse(Area.objects.filter(parent=foreign, name="Khu vực 9").exists())
    own = tc.client.post(
        reverse(url, args=[tc.anhoa.code]),
        {"name": "Khu vực 9", "unit_type": "Khu vực"},
        content_type="application/json",
    )
    tc.assertEqual(own.status_code, 201, own.content[:300])


def check_api_boundary_write(tc, key: str) -> None:
    """Neither through the district nor directly: Cái Khế's outline is not An Hòa's to draw."""
    IsolationTestCase.check_api_boundary_upload(tc, "api:area_boundary_upload")
    feature = {"type": "Feature", "properties": {"code": "31117"}, "geometry": SQUARE}
    upload = SimpleUploadedFile("b.geojson", json.dumps(feature).encode())
    response = tc.client.post(reverse("api:area_boundary_upload", args=["31117"]), {"file": upload})
    tc.assert_refused(response)
    tc.caikhe.refresh_from_db()
    tc.assertEqual(tc.caikhe.boundary, "")


WRITE_CHECKS: dict[str, Callable[[IsolationTestCase, str], None]] = {
    "POST /api/v1/areas/{code}/subunits": check_api_subunit_write,
    "POST /api/v1/areas/{code}/boundaries": check_api_boundary_write,
    "POST /api/v1/accounts/tokens": check_token_create,
    "DELETE /api/v1/accounts/tokens/{token_id}": check_api_token_revoke_write,
    "accounts:tokens": check_token_create,
    "accounts:token_revoke": IsolationTestCase.check_token_revoke,
    "areas:subunit_create": IsolationTestCase.check_subunit_create,
    "areas:boundary_upload": IsolationTestCase.check_boundary_upload_page,
}


def app_checks(registry: str = "CHECKS") -> dict[str, Callable[[IsolationTestCase, str], None]]:
    """Collect ``registry`` of every vungxanh/<app>/tests/isolation_*.py module."""
    import importlib
    from pathlib import Path

    found = {}
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.glob("*/tests/isolation_*.py")):
        module = importlib.import_module(
            "vungxanh." + ".".join(path.relative_to(package).with_suffix("").parts)
        )
        found.update(getattr(module, registry, {}))
    return found


CHECKS.update(app_checks())
WRITE_CHECKS.update(app_checks("WRITE_CHECKS"))


class EveryRouteTestCase(IsolationTestCase):
    def test_every_route_has_an_isolation_check(self) -> None:
        unchecked = {n for n in route_names() if not n.startswith(ADMIN_NAMESPACE)} - set(CHECKS)
        self.assertEqual(unchecked, set(), "add an isolation check for each new route")

    def test_every_route_is_isolated(self) -> None:
        for name, check in CHECKS.items():
            with self.subTest(route=name):
                check(self, name)

    def test_the_admin_site_is_isolated(self) -> None:
        self.check_admin("admin:index")
        self.client.force_login(self.admin)  # no staff flag: a role is not staff status
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 302)

    def test_the_audit_trail_scope_is_the_area_subtree(self) -> None:
        visible = set(AuditEntry.objects.for_user(self.district_steering, "view"))
        self.assertIn(self.own_entry, visible)
        self.assertNotIn(self.foreign_entry, visible)


class EveryWriteTestCase(IsolationTestCase):
    """The write leg: no write of one ward creates, changes, moves or undoes another's data."""

    def test_every_write_has_a_write_check(self) -> None:
        writes = api_write_operations() | (page_write_routes() - set(NOT_DATA_WRITES))
        self.assertEqual(writes - set(WRITE_CHECKS), set(), "add a write check for each write")
        self.assertEqual(set(WRITE_CHECKS) - writes, set(), "a write check of no write")

    def test_the_enumeration_finds_the_writes(self) -> None:
        """The lists above are not empty by accident: known writes of each kind are in them."""
        self.assertIn("PATCH /api/v1/lockdowns/zones/{zone_id}", api_write_operations())
        self.assertIn("PUT /api/v1/surveillance/cases/{record_id}", api_write_operations())
        self.assertIn("DELETE /api/v1/accounts/tokens/{token_id}", api_write_operations())
        self.assertIn("lockdowns:transition", page_write_routes())
        self.assertNotIn("areas:browser", page_write_routes())

    def test_no_write_reaches_another_ward(self) -> None:
        for key, check in sorted(WRITE_CHECKS.items()):
            with self.subTest(write=key):
                self.run_alone(check, key)

    def run_alone(self, check: Callable, key: str) -> None:
        """Run ``check`` on the world of setUpTestData: what another check wrote is undone."""
        attributes = set(vars(self))
        try:
            with transaction.atomic():
                check(self, key)
                transaction.set_rollback(True)
        finally:
            for name in set(vars(self)) - attributes:  # the checks' lazily built objects
                delattr(self, name)
