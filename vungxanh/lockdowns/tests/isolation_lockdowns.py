"""Isolation checks of the lockdown pages and API (collected by vungxanh/tests/test_isolation.py).

The zones of ``world.build_zones`` are built once per test, lazily: ``zone`` in An Hòa,
``foreign_zone`` in Cái Khế, ``far_zone`` in Hưng Phú (Cái Răng), each with a post, a
shift, a round, a household, a need, an inspection with a photo. An Hòa's ward official
must neither see nor change Cái Khế's; Ninh Kiều's steering committee must not reach Cái
Răng's; a viewer reads and never writes.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vungxanh.lockdowns import services
from vungxanh.lockdowns.models import (
    GuardPost,
    Inspection,
    LockdownZone,
    Need,
    Shift,
    ShiftAssignment,
    TestingRound,
    ZoneCase,
    ZoneHousehold,
    ZoneNotice,
)
from vungxanh.lockdowns.tests.world import PNG, build_zones

DAY = "20/07/2021"
MARKERS = ["foreign-zone-marker", "foreign-marker", "foreign-far", "Cái Khế", "Hưng Phú"]


def _ready(tc) -> None:
    if getattr(tc, "_lockdowns_ready", False):
        return
    build_zones(tc)
    services.link_case(
        tc.foreign_zone,
        actor=tc.admin,
        case_code="SIM-000003",
        relation="outside",
        isolated_on=dt.date(2021, 7, 15),
    )
    tc.foreign_notice = ZoneNotice.objects.get(zone=tc.foreign_zone)
    tc._lockdowns_ready = True


def _counts() -> tuple:
    return (
        LockdownZone.objects.count(),
        ZoneCase.objects.count(),
        TestingRound.objects.count(),
        GuardPost.objects.count(),
        Shift.objects.count(),
        ShiftAssignment.objects.filter(checked_in_at__isnull=False).count(),
        ShiftAssignment.objects.count(),
        Inspection.objects.count(),
        ZoneHousehold.objects.count(),
        Need.objects.count(),
        Need.objects.filter(met_on__isnull=False).count(),
        ZoneNotice.objects.filter(acknowledged_at__isnull=False).count(),
        tuple(LockdownZone.objects.order_by("pk").values_list("status", "version")),
    )


# -- pages ---------------------------------------------------------------------------------
def check_index(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name) + f"?date={DAY}", MARKERS, ["Hẻm 51 Mậu Thân"])
    tc.assert_refused(tc.client.get(reverse(name), {"area": "31117"}))
    tc.assert_refused(tc.client.get(reverse(name), {"area": "916"}))
    tc.client.force_login(tc.district_steering)
    tc.assert_hides(
        reverse(name) + f"?date={DAY}", ["foreign-far", "Hưng Phú"], ["foreign-zone-marker"]
    )
    tc.assert_refused(tc.client.get(reverse(name), {"area": "919"}))


def check_export(tc, name: str) -> None:
    """The map data and the report: only the user's zones, another area refused."""
    _ready(tc)
    tc.as_ward()
    response = tc.client.get(reverse(name), {"date": DAY})
    tc.assertEqual(response.status_code, 200)
    if name == "lockdowns:map_geojson":
        codes = {f["properties"]["code"] for f in response.json()["features"]}
        tc.assertEqual(codes, {tc.zone.code})
    else:
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content))
        cells = " ".join(
            str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
        )
        for marker in MARKERS:
            tc.assertNotIn(marker, cells)
        tc.assertIn(tc.zone.code, cells)
    for area in ("31117", "916", "919"):
        tc.assert_refused(tc.client.get(reverse(name), {"area": area, "date": DAY}))


def check_create(tc, name: str) -> None:
    _ready(tc)
    before = _counts()
    tc.as_ward()
    page = tc.client.get(reverse(name))
    tc.assertEqual([c for c, _n in page.context["form"].fields["area"].choices], ["31120"])
    data = {"name": "iso", "area": "31117", "scope_type": "alley", "rule": "vn-lockdown-14d"}
    tc.assertIn(tc.client.post(reverse(name), data).status_code, {200, 403, 404})
    tc.client.force_login(tc.viewer)
    tc.assert_refused(tc.client.get(reverse(name)))
    tc.assert_refused(tc.client.post(reverse(name), dict(data, area="31120")))
    tc.assertEqual(_counts(), before)


