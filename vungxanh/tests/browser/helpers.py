"""Helpers shared by the browser tests: sign-in, expected texts, test geometries."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.utils import translation
from playwright.sync_api import Page, expect

from vungxanh.testing import PASSWORD

# Fail fast: a page that has not done its job within this time will not do it.
TIMEOUT_MS = 10_000


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A GeoJSON Polygon spanning longitudes x0..x1 and latitudes y0..y1 (WGS84)."""
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


# Ninh Kiều as a square near 105.75, 10.03; its two wards side by side inside it.
NINH_KIEU = square(105.70, 9.98, 105.80, 10.08)
AN_HOA = square(105.71, 10.00, 105.745, 10.06)
CAI_KHE = square(105.755, 10.00, 105.79, 10.06)


def tr(message: str, lang: str = "vi", **params) -> str:
    """``message`` as the site shows it in ``lang`` (the catalogue may not translate it)."""
    with translation.override(lang):
        text = translation.gettext(message)
    return text % params if params else text


def login(
    page: Page,
    live_server,
    username: str,
    password: str = PASSWORD,
    landing: str | None = "/areas/",
) -> None:
    """Sign in through the login form, then land on ``landing`` (None: the person's own
    first screen, where signing in takes them).

    With the right password, return once the browser has left the login page; with a
    wrong one, return after submitting (the caller checks what the page says).
    """
    query = f"?{urlencode({'next': landing})}" if landing else ""
    page.goto(f"{live_server.url}/accounts/login/{query}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main button[type=submit]").click()
    if password == PASSWORD:
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
