"""The risk API: rule sets, levels of a date, explanations, published levels, deciding."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vungxanh.audit.models import AuditEntry
from vungxanh.risk import services
from vungxanh.risk.models import Assessment
from vungxanh.risk.tests.test_views import GREEN_DAY, OCTOBER_DAY, build_levels
from vungxanh.testing import BaseTestCase


class RiskApiTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)

    def setUp(self) -> None:
        self.client.force_login(self.district_steering)

    def get(self, name, *args, **params):
        return self.client.get(reverse(f"api:{name}", args=args), params)


class RuleSetApiTestCase(RiskApiTestCase):
    def test_the_list_says_which_rule_sets_can_be_computed(self):
        rows = {r["code"]: r for r in self.get("risk_rulesets").json()}
        self.assertTrue(rows["vn-4800-2021"]["computable"])
        self.assertTrue(rows["vn-green-zone-14d"]["computable"])
        self.assertFalse(rows["vn-2686-2021"]["computable"])  # its commune facts are judgements
        self.assertFalse(rows["us-cdc-community-2022"]["computable"])
        self.assertEqual(rows["vn-4800-2021"]["effective_from"], "2021-10-11")
        self.assertGreater(rows["vn-4800-2021"]["unverified_cells"], 0)

    def test_one_rule_set_with_levels_inputs_and_unverified_cells(self):
        body = self.get("risk_ruleset", "vn-4800-2021").json()
        self.assertEqual([lv["key"] for lv in body["levels"]], ["1", "2", "3", "4", "unknown"])
        self.assertEqual(body["levels"][3]["colour"], "#c62828")
        inputs = {i["name"]: i for i in body["inputs"]}
        self.assertEqual(inputs["cases_per_100k_week"]["direction"], "up")
        self.assertIn("matrix[1][1]", body["unverified"])
        self.assertEqual(self.get("risk_ruleset", "nope").status_code, 404)


class LevelsApiTestCase(RiskApiTestCase):
    def test_the_units_levels_on_a_date(self):
        body = self.get("risk_levels", area="916", date="20/10/2021").json()
        self.assertEqual(
            (body["rules"], body["date"], body["series"]),
            ("vn-4800-2021", "2021-10-20", "reported"),
        )
        self.assertTrue(body["in_force"])
        rows = {r["code"]: r for r in body["levels"]}
        anhoa = rows["31120"]
        self.assertEqual((anhoa["level"], anhoa["computed"], anhoa["rank"]), ("2", "3", 2))
        self.assertEqual(anhoa["colour"], "#f9a825")
        self.assertAlmostEqual(anhoa["inputs"]["cases_per_100k_week"], 156.71, places=2)
        self.assertIsNone(anhoa["inputs"]["capacity_met"])

    def test_the_green_zone_on_the_day_an_hòa_turns_green(self):
        body = self.get(
            "risk_levels", area="916", date="18/09/2021", rules="vn-green-zone-14d"
        ).json()
        rows = {r["code"]: r for r in body["levels"]}
        self.assertEqual(rows["31120"]["level"], "green")
        self.assertEqual(rows["31120"]["since"], "2021-09-18")
        self.assertEqual(rows["31117"]["level"], "not_green")

    def test_a_rule_set_not_computed_here_is_not_found(self):
        response = self.get("risk_levels", area="916", rules="us-cdc-community-2022")
        self.assertEqual(response.status_code, 404)

    def test_a_bad_date_is_a_validation_error(self):
        response = self.get("risk_levels", area="916", date="32/13/2021")
        self.assertEqual(response.status_code, 422)
        self.assertIn("date", response.json()["errors"])

    def test_the_explanation_of_one_area(self):
        body = self.get("risk_explain", "31120", rules="vn-4800-2021", date="20/10/2021").json()
        self.assertEqual((body["level"], body["computed"]), ("2", "3"))
        self.assertIn("156,7 ca cộng đồng/100.000 dân/tuần (≥ 150)", body["sentence_vi"])
        self.assertEqual(
            body["criterion"],
            {
                "name": "matrix[2][4]",
                "verified": True,
                "note": "HCMC 15/10/2021: ≈150 → Cấp 3 (S17)",
            },
        )
        self.assertEqual(body["adjustments"], [])
        self.assertIsNone(body["published"])
        self.assertIn("4800/QĐ-BYT", body["legal_source"])

    def test_the_explanation_shows_the_official_decision_in_force(self):
        body = self.get(
            "risk_explain", "31120", rules="vn-green-zone-14d", date="25/09/2021"
        ).json()
        self.assertEqual(body["official"]["label"], "Chỉ thị 16 (to 1/10)")
        self.assertEqual(body["official"]["rank"], 4)
        self.assertEqual(body["level"], "green")
        self.assertFalse(body["criterion"]["verified"])


class PublishedApiTestCase(RiskApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        services.publish(cls.r4800, cls.series, dt.date(2021, 10, 13), cls.cantho, actor=cls.admin)
        services.publish(cls.r4800, cls.series, OCTOBER_DAY, cls.cantho, actor=cls.admin)
        services.publish(cls.green, cls.series, GREEN_DAY, cls.cantho, actor=cls.admin)

    def test_published_levels_filtered_by_area_date_and_rules(self):
        items = self.get(
            "risk_assessments", area="916", date="20/10/2021", rules="vn-4800-2021"
        ).json()["items"]
        rows = {r["area"]: r for r in items}
        self.assertEqual(set(rows), {"916", "31120", "31117"})
        anhoa = rows["31120"]
        self.assertEqual((anhoa["computed_key"], anhoa["decided_key"]), ("3", "3"))
        self.assertEqual(anhoa["criterion"], "matrix[2][4]")
        self.assertFalse(anhoa["overridden"])

    def test_level_changes_with_the_day_they_take_effect(self):
        items = self.get("risk_changes", area="31120", rules="vn-4800-2021").json()["items"]
        latest = items[0]
        self.assertEqual((latest["from_key"], latest["to_key"]), ("1", "3"))
        self.assertEqual(latest["announced_on"], "2021-10-20")
        self.assertEqual(latest["effective_on"], "2021-10-22")  # 48 hours after a raise

    def test_the_steering_committee_decides_another_level(self):
        assessment = Assessment.objects.get(area=self.anhoa, ruleset=self.green)
        response = self.client.post(
            reverse("api:risk_decide", args=[assessment.pk]),
            {"level": "not_green", "reason": "Giữ Chỉ thị 16 đến 1/10", "legal_basis": "TB 23/9"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["computed_key"], body["decided_key"]), ("green", "not_green"))
        self.assertTrue(body["overridden"])
        entry = AuditEntry.objects.get(action="update", object_type="risk.assessment")
        self.assertEqual((entry.source, entry.legal_basis), ("api", "TB 23/9"))

    def test_deciding_needs_a_reason_and_a_known_level(self):
        assessment = Assessment.objects.get(area=self.anhoa, ruleset=self.green)
        url = reverse("api:risk_decide", args=[assessment.pk])
        for body in ({"level": "not_green", "reason": " "}, {"level": "purple", "reason": "x"}):
            response = self.client.post(url, body, content_type="application/json")
            self.assertEqual(response.status_code, 422)
        assessment.refresh_from_db()
        self.assertFalse(assessment.overridden)

    def test_a_ward_official_may_read_but_not_decide(self):
        self.client.force_login(self.anhoa_official)
        assessment = Assessment.objects.get(area=self.anhoa, ruleset=self.green)
        items = self.get("risk_assessments").json()["items"]
        self.assertEqual({r["area"] for r in items}, {"31120"})
        response = self.client.post(
            reverse("api:risk_decide", args=[assessment.pk]),
            {"level": "not_green", "reason": "x"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 403)
