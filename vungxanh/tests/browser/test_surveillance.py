"""The epidemic curve is drawn in the browser, and the units' sparklines are shown."""

from __future__ import annotations

import importlib
import re

import pytest
from playwright.sync_api import expect

from vungxanh.surveillance import services
from vungxanh.surveillance.models import Series
from vungxanh.tests.browser.helpers import login

pytestmark = pytest.mark.browser

CASES = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\n"
    "BN1,31120,10/09/2021,Cộng đồng\n"
    "BN2,31120,12/09/2021,Khu phong tỏa\n"
    "BN3,31117,12/09/2021,Khu cách ly\n"
    "BN4,31120,20/09/2021,Cộng đồng\n"
    "BN5,31117,20/09/2021,Cộng đồng\n"
)

# Counts the canvas pixels that are not blank: a drawn chart has many.
PAINTED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted++; } }
  return painted;
}"""


@pytest.fixture
def cases(world):
    # The live server's database is flushed between tests: bring back the standard series.
    standard = importlib.import_module("vungxanh.surveillance.migrations.0002_standard_series")
    for values in standard.STANDARD_SERIES:
        Series.objects.get_or_create(code=values["code"], defaults=values)
    result = services.import_file("cases", CASES.encode(), "cases.csv", actor=world.health_officer)
    assert result.written, result.check.errors
    return result


def test_the_epidemic_curve_is_drawn(page, live_server, cases):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/surveillance/areas/916/")

    box = page.get_by_test_id("epicurve")
    # The chart covers 10/09 to the last case (20/09): 11 days.
    expect(box).to_have_attribute("data-ready", "11")
    canvas = page.locator("#epicurve-canvas")
    assert canvas.evaluate(PAINTED) > 1000
    table = page.get_by_test_id("indicator-table")
    expect(table.locator("tbody tr")).to_have_count(28)
    errors = []
    page.on("pageerror", lambda exc: errors.append(exc))
    page.reload()
    expect(box).to_have_attribute("data-ready", "11")
    assert errors == []


def test_the_units_overview_shows_a_sparkline_per_ward(page, live_server, cases):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/surveillance/areas/916/")
    page.get_by_test_id("overview-link").click()

    expect(page).to_have_url(re.compile(r"/surveillance/areas/916/overview/"))
    units = page.get_by_test_id("units")
    expect(units.locator("tbody tr[data-code]")).to_have_count(2)
    sparklines = units.get_by_test_id("sparkline")
    expect(sparklines).to_have_count(3)  # two wards and the district's total
    expect(sparklines.first).to_be_visible()
    points = sparklines.first.locator("polyline").get_attribute("points")
    assert points and len(points.split()) == 28

    units.locator("th a[data-sort='cumulative']").click()
    expect(units.locator("tbody tr[data-code]").first).to_have_attribute("data-code", "31120")


def test_a_ward_official_sees_no_other_ward(page, live_server, cases):
    login(page, live_server, "anhoa_official")
    page.goto(f"{live_server.url}/surveillance/areas/31120/")
    expect(page.get_by_test_id("epicurve")).to_have_attribute("data-ready", re.compile(r"^\d+$"))
    response = page.goto(f"{live_server.url}/surveillance/areas/31117/")
    assert response is not None and response.status == 404
