"""The maps paint the level that applies; the public map opens on the publishing area; the
business account is sent to the public map; the street base map of ``VX_TILE_URL``.

World: ``test_views.build_levels``. On 25/09/2021 An Hòa is green under vn-green-zone-14d
(since 18/09) but the official decision "Chỉ thị 16 (to 1/10)" (rank 4, from 24/09) applies;
Cái Khế has no decision and is "not green" until 26/09.
"""

from __future__ import annotations

import io
import json
import re

from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from vungxanh.accounts.roles import Role
from vungxanh.lib import tiles
from vungxanh.risk import services
from vungxanh.risk.models import Assessment
from vungxanh.risk.tests.test_views import GREEN_DAY, LevelsTestCase
from vungxanh.testing import make_user

GREEN, ORANGE, GREY = "#2e7d32", "#ef6c00", "#9e9e9e"
OFFICIAL = "Chỉ thị 16 (to 1/10)"
TILES = "https://tiles.example.test/{z}/{x}/{y}.png"


def public_features(response) -> dict[str, dict]:
    text = response.content.decode()
    data = text.split('id="risk-public-data" type="application/json">')[1].split("</script>")[0]
    return {f["id"]: f["properties"] for f in json.loads(data)["features"]}


class MapPaintsTheLevelThatAppliesTestCase(LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.district_steering)
        self.english()

    def levels(self, day: str, rules: str = "vn-green-zone-14d") -> dict[str, dict]:
        response = self.client.get(self.map_url("risk:map_levels", date=day, rules=rules))
        self.assertEqual(response.status_code, 200)
        return {f["id"]: f["properties"] for f in response.json()["features"]}

    def test_an_official_decision_paints_the_unit_and_says_so(self):
        found = self.levels("25/09/2021")
        anhoa = found["31120"]
        # The rule set's own result stays in the data, the map paints the decision.
        self.assertEqual((anhoa["level"], anhoa["rules_colour"]), ("green", GREEN))
        self.assertEqual(anhoa["label"], OFFICIAL)
        self.assertEqual(anhoa["colour"], ORANGE)  # rank 4: the rule set's top colour
        self.assertEqual(anhoa["applies_kind"], "official")
        self.assertIn(OFFICIAL, anhoa["applies_source"])
        caikhe = found["31117"]
        self.assertEqual((caikhe["colour"], caikhe["applies_kind"]), (ORANGE, "computed"))
        self.assertIn("Green zone: 14 consecutive days", caikhe["applies_source"])

    def test_a_published_decided_level_paints_the_unit(self):
        services.publish(self.green, self.series, GREEN_DAY, self.ninhkieu, actor=self.admin)
        anhoa = Assessment.objects.get(area=self.anhoa, date=GREEN_DAY)
        services.decide_level(anhoa, actor=self.admin, level_key="not_green", reason="why")
        found = self.levels("21/09/2021")  # before the official decision of 24/09
        self.assertEqual(found["31120"]["level"], "green")
        self.assertEqual(found["31120"]["colour"], ORANGE)
        self.assertEqual(found["31120"]["applies_kind"], "published")
        self.assertIn("steering committee", found["31120"]["applies_source"])

    def test_a_rule_set_not_in_force_does_not_paint_the_map(self):
        # In September vn-4800-2021 is not in force: the green-zone rule's level applies.
        found = self.levels("20/09/2021", rules="vn-4800-2021")
        caikhe = found["31117"]
        self.assertEqual(caikhe["applies_kind"], "computed")
        self.assertEqual((caikhe["label"], caikhe["colour"]), ("Not a green zone", ORANGE))
        self.assertIn("Green zone: 14 consecutive days", caikhe["applies_source"])

    def test_the_page_table_names_the_level_that_applies_first(self):
        response = self.client.get(self.map_url(date="20/09/2021", rules="vn-4800-2021"))
        html = response.content.decode()
        row = html[html.index('data-code="31117"') :]
        row = row[: row.index("</tr>")]
        self.assertLess(row.index("Not a green zone"), row.index('data-testid="row-computed"'))

    def test_the_xlsx_has_the_level_that_applies_and_its_source(self):
        response = self.client.get(
            self.map_url("risk:map_xlsx", date="25/09/2021", rules="vn-green-zone-14d")
        )
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        header = rows[0]
        self.assertEqual(
            header[5:8],
            ("computed level", "level that applies", "where the level that applies comes from"),
        )
        by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
        self.assertEqual(by_code["31120"]["computed level"], "Green zone")
        self.assertEqual(by_code["31120"]["level that applies"], OFFICIAL)
        self.assertEqual(by_code["31120"]["where the level that applies comes from"], OFFICIAL)
        self.assertEqual(by_code["31117"]["level that applies"], "Not a green zone")
        self.assertTrue(
            by_code["31117"]["where the level that applies comes from"].startswith(
                "Green zone: 14 consecutive days"
            )
        )

    def test_a_user_of_another_area_cannot_read_these_levels(self):
        self.client.force_login(self.caikhe_official)
        response = self.client.get(self.map_url("risk:map_levels", date="25/09/2021"))
        self.assertEqual(response.status_code, 404)
        response = self.client.get(self.map_url("risk:map_xlsx", date="25/09/2021"))
        self.assertEqual(response.status_code, 404)


