"""The lockdown pages: list and dashboard, a zone's page, its forms, the report, the map."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from vungxanh.audit.models import AuditEntry
from vungxanh.lockdowns import services
from vungxanh.lockdowns.models import LockdownZone, TestingRound, ZoneCase
from vungxanh.lockdowns.tests.world import PNG, SERIES, ZONE_SHAPE, build_zones, cases_csv
from vungxanh.surveillance import services as surveillance
from vungxanh.testing import BaseTestCase

DAY = "20/07/2021"


def vi(message: str) -> str:
    """``message`` as the site shows it (Vietnamese first; the catalogue may not have it)."""
    with translation.override("vi"):
        return translation.gettext(message)


class PagesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def detail(self, zone=None, day: str = DAY):
        zone = zone or self.zone
        return self.client.get(reverse("lockdowns:detail", args=[zone.pk]), {"date": day})

    def test_the_list_shows_the_districts_zones_tiles_and_shares(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("lockdowns:index"), {"date": DAY})
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertIn("Hẻm 51 Mậu Thân", text)
        self.assertIn("foreign-zone-marker", text)  # Cái Khế is in Ninh Kiều
        self.assertNotIn("foreign-far-marker", text)  # Cái Răng is not
        self.assertEqual(len(response.context["in_force"]), 2)
        self.assertEqual(response.context["households"], 52)
        self.assertEqual(len(response.context["unstaffed"]), 2)
        shares = {s.area.code: (s.new_cases, s.inside) for s in response.context["shares"]}
        self.assertEqual(shares["31120"], (1, 1))  # SIM-000002 found in a lockdown zone on 15/7

    def test_the_zone_page_shows_the_lift_date_and_what_is_missing(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.detail()
        self.assertEqual(response.status_code, 200)
        lift = response.context["lift"]
        self.assertEqual(lift.shown, dt.date(2021, 7, 24))
        self.assertContains(response, 'data-testid="lift-date" data-date="24/07/2021"')
        missing = response.context["missing"]
        # 4 more days, 2 negative rounds, and round 1 planned for 13/07 never recorded.
        self.assertEqual(len(missing), 3)
        self.assertIn("24/07/2021", missing[0])
        self.assertIn("13/07/2021", missing[2])
        self.assertContains(response, "Chốt own-marker")
        self.assertContains(response, 'data-unstaffed="1"')
        self.assertContains(response, "findings own-marker")
        self.assertContains(response, "gạo own-marker")

    def test_the_lift_sentence_reads_may_be_lifted_from_in_english(self) -> None:
        self.client.force_login(self.anhoa_official)
        self.client.cookies["django_language"] = "en"
        response = self.client.get(
            reverse("lockdowns:detail", args=[self.zone.pk]),
            {"date": DAY},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertIn(
            response.context["lift_sentence"],
            # No round done yet: the date rests on rounds to come (issue 11).
            {"expected: may be lifted from 24/07", "dự kiến có thể gỡ phong tỏa từ 24/07"},
        )

    def test_proposing_a_zone_drawn_on_the_map(self) -> None:
        self.client.force_login(self.anhoa_official)
        page = self.client.get(reverse("lockdowns:create"))
        self.assertEqual(page.status_code, 200)
        self.assertEqual([c for c, _n in page.context["form"].fields["area"].choices], ["31120"])
        response = self.client.post(
            reverse("lockdowns:create"),
            {
                "name": "Hẻm 66 Nguyễn Văn Cừ",
                "area": "31120",
                "scope_type": "alley",
                "geometry": json.dumps(ZONE_SHAPE),
                "households": "12",
                "residents": "66",
                "index_cases": "SIM-000002",
                "rule": "vn-lockdown-14d",
            },
        )
        zone = LockdownZone.objects.get(name="Hẻm 66 Nguyễn Văn Cừ")
        self.assertRedirects(response, reverse("lockdowns:detail", args=[zone.pk]))
        self.assertEqual(json.loads(zone.geometry), ZONE_SHAPE)
        self.assertEqual(zone.cases.get().case_code, "SIM-000002")
        self.assertEqual(
            AuditEntry.objects.get(
                action="create", object_id=zone.pk, object_type="lockdowns.lockdownzone"
            ).source,
            "web",
        )

    def test_a_city_picks_the_district_before_the_commune(self) -> None:
        from unittest import mock

        self.client.force_login(self.city_steering)
        with mock.patch("vungxanh.lockdowns.views.MAX_COMMUNES", 2):
            response = self.client.get(reverse("lockdowns:create"))
            self.assertTemplateUsed(response, "lockdowns/zone_pick.html")
            self.assertContains(response, "?area=916")
            response = self.client.get(reverse("lockdowns:create"), {"area": "916"})
        choices = [c for c, _n in response.context["form"].fields["area"].choices]
        self.assertEqual(sorted(choices), ["31117", "31120"])

    def test_a_bad_polygon_is_refused_on_the_form(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("lockdowns:create"),
            {
                "name": "x",
                "area": "31120",
                "scope_type": "alley",
                "rule": "vn-lockdown-14d",
                "geometry": json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [[[105.72, 10.02], [105.73, 10.02], [105.72, 10.02]]],
                    }
                ),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["geometry"])
        self.assertFalse(LockdownZone.objects.filter(name="x").exists())

    def test_two_officials_editing_at_once_the_second_is_refused_and_sees_the_first(self) -> None:
        url = reverse("lockdowns:edit", args=[self.zone.pk])
        self.client.force_login(self.anhoa_official)
        form = self.client.get(url).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(
            {"decided_on": "", "start_date": "10/07/2021", "start_time": "", "planned_end": ""}
        )
        other = self.client_class()
        other.force_login(self.district_steering)
        theirs = dict(data, residents="120")
        self.assertEqual(other.post(url, theirs).status_code, 302)
        mine = dict(data, households="40")
        response = self.client.post(url, mine)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "district_steering", status_code=409)
        self.assertContains(response, 'data-testid="their-value">120<', status_code=409)
        zone = LockdownZone.objects.get(pk=self.zone.pk)
        self.assertEqual((zone.residents, zone.households), (120, 26))
        # The form keeps my value and now names their version: saving again is deliberate.
        self.assertEqual(response.context["form"]["households"].value(), "40")
        again = dict(mine, version=str(zone.version), residents="120")
        self.assertEqual(self.client.post(url, again).status_code, 302)
        zone.refresh_from_db()
        self.assertEqual((zone.residents, zone.households), (120, 40))

    def test_recording_a_round_and_a_decision_from_the_page(self) -> None:
        self.client.force_login(self.health_officer)
        round_ = TestingRound.objects.get(zone=self.zone)
        response = self.client.post(
            reverse("lockdowns:round_result", args=[round_.pk]),
            {
                "status": "done",
                "samples": "108",
                "positives": "1",
                "positive_cases": "SIM-000020",
                "as_of": DAY,
            },
        )
        self.assertRedirects(
            response,
            reverse("lockdowns:detail", args=[self.zone.pk]) + "?date=20%2F07%2F2021#rounds",
            fetch_redirect_response=False,
        )
        self.assertTrue(ZoneCase.objects.filter(zone=self.zone, case_code="SIM-000020").exists())
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("lockdowns:transition", args=[self.zone.pk]),
            {
                "to_status": "lifted",
                "decision_number": "QĐ 9",
                "effective_on": "20/07/2021",
                "version": self.zone.version,
            },
            follow=True,
        )
        self.assertContains(response, "vn-lockdown-14d")  # refused: the rule is not met
        self.assertEqual(LockdownZone.objects.get(pk=self.zone.pk).status, "active")

    def test_a_health_officer_may_not_decide(self) -> None:
        self.client.force_login(self.health_officer)
        response = self.client.post(
            reverse("lockdowns:transition", args=[self.zone.pk]),
            {
                "to_status": "lifted",
                "decision_number": "QĐ 9",
                "effective_on": "20/07/2021",
                "version": 1,
            },
        )
        self.assertEqual(response.status_code, 404)

    def test_an_inspection_with_a_photo_from_the_page_and_the_photo_served(self) -> None:
        self.client.force_login(self.anhoa_official)
        photo = SimpleUploadedFile("chup.png", PNG, content_type="image/png")
        self.client.post(
            reverse("lockdowns:inspection_add", args=[self.zone.pk]),
            {
                "day": DAY,
                "time": "08:30",
                "findings": "ok-from-page",
                "violation_kind": "left_zone",
                "violation_description": "1 người ra ngoài",
                "photos": [photo],
            },
        )
        inspection = self.zone.inspections.get(findings="ok-from-page")
        self.assertEqual(inspection.violations.get().kind, "left_zone")
        stored = inspection.photos.get()
        response = self.client.get(reverse("lockdowns:photo", args=[stored.pk]))
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(b"".join(response.streaming_content), PNG)
        bad = SimpleUploadedFile("x.png", b"GIF89a....", content_type="image/png")
        response = self.client.post(
            reverse("lockdowns:inspection_add", args=[self.zone.pk]),
            {"day": DAY, "time": "08:30", "findings": "bad-photo", "photos": [bad]},
            follow=True,
        )
        self.assertContains(
            response, vi("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": "x.png"}
        )
        self.assertFalse(self.zone.inspections.filter(findings="bad-photo").exists())

    def test_shift_assignment_and_check_in(self) -> None:
        self.client.force_login(self.anhoa_official)
        shift = self.zone.posts.get().shifts.get()
        self.client.post(
            reverse("lockdowns:shift_assign", args=[shift.pk]),
            {"user": str(self.anhoa_official.pk)},
        )
        assignment = shift.assignments.get(user=self.anhoa_official)
        self.client.post(reverse("lockdowns:check_in", args=[assignment.pk]))
        assignment.refresh_from_db()
        self.assertIsNotNone(assignment.checked_in_at)

    def test_needs_and_households_from_the_page(self) -> None:
        self.client.force_login(self.anhoa_official)
        self.client.post(
            reverse("lockdowns:household_add", args=[self.zone.pk]),
            {"address": "2/115 Mậu Thân", "residents": "3"},
        )
        household = self.zone.household_list.get(address="2/115 Mậu Thân")
        self.client.post(
            reverse("lockdowns:need_add", args=[self.zone.pk]),
            {
                "kind": "medicine",
                "description": "insulin",
                "household": str(household.pk),
                "requested_on": DAY,
            },
        )
        need = self.zone.needs.get(description="insulin")
        self.client.post(
            reverse("lockdowns:need_met", args=[need.pk]), {"met_on": DAY, "handed_to": "Trạm y tế"}
        )
        need.refresh_from_db()
        self.assertEqual(need.met_on, dt.date(2021, 7, 20))

    def test_the_daily_report_has_the_fields_of_the_district_report(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("lockdowns:report"), {"area": "916", "date": DAY})
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(response.content))
        summary, zones = book.worksheets
        labels = [row[0] for row in summary.iter_rows(values_only=True)]
        values = dict(row[:2] for row in summary.iter_rows(values_only=True) if row and row[0])
        for label in (
            "1. F0 (confirmed cases)",
            "2. F1 contacts",
            "7. Testing, sample group: lockdown area",
            "8. Concentrated quarantine",
        ):
            self.assertIn(vi(label), labels)
        self.assertEqual(values[vi("Zones in force")], 2)
        self.assertEqual(values[vi("Shifts short of officials")], 2)
        self.assertEqual(values[vi("Households inside")], 52)
        header = [c.value for c in zones[1]]
        lift_column = header.index(vi("May be lifted from"))
        rows = list(zones.iter_rows(min_row=2, values_only=True))
        self.assertEqual({r[1] for r in rows}, {self.zone.code, self.foreign_zone.code})
        own = next(r for r in rows if r[1] == self.zone.code)
        # No round done yet: the date rests on rounds to come and reads "expected".
        self.assertEqual(own[lift_column], vi("expected %(day)s") % {"day": "24/07/2021"})
        self.assertEqual(own[header.index(vi("Index cases"))], "SIM-000001")
        self.assertNotIn(b"foreign-far-marker", response.content)

    def test_the_map_data_lists_zones_in_force_on_the_day(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("lockdowns:map_geojson"), {"date": DAY})
        features = response.json()["features"]
        self.assertEqual([f["properties"]["code"] for f in features], [self.zone.code])
        before = self.client.get(reverse("lockdowns:map_geojson"), {"date": "09/07/2021"}).json()
        self.assertEqual(before["features"], [])

    @override_settings(DEMO=True)
    def test_the_demo_opens_on_the_day_of_the_working_session(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("lockdowns:index"))
        self.assertEqual(response.context["day"], dt.date(2021, 9, 23))

    def test_splitting_a_zone_from_the_page(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("lockdowns:part_create", args=[self.zone.pk]), {"name": "Nhánh A", "risk": "1"}
        )
        self.client.post(
            reverse("lockdowns:part_create", args=[self.zone.pk]), {"name": "Nhánh B", "risk": "3"}
        )
        part = LockdownZone.objects.get(parent=self.zone, name="Nhánh A")
        self.assertRedirects(response, reverse("lockdowns:detail", args=[self.zone.pk]))
        self.assertEqual(part.status, "active")
        self.assertEqual(self.detail(part).status_code, 200)
        self.assertEqual(self.detail().status_code, 200)
        services.transition(
            part,
            actor=self.admin,
            to="lifted",
            decision_number="x",
            effective_on=dt.date(2021, 7, 21),
            override_reason="test",
        )
        response = self.detail()
        self.assertContains(response, 'data-status="partly_lifted"')
        self.assertContains(response, 'data-part="')


class LiftMessagesAddUpTestCase(BaseTestCase):
    """Issue 11: lift messages that add up, the same on the list, the page and the report."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def round_done(self, day: dt.date) -> None:
        planned = TestingRound.objects.filter(zone=self.zone, day=day).first()
        planned = planned or services.plan_round(self.zone, actor=self.admin, day=day)
        services.record_round(planned, actor=self.admin, samples=108, positives=0, status="done")

    def test_a_negative_round_done_is_counted_and_the_date_reads_expected(self) -> None:
        self.round_done(dt.date(2021, 7, 14))
        self.client.force_login(self.anhoa_official)
        with translation.override("vi"):
            page = self.client.get(
                reverse("lockdowns:detail", args=[self.zone.pk]), {"date": "15/07/2021"}
            )
            listing = self.client.get(
                reverse("lockdowns:index"), {"area": "31120", "date": "15/07/2021"}
            )
        missing = page.context["missing"]
        rounds = next(m for m in missing if "1 more whole-zone" in m or "thêm 1 đợt" in m)
        self.assertIn("1", rounds)
        self.assertFalse(any("2 more whole-zone" in m or "thêm 2 đợt" in m for m in missing))
        status = page.context["lift_status"]
        self.assertTrue(status.expected)
        self.assertEqual(page.context["lift_sentence"], status.sentence)
        self.assertIn(
            vi("expected: may be lifted from %(day)s") % {"day": "24/07"}, status.sentence
        )
        self.assertContains(page, 'data-expected="1"')
        self.assertNotContains(page, 'data-testid="lift-met"')
        # The list says the same sentence and the same missing conditions in the same row.
        row = dict((z.pk, s) for z, s in listing.context["rows"])[self.zone.pk]
        self.assertEqual(row.sentence, status.sentence)
        self.assertEqual(row.missing, status.missing)
        self.assertContains(listing, status.sentence)

    def test_a_stale_round_is_named_and_not_every_condition_is_met(self) -> None:
        self.round_done(dt.date(2021, 7, 13))  # the round planned by the world
        self.round_done(dt.date(2021, 7, 20))
        self.round_done(dt.date(2021, 7, 24))
        self.client.force_login(self.anhoa_official)
        met = self.client.get(
            reverse("lockdowns:detail", args=[self.zone.pk]), {"date": "25/07/2021"}
        )
        self.assertContains(met, 'data-testid="lift-met"')
        stale = self.client.get(
            reverse("lockdowns:detail", args=[self.zone.pk]), {"date": "01/08/2021"}
        )
        self.assertNotContains(stale, 'data-testid="lift-met"')
        self.assertFalse(stale.context["lift"].eligible)
        named = [m for m in stale.context["missing"] if "24/07/2021" in m]
        self.assertEqual(len(named), 1, stale.context["missing"])
        self.assertIn(
            vi(
                "the testing round of %(day)s is more than %(within)d days old: "
                "a new whole-zone round is needed before lifting"
            )
            % {"day": "24/07/2021", "within": 3},
            named[0],
        )

    def test_the_daily_report_says_what_the_page_says(self) -> None:
        self.round_done(dt.date(2021, 7, 14))
        self.client.force_login(self.anhoa_official)
        page = self.client.get(
            reverse("lockdowns:detail", args=[self.zone.pk]), {"date": "15/07/2021"}
        )
        status = page.context["lift_status"]
        report = self.client.get(
            reverse("lockdowns:report"), {"area": "31120", "date": "15/07/2021"}
        )
        self.assertEqual(report.status_code, 200)
        book = load_workbook(io.BytesIO(report.content))
        cells = [str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r]
        self.assertIn(status.dated, cells)
        self.assertIn("; ".join(status.missing), cells)
        self.assertTrue(status.dated.startswith(vi("expected %(day)s") % {"day": ""}))


