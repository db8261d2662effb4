"""An area's curve comes only from a series that reports the whole area (issue 11).

Two series: the Ministry's national series (``moh-ncsc``: a daily count for each of the
two provinces, Cần Thơ 5 and Hồ Chí Minh 7 on 20/09) and Cần Thơ's simulation
(``cantho-sim``: An Hòa 9, Hưng Phú 3 on 20/09 and 2 cases at city level on 21/09). The
country's curve is the Ministry's 12; the simulation's 14 never stand for the country.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from vungxanh.areas.models import AreaKind
from vungxanh.surveillance import services, services_series
from vungxanh.surveillance.models import IndicatorSeries, Series
from vungxanh.surveillance.queries import covers, units_with_figures
from vungxanh.testing import BaseTestCase, make_area

DAY = dt.date(2021, 9, 20)


def total(chart: dict) -> int:
    return sum(sum(days) for days in chart["detections"].values())


class CurveCoverageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.hcm = make_area("79", "Thành phố Hồ Chí Minh", AreaKind.PROVINCE, cls.nation, 9_000_000)
        cls.national = Series.objects.get(code="moh-ncsc")
        cls.simulated = Series.objects.get(code="cantho-sim")
        cls.daily(
            "cantho-sim",
            (cls.anhoa, DAY, 9),
            (cls.hungphu, DAY, 3),
            (cls.cantho, DAY + dt.timedelta(days=1), 2),
        )

    @classmethod
    def daily(cls, series_code: str, *rows) -> None:
        records = [{"area_id": a.pk, "date": d, "community": n} for a, d, n in rows]
        services.import_records(
            "daily", records, actor=None, series_code=series_code, label=series_code
        )

    def add_national(self) -> None:
        self.daily("moh-ncsc", (self.cantho, DAY, 5), (self.hcm, DAY, 7))

    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.client.force_login(self.admin)

    def page(self, code: str, **params):
        return self.client.get(reverse("surveillance:area", args=[code]), params)

    def test_the_country_is_drawn_from_the_national_series_never_from_a_province(self):
        self.add_national()
        page = self.page("VN")
        self.assertEqual(page.context["series"], self.national)
        self.assertEqual(total(page.context["chart"]), 12)
        self.assertNotIn(self.simulated, page.context["series_options"])
        # Asking for the simulation by name does not draw it as the country either.
        asked = self.page("VN", series="cantho-sim")
        self.assertEqual(asked.context["series"], self.national)
        self.assertEqual(total(asked.context["chart"]), 12)

    def test_without_a_national_series_the_country_page_says_what_would_fill_it(self):
        page = self.page("VN")
        self.assertIsNone(page.context["series"])
        self.assertEqual(page.context["chart"]["detections"], {})
        self.assertEqual(
            [(s.code, [u.code for u in units]) for s, units in page.context["partial"]],
            [("cantho-sim", ["92"])],
        )
        # English through the switch's cookie (the browser's header does not choose).
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = self.page("VN")
        self.assertContains(page, 'data-testid="no-curve"')
        self.assertContains(page, "No series reports the whole of Việt Nam")
        self.assertContains(page, "Ministry of Health")
        self.assertNotContains(page, 'id="epicurve"')

    def test_a_designation_does_not_make_a_provincial_series_the_countrys(self):
        services_series.designate_series(self.nation, self.simulated, actor=self.admin)
        self.assertIsNone(self.page("VN").context["series"])
        self.add_national()
        page = self.page("VN")
        self.assertEqual(page.context["series"], self.national)
        self.assertEqual(total(page.context["chart"]), 12)

    def test_the_simulation_still_draws_the_city_its_districts_and_wards(self):
        self.add_national()
        city = self.page("92", series="cantho-sim")
        self.assertEqual(city.context["series"], self.simulated)
        self.assertEqual(total(city.context["chart"]), 14)
        # Ninh Kiều: only An Hòa has a simulated case, but the city is reported as a whole.
        district = self.page("916", series="cantho-sim")
        self.assertEqual(district.context["series"], self.simulated)
        self.assertEqual(total(district.context["chart"]), 9)
        ward = self.page("31120", series="cantho-sim")
        self.assertEqual(total(ward.context["chart"]), 9)

    def test_what_covers_an_area(self):
        self.add_national()
        self.assertTrue(covers(self.national, self.nation))  # every province reported
        self.assertTrue(covers(self.national, self.cantho))  # rows at the province itself
        self.assertFalse(covers(self.simulated, self.nation))  # one province of two
        self.assertTrue(covers(self.simulated, self.cantho))  # rows at city level
        self.assertTrue(covers(self.simulated, self.caikhe))  # a ward of a covered city

    def test_before_the_indicators_are_computed_the_facts_answer(self):
        self.add_national()
        IndicatorSeries.objects.all().delete()
        self.assertTrue(covers(self.national, self.nation))
        self.assertFalse(covers(self.simulated, self.nation))
        self.assertTrue(covers(self.simulated, self.cantho))
        self.assertEqual([u.code for u in units_with_figures(self.simulated, self.nation)], ["92"])

    def test_the_api_gives_no_national_indicators_from_a_provincial_series(self):
        indicators = lambda code, **p: self.client.get(  # noqa: E731
            reverse("api:indicator_series", args=[code]), p
        )
        self.assertEqual(indicators("VN").status_code, 404)
        self.assertEqual(indicators("VN", series="cantho-sim").status_code, 404)
        self.assertEqual(indicators("92", series="cantho-sim").status_code, 200)
