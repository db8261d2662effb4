"""The write leg of the surveillance isolation checks (collected by vungxanh/tests/test_isolation.py).

For every kind of fact (cases, daily, tests, vaccination, capacity), An Hòa's ward official
can neither create one in Cái Khế, correct Cái Khế's, move An Hòa's into Cái Khế, import
Cái Khế's rows (nor take over Cái Khế's cases by their codes), nor undo Cái Khế's import.
Each refusal leaves the tables exactly as they were; each check also shows the same write
succeeding in An Hòa, so that a refusal for another reason (a bad payload) cannot pass.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vungxanh.surveillance import services
from vungxanh.surveillance.models import CasePerson, CaseRecord, ImportBatch
from vungxanh.surveillance.schemas import KIND_SCHEMAS
from vungxanh.surveillance.tests.isolation_imports import _both_wards_file, _with_media
from vungxanh.surveillance.tests.isolation_pages import FACTS, FOREIGN_CASE, FOREIGN_NAME, facts

OWN, FOREIGN = "31120", "31117"
FOREIGN_AREAS = ("31117", "31189", "916")
NEW_DAY = "22/09/2021"
# One new fact of each kind (created on NEW_DAY) and one correction of an existing one.
NEW_FACTS = {
    "cases": {"confirmed_date": NEW_DAY, "detection": "community"},
    "daily": {"date": NEW_DAY, "community": 1},
    "tests": {"date": NEW_DAY, "sample_group": "f1", "performed": 9, "positive": 1},
    "vaccination": {"date": NEW_DAY, "adults": 100, "adults_one_dose": 80, "adults_full": 40},
    "capacity": {"date": NEW_DAY, "icu_beds": 4},
}
CORRECTIONS = {
    "cases": {"detection": "quarantine"},
    "daily": {"community": 2},
    "tests": {"performed": 10},
    "vaccination": {"adults_full": 41},
    "capacity": {"icu_beds": 5},
}
IMPORT_FILES = {
    **FACTS,
    "cases": "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\n{code},{area},20/09/2021,community\n",
}


def table(model) -> list[dict]:
    """Every row of ``model``, every field: equal before and after means nothing changed."""
    return list(model.objects.order_by("pk").values())


def tables(kind: str) -> tuple:
    state = (table(services.MODELS[kind]), table(ImportBatch))
    return state + (table(CasePerson),) if kind == "cases" else state


def send(tc, method: str, url: str, body: dict):
    return getattr(tc.client, method)(url, body, content_type="application/json")


def assert_refused_unchanged(tc, kind: str, attempt: Callable) -> None:
    before = tables(kind)
    response = attempt()
    tc.assertIn(response.status_code, {403, 404, 422}, response.content[:300])
    tc.assertNotIn(FOREIGN_NAME, response.content.decode(errors="ignore"))
    tc.assertEqual(tables(kind), before)


# -- the facts API ---------------------------------------------------------------------------
def _create(kind: str) -> Callable:
    def check(tc, key: str) -> None:
        facts(tc)
        url = reverse(f"api:{KIND_SCHEMAS[kind][0]}_create")
        tc.as_ward()
        for area in FOREIGN_AREAS:
            body = {**NEW_FACTS[kind], "area": area, "case_code": f"ISO-W-{area}"}
            if kind != "cases":
                body.pop("case_code")
            assert_refused_unchanged(tc, kind, lambda body=body: send(tc, "post", url, body))
        own = {**NEW_FACTS[kind], "area": OWN}
        if kind == "cases":
            own["case_code"] = "ISO-W-OWN"
        response = send(tc, "post", url, own)
        tc.assertEqual(response.status_code, 201, response.content[:300])

    return check


def _correct(kind: str) -> Callable:
    def check(tc, key: str) -> None:
        ids = facts(tc)[kind]
        name = f"api:{KIND_SCHEMAS[kind][0]}_correct"
        tc.as_ward()
        foreign = reverse(name, args=[ids[FOREIGN]])
        assert_refused_unchanged(tc, kind, lambda: send(tc, "put", foreign, CORRECTIONS[kind]))
        # Moving one's own fact into another ward is a write there too.
        own = reverse(name, args=[ids[OWN]])
        for area in FOREIGN_AREAS:
            body = {"area": area, "reason": "move"}
            assert_refused_unchanged(tc, kind, lambda body=body: send(tc, "put", own, body))
        response = send(tc, "put", own, CORRECTIONS[kind])
        tc.assertEqual(response.status_code, 200, response.content[:300])

    return check


# -- imports -----------------------------------------------------------------------------------
def _import_text(kind: str, area: str, code: str = "ISO-IMP-1") -> str:
    return IMPORT_FILES[kind].format(area=area, code=code).replace("20/09/2021", NEW_DAY)


def _post_import(tc, kind: str, text: str):
    upload = SimpleUploadedFile(f"{kind}.csv", text.encode())
    return tc.client.post(reverse("api:import_create", args=[kind]), {"file": upload})


def _foreign_case_state() -> tuple:
    """Cái Khế's case and its identity, every version."""
    return (
        list(CaseRecord.objects.filter(case_code=FOREIGN_CASE).order_by("pk").values()),
        list(CasePerson.objects.filter(case_code=FOREIGN_CASE).order_by("pk").values()),
    )