def check_zone_page(tc, name: str) -> None:
    """A zone's page (and its edit and split forms): another ward's zone is not found."""
    _ready(tc)
    tc.as_ward()
    for zone in (tc.foreign_zone, tc.far_zone):
        tc.assert_refused(tc.client.get(reverse(name, args=[zone.pk])))
    own = tc.client.get(reverse(name, args=[tc.zone.pk]), {"date": DAY})
    tc.assertEqual(own.status_code, 200)
    text = own.content.decode()
    for marker in MARKERS:
        tc.assertNotIn(marker, text)
    if name != "lockdowns:detail":
        tc.client.force_login(tc.viewer)
        tc.assert_refused(tc.client.get(reverse(name, args=[tc.zone.pk])))


def _posts(tc, name: str, targets, data: dict, files: bool = False) -> None:
    """POSTs to another ward's objects, and a viewer's to one's own, change nothing."""
    _ready(tc)
    before = _counts()
    own, foreign, far = targets(tc)
    tc.as_ward()
    for target in (foreign, far):
        tc.assert_refused(tc.client.post(reverse(name, args=[target.pk]), data))
    tc.client.force_login(tc.viewer)
    tc.assert_refused(tc.client.post(reverse(name, args=[own.pk]), data))
    tc.assertEqual(_counts(), before)


def _zones(tc):
    return tc.zone, tc.foreign_zone, tc.far_zone


def _of(model, field: str = "zone"):
    def targets(tc):
        return tuple(model.objects.filter(**{field: z}).first() for z in _zones(tc))

    return targets


def check_transition(tc, name: str) -> None:
    _posts(
        tc,
        name,
        _zones,
        {
            "to_status": "lifted",
            "decision_number": "iso",
            "effective_on": DAY,
            "override_reason": "iso",
            "version": "1",
        },
    )


def check_part_create(tc, name: str) -> None:
    _posts(tc, name, _zones, {"name": "iso part", "risk": "1"})


def check_case_link(tc, name: str) -> None:
    _posts(tc, name, _zones, {"case_code": "ISO-1", "relation": "inside", "isolated_on": DAY})


def check_round_plan(tc, name: str) -> None:
    _posts(tc, name, _zones, {"day": DAY, "method": "pcr", "whole_zone": "on"})


def check_post_add(tc, name: str) -> None:
    _posts(tc, name, _zones, {"name": "iso post"})


def check_inspection_add(tc, name: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "day": DAY,
        "time": "08:00",
        "findings": "iso",
        "photos": [SimpleUploadedFile("p.png", PNG, content_type="image/png")],
    }
    _posts(tc, name, _zones, data)


def check_household_add(tc, name: str) -> None:
    _posts(tc, name, _zones, {"address": "iso"})


def check_need_add(tc, name: str) -> None:
    _posts(tc, name, _zones, {"kind": "food", "description": "iso", "requested_on": DAY})


def check_round_result(tc, name: str) -> None:
    _posts(tc, name, _of(TestingRound), {"status": "done", "samples": "5", "positives": "0"})


def check_shift_add(tc, name: str) -> None:
    _posts(
        tc,
        name,
        _of(GuardPost),
        {"day": DAY, "start": "06:00", "end": "18:00", "required_staff": "2"},
    )


def check_shift_assign(tc, name: str) -> None:
    _posts(tc, name, _of(Shift, "post__zone"), {"roster_name": "iso"})


def check_check_in(tc, name: str) -> None:
    _posts(tc, name, _of(ShiftAssignment, "shift__post__zone"), {})


def check_need_met(tc, name: str) -> None:
    _posts(tc, name, _of(Need), {"met_on": DAY})


def check_notice_ack(tc, name: str) -> None:
    _ready(tc)
    before = _counts()
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name, args=[tc.foreign_notice.pk])))
    tc.client.force_login(tc.viewer)
    tc.assert_refused(tc.client.post(reverse(name, args=[tc.foreign_notice.pk])))
    tc.assertEqual(_counts(), before)


def check_photo(tc, name: str) -> None:
    _ready(tc)
    own, foreign, far = (
        Inspection.objects.filter(zone=z).first().photos.first() for z in _zones(tc)
    )
    tc.as_ward()
    for photo in (foreign, far):
        tc.assert_refused(tc.client.get(reverse(name, args=[photo.pk])))
    response = tc.client.get(reverse(name, args=[own.pk]))
    tc.assertEqual(response.status_code, 200)
    tc.assertEqual(b"".join(response.streaming_content), PNG)


