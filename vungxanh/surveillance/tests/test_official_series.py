"""One official series per area (issue 10, item 4).

The demo's situation: Ninh Kiều's figures come from a series with a year of cases
("cantho-sim"); a health officer then imports 5 test cases for An Hòa into "reported",
the series of highest priority. The pages of every role must keep showing the series they
showed, and the steering committee's designation (inherited by the units under it) must
decide what every page, the map and the API show by default.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from vungxanh.accounts.roles import Role
from vungxanh.audit.models import AuditEntry
from vungxanh.jobs.models import Change
from vungxanh.risk import services as risk
from vungxanh.surveillance import services
from vungxanh.surveillance.models import OfficialSeries, Series
from vungxanh.surveillance.services_series import designate_series
from vungxanh.testing import BaseTestCase, make_user

FIRST = dt.date(2021, 8, 1)
TEST_CASES = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\n"
    + "".join(f"TEST{i},31120,20/09/2021,Cộng đồng\n" for i in range(5))
).encode()


class OfficialSeriesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        risk.sync_rulesets()
        rows = [
            {"area_id": area.pk, "date": FIRST + dt.timedelta(days=d), "community": 3}
            for area in (cls.anhoa, cls.caikhe)
            for d in range(60)
        ]
        services.import_records(
            "daily", rows, actor=None, series_code="cantho-sim", label="simulation"
        )
        cls.sim = Series.objects.get(code="cantho-sim")
        cls.reported = Series.objects.get(code="reported")
        cls.cairang_steering = make_user("cairang_steering", Role.STEERING, cls.cairang)

    def import_test_cases(self):
        result = services.import_file("cases", TEST_CASES, "test.csv", actor=self.health_officer)
        self.assertTrue(result.written, result.check.errors)

    def shown(self, user, code: str) -> str:
        self.client.force_login(user)
        return self.client.get(reverse("surveillance:area", args=[code])).context["series"].code

    def test_a_new_series_from_an_import_does_not_replace_what_every_role_sees(self):
        people = (self.city_steering, self.district_steering, self.anhoa_official, self.viewer)
        self.assertEqual({self.shown(u, "31120") for u in people}, {"cantho-sim"})
        self.import_test_cases()
        for user in people:
            for code in ("916", "31120") if user != self.anhoa_official else ("31120",):
                with self.subTest(user=user.username, area=code):
                    self.assertEqual(self.shown(user, code), "cantho-sim")
        # The new series is offered beside it.
        self.client.force_login(self.district_steering)
        page = self.client.get(reverse("surveillance:area", args=["31120"]))
        self.assertIn(self.reported, page.context["series_options"])
        self.assertEqual(
            self.client.get(reverse("surveillance:area", args=["31120"]), {"series": "reported"})
            .context["series"]
            .code,
            "reported",
        )

    def test_the_designation_decides_and_is_inherited_by_the_units_under_it(self):
        self.import_test_cases()
        designate_series(self.ninhkieu, self.reported, actor=self.district_steering)
        for user in (self.district_steering, self.anhoa_official):
            with self.subTest(user=user.username):
                self.assertEqual(self.shown(user, "31120"), "reported")
                self.assertEqual(self.shown(self.district_steering, "916"), "reported")
        # A unit's own designation wins over its parent's.
        designate_series(self.anhoa, self.sim, actor=self.admin)
        self.assertEqual(self.shown(self.anhoa_official, "31120"), "cantho-sim")
        self.assertEqual(self.shown(self.district_steering, "31117"), "reported")

    def test_the_map_and_the_api_use_the_official_series_by_default(self):
        self.import_test_cases()
        self.client.force_login(self.district_steering)
        page = self.client.get(reverse("risk:map"), {"area": "916"})
        self.assertEqual(page.context["choice"].series.code, "cantho-sim")
        designate_series(self.ninhkieu, self.reported, actor=self.district_steering)
        page = self.client.get(reverse("risk:map"), {"area": "916"})
        self.assertEqual(page.context["choice"].series.code, "reported")
        answer = self.client.get("/api/v1/risk/levels", {"area": "916"}).json()
        self.assertEqual(answer["series"], "reported")
        answer = self.client.get("/api/v1/surveillance/indicators/31120").json()
        self.assertEqual(answer["series"], "reported")

    def test_setting_it_is_audited_and_has_the_levels_follow(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:official_series", args=["916"])
        self.assertContains(self.client.get(url), 'data-testid="official-form"')
        response = self.client.post(url, {"series": "reported", "reason": "Số liệu chính thức"})
        self.assertRedirects(response, url)
        official = OfficialSeries.objects.get(area=self.ninhkieu)
        self.assertEqual(
            (official.series, official.set_by), (self.reported, self.district_steering)
        )
        entry = AuditEntry.objects.get(action="designate_series")
        self.assertEqual(entry.actor, self.district_steering)
        self.assertEqual(entry.area, self.ninhkieu)
        self.assertEqual(entry.after, {"series": "reported", "reason": "Số liệu chính thức"})
        self.assertEqual(entry.reason, "Số liệu chính thức")
        change = Change.objects.get(what="official_series")
        self.assertEqual((change.area_path, change.series_code), (self.ninhkieu.path, "reported"))
        # Again the same: nothing new to record.
        self.client.post(url, {"series": "reported", "reason": "Số liệu chính thức"})
        self.assertEqual(AuditEntry.objects.filter(action="designate_series").count(), 1)
        # Another series: before and after.
        self.client.post(url, {"series": "cantho-sim"})
        latest = AuditEntry.objects.filter(action="designate_series").latest("id")
        self.assertEqual(latest.before["series"], "reported")
        self.assertEqual(latest.after["series"], "cantho-sim")

    def test_an_unknown_series_is_refused_politely(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:official_series", args=["916"])
        response = self.client.post(url, {"series": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="error"')
        self.assertFalse(OfficialSeries.objects.exists())

    def test_only_the_steering_committee_of_the_area_sets_it_and_others_do_not_see_it(self):
        designate_series(self.ninhkieu, self.reported, actor=self.district_steering)
        url = reverse("surveillance:official_series", args=["916"])
        # Inside the area, without the right: may read it, may not set it.
        for user in (self.health_officer, self.anhoa_official, self.viewer):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                page = self.client.get(url)
                self.assertEqual(page.status_code, 404 if user == self.anhoa_official else 200)
                self.assertNotContains(
                    page, 'data-testid="official-form"', status_code=page.status_code
                )
                self.assertEqual(
                    self.client.post(url, {"series": "cantho-sim"}).status_code,
                    404 if user == self.anhoa_official else 403,
                )
        # Another district's committee and a user without a role: not found, either way.
        for user in (self.cairang_steering, self.outsider):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {"series": "cantho-sim"}).status_code, 404)
        self.assertEqual(OfficialSeries.objects.get(area=self.ninhkieu).series, self.reported)
        with self.assertRaises(PermissionDenied):
            designate_series(self.ninhkieu, self.sim, actor=self.cairang_steering)
        # The city's committee, above it, may.
        self.client.force_login(self.city_steering)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_importer_is_told_where_figures_of_another_series_show(self):
        import hashlib

        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.anhoa_official)
        upload = SimpleUploadedFile("test.csv", TEST_CASES, "text/csv")
        self.client.post(reverse("imports:new"), {"kind": "cases", "file": upload})
        confirm = {
            "kind": "cases",
            "sha256": hashlib.sha256(TEST_CASES).hexdigest(),
            "file_name": "test.csv",
            "rows": 5,
        }
        listed = self.client.post(reverse("imports:confirm"), confirm, follow=True)
        text = " ".join(str(m) for m in listed.context["messages"])
        self.assertIn("?series=reported", text, "the link opens the imported series")
        self.assertIn(self.sim.name, text, "names the series the pages show")
        self.assertIn(self.reported.name, text)

        designate_series(self.anhoa, self.reported, actor=self.admin, reason="số liệu phường")
        again = TEST_CASES.replace(b"TEST", b"MORE")
        self.client.post(
            reverse("imports:new"),
            {"kind": "cases", "file": SimpleUploadedFile("more.csv", again, "text/csv")},
        )
        confirm.update(sha256=hashlib.sha256(again).hexdigest(), file_name="more.csv")
        listed = self.client.post(reverse("imports:confirm"), confirm, follow=True)
        text = " ".join(str(m) for m in listed.context["messages"])
        self.assertIn("“more.csv”", text)
        self.assertNotIn(self.sim.name, text, "the official series: nothing to explain")
