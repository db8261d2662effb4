"""The epidemic curve is drawn in the browser (numbers in the page language), the units' sparklines
are shown, and the epidemic pages fit a phone."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings
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
    # The live server's database is flushed between tests: bring back the standard series
    # (as the migrations leave them, the simulated series' source in words for people).
    standard = importlib.import_module("vungxanh.surveillance.migrations.0002_standard_series")
    for values in standard.STANDARD_SERIES:
        Series.objects.get_or_create(code=values["code"], defaults=values)
    importlib.import_module(
        "vungxanh.surveillance.migrations.0007_simulated_series_source_for_people"
    ).forwards(django_apps, None)
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


# Chart.js's own reading of the curve: every tick label of both axes, and the tooltip lines
# of the day ``index`` with every dataset active.
CHART_TEXT = """index => {
  const chart = Chart.getChart(document.getElementById("epicurve-canvas"));
  const active = chart.data.datasets.map((d, k) => ({datasetIndex: k, index: index}));
  chart.tooltip.setActiveElements(active, {x: 10, y: 10});
  chart.update();
  return {
    y: chart.scales.y.ticks.map(t => t.label),
    y2: chart.scales.y2.ticks.map(t => t.label),
    tooltip: chart.tooltip.body.flatMap(b => b.lines),
    dates: chart.data.labels,
  };
}"""


@pytest.fixture
def many_cases(cases, world):
    """1,500 people found in home isolation in An Hòa on 15/09 (a daily count)."""
    services.import_records(
        "daily",
        [{"area_id": world.anhoa.pk, "date": dt.date(2021, 9, 15), "home_isolation": 1500}],
        actor=world.health_officer,
        series_code="reported",
        label="daily.csv",
    )


def _curve_text(page, live_server, lang: str) -> dict:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/surveillance/areas/916/")
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.get_by_test_id("epicurve")).to_have_attribute("data-ready", "11")
    dates = page.evaluate(CHART_TEXT, 0)["dates"]
    return page.evaluate(CHART_TEXT, dates.index("15/09/2021"))


def test_the_curve_writes_numbers_as_the_page_language_does(page, live_server, many_cases):
    login(page, live_server, "district_steering")

    vi = _curve_text(page, live_server, "vi")
    assert any(re.fullmatch(r"1\.\d{3}", label) for label in vi["y"]), vi["y"]  # 1.000
    assert any(re.fullmatch(r"\d+,\d+", label) for label in vi["y2"]), vi["y2"]
    assert not any("." in label for label in vi["y2"]), vi["y2"]
    assert any(line.endswith(": 1.500") for line in vi["tooltip"]), vi["tooltip"]
    incidence = vi["tooltip"][-1]  # the line of the incidence, one decimal
    assert re.search(r": \d+,\d$", incidence), incidence

    en = _curve_text(page, live_server, "en")
    assert any(re.fullmatch(r"1,\d{3}", label) for label in en["y"]), en["y"]  # 1,000
    assert any(re.fullmatch(r"\d+\.\d+", label) for label in en["y2"]), en["y2"]
    assert not any("," in label for label in en["y2"]), en["y2"]
    assert any(line.endswith(": 1,500") for line in en["tooltip"]), en["tooltip"]
    assert re.search(r": \d+\.\d$", en["tooltip"][-1]), en["tooltip"]


@pytest.mark.parametrize("path", ["/surveillance/areas/31120/", "/surveillance/cases/"])
def test_a_ward_official_reads_the_epidemic_on_a_phone(page, live_server, cases, path):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, live_server, "anhoa_official")
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The wide table scrolls in its own box, with whole words in its headings.
    table = page.locator(".scroll table.grid").first
    expect(table).to_be_visible()
    heading = table.locator("th").first
    assert heading.evaluate("th => th.getBoundingClientRect().width") > 40
