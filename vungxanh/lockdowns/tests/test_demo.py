"""The demo's lockdowns: the real July 2021 zones from the shipped file, the simulated ones
as of 23/09/2021, and a second run that changes nothing."""

from __future__ import annotations

import datetime as dt
import io

from vungxanh.areas import reference
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.models import AuditEntry
from vungxanh.demo.lockdowns import load_demo_lockdowns, read_real_rows
from vungxanh.demo.users import ensure_demo_users
from vungxanh.lockdowns import queries
from vungxanh.lockdowns.models import (
    Inspection,
    LockdownZone,
    Shift,
    TestingRound,
    ZoneCase,
    ZoneNotice,
)
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series
from vungxanh.testing import BaseTestCase, make_area

DEMO_DAY = dt.date(2021, 9, 23)
WARDS = {
    "916": [
        ("31135", "Phường Tân An"),
        ("31123", "Phường Thới Bình"),
        ("31144", "Phường Xuân Khánh"),
        ("31147", "Phường Hưng Lợi"),
    ],
    "918": [("31169", "Phường Trà An"), ("31171", "Phường Trà Nóc")],
    "927": [("31294", "Xã Trường Xuân")],
}
# Simulated line-list cases (series cantho-sim) near the days the demo needs them.
SIM = [
    ("31135", dt.date(2021, 7, 9), "community"),
    ("31135", dt.date(2021, 7, 14), "lockdown"),
    ("31120", dt.date(2021, 7, 11), "community"),
    ("31120", dt.date(2021, 9, 10), "community"),
    ("31120", dt.date(2021, 9, 16), "lockdown"),
    ("31117", dt.date(2021, 9, 19), "community"),
    ("31135", dt.date(2021, 8, 31), "community"),
    ("31135", dt.date(2021, 9, 10), "lockdown"),
    ("31144", dt.date(2021, 8, 24), "community"),
    # Reported "found in a lockdown zone" where no zone is in force (issue 11).
    ("31123", dt.date(2021, 9, 20), "lockdown"),
]


def build_demo_world(tc) -> None:
    districts = {"916": tc.ninhkieu}
    districts["918"] = make_area(
        "918", "Quận Bình Thủy", AreaKind.DISTRICT, tc.cantho, 140_000, "Quận"
    )
    districts["927"] = make_area(
        "927", "Huyện Thới Lai", AreaKind.DISTRICT, tc.cantho, 110_000, "Huyện"
    )
    for district, wards in WARDS.items():
        for code, name in wards:
            make_area(code, name, AreaKind.COMMUNE, districts[district], 20_000, name.split()[0])
    layout = reference.ninhkieu_ward_layout()
    for area in Area.objects.filter(code__in=list(layout)):
        area.boundary, area.boundary_source, area.boundary_approximate = layout[area.code]
        area.save()
    ensure_demo_users()
    ids = dict(Area.objects.values_list("code", "pk"))
    records = [
        {
            "case_code": f"SIM-{n:06d}",
            "area_id": ids[code],
            "onset_date": None,
            "sample_date": None,
            "confirmed_date": day,
            "report_date": day,
            "detection": detection,
            "age_band": "18-49",
            "sex": "F",
            "vaccination": "none",
            "outcome": "recovered",
            "zone_ref": "",
        }
        for n, (code, day, detection) in enumerate(SIM, start=1)
    ]
    surveillance.import_records("cases", records, actor=None, series_code="cantho-sim", label="t")


def lockdown_counts() -> dict:
    return {
        "zones": LockdownZone.objects.count(),
        "cases": ZoneCase.objects.count(),
        "rounds": TestingRound.objects.count(),
        "shifts": Shift.objects.count(),
        "inspections": Inspection.objects.count(),
        "notices": ZoneNotice.objects.count(),
        "audit": AuditEntry.objects.count(),
        "versions": sorted(LockdownZone.objects.values_list("code", "version")),
    }


class DemoLockdownsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_demo_world(cls)
        cls.out = io.StringIO()
        cls.report = load_demo_lockdowns(cls.out)

    def test_every_dated_row_of_the_record_is_a_real_zone(self) -> None:
        rows, skipped = read_real_rows()
        self.assertEqual(len(rows), 13)
        self.assertEqual(len(skipped), 3)  # reported without a decision date
        self.assertEqual(self.report.real, 13)
        market = LockdownZone.objects.get(code="CT-2021-01")
        self.assertEqual((market.households, market.residents), (266, 1900))
        self.assertEqual(market.start_date, dt.date(2021, 7, 10))
        self.assertEqual(market.start_time, dt.time(16, 0))
        self.assertEqual(market.area.code, "31135")
        self.assertEqual(market.unit.name, "Khu vực 3")
        self.assertIn("thanhnien.vn", market.source_url)
        self.assertFalse(market.simulated)
        self.assertIn("Mô phỏng", market.notes)
        self.assertNotIn("P.T.T", market.reason)  # no initials of the people named
        ward_of_row = dict(
            LockdownZone.objects.filter(code__startswith="CT-", parent__isnull=True).values_list(
                "code", "area__code"
            )
        )
        self.assertEqual(ward_of_row["CT-2021-08"], "31123")  # hẻm 43 Phạm Ngũ Lão
        self.assertEqual(LockdownZone.objects.get(code="CT-2021-08").scope_type, "alley")
        hospital = LockdownZone.objects.get(code="CT-2021-10")
        self.assertIn("suy ra", hospital.notes)

    def test_the_real_zones_are_lifted_by_simulated_decisions_within_the_rule(self) -> None:
        for zone in LockdownZone.objects.filter(code__startswith="CT-", parent__isnull=True):
            with self.subTest(zone=zone.code):
                self.assertEqual(zone.status, "lifted")
                lift = zone.transitions.get(to_status="lifted")
                self.assertTrue(lift.simulated)
                self.assertFalse(zone.transitions.get(to_status="active").simulated)
                self.assertEqual(lift.override_reason, "")

    def test_the_market_zone_is_lifted_part_by_part_from_lower_risk(self) -> None:
        market = LockdownZone.objects.get(code="CT-2021-01")
        parts = list(market.parts.order_by("risk"))
        self.assertEqual([p.risk for p in parts], [1, 2, 4])
        days = [p.lifted_on for p in parts]
        self.assertEqual(days, sorted(days))
        self.assertLess(days[0], days[2])
        self.assertEqual(
            list(market.transitions.values_list("to_status", flat=True)),
            ["active", "partly_lifted", "lifted"],
        )

    def test_the_simulated_zones_as_of_the_demo_day(self) -> None:
        status = {
            z.code: queries.status_on(z, DEMO_DAY)
            for z in LockdownZone.objects.filter(code__startswith="MP-")
        }
        self.assertEqual(
            status,
            {
                "MP-2021-AH-1": "active",
                "MP-2021-TA-1": "partly_lifted",
                "MP-2021-TA-1.1": "lifted",
                "MP-2021-TA-1.2": "active",
                "MP-2021-XK-1": "lifted",
                "MP-2021-HL-1": "proposed",
            },
        )
        self.assertTrue(
            all(z.simulated for z in LockdownZone.objects.filter(code__startswith="MP-"))
        )
        self.assertTrue(
            all("(mô phỏng)" in z.name for z in LockdownZone.objects.filter(code__startswith="MP-"))
        )

    def test_one_zone_s_lift_date_moved_when_a_case_was_found_inside(self) -> None:
        zone = LockdownZone.objects.get(code="MP-2021-AH-1")
        moved = ZoneNotice.objects.get(zone=zone, kind="lift_moved")
        self.assertEqual(moved.case_code, "SIM-000005")
        self.assertLess(moved.old_date, moved.new_date)
        lift = queries.lift_date(zone, DEMO_DAY)
        self.assertEqual(lift.anchor, dt.date(2021, 9, 16))
        self.assertEqual(lift.shown, moved.new_date)
        self.assertFalse(lift.eligible)
        self.assertTrue(ZoneNotice.objects.filter(zone=zone, kind="spillover").exists())

    def test_cases_inside_zones_only_where_a_zone_was_in_force(self) -> None:
        series = Series.objects.get(code="cantho-sim")
        shares = queries.ward_shares(self.district_steering, self.ninhkieu, DEMO_DAY, series)
        by_code = {s.area.code: (s.new_cases, s.inside) for s in shares}
        self.assertEqual(by_code["31123"], (1, 0))  # Thới Bình: no zone, 0 %
        for share in shares:
            if share.inside:
                zones = LockdownZone.objects.filter(area=share.area, parent__isnull=True)
                days = [DEMO_DAY - dt.timedelta(days=n) for n in range(queries.SHARE_DAYS)]
                self.assertTrue(
                    any(
                        queries.status_on(z, d) in ("active", "partly_lifted")
                        for z in zones
                        for d in days
                    ),
                    share.area.name,
                )

    def test_posts_shifts_inspections_and_an_unstaffed_shift_on_the_demo_day(self) -> None:
        zone = LockdownZone.objects.get(code="MP-2021-AH-1")
        self.assertEqual(zone.posts.count(), 2)
        short = list(queries.unstaffed_shifts(self.district_steering, DEMO_DAY))
        self.assertEqual([s.post.zone.code for s in short], ["MP-2021-AH-1"])
        self.assertTrue(Inspection.objects.filter(zone=zone, violations__kind="left_zone").exists())
        self.assertTrue(zone.needs.filter(met_on__isnull=True).exists())
        self.assertTrue(
            Shift.objects.filter(post__zone=zone, assignments__checked_in_at__isnull=False).exists()
        )

    def test_a_second_run_changes_nothing(self) -> None:
        before = lockdown_counts()
        out = io.StringIO()
        report = load_demo_lockdowns(out)
        self.assertEqual((report.real, report.simulated), (0, 0))
        self.assertEqual(report.unchanged, 13 + 4)
        self.assertEqual(lockdown_counts(), before)
        self.assertNotIn(" · ", out.getvalue())
