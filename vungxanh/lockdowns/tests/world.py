"""Zones for the lockdown tests, on top of the shared world (``vungxanh.testing``).

- ``zone`` (An Hòa): hẻm 51 Mậu Thân, 26 households, 108 residents, locked down 10/07/2021
  by "QĐ 101/QĐ-UBND"; index case SIM-000001 (isolated 10/07); a post with a shift on
  20/07 that needs 2 officials and has 1; a household, a need, an inspection.
- ``foreign_zone`` (Cái Khế) and ``far_zone`` (Hưng Phú, Cái Răng): the same, marked
  "foreign-…" so isolation tests can look for the marker.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from vungxanh.lockdowns import services
from vungxanh.lockdowns.models import LockdownZone
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series

START = dt.date(2021, 7, 10)
SHIFT_DAY = dt.date(2021, 7, 20)
DECISION = "QĐ 101/QĐ-UBND"
# The tests' cases go to their own series, so other apps' checks see none of them.
SERIES = "lockdown-tests"


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


AN_HOA = square(105.71, 10.00, 105.745, 10.06)
CAI_KHE = square(105.755, 10.00, 105.79, 10.06)
HUNG_PHU = square(105.76, 9.98, 105.80, 9.995)
ZONE_SHAPE = square(105.72, 10.02, 105.7215, 10.0215)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def cases_csv(rows: list[tuple[str, str, dt.date, str]], zone_ref: str = "") -> bytes:
    """A line list; every row names ``zone_ref`` as its lockdown zone when given."""
    lines = ["Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Khu phong tỏa"]
    lines += [f"{code},{area},{day:%d/%m/%Y},{where},{zone_ref}" for code, area, day, where in rows]
    return "\n".join(lines).encode()


def make_zone(area, actor, name: str, geometry=None, **extra) -> LockdownZone:
    zone = services.create_zone(
        area,
        actor=actor,
        name=name,
        scope_type="alley",
        scope_description=f"{name}: từ số 1 đến số 31",
        geometry=geometry or "",
        households=26,
        residents=108,
        **extra,
    )
    return services.transition(
        zone, actor=actor, to="active", decision_number=DECISION, effective_on=START
    )


def furnish(zone: LockdownZone, actor, marker: str) -> None:
    """A post with an understaffed shift, a round, a household, a need, an inspection."""
    post = services.add_post(zone, actor=actor, name=f"Chốt {marker}", location="đầu hẻm")
    shift = services.add_shift(
        post, actor=actor, starts_at=at(SHIFT_DAY, 6), ends_at=at(SHIFT_DAY, 18)
    )
    services.assign_official(shift, actor=actor, roster_name=f"Tổ viên {marker}")
    services.plan_round(zone, actor=actor, day=dt.date(2021, 7, 13), note=f"round {marker}")
    household = services.add_household(zone, actor=actor, address=f"Số 5 {marker}", residents=4)
    services.record_need(
        zone,
        actor=actor,
        kind="food",
        description=f"gạo {marker}",
        household=household,
        requested_on=dt.date(2021, 7, 12),
    )
    services.record_inspection(
        zone,
        actor=actor,
        visited_at=at(SHIFT_DAY, 9),
        findings=f"findings {marker}",
        violations=[{"kind": "gathering", "description": f"violation {marker}"}],
        photos=[("p.png", PNG)],
    )


def build_zones(tc) -> None:
    """Create the zones above on ``tc`` (a test case or a namespace with the world on it)."""
    services.sync_lift_rules()
    for area, shape in ((tc.anhoa, AN_HOA), (tc.caikhe, CAI_KHE), (tc.hungphu, HUNG_PHU)):
        area.boundary = json.dumps(shape)
        area.save(update_fields=["boundary"])
    Series.objects.get_or_create(
        code=SERIES, defaults={"name": "Lockdown tests", "simulated": True, "priority": 90}
    )
    surveillance.import_file(
        "cases",
        cases_csv(
            [
                ("SIM-000001", "31120", START, "cộng đồng"),
                ("SIM-000002", "31120", dt.date(2021, 7, 15), "khu phong tỏa"),
                ("SIM-000003", "31117", START, "cộng đồng"),
                ("SIM-000004", "31189", START, "cộng đồng"),
            ]
        ),
        "cases.csv",
        actor=tc.admin,
        series_code=SERIES,
    )
    tc.zone = make_zone(
        tc.anhoa, tc.admin, "Hẻm 51 Mậu Thân", ZONE_SHAPE, index_cases=["SIM-000001"]
    )
    furnish(tc.zone, tc.admin, "own-marker")
    tc.foreign_zone = make_zone(tc.caikhe, tc.admin, "foreign-zone-marker Cái Khế")
    furnish(tc.foreign_zone, tc.admin, "foreign-marker")
    tc.far_zone = make_zone(tc.hungphu, tc.admin, "foreign-far-marker Hưng Phú")
    furnish(tc.far_zone, tc.admin, "foreign-far")
