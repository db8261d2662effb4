"""The 14-day projection and its warning (issue 10, item 7): "likely to move to a higher
level in the next 7 days", on the area's level page, the map (legend, table, GeoJSON) and the
area API answer.

The world of ``test_views.build_levels``: An Hòa (31,268 people) has had no case since 2/9,
then 7 community cases a day from 14/10. On 17/10 its week counts 28 cases (89.5 per
100,000): QĐ 4800 puts it below the 150 that would raise it, but with the epidemic growing
that fast the projection reaches 49 cases a week within days. Cái Khế, with one case in
weeks, is not warned: one case is too few to estimate R from.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from vungxanh.risk import outlook, services
from vungxanh.risk.models import AssessmentSeries
from vungxanh.risk.tests.test_views import build_levels
from vungxanh.testing import BaseTestCase

RISING = dt.date(2021, 10, 17)
QUIET = dt.date(2021, 9, 30)


class OutlookTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)

    def rows(self):
        return list(
            AssessmentSeries.objects.filter(ruleset=self.r4800, series=self.series)
            .filter(area__in=[self.anhoa, self.caikhe])
            .select_related("area")
        )

    def test_a_fast_rise_is_warned_and_a_quiet_ward_is_not(self):
        found = outlook.outlooks(self.r4800, self.series, RISING, self.rows())
        anhoa, caikhe = found[self.anhoa.pk], found[self.caikhe.pk]
        self.assertTrue(anhoa.warning, anhoa)
        self.assertGreater(anhoa.probability, 0.5)
        self.assertGreater(anhoa.next_level.rank, anhoa.level.rank)
        # The threshold is the case rate of the next level, as a weekly count of the ward.
        self.assertAlmostEqual(anhoa.threshold_cases, anhoa.threshold_rate * 31_268 / 100_000, 0)
        self.assertEqual(len(anhoa.mean), 14)
        self.assertTrue(np.all(np.diff(anhoa.mean[:3]) >= -1e-9) or anhoa.mean[0] > 5)
        self.assertFalse(caikhe.warning)
        # Seeded: the same inputs give the same answer.
        again = outlook.outlooks(self.r4800, self.series, RISING, self.rows())[self.anhoa.pk]
        self.assertEqual(again.probability, anhoa.probability)

    def test_without_an_epidemic_there_is_no_warning(self):
        found = outlook.outlooks(self.r4800, self.series, QUIET, self.rows())
        self.assertFalse(any(o.warning for o in found.values()))

    def test_a_rule_set_without_a_weekly_case_rate_has_no_projection(self):
        rows = list(
            AssessmentSeries.objects.filter(ruleset=self.green, series=self.series).select_related(
                "area"
            )
        )
        self.assertEqual(outlook.outlooks(self.green, self.series, RISING, rows), {})

    def test_the_area_page_shows_the_warning(self):
        self.client.force_login(self.anhoa_official)
        page = self.client.get(
            reverse("risk:area", args=["31120"]), {"date": RISING.strftime("%d/%m/%Y")}
        )
        self.assertContains(page, 'data-testid="outlook-warning"')
        with translation.override("vi"):
            self.assertContains(page, _("Likely to move to a higher level in the next 7 days"))
        quiet = self.client.get(
            reverse("risk:area", args=["31120"]), {"date": QUIET.strftime("%d/%m/%Y")}
        )
        self.assertNotContains(quiet, 'data-testid="outlook-warning"')

    def test_the_map_marks_the_warned_units(self):
        self.client.force_login(self.district_steering)
        query = {"area": "916", "rules": "vn-4800-2021", "date": RISING.strftime("%d/%m/%Y")}
        page = self.client.get(reverse("risk:map"), query)
        self.assertContains(page, 'data-testid="legend-warning"')
        self.assertEqual([a.code for a in page.context["warned"]], ["31120"])
        self.assertContains(page, 'data-testid="row-warning"', count=1)
        levels = self.client.get(reverse("risk:map_levels"), query).json()
        warned = {f["id"]: f["properties"]["warning"] for f in levels["features"]}
        self.assertEqual(warned, {"31120": True, "31117": False})
        table = self.client.get(reverse("risk:map_table"), query)
        self.assertContains(table, 'data-testid="row-warning"', count=1)

    def test_the_api_answers_carry_the_projection(self):
        self.client.force_login(self.district_steering)
        answer = self.client.get(
            "/api/v1/risk/areas/31120/explain", {"rules": "vn-4800-2021", "date": "17/10/2021"}
        ).json()
        self.assertTrue(answer["outlook"]["warning"])
        self.assertEqual(len(answer["outlook"]["projected_cases"]), 14)
        levels = self.client.get(
            "/api/v1/risk/levels", {"area": "916", "rules": "vn-4800-2021", "date": "17/10/2021"}
        ).json()
        self.assertEqual({r["code"]: r["warning"] for r in levels["levels"]}, warned_map())

    def test_the_raise_threshold_is_the_band_edge(self):
        ruleset = services.ruleset_of(self.r4800)
        row = next(r for r in self.rows() if r.area_id == self.anhoa.pk)
        values = outlook._inputs_on(ruleset, [row], RISING)
        name = "cases_per_100k_week"
        current, rate, then = outlook.raise_threshold(ruleset, values, name, "commune")
        self.assertGreater(then, current)
        self.assertAlmostEqual(rate, 150.0, delta=0.01)


def warned_map() -> dict[str, bool]:
    return {"31120": True, "31117": False}
