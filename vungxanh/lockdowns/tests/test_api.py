"""The lockdowns API: zones, optimistic locking (409), decisions, lift dates, rounds, reads."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vungxanh.audit.models import AuditEntry
from vungxanh.lockdowns.models import LockdownZone, TestingRound
from vungxanh.lockdowns.tests.world import ZONE_SHAPE, build_zones
from vungxanh.testing import BaseTestCase


class ApiTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def setUp(self) -> None:
        self.client.force_login(self.anhoa_official)

    def post(self, name: str, body: dict, *args):
        return self.client.post(reverse(name, args=args), body, content_type="application/json")

    def test_a_zone_is_proposed_activated_and_read_back(self) -> None:
        response = self.post(
            "api:lockdown_zone_create",
            {
                "area": "31120",
                "name": "Hẻm 66 Nguyễn Văn Cừ",
                "scope_type": "alley",
                "geometry": ZONE_SHAPE,
                "households": 12,
                "residents": 66,
                "index_cases": ["SIM-000002"],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        zone_id = response.json()["id"]
        self.assertEqual(response.json()["status"], "proposed")
        response = self.post(
            "api:lockdown_transition",
            {"to": "active", "decision_number": "QĐ 5", "effective_on": "2021-07-20"},
            zone_id,
        )
        self.assertEqual(response.json()["status"], "active")
        detail = self.client.get(
            reverse("api:lockdown_zone", args=[zone_id]), {"date": "2021-07-21"}
        ).json()
        self.assertEqual(detail["geometry"], ZONE_SHAPE)
        self.assertEqual(detail["cases_index"], ["SIM-000002"])
        self.assertEqual(detail["lift"]["not_before"], "2021-08-03")
        self.assertFalse(detail["lift"]["eligible"])
        self.assertEqual([m["code"] for m in detail["lift"]["missing"]], ["wait", "rounds"])
        entry = AuditEntry.objects.get(object_id=str(zone_id), action="activate")
        self.assertEqual((entry.legal_basis, entry.source), ("QĐ 5", "api"))

    def test_the_second_concurrent_patch_gets_409_with_the_first_change(self) -> None:
        url = reverse("api:lockdown_zone_update", args=[self.zone.pk])
        version = self.zone.version
        first = self.client.patch(
            url, {"version": version, "residents": 120}, content_type="application/json"
        )
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.json()["version"], version + 1)
        self.client.force_login(self.district_steering)
        second = self.client.patch(
            url, {"version": version, "households": 40}, content_type="application/json"
        )
        self.assertEqual(second.status_code, 409)
        body = second.json()
        self.assertEqual(body["current_version"], version + 1)
        self.assertEqual(
            [(c["field"], c["after"], c["by"]) for c in body["their_changes"]],
            [("residents", 120, "anhoa_official")],
        )
        zone = LockdownZone.objects.get(pk=self.zone.pk)
        self.assertEqual((zone.residents, zone.households), (120, 26))

    def test_rounds_results_and_the_lift_date(self) -> None:
        for day in ("2021-07-18", "2021-07-22"):
            response = self.post("api:lockdown_round_plan", {"day": day}, self.zone.pk)
            self.assertEqual(response.status_code, 201)
            result = self.post(
                "api:lockdown_round_result",
                {"status": "done", "samples": 108},
                response.json()["id"],
            )
            self.assertEqual(result.json()["status"], "done")
        lift = self.client.get(
            reverse("api:lockdown_lift", args=[self.zone.pk]), {"date": "2021-07-24"}
        ).json()
        self.assertEqual(lift["may_be_lifted_from"], "2021-07-24")
        self.assertTrue(lift["eligible"])
        self.assertEqual(lift["rounds_counted"], ["2", "3"])
        rounds = self.client.get(reverse("api:lockdown_rounds", args=[self.zone.pk])).json()
        self.assertEqual([r["number"] for r in rounds], [1, 2, 3])

    def test_a_positive_case_linked_inside_moves_the_date(self) -> None:
        response = self.post(
            "api:lockdown_case_link",
            {"case_code": "X-1", "relation": "inside", "isolated_on": "2021-07-19"},
            self.zone.pk,
        )
        self.assertEqual(response.status_code, 201)
        lift = self.client.get(
            reverse("api:lockdown_lift", args=[self.zone.pk]), {"date": "2021-07-19"}
        ).json()
        self.assertEqual(lift["not_before"], "2021-08-02")
        self.assertEqual(lift["counting_from_case"], "X-1")

    def test_a_bad_request_is_a_422_naming_the_field(self) -> None:
        response = self.post(
            "api:lockdown_zone_create", {"area": "31120", "name": " ", "scope_type": "alley"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("name", response.json()["errors"])
        round_ = TestingRound.objects.get(zone=self.zone)
        response = self.post(
            "api:lockdown_round_result",
            {"status": "done", "samples": 1, "positives": 2},
            round_.pk,
        )
        self.assertEqual(response.status_code, 422)

    def test_unstaffed_shifts_containment_and_rules(self) -> None:
        shifts = self.client.get(reverse("api:lockdown_unstaffed"), {"date": "2021-07-20"}).json()
        self.assertEqual(
            [(s["zone"], s["staff"], s["required_staff"]) for s in shifts], [(self.zone.pk, 1, 2)]
        )
        shares = self.client.get(reverse("api:lockdown_containment"), {"date": "2021-07-20"})
        self.assertEqual(
            shares.json(),
            [
                {
                    "area": "31120",
                    "name": "Phường An Hòa",
                    "new_cases": 1,
                    "inside_zones": 1,
                    "share": 1.0,
                    "under_control": True,
                }
            ],
        )
        rules = self.client.get(reverse("api:lockdown_rules")).json()
        rule = next(r for r in rules if r["code"] == "vn-lockdown-14d")
        values = {p["name"]: p["value"] for p in rule["parameters"]}
        self.assertEqual(values["days_after_last_case"], 14)
        self.assertEqual(values["negative_rounds"], 2)

    def test_zones_in_force_on_a_date(self) -> None:
        self.client.force_login(self.district_steering)
        url = reverse("api:lockdown_zones")
        on = self.client.get(url, {"date": "2021-07-20"}).json()["items"]
        self.assertEqual(len(on), 2)
        before = self.client.get(url, {"date": "2021-07-09"}).json()["items"]
        self.assertEqual(before, [])
        self.assertEqual(dt.date.fromisoformat(on[0]["start_date"]), dt.date(2021, 7, 10))

    def test_the_openapi_document_is_valid(self) -> None:
        from openapi_spec_validator import validate

        document = self.client.get(reverse("api:openapi-json")).json()
        validate(document)
        self.assertIn("/api/v1/lockdowns/zones/{zone_id}/lift", document["paths"])
