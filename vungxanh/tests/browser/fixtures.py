"""Browser tests: Debian's Chromium driven by Playwright's sync API against a live server.

One Chromium per test session, shared by every app's browser tests (the root conftest.py
loads this module as a plugin: a module that imported these fixtures would start a second
Playwright, which its sync API refuses); a fresh context (cookies, storage) and page per test.
The browser is never downloaded: ``VX_CHROMIUM`` (default /usr/bin/chromium) must exist.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from vungxanh.surveillance.models import Series
from vungxanh.testing import build_world
from vungxanh.tests.browser.helpers import AN_HOA, CAI_KHE, NINH_KIEU, TIMEOUT_MS

CHROMIUM = os.environ.get("VX_CHROMIUM", "/usr/bin/chromium")
# Chromium's background services would try the network, which this machine refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"browser tests need Chromium at {CHROMIUM} (Debian package chromium)"
        if os.environ.get("VX_TEST_STRICT") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def _plain_http(settings) -> None:
    """The live server speaks plain http: secure-only cookies would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Argon2 costs ~0.1 s a hash; the personas are created for every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(transactional_db, _plain_http) -> SimpleNamespace:
    """The shared area tree and personas, with square boundaries for Ninh Kiều's wards."""
    ns = SimpleNamespace()
    # The live server's database is emptied after every test, the migrations' rows too:
    # bring back the standard series the pages and imports expect.
    standard = importlib.import_module("vungxanh.surveillance.migrations.0002_standard_series")
    for values in standard.STANDARD_SERIES:
        Series.objects.get_or_create(code=values["code"], defaults=values)
    build_world(ns)
    for area, geometry in ((ns.ninhkieu, NINH_KIEU), (ns.anhoa, AN_HOA), (ns.caikhe, CAI_KHE)):
        area.boundary = json.dumps(geometry)
        area.boundary_source = "test"
        area.save(update_fields=["boundary", "boundary_source"])
    return ns


@pytest.fixture
def page(browser: Browser, live_server, world, _plain_http) -> Iterator[Page]:
    # An English browser on purpose: the site is Vietnamese first whatever Accept-Language
    # says (vungxanh/lib/language.py), until the user presses EN.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