class ContainmentTestCase(BaseTestCase):
    """Issue 11: a case is inside a lockdown zone only when a zone was in force there."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)
        # Cái Khế's zone is lifted on 16/07; a case "found in a lockdown zone" on 18/07.
        services.transition(
            cls.foreign_zone,
            actor=cls.admin,
            to="lifted",
            decision_number="QĐ 102/QĐ-UBND",
            effective_on=dt.date(2021, 7, 16),
            override_reason="test",
        )
        surveillance.import_file(
            "cases",
            cases_csv(
                [
                    ("SIM-000005", "31117", dt.date(2021, 7, 18), "khu phong tỏa"),
                    ("SIM-000006", "31117", dt.date(2021, 7, 19), "cộng đồng"),
                ]
            ),
            "cases2.csv",
            actor=cls.admin,
            series_code=SERIES,
        )

    def test_a_ward_without_a_zone_in_force_has_no_case_inside_a_zone(self) -> None:
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("lockdowns:index"), {"date": DAY, "series": SERIES})
        shares = {s.area.code: (s.new_cases, s.inside) for s in response.context["shares"]}
        self.assertEqual(shares["31117"], (2, 0))  # no zone in force in Cái Khế on 18/07
        self.assertEqual(shares["31120"], (1, 1))  # SIM-000002, found in An Hòa's zone 15/07
