"""The level that applies: one answer for an area and a day, and a ward's own level."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vungxanh.risk import services
from vungxanh.risk.models import Assessment, OfficialDecision
from vungxanh.risk.tests.test_views import LevelsTestCase


class WardOwnLevelTestCase(LevelsTestCase):
    """A ward official asks about their own ward: the answer is the ward itself, not 404."""

    def setUp(self) -> None:
        self.client.force_login(self.anhoa_official)

    def test_the_api_answers_the_wards_own_level(self):
        response = self.client.get(
            reverse("api:risk_levels"), {"area": "31120", "date": "20/10/2021"}
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["area"], "31120")
        self.assertEqual([r["code"] for r in body["levels"]], ["31120"])
        self.assertEqual(body["levels"][0]["level"], "2")

    def test_the_api_without_an_area_answers_the_users_ward(self):
        response = self.client.get(reverse("api:risk_levels"), {"date": "20/10/2021"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r["code"] for r in response.json()["levels"]], ["31120"])

    def test_the_map_data_answers_the_wards_own_level(self):
        response = self.client.get(
            reverse("risk:map_levels"),
            {"area": "31120", "date": "18/09/2021", "rules": "vn-green-zone-14d"},
        )
        self.assertEqual(response.status_code, 200)
        features = response.json()["features"]
        self.assertEqual([f["id"] for f in features], ["31120"])
        self.assertEqual(features[0]["properties"]["level"], "green")

    def test_the_map_page_shows_the_ward_instead_of_an_empty_page(self):
        response = self.client.get(reverse("risk:map"), {"date": "20/10/2021"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'data-testid="no-levels"')
        self.assertContains(response, 'data-code="31120"')
        self.assertTrue(response.context["level_map"].own)

    def test_another_ward_is_still_not_found(self):
        response = self.client.get(
            reverse("api:risk_levels"), {"area": "31117", "date": "20/10/2021"}
        )
        self.assertEqual(response.status_code, 404)


class LevelThatAppliesTestCase(LevelsTestCase):
    """An Hòa on 23/09/2021: the official decision Chỉ thị 16 applies, the computed levels
    are secondary."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ct16 = OfficialDecision.objects.create(
            area=cls.anhoa,
            announced_on=dt.date(2021, 9, 22),
            effective_on=dt.date(2021, 9, 23),
            label="Chỉ thị 16",
            rank=4,
            source_url="https://example.org/ct16-2309",
        )

    def setUp(self) -> None:
        self.client.force_login(self.anhoa_official)

    def test_the_area_page_shows_the_decision_first_with_its_source(self):
        response = self.client.get(reverse("risk:area", args=["31120"]), {"date": "23/09/2021"})
        self.assertEqual(response.status_code, 200)
        applied = response.context["applies"]
        self.assertEqual((applied.source_kind, applied.label), ("official", "Chỉ thị 16"))
        self.assertEqual(applied.computed.record.code, "vn-green-zone-14d")
        others = {c.record.code: c for c in applied.secondary}
        self.assertIn("vn-4800-2021", others)
        self.assertFalse(any(c.in_force for c in applied.secondary))
        self.assertEqual(others["vn-4800-2021-moh"].level.key, "1")
        html = response.content.decode()
        card = html[html.index('data-testid="applies"') :]
        card = card[: card.index("</section>")]
        self.assertIn("Chỉ thị 16", card[: card.index('data-testid="applies-source"')])
        self.assertIn(applied.source_text, card)
        self.assertIn("https://example.org/ct16-2309", card)
        self.assertIn('data-testid="applies-secondary"', card)
        self.assertIn(
            others["vn-4800-2021-moh"].label,
            card[card.index('data-testid="applies-secondary"') :],
        )
        self.english()
        response = self.client.get(reverse("risk:area", args=["31120"]), {"date": "23/09/2021"})
        self.assertContains(response, "Official decision “Chỉ thị 16”, in force from 23/09/2021")
        self.assertContains(
            response, "Other rule sets (for comparison, not the level that applies)"
        )
        # The level that applies comes before the per-rule-set histories.
        self.assertLess(html.index('data-testid="applies"'), html.index('data-testid="outlook"'))
        # The freshness line names the same level.
        level = response.context["area_level"]
        self.assertEqual((level.source_kind, level.label), ("official", "Chỉ thị 16"))

    def test_without_a_decision_the_rule_set_in_force_applies(self):
        response = self.client.get(reverse("risk:area", args=["31120"]), {"date": "20/09/2021"})
        applied = response.context["applies"]
        self.assertEqual(applied.source_kind, "computed")
        self.assertEqual(applied.record.code, "vn-green-zone-14d")
        self.assertEqual(applied.key, "green")
        self.assertContains(response, applied.source_text)
        self.english()
        response = self.client.get(reverse("risk:area", args=["31120"]), {"date": "20/09/2021"})
        self.assertContains(response, "Computed by the rule set “")

    def test_the_explain_api_says_what_applies(self):
        response = self.client.get(
            reverse("api:risk_explain", args=["31120"]),
            {"rules": "vn-4800-2021", "date": "23/09/2021"},
        )
        self.assertEqual(response.status_code, 200)
        applied = response.json()["applies"]
        self.assertEqual(applied["source_kind"], "official")
        self.assertEqual(applied["label"], "Chỉ thị 16")
        self.assertEqual(applied["rules"], "vn-green-zone-14d")
        self.assertEqual(applied["source_url"], "https://example.org/ct16-2309")
        others = {c["rules"]: (c["level"], c["in_force"]) for c in applied["secondary"]}
        self.assertIn("vn-4800-2021", others)
        self.assertNotIn("vn-green-zone-14d", others)
        self.assertEqual(others["vn-4800-2021-moh"], ("1", False))

    def test_a_later_published_decision_wins_over_an_older_official_one(self):
        from vungxanh.risk.applies import Computed, decide

        green = services.ruleset_of(self.green)
        computed = Computed(self.green, green.levels[0], True)
        published = Assessment(
            area=self.anhoa,
            ruleset=self.green,
            series=self.series,
            date=dt.date(2021, 9, 30),
            decided_key=green.levels[-1].key,
            decided_rank=green.levels[-1].rank,
        )
        found = decide(dt.date(2021, 10, 1), [computed], official=self.ct16, published=published)
        self.assertEqual(found.source_kind, "published")
        found = decide(dt.date(2021, 10, 1), [computed], official=self.ct16)
        self.assertEqual(found.source_kind, "official")
        self.assertEqual(decide(dt.date(2021, 10, 1), []), None)


