"""Isolation checks of the import pages and API (collected by vungxanh/tests/test_isolation.py).

An Hòa's ward official must neither see Cái Khế's imports nor import or undo there.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from vungxanh.imports import jobs
from vungxanh.surveillance import services
from vungxanh.surveillance.models import DailyCount, ImportBatch

OWN_FILE = "anhoa-marker.csv"
FOREIGN_FILE = "caikhe-marker.csv"
HEADER = "Địa bàn,Ngày,Ca cộng đồng\n"


def _batches(tc) -> tuple[ImportBatch, ImportBatch]:
    """An import of An Hòa (own) and one of Cái Khế (foreign), made once per test."""
    if not hasattr(tc, "_import_batches"):
        own = services.import_file(
            "daily", (HEADER + "31120,20/09/2021,1\n").encode(), OWN_FILE, actor=tc.anhoa_official
        ).batch
        foreign = services.import_file(
            "daily",
            (HEADER + "31117,20/09/2021,4\n").encode(),
            FOREIGN_FILE,
            actor=tc.caikhe_official,
        ).batch
        tc._import_batches = (own, foreign)
    return tc._import_batches


def _caikhe_rows() -> int:
    return DailyCount.objects.filter(area__code="31117").count()


def _both_wards_file() -> SimpleUploadedFile:
    text = HEADER + "31120,21/09/2021,2\n31117,21/09/2021,9\n"
    return SimpleUploadedFile("both.csv", text.encode())


def _with_media(check: Callable) -> Callable:
    """Run ``check`` with uploads kept in a temporary MEDIA_ROOT."""

    def run(tc, name: str) -> None:
        folder = tempfile.mkdtemp(prefix="vx-isolation-")
        try:
            with override_settings(MEDIA_ROOT=folder):
                check(tc, name)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return run


# -- pages -------------------------------------------------------------------------------
def check_history(tc, name: str) -> None:
    _batches(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name), [FOREIGN_FILE, "Cái Khế"], [OWN_FILE])


def check_detail(tc, name: str) -> None:
    own, foreign = _batches(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=[foreign.pk])))
    tc.assertEqual(tc.client.get(reverse(name, args=[own.pk])).status_code, 200)


def check_undo(tc, name: str) -> None:
    _own, foreign = _batches(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name, args=[foreign.pk])))
    foreign.refresh_from_db()
    tc.assertEqual(foreign.status, ImportBatch.Status.COMMITTED)


@_with_media
def check_upload(tc, name: str) -> None:
    before = _caikhe_rows()
    tc.as_ward()
    tc.assertEqual(tc.client.get(reverse(name)).status_code, 200)
    response = tc.client.post(reverse(name), {"kind": "daily", "file": _both_wards_file()})
    codes = [(p["row"], p["code"]) for p in response.context["problems"]]
    tc.assertEqual(codes, [(3, "unknown_area")])
    tc.assertNotContains(response, "Cái Khế")
    tc.assertEqual(_caikhe_rows(), before)


@_with_media
def check_confirm(tc, name: str) -> None:
    before = _caikhe_rows()
    tc.as_ward()
    preview = tc.client.post(
        reverse("imports:new"), {"kind": "daily", "file": _both_wards_file(), "valid_only": "on"}
    )
    values = {**preview.context["confirm"].initial, "valid_only": "on"}
    tc.client.post(reverse(name), values)
    tc.assertEqual(_caikhe_rows(), before)  # only An Hòa's row was imported
    tc.assertTrue(DailyCount.objects.filter(area__code="31120", date="2021-09-21").exists())


def check_job(tc, name: str) -> None:
    path = Path(tempfile.gettempdir()) / "vx-none.csv"
    job = jobs.submit_import("daily", path, "x.csv", actor=tc.caikhe_official)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=[job.pk])))


def check_template(tc, name: str) -> None:
    tc.as_ward()
    for kind in ("daily", "cases"):
        response = tc.client.get(reverse(name, args=[kind]))
        tc.assertEqual(response.status_code, 200)
        if name.endswith("xlsx"):
            book = load_workbook(io.BytesIO(response.content))
            text = " ".join(
                str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r
            )
            tc.assertIn("Phường An Hòa", text)
        else:
            text = response.content.decode("utf-8-sig")
        tc.assertNotIn("Cái Khế", text)


# -- API ---------------------------------------------------------------------------------
def check_api_list(tc, name: str) -> None:
    _batches(tc)
    tc.as_ward()
    items = tc.client.get(reverse(name), {"limit": 1000}).json()["items"]
    tc.assertIn(OWN_FILE, {row["file_name"] for row in items})
    tc.assertEqual({row["area_code"] for row in items}, {"31120"})


def check_api_detail(tc, name: str) -> None:
    own, foreign = _batches(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=[foreign.pk])))
    tc.assertEqual(tc.client.get(reverse(name, args=[own.pk])).status_code, 200)


def check_api_create(tc, name: str) -> None:
    before = _caikhe_rows()
    tc.as_ward()
    response = tc.client.post(reverse(name, args=["daily"]), {"file": _both_wards_file()})
    tc.assertEqual(response.status_code, 422)
    tc.assertEqual([p["code"] for p in response.json()["problems"]], ["unknown_area"])
    tc.assertNotIn("Cái Khế", response.content.decode())
    tc.assertEqual(_caikhe_rows(), before)


def check_api_undo(tc, name: str) -> None:
    _own, foreign = _batches(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name, args=[foreign.pk])))
    foreign.refresh_from_db()
    tc.assertEqual(foreign.status, ImportBatch.Status.COMMITTED)


def check_api_not_found(tc, name: str) -> None:
    """``GET /imports/<kind>``: no such import, for anyone; nothing of any ward shown."""
    _batches(tc)
    tc.as_ward()
    for kind in ("daily", "cases"):
        response = tc.client.get(reverse(name, args=[kind]))
        tc.assertEqual(response.status_code, 404)
        tc.assertNotIn(FOREIGN_FILE, response.content.decode())


CHECKS = {
    "api:import_not_found": check_api_not_found,
    "imports:list": check_history,
    "imports:detail": check_detail,
    "imports:undo": check_undo,
    "imports:new": check_upload,
    "imports:confirm": check_confirm,
    "imports:job": check_job,
    "imports:job_progress": check_job,
    "imports:template_xlsx": check_template,
    "imports:template_csv": check_template,
    "api:import_list": check_api_list,
    "api:import_detail": check_api_detail,
    "api:import_create": check_api_create,
    "api:import_undo": check_api_undo,
}
