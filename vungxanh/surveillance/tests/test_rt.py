import datetime as dt

import numpy as np
from django.urls import reverse

from vungxanh.domain.rt import discr_si, estimate_r
from vungxanh.surveillance import services
from vungxanh.surveillance.models import RtSeries
from vungxanh.surveillance.rt import SI_MEAN, SI_SD
from vungxanh.testing import BaseTestCase

START = dt.date(2021, 9, 1)
DAYS = 30


def daily_csv(counts) -> str:
    lines = ["Địa bàn;Ngày;Ca cộng đồng;Ca trong khu phong tỏa"]
    for i, n in enumerate(counts):
        day = START + dt.timedelta(days=i)
        lines.append(f"31120;{day:%d/%m/%Y};{n // 2};{n - n // 2}")
    return "\n".join(lines) + "\n"


class RtTestCase(BaseTestCase):
    def import_counts(self, counts):
        result = services.import_file(
            "daily", daily_csv(counts).encode(), "rt.csv", actor=self.health_officer
        )
        self.assertTrue(result.written)

    def test_the_stored_rt_equals_estimate_r_on_the_same_counts(self):
        counts = np.array([3, 0, 5, 2, 7, 4, 1, 6, 8, 3, 2, 9, 5, 4, 7] * 2)
        self.import_counts(counts)
        rt = RtSeries.objects.get(area=self.anhoa)
        self.assertEqual((rt.start, rt.days, rt.si_mean, rt.si_sd), (START, DAYS, 4.7, 2.9))
        t_end = np.arange(8, DAYS + 1)
        expected = estimate_r(
            counts.astype(float),
            np.zeros(DAYS),
            discr_si(np.arange(DAYS), SI_MEAN, SI_SD),
            t_end - 6,
            t_end,
            5.0,
            5.0,
            si_must_sum_to_one=False,
        )
        np.testing.assert_allclose(rt.values("mean")[t_end - 1], expected.mean[0], rtol=1e-6)
        np.testing.assert_allclose(rt.values("std")[t_end - 1], expected.std[0], rtol=1e-6)
        for name, q in (("q025", 0.025), ("q50", 0.5), ("q975", 0.975)):
            np.testing.assert_allclose(
                rt.values(name)[t_end - 1], expected.quantiles[q][0], rtol=1e-6
            )
        # NA where EpiEstim gives NA: no window ends before day 8.
        self.assertTrue(np.isnan(rt.values("mean")[:7]).all())
        # The city and the nation get theirs too.
        self.assertTrue(RtSeries.objects.filter(area=self.cantho).exists())
        self.assertTrue(RtSeries.objects.filter(area=self.nation).exists())

    def test_growing_counts_are_rising_and_the_pages_show_it(self):
        self.import_counts(np.round(2 * 1.15 ** np.arange(DAYS)).astype(int))
        self.assertEqual(RtSeries.objects.get(area=self.anhoa).latest()["trend"], "rising")
        self.client.force_login(self.district_steering)
        page = self.client.get(reverse("surveillance:area", args=["31120"]))
        self.assertContains(page, 'data-testid="rt-section"')
        self.assertContains(page, 'data-trend="rising"')
        self.assertContains(page, 'id="rt-data"')
        overview = self.client.get(reverse("surveillance:overview", args=["916"]))
        self.assertContains(overview, 'data-trend="rising"')

    def test_falling_counts_are_falling(self):
        self.import_counts(np.round(200 * 0.85 ** np.arange(DAYS)).astype(int))
        self.assertEqual(RtSeries.objects.get(area=self.anhoa).latest()["trend"], "falling")
