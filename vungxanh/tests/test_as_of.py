"""One "as of" date on every page (issue 10, item 4; ../shared/DESIGN.md §7).

Chosen once with ``?ngay=dd/mm/yyyy`` (the picker in the header), kept in the session, and
carried through the surveillance pages (curve, indicators and case list cut at that day,
each case as known then), the level map and area page, and the lockdown pages. In the demo
the default is 23/09/2021 on every page. A bad date gets a message, never a 500.
"""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from vungxanh.lib import asof
from vungxanh.risk.tests.test_views import build_levels
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CaseRecord
from vungxanh.testing import BaseTestCase

CHOSEN = dt.date(2021, 10, 15)
DEMO_DAY = dt.date(2021, 9, 23)


class AsOfTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.district_steering)

    def surveillance(self, code="916", **params):
        return self.client.get(reverse("surveillance:area", args=[code]), params)

    def level_map(self, **params):
        return self.client.get(reverse("risk:map"), {"area": "916", **params})

    def test_a_day_chosen_on_one_page_moves_every_page(self):
        # Without a choice: the last reported day (the figures stop before today).
        self.assertEqual(self.surveillance().context["last"], dt.date(2021, 10, 20))
        page = self.surveillance(ngay=CHOSEN.strftime("%d/%m/%Y"))
        self.assertEqual(page.context["last"], CHOSEN)
        self.assertEqual(page.context["chart"]["dates"][-1], "15/10/2021")
        self.assertContains(page, 'value="15/10/2021"')  # the picker shows it
        # The other pages, opened without any date, show the same day.
        self.assertEqual(self.level_map().context["choice"].day, CHOSEN)
        self.assertEqual(
            self.client.get(reverse("risk:area", args=["31120"])).context["day"], CHOSEN
        )
        overview = self.client.get(reverse("surveillance:overview", args=["916"]))
        self.assertEqual(overview.context["on"], CHOSEN)
        self.assertEqual(self.client.get(reverse("lockdowns:index")).context["day"], CHOSEN)
        # The map's own date still moves the map alone (its slider).
        self.assertEqual(self.level_map(date="01/10/2021").context["choice"].day.day, 1)
        # Back to the default.
        self.surveillance(ngay="")
        self.assertEqual(self.level_map().context["choice"].day, dt.date(2021, 10, 20))

    def test_a_later_day_asked_for_is_cut_at_the_as_of_day_and_said_so(self):
        self.surveillance(ngay="01/10/2021")
        page = self.surveillance(**{"from": "20/09/2021", "to": "20/10/2021"})
        self.assertEqual(page.context["last"], dt.date(2021, 10, 1))
        self.assertTrue(any("01/10/2021" in e for e in page.context["errors"]))

    def test_a_bad_day_gets_a_message_and_the_previous_choice_stays(self):
        self.surveillance(ngay="15/10/2021")
        # In Vietnamese, the user's language (the site's default).
        for text, words in (
            ("31/02/2021", "Tháng 2 có 28 ngày"),
            ("01/01/2090", "nằm ngoài khoảng ngày được chấp nhận"),
            ("hôm qua", "không phải là ngày"),
        ):
            with self.subTest(text=text):
                page = self.surveillance(ngay=text)
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, 'data-testid="as-of-error"')
                self.assertContains(page, words)
                self.assertEqual(page.context["last"], CHOSEN)

    @override_settings(DEMO=True)
    def test_the_demo_opens_every_page_on_its_day(self):
        self.client.get(reverse("surveillance:area", args=["916"]), {"ngay": ""})
        self.assertEqual(asof.default_day(), DEMO_DAY)
        page = self.surveillance()
        self.assertEqual(page.context["last"], DEMO_DAY)
        self.assertEqual(page.context["chart"]["dates"][-1], "23/09/2021")
        self.assertEqual(self.level_map().context["choice"].day, DEMO_DAY)
        self.assertEqual(self.client.get(reverse("lockdowns:index")).context["day"], DEMO_DAY)

    def test_the_case_list_is_cut_at_the_day_with_each_case_as_known_then(self):
        cases = (
            "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\n"
            "AS1,31120,01/09/2021,Cộng đồng\nAS2,31120,16/10/2021,Cộng đồng\n"
        )
        services.import_file("cases", cases.encode(), "a.csv", actor=self.health_officer)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        CaseRecord.objects.filter(case_code__in=["AS1", "AS2"]).update(
            recorded_at=timezone.now() - dt.timedelta(days=3)
        )
        fixed = "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\nAS1,31120,01/09/2021,Khu cách ly\n"
        services.import_file("cases", fixed.encode(), "b.csv", actor=self.health_officer)
        url = reverse("surveillance:cases")

        def listed(**params):
            page = self.client.get(url, {"area": "31120", "series": "reported", **params})
            return {c.case_code: c.detection for c, _person in page.context["cases"]}

        self.assertEqual(listed(), {"AS1": "quarantine", "AS2": "community"})
        # As of yesterday: the correction was not known yet.
        self.assertEqual(
            listed(ngay=yesterday.strftime("%d/%m/%Y")),
            {
                "AS1": "community",
                "AS2": "community",
            },
        )
        # As of 15/10/2021: the case of 16/10 is not shown; no version of AS1 was known
        # then (the history was loaded later, as in the demo): its current version is.
        self.assertEqual(listed(ngay="15/10/2021"), {"AS1": "quarantine"})
