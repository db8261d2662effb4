"""The audit trail page with its filters and CSV export, and personal API tokens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vungxanh.areas import services
from vungxanh.areas.models import SubunitType
from vungxanh.tests.browser.helpers import CAI_KHE, login, tr

pytestmark = pytest.mark.browser


def test_audit_trail_lists_filters_and_exports(page, live_server, world):
    services.create_subunit(
        world.anhoa,
        actor=world.anhoa_official,
        name="Tổ 7",
        unit_type=SubunitType.TO_DAN_PHO,
        reason="audit-marker-anhoa",
    )
    services.set_boundary(
        world.caikhe,
        actor=world.district_steering,
        geometry=CAI_KHE,
        source="Sở TN&MT",
        reason="audit-marker-caikhe",
    )
    login(page, live_server, "city_steering")

    page.goto(f"{live_server.url}/audit/")

    table = page.locator("main table.grid")
    expect(table).to_contain_text("audit-marker-anhoa")
    expect(table).to_contain_text("audit-marker-caikhe")
    expect(table.locator("tbody tr", has_text="audit-marker-anhoa")).to_contain_text(
        "anhoa_official"
    )

    page.fill("form.filters input[name=area]", "31120")
    page.locator("form.filters button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/audit/\?.*\barea=31120\b"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("audit-marker-anhoa")
    expect(table).not_to_contain_text("audit-marker-caikhe")
    expect(page.locator("form.filters input[name=area]")).to_have_value("31120")

    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    download = download_info.value
    assert download.suggested_filename == "vungxanh-audit.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert "id,time,actor_name" in lines[0]
    assert len(lines) == 2  # the header and the one An Hòa entry: the filter applies
    assert "audit-marker-anhoa" in lines[1]
    assert "Tổ 7" in lines[1]


def test_api_token_is_shown_once_and_can_be_revoked(page, live_server):
    login(page, live_server, "district_steering")
    page.goto(f"{live_server.url}/accounts/tokens/")
    expect(page.locator("main table.grid tbody")).to_have_text(tr("No tokens yet."))

    page.fill("main form.inline input[name=name]", "ci")
    page.locator("main form.inline button[type=submit]").click()

    secret = page.get_by_test_id("new-token")
    expect(secret).to_have_text(re.compile(r"^vx_\S{20,}$"))
    row = page.locator("main table.grid tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(r"^ci$"))
    )
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text(tr("active"))
    # The row shows the start of the secret, never all of it.
    prefix = secret.inner_text()[:10]
    expect(row.locator("td").nth(1)).to_have_text(f"{prefix}…")

    row.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/tokens/")
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only
    expect(row.locator("button")).to_have_count(0)
    expect(row.locator("td").nth(4)).to_have_text(tr("revoked"))
    expect(page.locator(".messages li.success")).to_have_text(
        tr("Token “%(name)s” revoked.", name="ci")
    )