# -- API -----------------------------------------------------------------------------------
def check_api_zones(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    items = tc.client.get(reverse(name), {"limit": 1000}).json()["items"]
    tc.assertEqual({row["code"] for row in items}, {tc.zone.code})
    tc.assert_refused(tc.client.get(reverse(name), {"area": "31117"}))
    tc.client.force_login(tc.district_steering)
    items = tc.client.get(reverse(name), {"limit": 1000}).json()["items"]
    tc.assertEqual({row["code"] for row in items}, {tc.zone.code, tc.foreign_zone.code})


def check_api_zone_create(tc, name: str) -> None:
    _ready(tc)
    before = _counts()
    tc.as_ward()
    for area in ("31117", "31189"):
        response = tc.client.post(
            reverse(name),
            {"area": area, "name": "iso", "scope_type": "alley"},
            content_type="application/json",
        )
        tc.assert_refused(response)
    tc.client.force_login(tc.viewer)
    response = tc.client.post(
        reverse(name),
        {"area": "31120", "name": "iso", "scope_type": "alley"},
        content_type="application/json",
    )
    tc.assert_refused(response)
    tc.assertEqual(_counts(), before)


def check_api_zone_object(tc, name: str) -> None:
    """GETs of one zone (detail, lift date, rounds): another ward's zone is not found."""
    _ready(tc)
    tc.as_ward()
    for zone in (tc.foreign_zone, tc.far_zone):
        tc.assert_refused(tc.client.get(reverse(name, args=[zone.pk])))
    response = tc.client.get(reverse(name, args=[tc.zone.pk]), {"date": "2021-07-20"})
    tc.assertEqual(response.status_code, 200)
    for marker in MARKERS:
        tc.assertNotIn(marker, response.content.decode())


def _api_posts(tc, name: str, targets, body: dict, method: str = "post") -> None:
    _ready(tc)
    before = _counts()
    own, foreign, far = targets(tc)
    send = getattr(tc.client, method)
    tc.as_ward()
    for target in (foreign, far):
        tc.assert_refused(
            send(reverse(name, args=[target.pk]), body, content_type="application/json")
        )
    tc.client.force_login(tc.viewer)
    tc.assert_refused(send(reverse(name, args=[own.pk]), body, content_type="application/json"))
    tc.assertEqual(_counts(), before)


def check_api_zone_update(tc, name: str) -> None:
    _api_posts(tc, name, _zones, {"version": 1, "households": 1}, method="patch")


def check_api_transition(tc, name: str) -> None:
    body = {
        "to": "lifted",
        "decision_number": "iso",
        "effective_on": "2021-07-30",
        "override_reason": "iso",
    }
    _api_posts(tc, name, _zones, body)


def check_api_case_link(tc, name: str) -> None:
    _api_posts(
        tc, name, _zones, {"case_code": "ISO-2", "relation": "inside", "isolated_on": "2021-07-20"}
    )


def check_api_round_plan(tc, name: str) -> None:
    _api_posts(tc, name, _zones, {"day": "2021-07-20"})


def check_api_round_result(tc, name: str) -> None:
    _api_posts(tc, name, _of(TestingRound), {"status": "done", "samples": 5})


def check_api_area_reads(tc, name: str) -> None:
    """Unstaffed shifts and ward shares: the user's area only; another area refused."""
    _ready(tc)
    tc.as_ward()
    response = tc.client.get(reverse(name), {"date": "2021-07-20"})
    tc.assertEqual(response.status_code, 200)
    text = response.content.decode()
    for marker in MARKERS:
        tc.assertNotIn(marker, text)
    if name == "api:lockdown_unstaffed":
        tc.assertEqual({row["zone"] for row in response.json()}, {tc.zone.pk})
    else:
        tc.assertEqual({row["area"] for row in response.json()}, {"31120"})
    for area in ("31117", "916", "919"):
        tc.assert_refused(tc.client.get(reverse(name), {"area": area}))


def check_api_rules(tc, name: str) -> None:
    """Lift rules are public documents: any signed-in user reads them; no area data."""
    _ready(tc)
    tc.as_ward()
    response = tc.client.get(reverse(name))
    tc.assertEqual(response.status_code, 200)
    tc.assertIn("vn-lockdown-14d", response.content.decode())
    tc.client.logout()
    tc.assertEqual(tc.client.get(reverse(name)).status_code, 401)


CHECKS = {
    "lockdowns:index": check_index,
    "lockdowns:map_geojson": check_export,
    "lockdowns:report": check_export,
    "lockdowns:create": check_create,
    "lockdowns:detail": check_zone_page,
    "lockdowns:edit": check_zone_page,
    "lockdowns:part_create": check_zone_page,
    "lockdowns:transition": check_transition,
    "lockdowns:case_link": check_case_link,
    "lockdowns:round_plan": check_round_plan,
    "lockdowns:post_add": check_post_add,
    "lockdowns:inspection_add": check_inspection_add,
    "lockdowns:household_add": check_household_add,
    "lockdowns:need_add": check_need_add,
    "lockdowns:round_result": check_round_result,
    "lockdowns:shift_add": check_shift_add,
    "lockdowns:shift_assign": check_shift_assign,
    "lockdowns:check_in": check_check_in,
    "lockdowns:photo": check_photo,
    "lockdowns:need_met": check_need_met,
    "lockdowns:notice_ack": check_notice_ack,
    "api:lockdown_zones": check_api_zones,
    "api:lockdown_zone_create": check_api_zone_create,
    "api:lockdown_zone": check_api_zone_object,
    "api:lockdown_lift": check_api_zone_object,
    "api:lockdown_rounds": check_api_zone_object,
    "api:lockdown_zone_update": check_api_zone_update,
    "api:lockdown_transition": check_api_transition,
    "api:lockdown_case_link": check_api_case_link,
    "api:lockdown_round_plan": check_api_round_plan,
    "api:lockdown_round_result": check_api_round_result,
    "api:lockdown_unstaffed": check_api_area_reads,
    "api:lockdown_containment": check_api_area_reads,
    "api:lockdown_rules": check_api_rules,
}


# -- the write leg (vungxanh/tests/test_isolation.py, EveryWriteTestCase) -------------------
EDIT = {
    "name": "iso",
    "area": "31120",
    "scope_type": "alley",
    "rule": "vn-lockdown-14d",
    "reason": "iso",
    "version": "1",
}


def _zone_areas(tc) -> tuple:
    return tuple(z.area.code for z in LockdownZone.objects.order_by("pk").select_related("area"))


def check_edit(tc, name: str) -> None:
    """Another ward's zone cannot be edited, nor one's own moved into another ward."""
    _posts(tc, name, _zones, EDIT)
    before, areas = _counts(), _zone_areas(tc)
    tc.as_ward()
    for area in ("31117", "31189"):
        tc.client.post(reverse(name, args=[tc.zone.pk]), dict(EDIT, area=area))
    tc.assertEqual(_zone_areas(tc), areas)
    tc.assertEqual(_counts()[:-1], before[:-1])


def check_api_zone_move(tc, name: str) -> None:
    """PATCH: another ward's zone refused; one's own never lands in another ward."""
    check_api_zone_update(tc, "api:lockdown_zone_update")
    areas = _zone_areas(tc)
    tc.as_ward()
    tc.client.patch(
        reverse("api:lockdown_zone_update", args=[tc.zone.pk]),
        {"version": tc.zone.version, "area": "31117", "area_id": tc.caikhe.pk},
        content_type="application/json",
    )
    tc.assertEqual(_zone_areas(tc), areas)


def _api(check, name: str):
    """Run the route-level ``check`` of API route ``name`` for an OpenAPI write key."""
    return lambda tc, key: check(tc, name)


WRITE_CHECKS = {
    "lockdowns:create": check_create,
    "lockdowns:edit": check_edit,
    "lockdowns:part_create": check_part_create,
    "lockdowns:transition": check_transition,
    "lockdowns:case_link": check_case_link,
    "lockdowns:round_plan": check_round_plan,
    "lockdowns:post_add": check_post_add,
    "lockdowns:inspection_add": check_inspection_add,
    "lockdowns:household_add": check_household_add,
    "lockdowns:need_add": check_need_add,
    "lockdowns:round_result": check_round_result,
    "lockdowns:shift_add": check_shift_add,
    "lockdowns:shift_assign": check_shift_assign,
    "lockdowns:check_in": check_check_in,
    "lockdowns:need_met": check_need_met,
    "lockdowns:notice_ack": check_notice_ack,
    "POST /api/v1/lockdowns/zones": _api(check_api_zone_create, "api:lockdown_zone_create"),
    "PATCH /api/v1/lockdowns/zones/{zone_id}": check_api_zone_move,
    "POST /api/v1/lockdowns/zones/{zone_id}/transitions": _api(
        check_api_transition, "api:lockdown_transition"
    ),
    "POST /api/v1/lockdowns/zones/{zone_id}/cases": _api(
        check_api_case_link, "api:lockdown_case_link"
    ),
    "POST /api/v1/lockdowns/zones/{zone_id}/rounds/new": _api(
        check_api_round_plan, "api:lockdown_round_plan"
    ),
    "POST /api/v1/lockdowns/rounds/{round_id}/result": _api(
        check_api_round_result, "api:lockdown_round_result"
    ),
}
