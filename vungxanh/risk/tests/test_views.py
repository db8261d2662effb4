"""The level pages: the map and its slider data, the table, exports, explanations, an area's
history with publishing and deciding, and the public map.

The world (``build_levels``), series "reported", Ninh Kiều's wards with square boundaries:
  An Hòa (31,268 people): 3 community cases a day 20–29/8/2021 and 1 on 2/9; then 7 a day
  14–20/10 (49 in the week: 156.7 per 100,000). Cái Khế (22,106): 2 on 25/8, 1 on 10/9,
  1 on 17/10. Hưng Phú (Cái Răng): 5 on 15/9. Coverage on 1/10: An Hòa 98 % of adults with
  a first dose, 90 % of 65+ fully vaccinated; Cái Khế 94 % and 67 %.
Under vn-green-zone-14d An Hòa is green from 18/9 (last case 2/9), Cái Khế from 26/9.
Under vn-4800-2021 on 20/10 An Hòa's rules give Cấp 3, Cấp 2 in force (a raise takes effect
48 hours after it is announced); Cái Khế Cấp 1 raised to Cấp 2 (65+ coverage < 80 %).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from vungxanh.areas.models import AreaKind
from vungxanh.audit.models import AuditEntry
from vungxanh.risk import services
from vungxanh.risk.models import Assessment, LevelChange, OfficialDecision, RuleSetRecord
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series
from vungxanh.testing import BaseTestCase, make_area

GREEN_DAY = dt.date(2021, 9, 20)
OCTOBER_DAY = dt.date(2021, 10, 20)


def square(x0, y0, x1, y1) -> str:
    return json.dumps(
        {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}
    )


def daily_csv(rows) -> bytes:
    lines = ["Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"]
    lines += [f"{code},{day:%d/%m/%Y},{community},0" for code, day, community in rows]
    return "\n".join(lines).encode()


VACCINATION_CSV = (
    "Địa bàn,Ngày,Dân số từ 18 tuổi,Người ≥18 tuổi đã tiêm ≥1 liều,Người ≥18 tuổi tiêm đủ liều,"
    "Dân số từ 65 tuổi,Người ≥65 tuổi tiêm đủ liều\n"
    "31120,01/10/2021,24000,23500,20000,2000,1800\n"
    "31117,01/10/2021,17000,16000,12000,1500,1000\n"
    "31189,01/10/2021,15000,14000,12000,1000,900\n"
).encode()


def case_rows() -> list[tuple[str, dt.date, int]]:
    rows = [("31120", dt.date(2021, 8, 20) + dt.timedelta(days=d), 3) for d in range(10)]
    rows += [("31120", dt.date(2021, 9, 2), 1)]
    rows += [("31120", OCTOBER_DAY - dt.timedelta(days=d), 7) for d in range(7)]
    rows += [("31117", dt.date(2021, 8, 25), 2), ("31117", dt.date(2021, 9, 10), 1)]
    rows += [("31117", dt.date(2021, 10, 17), 1)]
    rows += [("31189", dt.date(2021, 9, 15), 5)]
    return rows


def build_levels(cls) -> None:
    """Import the cases and coverage above and compute both rule sets (call after the world)."""
    cls.anhoa.boundary = square(105.71, 10.00, 105.745, 10.06)
    cls.caikhe.boundary = square(105.755, 10.00, 105.79, 10.06)
    cls.anhoa.save(update_fields=["boundary"])
    cls.caikhe.save(update_fields=["boundary"])
    services.sync_rulesets()
    surveillance.import_file("daily", daily_csv(case_rows()), "d.csv", actor=cls.admin)
    surveillance.import_file("vaccination", VACCINATION_CSV, "v.csv", actor=cls.admin)
    cls.series = Series.objects.get(code="reported")
    cls.green = RuleSetRecord.objects.get(code="vn-green-zone-14d", current=True)
    cls.r4800 = RuleSetRecord.objects.get(code="vn-4800-2021", current=True)
    for record in (cls.green, cls.r4800):
        services.compute_levels(record, cls.series, provinces=[cls.cantho])
    cls.official = OfficialDecision.objects.create(
        area=cls.anhoa,
        announced_on=dt.date(2021, 9, 23),
        effective_on=dt.date(2021, 9, 24),
        label="Chỉ thị 16 (to 1/10)",
        rank=4,
        source_url="https://example.org/ct16",
    )
    cls.foreign_official = OfficialDecision.objects.create(
        area=cls.hungphu,
        announced_on=dt.date(2021, 9, 23),
        effective_on=dt.date(2021, 9, 24),
        label="foreign-official-marker",
        rank=4,
        source_url="https://example.org/hp",
    )


class LevelsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_levels(cls)

    def english(self) -> None:
        """Pages in English (the site is Vietnamese until the user presses EN)."""
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def map_url(self, name="risk:map", **params) -> str:
        params.setdefault("area", "916")
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"{reverse(name)}?{query}"


class MapPageTestCase(LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.district_steering)

    def test_in_september_the_green_zone_rule_is_shown_and_4800_is_offered(self):
        response = self.client.get(self.map_url(date="20/09/2021"))
        self.assertEqual(response.status_code, 200)
        choice = response.context["choice"]
        self.assertEqual(choice.record.code, "vn-green-zone-14d")
        self.assertEqual(choice.day, GREEN_DAY)
        offered = [(r.code, in_force) for r, in_force in response.context["records"]]
        # Every computable rule set was computed by the loop after the imports.
        self.assertEqual(
            offered,
            [
                ("vn-green-zone-14d", True),
                ("vn-4800-2021", False),
                ("vn-4800-2021-2w", False),
                ("vn-4800-2021-moh", False),
            ],
        )
        self.assertContains(response, 'data-code="31120" data-level="green"')
        self.assertContains(response, 'data-code="31117" data-level="not_green"')
        self.assertNotContains(response, "Hưng Phú")

    def test_in_october_4800_is_the_default(self):
        response = self.client.get(self.map_url(date="20/10/2021"))
        self.assertEqual(response.context["choice"].record.code, "vn-4800-2021")
        rows = {r.area.code: r for r in response.context["level_map"].rows}
        self.assertEqual((rows["31120"].level.key, rows["31120"].computed.key), ("2", "3"))
        self.assertEqual(rows["31120"].colour, "#f9a825")
        self.assertTrue(rows["31120"].differs)
        self.assertEqual(rows["31117"].level.key, "2")

    def test_the_legend_lists_the_rule_sets_levels_with_colours_and_no_data(self):
        self.english()
        response = self.client.get(self.map_url(date="20/09/2021"))
        legend = [(e["label"], e["colour"]) for e in response.context["legend"]]
        self.assertEqual(
            legend,
            [
                ("Green zone", "#2e7d32"),
                ("Not a green zone", "#ef6c00"),
                ("No data", "#9e9e9e"),
            ],
        )

    def test_the_legend_has_one_no_data_entry_in_each_language(self):
        for lang in ("vi", "en"):
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
            for rules in ("vn-green-zone-14d", "vn-4800-2021"):
                response = self.client.get(self.map_url(date="20/10/2021", rules=rules))
                labels = [e["label"].casefold() for e in response.context["legend"]]
                self.assertEqual(len(labels), len(set(labels)), (lang, rules, labels))
                colours = [e["colour"] for e in response.context["legend"]]
                self.assertEqual(colours.count("#9e9e9e"), 1, (lang, rules, colours))

    def test_the_slider_covers_the_series_days_and_starts_on_the_date(self):
        response = self.client.get(self.map_url(date="20/09/2021"))
        config = response.context["config"]
        first = dt.date.fromisoformat(config["first"])
        self.assertEqual(first + dt.timedelta(days=config["offset"]), GREEN_DAY)
        self.assertEqual(first, dt.date(2021, 8, 20))  # the first fact in Cần Thơ
        self.assertIn('id="risk-slider"', response.content.decode())
        self.assertIn("risk-map-config", response.content.decode())

    def test_without_a_date_the_last_reported_day_is_shown(self):
        response = self.client.get(self.map_url())
        # The last fact is 20/10/2021; vn-4800-2021 is in force then.
        self.assertEqual(response.context["choice"].day, OCTOBER_DAY)
        self.assertEqual(response.context["choice"].record.code, "vn-4800-2021")

    def test_the_demo_opens_on_23_september(self):
        with self.settings(DEMO=True):
            response = self.client.get(self.map_url())
        self.assertEqual(response.context["choice"].day, dt.date(2021, 9, 23))
        self.assertEqual(response.context["choice"].record.code, "vn-green-zone-14d")

    def test_a_wrong_date_is_reported(self):
        response = self.client.get(self.map_url(date="31/02/2021"))
        self.assertContains(response, "31/02/2021")
        self.assertTrue(response.context["errors"])

    def test_the_default_area_is_the_users_top_area(self):
        response = self.client.get(reverse("risk:map") + "?date=20/09/2021")
        self.assertEqual(response.context["area"], self.ninhkieu)

    def test_an_area_without_levels_says_so(self):
        make_area("31999", "Phường Mới", AreaKind.COMMUNE, self.ninhkieu, 1_000, "Phường")
        response = self.client.get(self.map_url(area="31999"))
        self.assertContains(response, 'data-testid="no-levels"')

    def test_a_ward_without_units_shows_its_own_level(self):
        response = self.client.get(self.map_url(area="31120"))
        self.assertNotContains(response, 'data-testid="no-levels"')
        self.assertTrue(response.context["level_map"].own)
        self.assertEqual([r.area.code for r in response.context["level_map"].rows], ["31120"])

    def test_units_without_data_are_grey_with_no_data(self):
        # Cái Răng's map on a day before Hưng Phú's first fact: no level.
        self.client.force_login(self.city_steering)
        response = self.client.get(self.map_url(area="92", date="20/09/2021"))
        rows = {r.area.code: r for r in response.context["level_map"].rows}
        self.assertIn("919", rows)
        self.client.force_login(self.admin)
        self.english()
        response = self.client.get(
            self.map_url(area="919", date="20/08/2021", rules="vn-green-zone-14d")
        )
        [row] = response.context["level_map"].rows
        self.assertEqual(row.level.key, "no_data")  # no community case yet: no date of the last
        self.assertEqual(row.colour, "#9e9e9e")


class MapDataTestCase(LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.district_steering)

    def levels(self, day: str, **params) -> dict:
        params.setdefault("rules", "vn-green-zone-14d")
        response = self.client.get(self.map_url("risk:map_levels", date=day, **params))
        self.assertEqual(response.status_code, 200)
        return {f["id"]: f for f in response.json()["features"]}

    def test_moving_the_date_recolours_an_hòa_on_18_september(self):
        before, after = self.levels("17/09/2021"), self.levels("18/09/2021")
        self.assertEqual(before["31120"]["properties"]["level"], "not_green")
        self.assertEqual(before["31120"]["properties"]["colour"], "#ef6c00")
        self.assertEqual(after["31120"]["properties"]["level"], "green")
        self.assertEqual(after["31120"]["properties"]["colour"], "#2e7d32")
        self.assertEqual(after["31120"]["properties"]["since"], "18/09/2021")
        self.assertNotIn("geometry", after["31120"])

    def test_the_levels_carry_inputs_and_the_official_decision(self):
        self.english()
        found = self.levels("25/09/2021")
        props = found["31120"]["properties"]
        self.assertEqual(props["values"], {"days_since_community_case": "23"})
        self.assertEqual(props["official"], "Chỉ thị 16 (to 1/10)")

    def test_the_geojson_export_has_boundaries_and_a_file_name(self):
        response = self.client.get(
            self.map_url("risk:map_geojson", date="20/09/2021", rules="vn-green-zone-14d")
            + "&download=1"
        )
        self.assertEqual(response["Content-Type"], "application/geo+json")
        self.assertIn(
            "vungxanh-levels-916-vn-green-zone-14d-reported-20210920.geojson",
            response["Content-Disposition"],
        )
        document = json.loads(response.content)
        features = {f["id"]: f for f in document["features"]}
        self.assertEqual(features["31120"]["geometry"]["type"], "Polygon")
        self.assertEqual(features["31120"]["properties"]["level"], "green")
        self.assertEqual((document["rules"], document["date"]), ("vn-green-zone-14d", "20/09/2021"))

    def test_the_xlsx_export_has_one_row_per_unit(self):
        self.english()
        response = self.client.get(
            self.map_url("risk:map_xlsx", date="20/10/2021", rules="vn-4800-2021")
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        header = rows[0]
        self.assertEqual(header[:3], ("code", "area", "level"))
        by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
        self.assertEqual(set(by_code), {"31117", "31120"})
        anhoa = by_code["31120"]
        self.assertEqual(anhoa["level key"], "2")
        self.assertEqual(anhoa["computed level"], "Level 3 – high risk")
        self.assertAlmostEqual(anhoa["community cases per 100,000 people per week"], 156.71, 2)
        self.assertEqual(anhoa["date"], "20/10/2021")

    def test_the_table_fragment_follows_the_date(self):
        response = self.client.get(
            self.map_url("risk:map_table", date="17/09/2021", rules="vn-green-zone-14d")
        )
        self.assertContains(response, 'data-code="31120" data-level="not_green"')
        self.assertContains(response, 'data-date="17/09/2021"')
        self.assertNotContains(response, "<html")

    def test_nothing_computed_is_not_found(self):
        make_area("31999", "Phường Mới", AreaKind.COMMUNE, self.ninhkieu, 1_000, "Phường")
        response = self.client.get(self.map_url("risk:map_levels", area="31999"))
        self.assertEqual(response.status_code, 404)


class ExplainTestCase(LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.anhoa_official)

    def explain(self, code: str, day: str, rules: str):
        url = reverse("risk:explain", args=[code]) + f"?date={day}&rules={rules}"
        self.english()
        return self.client.get(url)

    def test_it_says_why_with_inputs_criterion_and_legal_source(self):
        response = self.explain("31120", "20/10/2021", "vn-4800-2021")
        found = response.context["found"]
        self.assertEqual((found.level.key, found.computed.key), ("2", "3"))
        self.assertEqual(
            found.sentence,
            "Level 3 – high risk because 156.7 community cases per 100,000 people per week "
            "(≥ 150) and 98% of adults with at least one dose (≥ 70%)",
        )
        self.assertContains(response, found.sentence)
        self.assertContains(response, 'data-testid="explain-differs"')
        self.assertEqual(found.criterion.name, "matrix[2][4]")
        self.assertTrue(found.criterion.verified)
        self.assertNotContains(response, 'data-testid="explain-unverified"')
        self.assertContains(response, "vn-4800-2021 v1")
        self.assertContains(response, "Quyết định 4800/QĐ-BYT")
        values = dict((n, v) for n, _label, v in found.formatted())
        self.assertEqual(values["cases_per_100k_week"], "156.7")
        self.assertEqual(values["vacc_1dose_18plus_pct"], "98%")

    def test_an_unverified_deciding_cell_is_flagged(self):
        # 15/10: 14 cases in the week = 44.8 → cell "20 to below 50, TC2 met": not verified.
        response = self.explain("31120", "15/10/2021", "vn-4800-2021")
        self.assertEqual(response.context["found"].criterion.name, "matrix[2][2]")
        self.assertContains(response, 'data-testid="explain-unverified"')

    def test_adjustments_are_listed(self):
        self.client.force_login(self.district_steering)
        response = self.explain("31117", "20/10/2021", "vn-4800-2021")
        found = response.context["found"]
        self.assertEqual([a.name for a in found.adjustments], ["elderly coverage below 80 % (+1)"])
        self.assertIn("raised 1 level", found.sentence)

    def test_the_official_decision_and_the_published_level_are_compared(self):
        services.publish(
            self.green, self.series, GREEN_DAY, self.ninhkieu, actor=self.district_steering
        )
        assessment = Assessment.objects.get(area=self.anhoa, ruleset=self.green)
        services.decide_level(
            assessment,
            actor=self.district_steering,
            level_key="not_green",
            reason="Giữ Chỉ thị 16 đến 1/10",
        )
        response = self.explain("31120", "25/09/2021", "vn-green-zone-14d")
        found = response.context["found"]
        self.assertEqual(found.level.key, "green")
        self.assertEqual(found.official, self.official)
        self.assertEqual(found.published, assessment)
        self.assertContains(response, "Chỉ thị 16 (to 1/10)")
        self.assertContains(
            response, "published 20/09/2021: computed Green zone, decided Not a green zone"
        )
        self.assertContains(response, "Giữ Chỉ thị 16 đến 1/10")
        # The green-zone rule's counting convention is not verified.
        self.assertContains(response, 'data-testid="explain-unverified"')

    def test_a_unit_without_computed_levels_says_so(self):
        self.client.force_login(self.admin)
        response = self.explain("916", "20/10/2021", "us-cdc-community-2022")
        self.assertContains(response, 'data-testid="explain-missing"')

    def test_an_unknown_rule_set_is_not_found(self):
        self.assertEqual(self.explain("31120", "20/10/2021", "nope").status_code, 404)


class AreaPageTestCase(LevelsTestCase):
    def page(self, user, code="31120", **params):
        self.client.force_login(user)
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self.english()
        return self.client.get(reverse("risk:area", args=[code]) + "?" + query)

    def test_the_history_chart_has_computed_in_force_and_official_points(self):
        response = self.page(self.anhoa_official, date="10/09/2021")
        charts = {c["id"]: c for c in response.context["chart"]["charts"]}
        green = charts["history-vn-green-zone-14d"]
        day = green["dates"].index("18/09/2021")
        self.assertEqual((green["in_force"][day - 1], green["in_force"][day]), (2, 1))
        self.assertEqual((green["computed"][day - 2], green["computed"][day - 1]), (2, 1))
        self.assertEqual(
            green["official"], [{"x": "24/09/2021", "y": 4, "label": "Chỉ thị 16 (to 1/10)"}]
        )
        self.assertIn("risk-history-data", response.content.decode())

    def test_what_it_takes_to_turn_green(self):
        # Cái Khế on 20/9: last community case 10/9, green from 26/9 if none appears.
        response = self.page(self.district_steering, code="31117", date="20/09/2021")
        [found] = response.context["projections"]
        self.assertEqual(found.record.code, "vn-green-zone-14d")
        self.assertEqual(found.green_on, dt.date(2021, 9, 26))
        self.assertContains(response, "If no new case appears: green from 26/09/2021.")
        self.assertContains(response, "more than 14 days since the last community case")
        # One green date: the day it turns green, not also the day the condition is met.
        self.assertNotContains(response, "25/09/2021 if no new case")
        dates = response.content.decode().split('data-testid="turn-green"')[1]
        dates = dates.split("</section>")[0]
        self.assertEqual(
            sorted(set(re.findall(r"\d\d/\d\d/\d{4}", dates)) - {"20/09/2021"}), ["26/09/2021"]
        )
        response = self.page(self.anhoa_official, date="20/10/2021")
        self.assertTrue(response.context["projections"])
        self.assertContains(response, "at most 46 community cases in the week")
        self.assertContains(response, "(now 49)")
        self.assertContains(response, "If no new case appears: green from 25/10/2021.")

    def test_a_green_area_needs_nothing(self):
        response = self.page(self.anhoa_official, date="20/09/2021")
        self.assertContains(response, 'data-testid="already-green"')

    def test_a_ward_official_may_not_publish_or_decide(self):
        response = self.page(self.anhoa_official)
        self.assertIsNone(response.context["publish_form"])
        self.assertNotContains(response, 'data-testid="publish-form"')
        url = reverse("risk:publish", args=["31120"])
        data = {"date": "20/09/2021", "rules": "vn-green-zone-14d", "series": "reported"}
        self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertFalse(Assessment.objects.exists())

    def test_the_steering_committee_publishes_then_decides_with_a_reason(self):
        response = self.page(self.district_steering, code="916", date="20/09/2021")
        self.assertContains(response, 'data-testid="publish-form"')
        response = self.client.post(
            reverse("risk:publish", args=["916"]),
            {
                "date": "20/09/2021",
                "rules": "vn-green-zone-14d",
                "series": "reported",
                "legal_basis": "Thông báo 12/TB-BCĐ",
            },
            follow=True,
        )
        published = Assessment.objects.filter(ruleset=self.green, date=GREEN_DAY)
        self.assertEqual(
            {(a.area.code, a.computed_key) for a in published},
            {("916", "not_green"), ("31120", "green"), ("31117", "not_green")},
        )
        self.assertEqual(published.first().legal_basis, "Thông báo 12/TB-BCĐ")
        self.assertContains(response, "3 levels of 20/09/2021 published under vn-green-zone-14d.")
        anhoa = published.get(area=self.anhoa)
        response = self.client.post(
            reverse("risk:decide", args=[anhoa.pk]),
            {
                f"a{anhoa.pk}-level": "not_green",
                f"a{anhoa.pk}-reason": "Ổ dịch chợ Tân An chưa kiểm soát",
                f"a{anhoa.pk}-legal_basis": "QĐ 2463/QĐ-UBND",
            },
            follow=True,
        )
        anhoa.refresh_from_db()
        self.assertEqual((anhoa.computed_key, anhoa.decided_key), ("green", "not_green"))
        self.assertEqual(anhoa.override_by, self.district_steering)
        entry = AuditEntry.objects.get(action="update", object_type="risk.assessment")
        self.assertEqual(entry.source, "web")
        self.assertEqual(entry.reason, "Ổ dịch chợ Tân An chưa kiểm soát")
        self.assertContains(response, "Ổ dịch chợ Tân An chưa kiểm soát")
        change = LevelChange.objects.get(area=self.anhoa)
        self.assertEqual(change.to_key, "not_green")

    def test_deciding_without_a_reason_is_refused(self):
        services.publish(
            self.green, self.series, GREEN_DAY, self.ninhkieu, actor=self.district_steering
        )
        anhoa = Assessment.objects.get(area=self.anhoa)
        self.client.force_login(self.district_steering)
        self.client.post(
            reverse("risk:decide", args=[anhoa.pk]),
            {f"a{anhoa.pk}-level": "not_green", f"a{anhoa.pk}-reason": "  "},
        )
        anhoa.refresh_from_db()
        self.assertEqual(anhoa.decided_key, "green")

    def test_the_changes_list_shows_announced_and_effective_days(self):
        services.publish(
            self.r4800, self.series, dt.date(2021, 10, 13), self.ninhkieu, actor=self.admin
        )
        services.publish(self.r4800, self.series, OCTOBER_DAY, self.ninhkieu, actor=self.admin)
        response = self.page(self.anhoa_official)
        changes = list(response.context["changes"])
        raise_ = next(c for c in changes if c.announced_on == OCTOBER_DAY)
        self.assertEqual((raise_.from_key, raise_.to_key), ("1", "3"))
        self.assertEqual(raise_.effective_on, dt.date(2021, 10, 22))
        self.assertContains(response, "22/10/2021")


class PublicMapTestCase(LevelsTestCase):
    def test_anyone_sees_the_levels_without_signing_in_and_it_is_cacheable(self):
        self.client.logout()
        response = self.client.get(
            reverse("public:map") + "?area=916&date=20/09/2021&rules=vn-green-zone-14d&lang=en"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("public", response["Cache-Control"])
        self.assertIn("max-age=300", response["Cache-Control"])
        self.assertNotIn("Set-Cookie", str(response.cookies.output()))
        self.assertNotIn("Cookie", response.get("Vary", ""))
        data = json.loads(
            response.content.decode()
            .split('id="risk-public-data" type="application/json">')[1]
            .split("</script>")[0]
        )
        props = {f["id"]: f["properties"] for f in data["features"]}
        self.assertEqual(props["31120"]["level"], "green")
        self.assertEqual(props["31120"]["label"], "Green zone")
        self.assertEqual(
            set(props["31120"]),
            {
                "code",
                "name",
                "level",
                "rank",
                "label",
                "colour",
                "applies_source",
                "approximate",
                "sentence",
            },
        )
        self.assertEqual(
            props["31120"]["sentence"],
            "Green zone because 18 days since the last community case (> 14)",
        )

    def test_the_public_map_shows_no_reasons_or_inputs(self):
        services.publish(self.green, self.series, GREEN_DAY, self.ninhkieu, actor=self.admin)
        anhoa = Assessment.objects.get(area=self.anhoa)
        services.decide_level(
            anhoa, actor=self.admin, level_key="not_green", reason="secret-reason-marker"
        )
        self.client.logout()
        response = self.client.get(reverse("public:map") + "?area=916&date=25/09/2021")
        text = response.content.decode()
        self.assertNotIn("secret-reason-marker", text)
        self.assertNotIn("csrf", text.lower())

    def test_the_nation_is_one_click_up(self):
        self.client.logout()
        response = self.client.get(reverse("public:map"), {"area": "VN"})
        self.assertEqual(response.context["area"], self.nation)
        # Cần Thơ's own level is computed with its units; by default the last reported day
        # (20/10) under 4800: 50 community cases in 1,235,171 people = 4.0 → Cấp 1.
        self.assertContains(response, 'data-code="92" data-level="1"')

    def test_a_commune_is_not_a_public_map(self):
        self.client.logout()
        self.assertEqual(self.client.get(reverse("public:map") + "?area=31120").status_code, 404)