class PublicMapTestCase(LevelsTestCase):
    def test_it_opens_on_the_area_levels_are_computed_for_not_the_nation(self):
        response = self.client.get(reverse("public:map"))
        self.assertEqual(response.context["area"], self.cantho)

    def test_it_opens_on_the_area_whose_levels_are_published(self):
        services.publish(self.green, self.series, GREEN_DAY, self.ninhkieu, actor=self.admin)
        response = self.client.get(reverse("public:map"))
        self.assertEqual(response.context["area"], self.ninhkieu)
        self.assertEqual(set(public_features(response)), {"31120", "31117"})

    def test_the_legend_has_each_entry_once(self):
        for lang in ("vi", "en"):
            for rules in ("vn-green-zone-14d", "vn-4800-2021"):
                response = self.client.get(
                    reverse("public:map"), {"area": "916", "rules": rules, "lang": lang}
                )
                labels = re.findall(
                    r'<li data-level="[^"]*"><span class="swatch"[^>]*></span> ([^<]+)</li>',
                    response.content.decode(),
                )
                self.assertTrue(labels)
                folded = [label.strip().casefold() for label in labels]
                self.assertEqual(len(folded), len(set(folded)), (lang, rules, labels))

    def test_it_paints_the_official_decision_and_keeps_the_reason_private(self):
        services.publish(self.green, self.series, GREEN_DAY, self.ninhkieu, actor=self.admin)
        anhoa = Assessment.objects.get(area=self.anhoa)
        services.decide_level(
            anhoa, actor=self.admin, level_key="not_green", reason="secret-reason-marker"
        )
        response = self.client.get(reverse("public:map"), {"area": "916", "date": "25/09/2021"})
        props = public_features(response)["31120"]
        self.assertEqual((props["label"], props["colour"]), (OFFICIAL, ORANGE))
        self.assertIn(OFFICIAL, props["applies_source"])
        self.assertEqual(props["sentence"], "")  # the rule set's sentence would contradict it
        self.assertNotIn("secret-reason-marker", response.content.decode())


class BusinessAccountTestCase(LevelsTestCase):
    def test_the_levels_map_sends_a_shop_owner_to_the_public_map_of_their_district(self):
        shop = make_user("shop", Role.BUSINESS, self.anhoa)
        self.client.force_login(shop)
        response = self.client.get(reverse("risk:map"))
        self.assertRedirects(response, reverse("public:map") + "?area=916")

    def test_other_roles_keep_the_levels_map(self):
        self.client.force_login(self.anhoa_official)
        self.assertEqual(self.client.get(reverse("risk:map")).status_code, 200)


class StreetTilesTestCase(LevelsTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.district_steering)

    def test_by_default_no_tiles_and_no_outside_host(self):
        response = self.client.get(self.map_url(date="20/09/2021"))
        self.assertNotContains(response, "data-tile-url")
        self.assertIn("img-src 'self' data: blob:;", response["Content-Security-Policy"])
        self.assertNotIn("example.test", response["Content-Security-Policy"])

    @override_settings(VX_TILE_URL=TILES, VX_TILE_ATTRIBUTION="© <OSM> contributors")
    def test_a_tile_server_is_allowed_and_handed_to_every_map_page(self):
        for url in (self.map_url(date="20/09/2021"), reverse("public:map") + "?area=916"):
            response = self.client.get(url)
            self.assertContains(response, f'data-tile-url="{TILES}"')
            self.assertContains(response, 'data-tile-attribution="© &lt;OSM&gt; contributors"')
            policy = response["Content-Security-Policy"]
            self.assertIn("img-src 'self' data: blob: https://tiles.example.test;", policy)
            self.assertIn("connect-src 'self';", policy)

    @override_settings(VX_TILE_URL="javascript:alert(1)/{z}/{x}/{y}")
    def test_a_bad_tile_url_is_not_used(self):
        response = self.client.get(self.map_url(date="20/09/2021"))
        self.assertNotContains(response, "data-tile-url")
        self.assertNotIn("javascript", response["Content-Security-Policy"])


class TileUrlCheckTestCase(LevelsTestCase):
    def test_good_values_pass(self):
        for url in ("", TILES, "http://10.0.0.5:8080/osm/{z}/{x}/{y}.png"):
            with self.settings(VX_TILE_URL=url):
                self.assertEqual(tiles.check_tile_url(None), [], url)

    def test_bad_values_fail_with_a_message_naming_the_problem(self):
        cases = {
            "tiles.example.test/{z}/{x}/{y}.png": "http or https URL",
            "ftp://tiles.example.test/{z}/{x}/{y}.png": "http or https URL",
            "https://tiles.example.test/{z}/{x}.png": "{y} missing",
            'https://tiles.example.test/{z}/{x}/{y}.png"onerror=': "quotes",
        }
        for url, words in cases.items():
            with self.settings(VX_TILE_URL=url):
                [error] = tiles.check_tile_url(None)
            self.assertEqual(error.id, "vungxanh.E010")
            self.assertIn(words, error.msg)
            self.assertIn("VX_TILE_URL", error.msg)