class MapLevelThatAppliesTestCase(LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.district_steering)

    def test_the_map_table_shows_the_decision_first_and_the_computed_level_after(self):
        self.english()
        params = {"area": "916", "date": "25/09/2021", "rules": "vn-green-zone-14d"}
        response = self.client.get(reverse("risk:map_table"), params)
        html = response.content.decode()
        row = html[html.index('data-code="31120"') :]
        row = row[: row.index("</tr>")]
        self.assertLess(row.index("Chỉ thị 16 (to 1/10)"), row.index('data-testid="row-computed"'))
        self.assertIn("Official decision “Chỉ thị 16 (to 1/10)”, in force from 24/09/2021", row)
        # Cái Khế has no decision: its computed level is the level that applies.
        other = html[html.index('data-code="31117"') :]
        self.assertNotIn('data-testid="row-applies"', other[: other.index("</tr>")])

    def test_the_levels_api_says_what_applies_to_each_unit(self):
        response = self.client.get(
            reverse("api:risk_levels"),
            {"area": "916", "date": "25/09/2021", "rules": "vn-green-zone-14d"},
        )
        rows = {r["code"]: r for r in response.json()["levels"]}
        self.assertEqual(rows["31120"]["applies"]["source_kind"], "official")
        self.assertEqual(rows["31120"]["applies"]["label"], "Chỉ thị 16 (to 1/10)")
        self.assertEqual(rows["31117"]["applies"]["source_kind"], "computed")
        self.assertEqual(rows["31117"]["applies"]["level"], rows["31117"]["level"])
