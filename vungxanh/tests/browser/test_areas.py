"""The area browser, an area's page with its map, smaller units and boundary upload."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from vungxanh.areas.models import Area
from vungxanh.audit.models import AuditEntry
from vungxanh.tests.browser.helpers import AN_HOA, login, square, tr

pytestmark = pytest.mark.browser


def test_ward_official_sees_only_their_ward(page, live_server):
    login(page, live_server, "anhoa_official")

    expect(page).to_have_url(f"{live_server.url}/areas/")
    expect(page.locator("main")).to_contain_text("Phường An Hòa")
    body = page.locator("body")
    expect(body).not_to_contain_text("Cái Khế")
    expect(body).not_to_contain_text("Hưng Phú")


def test_district_steering_sees_its_wards_and_expands_one(page, live_server):
    login(page, live_server, "district_steering")

    block = page.locator("section[data-area='916']")
    expect(block.locator("h2")).to_contain_text("Quận Ninh Kiều")
    expect(block.locator("tr[data-code]")).to_have_count(2)
    expect(block.locator("tr[data-code='31120']")).to_contain_text("Phường An Hòa")
    expect(block.locator("tr[data-code='31117']")).to_contain_text("Phường Cái Khế")
    total = block.get_by_test_id("children-total")
    expect(total).to_be_visible()
    expect(total).to_contain_text(re.compile(r"53[.,]374"))  # 31,268 + 22,106
    expect(page.locator("body")).not_to_contain_text("Hưng Phú")
    expect(page.locator("body")).not_to_contain_text("Cái Răng")

    block.locator("tr[data-code='31120'] button.expand").click()

    nested = page.locator("#sub-31120 table#children-31120")
    expect(nested).to_be_visible()
    expect(nested.locator("tr[data-code]")).to_have_count(0)
    expect(nested.locator("tbody")).to_have_text(tr("No units under this one."))
    expect(page).to_have_url(f"{live_server.url}/areas/")  # htmx: no navigation


def test_area_map_draws_units_and_a_click_opens_the_unit(page, live_server):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/areas/916/")

    expect(page.locator("main h1")).to_have_text("Quận Ninh Kiều")
    # The district and its two wards each have a boundary.
    expect(page.locator("#area-map")).to_have_attribute("data-ready", "3")
    labels = page.locator("#area-map .vx-label")
    expect(labels).to_have_count(2)
    expect(labels.filter(has_text="An Hòa")).to_be_visible()
    expect(labels.filter(has_text="Cái Khế")).to_be_visible()
    expect(page.locator("#map-empty")).to_be_hidden()
    expect(page.locator("#map-missing")).to_be_hidden()  # every ward has its boundary

    # A label sits at the middle of its ward and lets clicks through to the polygon.
    box = labels.filter(has_text="Cái Khế").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    expect(page).to_have_url(f"{live_server.url}/areas/31117/")
    expect(page.locator("main h1")).to_have_text("Phường Cái Khế")
    expect(page.locator("#area-map")).to_have_attribute("data-ready", "1")


def test_ward_official_adds_a_smaller_unit(page, live_server):
    login(page, live_server, "anhoa_official")
    page.goto(f"{live_server.url}/areas/31120/")

    page.locator("a[href*='/subunits/new/']").click()

    expect(page).to_have_url(f"{live_server.url}/areas/31120/subunits/new/")
    page.fill("input[name=name]", "Khu vực 1")
    page.select_option("select[name=unit_type]", "Khu vực")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/areas/31120.01/")
    expect(page.locator("main h1")).to_have_text("Khu vực 1")
    expect(page.locator("nav.crumbs")).to_contain_text("Phường An Hòa")
    expect(page.locator(".messages li.success")).to_have_text(
        tr("“%(name)s” created.", name="Khu vực 1")
    )
    unit = Area.objects.get(code="31120.01")
    assert unit.parent.code == "31120"
    entry = AuditEntry.objects.get(action="create", object_type="areas.area", object_id=unit.pk)
    assert entry.actor_name == "anhoa_official"
    assert entry.source == "web"
    assert entry.area_id == unit.pk
    assert entry.after["name"] == "Khu vực 1"


def _geojson_file(features: list[dict]) -> dict:
    document = {"type": "FeatureCollection", "features": features}
    return {
        "name": "wards.geojson",
        "mimeType": "application/geo+json",
        "buffer": json.dumps(document).encode(),
    }


def test_boundary_upload_reports_every_problem_then_stores_a_valid_file(page, live_server):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/areas/916/boundaries/upload/")
    stored_before = dict(Area.objects.values_list("code", "boundary"))
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[105.72, 10.01], [105.74, 10.05], [105.74, 10.01], [105.72, 10.05], [105.72, 10.01]]
        ],
    }
    page.set_input_files(
        "input[name=file]",
        _geojson_file(
            [
                {
                    "type": "Feature",
                    "properties": {"code": "99999"},
                    "geometry": square(105.72, 10.01, 105.74, 10.05),
                },
                {"type": "Feature", "properties": {"code": "31120"}, "geometry": bow_tie},
            ]
        ),
    )
    page.locator("main form button[type=submit]").click()

    report = page.get_by_test_id("report")
    expect(report).to_be_visible()
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(2)
    feature = "feature %(n)d, %(field)s"
    expect(rows.nth(0).locator("td").first).to_have_text(tr(feature, n=1, field="properties"))
    expect(rows.nth(0)).to_contain_text("99999")
    expect(rows.nth(1).locator("td").first).to_have_text(tr(feature, n=2, field="geometry"))
    expect(page).to_have_url(f"{live_server.url}/areas/916/boundaries/upload/")
    assert dict(Area.objects.values_list("code", "boundary")) == stored_before
    assert not AuditEntry.objects.filter(action="update").exists()

    new_an_hoa = square(105.715, 10.005, 105.74, 10.055)
    assert new_an_hoa != AN_HOA
    page.set_input_files(
        "input[name=file]",
        _geojson_file(
            [
                {"type": "Feature", "properties": {"code": "31120"}, "geometry": new_an_hoa},
            ]
        ),
    )
    page.fill("input[name=source]", "Sở TN&MT")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/areas/916/")
    expect(page.locator(".messages li.success")).to_have_text(tr("%(n)d boundaries stored.", n=1))
    an_hoa = Area.objects.get(code="31120")
    assert json.loads(an_hoa.boundary)["coordinates"][0][0] == [105.715, 10.005]
    assert an_hoa.boundary_source == "Sở TN&MT"
    assert Area.objects.get(code="31117").boundary == stored_before["31117"]
    assert AuditEntry.objects.filter(action="update", object_id=an_hoa.pk).count() == 1
    # The map follows at once.
    expect(page.locator("#area-map")).to_have_attribute("data-ready", "3")


def test_area_page_breaks_no_content_security_policy(page, live_server):
    errors: list[str] = []
    failed: list[str] = []

    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/areas/916/")

    # The map script has finished (drawn, or given up) once data-ready is set.
    expect(page.locator("#area-map")).to_have_attribute("data-ready", re.compile(r"."))
    assert [text for text in errors if "Content Security Policy" in text] == []
    expect(page.locator("#area-map")).to_have_attribute("data-ready", "3")
    expect(page.locator("#area-map .vx-label")).to_have_count(2)
    # htmx too: expand a ward in the units table.
    page.locator("tr[data-code='31117'] button.expand").click()
    expect(page.locator("#sub-31117 table")).to_be_visible()

    assert [text for text in errors if "Content Security Policy" in text] == []
    assert failed == []  # every script, style sheet and data request was served
    assert errors == []
