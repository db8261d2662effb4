"""Importing a file: download the template, upload it with mistakes, read the report, fix
it, import it, follow the link to the epidemic curve, and undo the import."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from vungxanh.surveillance.models import DailyCount, ImportBatch, Series
from vungxanh.tests.browser.helpers import login, tr

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WITH_MISTAKES = [
    ["31120", dt.date(2021, 9, 22), 2, None, None, 5],
    ["Phuong An Hoa x", "31/02/2021", -1, None, None, "năm"],
]
FIXED = [
    ["31120", dt.date(2021, 9, 22), 2, None, None, 5],
    ["Phường An Hòa", "23/09/2021", 1, None, None, 4],
]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _standard_series(world) -> None:
    # The live server's database is flushed between tests: bring back the standard series.
    standard = importlib.import_module("vungxanh.surveillance.migrations.0002_standard_series")
    for values in standard.STANDARD_SERIES:
        Series.objects.get_or_create(code=values["code"], defaults=values)


def filled(template: bytes, rows: list[list]) -> dict:
    book = load_workbook(io.BytesIO(template))
    sheet = book["Dữ liệu"]
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row_number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return {"name": "so-ca-an-hoa.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}


def upload(page, file: dict) -> None:
    page.select_option("select[name=kind]", "daily")
    page.set_input_files("input[name=file]", file)
    page.locator("main form.form button[type=submit]").click()


def test_ward_official_fixes_a_file_imports_it_and_undoes_it(page, live_server):
    login(page, live_server, "anhoa_official")
    page.locator("header nav a", has_text=tr("Imports")).click()
    expect(page).to_have_url(f"{live_server.url}/imports/")
    page.get_by_test_id("new-import").click()
    expect(page).to_have_url(f"{live_server.url}/imports/new/")

    with page.expect_download() as download_info:
        page.get_by_test_id("template-daily").click()
    download = download_info.value
    assert download.suggested_filename == "vungxanh-mau-daily.xlsx"
    template = download.path().read_bytes()

    upload(page, filled(template, WITH_MISTAKES))

    report = page.get_by_test_id("report")
    expect(report).to_be_visible()
    problems = page.get_by_test_id("problems").locator("tbody tr")
    expect(problems).to_have_count(4)
    place = "row %(row)d, column ‘%(column)s’"
    for column in ("Ca cộng đồng", "Ca trong khu phong tỏa", "Ngày", "Địa bàn"):
        expect(problems.filter(has_text=tr(place, row=3, column=column))).to_have_count(1)
    expect(problems.filter(has_text="Phuong An Hoa x")).to_contain_text("Phường An Hòa")
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    assert not DailyCount.objects.exists()

    page.goto(f"{live_server.url}/imports/new/")
    upload(page, filled(template, FIXED))

    expect(page.get_by_test_id("no-problems")).to_be_visible()
    expect(page.get_by_test_id("new")).to_have_text("2")
    page.get_by_test_id("confirm").click()

    expect(page).to_have_url(f"{live_server.url}/imports/")
    success = page.locator(".messages li.success")
    expect(success).to_contain_text("so-ca-an-hoa.xlsx")
    history = page.get_by_test_id("history")
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history).to_contain_text("so-ca-an-hoa.xlsx")
    expect(history).to_contain_text("anhoa_official")
    batch = ImportBatch.objects.get()
    assert (batch.rows_created, batch.area.code, batch.source) == (2, "31120", "web")
    assert DailyCount.objects.get(date=dt.date(2021, 9, 23)).lockdown == 4

    curve = success.locator("a")
    # The curve of the series the file went into (the ward's default until it designates one).
    expect(curve).to_have_attribute("href", "/surveillance/areas/31120/?series=reported")
    curve.click()
    expect(page).to_have_url(f"{live_server.url}/surveillance/areas/31120/?series=reported")
    expect(page.locator("main")).to_contain_text("Phường An Hòa")

    page.goto(f"{live_server.url}/imports/")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Cancel" keeps the import
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("status")).to_have_text(tr("imported"))
    assert DailyCount.objects.count() == 2

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("undo").click()

    expect(page.locator(".messages li.success")).to_contain_text("so-ca-an-hoa.xlsx")
    expect(page.get_by_test_id("status")).to_have_text(tr("undone"))
    expect(page.get_by_test_id("undo")).to_have_count(0)
    assert not DailyCount.objects.exists()