@_with_media
def check_api_import(tc, key: str) -> None:
    """Every kind: another ward's rows are refused, one's own are written."""
    facts(tc)
    tc.as_ward()
    for kind in services.MODELS:
        with tc.subTest(kind=kind):
            for area in FOREIGN_AREAS:
                text = _import_text(kind, area, code=f"ISO-IMP-{area}")
                attempt = functools.partial(_post_import, tc, kind, text)
                assert_refused_unchanged(tc, kind, attempt)
            response = _post_import(tc, kind, _import_text(kind, OWN))
            tc.assertEqual(response.status_code, 200, response.content[:300])
    check_case_takeover(tc, key)


def check_case_takeover(tc, key: str) -> None:
    """Issue 9, finding 1: another ward's case code, imported as one's own ward's case.

    Whatever the import answers, Cái Khế's case stays Cái Khế's with its identity, the
    answer names nothing of it, and undoing the import leaves it as it was.
    """
    facts(tc)
    tc.as_ward()
    before = _foreign_case_state()
    for with_person, dry_run in ((False, True), (False, False), (True, False)):
        header = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện"
        row = f"{FOREIGN_CASE},{OWN},20/09/2021,community"
        if with_person:
            header, row = header + ",Họ tên,Số điện thoại", row + ",Hijacker Marker,0900000000"
        upload = SimpleUploadedFile("takeover.csv", f"{header}\n{row}\n".encode())
        response = tc.client.post(
            reverse("api:import_create", args=["cases"]),
            {"file": upload, "dry_run": "true" if dry_run else "false"},
        )
        text = response.content.decode(errors="ignore")
        for marker in (FOREIGN_NAME, "Cái Khế", FOREIGN):
            tc.assertNotIn(marker, text)
        tc.assertEqual(_foreign_case_state(), before)
        batch_id = response.json().get("batch_id") if response.status_code == 200 else None
        if batch_id:
            tc.client.post(reverse("api:import_undo", args=[batch_id]))
            tc.assertEqual(_foreign_case_state(), before)


_UNDO_COUNTS = itertools.count(100)


def _batches(tc) -> tuple[ImportBatch, ImportBatch]:
    """A fresh import of each ward (new counts, so that each writes)."""
    batches = []
    for area, actor in ((OWN, tc.anhoa_official), (FOREIGN, tc.caikhe_official)):
        text = f"Địa bàn,Ngày,Ca cộng đồng\n{area},23/09/2021,{next(_UNDO_COUNTS)}\n"
        result = services.import_file("daily", text.encode(), f"{area}.csv", actor=actor)
        tc.assertIsNotNone(result.batch, result.check.errors)
        batches.append(result.batch)
    return batches[0], batches[1]


def _undo(api: bool) -> Callable:
    def check(tc, key: str) -> None:
        own, foreign = _batches(tc)
        name = "api:import_undo" if api else "imports:undo"
        tc.as_ward()
        before = tables("daily")
        tc.assert_refused(tc.client.post(reverse(name, args=[foreign.pk])))
        tc.assertEqual(tables("daily"), before)
        tc.client.post(reverse(name, args=[own.pk]))
        own.refresh_from_db()
        tc.assertEqual(own.status, ImportBatch.Status.UNDONE)

    return check


@_with_media
def check_import_pages(tc, key: str) -> None:
    """The upload and confirm pages, every kind: only An Hòa's rows are written."""
    facts(tc)
    tc.as_ward()
    for kind in services.MODELS:
        with tc.subTest(kind=kind):
            text = (
                _import_text(kind, OWN) + _import_text(kind, FOREIGN, "ISO-P-2").split("\n", 1)[1]
            )
            upload = SimpleUploadedFile(f"{kind}.csv", text.encode())
            before = [r for r in table(services.MODELS[kind]) if r["area_id"] != tc.anhoa.pk]
            preview = tc.client.post(
                reverse("imports:new"), {"kind": kind, "file": upload, "valid_only": "on"}
            )
            tc.assertNotContains(preview, "Cái Khế")
            if key == "imports:confirm":
                values = {**preview.context["confirm"].initial, "valid_only": "on"}
                tc.client.post(reverse("imports:confirm"), values)
            after = [r for r in table(services.MODELS[kind]) if r["area_id"] != tc.anhoa.pk]
            tc.assertEqual(after, before)
    if key == "imports:new":  # the daily file of both wards: the foreign row is refused
        preview = tc.client.post(reverse(key), {"kind": "daily", "file": _both_wards_file()})
        tc.assertIn("unknown_area", {p["code"] for p in preview.context["problems"]})


WRITE_CHECKS: dict[str, Callable] = {
    "POST /api/v1/imports/{kind}": check_api_import,
    "POST /api/v1/imports/{batch_id}/undo": _undo(api=True),
    "imports:undo": _undo(api=False),
    "imports:new": check_import_pages,
    "imports:confirm": check_import_pages,
}
for _kind, (_stem, *_schemas) in KIND_SCHEMAS.items():
    WRITE_CHECKS[f"POST /api/v1/surveillance/{_kind}/"] = _create(_kind)
    WRITE_CHECKS[f"PUT /api/v1/surveillance/{_kind}/{{record_id}}"] = _correct(_kind)
