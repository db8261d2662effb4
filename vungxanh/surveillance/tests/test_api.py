"""The surveillance API: lists, one version, create, correct, indicator series."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vungxanh.accounts.services import create_api_token
from vungxanh.audit.models import AuditEntry
from vungxanh.surveillance.models import CaseRecord, DailyCount, ImportBatch
from vungxanh.surveillance.tests.test_pages import SurveillanceTestCase, per_100k

NINH_KIEU_ORDER = ["BN10", "BN9", "BN8", "BN7", "BN6", "BN5", "BN4", "BN3", "BN2", "BN1"]


class CaseApiTestCase(SurveillanceTestCase):
    def get(self, user, name="api:case_list", args=(), **params):
        self.client.force_login(user)
        return self.client.get(reverse(name, args=args), params)

    def test_the_list_is_scoped_newest_first_and_paged_by_key(self):
        first = self.get(self.district_steering, limit=4).json()
        self.assertEqual([c["case_code"] for c in first["items"]], NINH_KIEU_ORDER[:4])
        second = self.get(self.district_steering, limit=4, cursor=first["next"]).json()
        third = self.get(self.district_steering, limit=4, cursor=second["next"]).json()
        codes = [c["case_code"] for page in (first, second, third) for c in page["items"]]
        self.assertEqual(codes, NINH_KIEU_ORDER)
        self.assertIsNone(third["next"])
        item = first["items"][0]
        self.assertEqual(
            (item["area"], item["series"], item["detection"], item["confirmed_date"]),
            ("31117", "reported", "community", "2021-09-20"),
        )
        self.assertTrue(item["current"])
        self.assertIsNone(item["person"])

    def test_filters(self):
        user = self.district_steering
        by = lambda **p: [c["case_code"] for c in self.get(user, **p).json()["items"]]  # noqa: E731
        self.assertEqual(by(area="31117"), ["BN10", "BN9", "BN3"])
        self.assertEqual(by(**{"from": "12/09/2021", "to": "2021-09-15"}), ["BN5", "BN4", "BN3"])
        self.assertEqual(by(detection="lockdown"), ["BN5"])
        self.assertEqual(by(series="cantho-sim"), [])
        self.assertEqual(self.get(user, area="31189").status_code, 404)
        self.assertEqual(self.get(user, to="someday").status_code, 422)

    def test_personal_fields_only_for_the_health_officer_who_asks(self):
        officer = self.get(self.health_officer, area="31120", include_personal="true").json()
        bn1 = next(c for c in officer["items"] if c["case_code"] == "BN1")
        self.assertEqual(bn1["person"]["full_name"], "Nguyễn Văn Một")
        self.assertEqual(bn1["person"]["phone"], "0901000001")
        not_asked = self.get(self.health_officer, area="31120").json()
        self.assertTrue(all(c["person"] is None for c in not_asked["items"]))
        steering = self.get(self.district_steering, include_personal="true").json()
        self.assertTrue(all(c["person"] is None for c in steering["items"]))
        self.assertNotIn("Nguyễn", str(steering))

    def test_one_version(self):
        bn1 = CaseRecord.objects.get(case_code="BN1")
        body = self.get(self.health_officer, "api:case_detail", [bn1.pk]).json()
        self.assertEqual((body["case_code"], body["area_name"]), ("BN1", "Phường An Hòa"))
        self.assertIsNone(body["person"])
        body = self.get(
            self.health_officer, "api:case_detail", [bn1.pk], include_personal="true"
        ).json()
        self.assertEqual(body["person"]["id_number"], "092000000001")
        response = self.get(self.caikhe_official, "api:case_detail", [bn1.pk])
        self.assertEqual(response.status_code, 404)

    def test_create_and_correct_with_a_token(self):
        _token, raw = create_api_token(self.anhoa_official, actor=self.anhoa_official, name="t")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        created = self.client.post(
            reverse("api:case_create"),
            {
                "case_code": "BN50",
                "area": "31120",
                "confirmed_date": "23/09/2021",
                "detection": "Khu phong tỏa",
            },
            content_type="application/json",
            **auth,
        )
        self.assertEqual(created.status_code, 201, created.content)
        body = created.json()
        self.assertEqual((body["detection"], body["confirmed_date"]), ("lockdown", "2021-09-23"))
        self.assertEqual(ImportBatch.objects.get(pk=body["batch_id"]).file_name, "api")
        corrected = self.client.put(
            reverse("api:case_correct", args=[body["id"]]),
            {"detection": "quarantine", "reason": "re-interviewed"},
            content_type="application/json",
            **auth,
        )
        self.assertEqual(corrected.status_code, 200, corrected.content)
        new = corrected.json()
        self.assertNotEqual(new["id"], body["id"])
        self.assertEqual(new["detection"], "quarantine")
        old = self.client.get(reverse("api:case_detail", args=[body["id"]]), **auth).json()
        self.assertFalse(old["current"])
        self.assertEqual(old["superseded_by_id"], new["batch_id"])
        entry = AuditEntry.objects.get(action="correct")
        self.assertEqual((entry.source, entry.reason), ("api", "re-interviewed"))
        history = self.client.get(
            reverse("api:case_list"), {"history": "true", "area": "31120"}, **auth
        ).json()
        self.assertEqual(
            [c["id"] for c in history["items"] if c["case_code"] == "BN50"],
            [new["id"], body["id"]],
        )

    def test_bad_values_are_refused_per_field(self):
        self.client.force_login(self.health_officer)
        response = self.client.post(
            reverse("api:case_create"),
            {"case_code": "BN51", "area": "31120", "confirmed_date": "23/13/2021"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 422)
        errors = response.json()["errors"]
        self.assertEqual(set(errors), {"confirmed_date", "detection"})

    def test_another_ward_cannot_correct(self):
        bn1 = CaseRecord.objects.get(case_code="BN1")
        self.client.force_login(self.caikhe_official)
        response = self.client.put(
            reverse("api:case_correct", args=[bn1.pk]),
            {"detection": "lockdown"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(CaseRecord.objects.filter(case_code="BN1").count(), 1)


class DailyApiTestCase(SurveillanceTestCase):
    def test_create_list_and_correct_a_daily_count(self):
        self.client.force_login(self.health_officer)
        created = self.client.post(
            reverse("api:daily_count_create"),
            {"area": "31117", "date": "2021-09-21", "community": 2, "deaths": "1"},
            content_type="application/json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        listed = self.client.get(reverse("api:daily_count_list"), {"area": "916"}).json()
        self.assertEqual(
            [(r["area"], r["date"], r["community"]) for r in listed["items"]],
            [("31117", "2021-09-21", 2), ("31120", "2021-09-18", 0)],
        )
        fixed = self.client.put(
            reverse("api:daily_count_correct", args=[created.json()["id"]]),
            {"community": 3},
            content_type="application/json",
        )
        self.assertEqual(fixed.json()["community"], 3)
        self.assertEqual(fixed.json()["deaths"], 1)
        self.assertEqual(DailyCount.objects.current().get(area=self.caikhe).community, 3)

    def test_every_kind_has_its_endpoints(self):
        self.client.force_login(self.health_officer)
        base = {"area": "31120", "date": "23/09/2021"}
        payloads = {
            "test_count": {**base, "sample_group": "f1", "performed": 10, "positive": 2},
            "vaccination": {**base, "adults": 100, "adults_one_dose": 90, "adults_full": 50},
            "capacity": {**base, "icu_beds": 4, "station_oxygen": True},
        }
        for name, payload in payloads.items():
            with self.subTest(kind=name):
                created = self.client.post(
                    reverse(f"api:{name}_create"), payload, content_type="application/json"
                )
                self.assertEqual(created.status_code, 201, created.content)
                row = created.json()
                got = self.client.get(reverse(f"api:{name}_detail", args=[row["id"]])).json()
                self.assertEqual(got, row)
                listed = self.client.get(reverse(f"api:{name}_list")).json()["items"]
                self.assertEqual([r["id"] for r in listed], [row["id"]])


class IndicatorApiTestCase(SurveillanceTestCase):
    def test_the_series_of_an_area(self):
        self.client.force_login(self.district_steering)
        url = reverse("api:indicator_series", args=["916"])
        body = self.client.get(url, {"from": "19/09/2021", "to": "20/09/2021"}).json()
        self.assertEqual(
            (body["area"], body["series"], body["simulated"]), ("916", "reported", False)
        )
        self.assertEqual(body["dates"], ["2021-09-19", "2021-09-20"])
        self.assertEqual(body["indicators"]["new_community"], [0, 5])
        self.assertAlmostEqual(
            body["indicators"]["community_incidence_7d"][1], per_100k(6, 280_494), places=3
        )
        self.assertEqual(body["indicators"]["positivity_7d_pct"], [None, None])
        whole = self.client.get(url).json()
        self.assertEqual(whole["dates"][0], "2021-09-10")
        self.assertEqual(len(whole["dates"]), len(whole["indicators"]["cumulative_cases"]))
        self.assertEqual(self.client.get(url, {"series": "moh-ncsc"}).status_code, 404)

    def test_another_district_is_not_found(self):
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("api:indicator_series", args=["919"]))
        self.assertEqual(response.status_code, 404)

    def test_dates(self):
        self.client.force_login(self.district_steering)
        url = reverse("api:indicator_series", args=["31120"])
        body = self.client.get(url, {"from": "2021-09-20", "to": "2021-09-20"}).json()
        self.assertEqual(body["indicators"]["cumulative_cases"], [11])
        self.assertEqual(body["dates"], [dt.date(2021, 9, 20).isoformat()])
