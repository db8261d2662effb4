"""Issue 11: the national zone list paginated (and its queries bounded), the shift roster,
and the business account refused on every lockdown page."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain.areas import fold_name, path_for
from vungxanh.lockdowns import queries, services
from vungxanh.lockdowns.forms import AssignForm
from vungxanh.lockdowns.models import (
    GuardPost,
    LiftRuleRecord,
    LockdownZone,
    Shift,
    ShiftAssignment,
    Status,
    TestingRound,
    ZoneCase,
    ZoneTransition,
)
from vungxanh.lockdowns.tests.world import DECISION, SHIFT_DAY, START, at, build_zones, cases_csv
from vungxanh.surveillance import services as surveillance
from vungxanh.testing import BaseTestCase, make_user

DAY = "20/07/2021"


def many_zones(tc, n: int, prefix: str) -> list[LockdownZone]:
    """``n`` communes under Ninh Kiều, each with an active zone, its status change, an
    index case, a round, and a post with an unstaffed shift on the shift day; set-based."""
    communes = Area.objects.bulk_create(
        Area(
            code=f"{prefix}{i:05d}",
            name=f"Phường {prefix} {i:05d}",
            kind=AreaKind.COMMUNE,
            parent=tc.ninhkieu,
            path=path_for(tc.ninhkieu.path, f"{prefix}{i:05d}"),
            folded_name=fold_name(f"Phường {prefix} {i:05d}"),
            population=1000,
            population_basis="census",
        )
        for i in range(n)
    )
    rule = LiftRuleRecord.objects.get(code=queries.default_rule_code(), current=True)
    zones = LockdownZone.objects.bulk_create(
        LockdownZone(
            code=f"PT-{prefix}-{i:05d}",
            name=f"Khu {prefix}-{i:05d}",
            area=area,
            scope_type="alley",
            households=10,
            residents=40,
            status=Status.ACTIVE,
            start_date=START,
            decision_number=DECISION,
            rule=rule,
        )
        for i, area in enumerate(communes)
    )
    ZoneTransition.objects.bulk_create(
        ZoneTransition(zone=z, to_status=Status.ACTIVE, effective_on=START, actor_name="test")
        for z in zones
    )
    ZoneCase.objects.bulk_create(
        ZoneCase(zone=z, case_code=f"C-{z.code}", relation="index", isolated_on=START)
        for z in zones
    )
    TestingRound.objects.bulk_create(
        TestingRound(zone=z, number=1, day=START + dt.timedelta(days=3)) for z in zones
    )
    posts = GuardPost.objects.bulk_create(GuardPost(zone=z, name=f"Chốt {z.code}") for z in zones)
    Shift.objects.bulk_create(
        Shift(post=p, starts_at=at(SHIFT_DAY, 6), ends_at=at(SHIFT_DAY, 18)) for p in posts
    )
    # A new case in every commune, so that the shares table has a row per commune.
    surveillance.import_file(
        "cases",
        cases_csv([(f"N-{a.code}", a.code, SHIFT_DAY, "cộng đồng") for a in communes]),
        "many.csv",
        actor=tc.admin,
        series_code="lockdown-tests",
    )
    return zones


def pager_links(html: str) -> list[dict[str, list[str]]]:
    """The query of every link of the page's pagers."""
    found = []
    for nav in html.split('<nav class="pager"')[1:]:
        for href in re.findall(r'href="\?([^"]*)"', nav.split("</nav>", 1)[0]):
            found.append(parse_qs(unescape(href)))
    return found


def rows_of(html: str, testid: str) -> list[str]:
    """The ``data-zone``/``data-code`` keys of the rows of the table ``testid``."""
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-(?:zone|code)="([^"]+)"', table)


class NationalListTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def index(self, **params):
        return self.client.get(reverse("lockdowns:index"), {"date": DAY, **params})

    def test_the_national_list_is_small_and_paginated(self) -> None:
        many_zones(self, 240, "M")
        self.client.force_login(self.admin)
        response = self.index()
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertLess(len(response.content), 200_000)
        first = rows_of(html, "zone-table")
        self.assertEqual(len(first), 50)
        self.assertEqual(len(rows_of(html, "ward-shares")), 50)
        self.assertEqual(len(response.context["in_force"]), 243)  # the tiles count them all
        self.assertTrue(all(q["date"] == [DAY] for q in pager_links(html)))
        second = self.index(page=2)
        self.assertEqual(second.status_code, 200)
        following = rows_of(second.content.decode(), "zone-table")
        self.assertEqual(len(following), 50)
        self.assertFalse(set(first) & set(following))
        shares_2 = rows_of(self.index(shares_page=2).content.decode(), "ward-shares")
        self.assertFalse(set(rows_of(html, "ward-shares")) & set(shares_2))

    def test_a_page_keeps_the_filters_and_the_other_lists_page_in_its_links(self) -> None:
        many_zones(self, 120, "K")
        self.client.force_login(self.admin)
        html = self.index(page=2, status="in_force").content.decode()
        links = pager_links(html)
        shares_next = next(q for q in links if q.get("shares_page") == ["2"])
        self.assertEqual(shares_next["page"], ["2"])  # the zones stay on their page 2
        self.assertEqual(shares_next["status"], ["in_force"])
        self.assertEqual(shares_next["date"], [DAY])
        zones_next = next(q for q in links if q.get("page") == ["3"])
        self.assertNotIn("shares_page", zones_next)
        self.assertEqual(zones_next["status"], ["in_force"])

    @override_settings(VX_PAGE_SIZE=10)
    def test_the_queries_do_not_grow_with_the_zones_and_communes(self) -> None:
        many_zones(self, 2, "A")
        self.client.force_login(self.admin)
        with CaptureQueriesContext(connection) as few:
            response = self.index()
        self.assertEqual(len(response.context["page"].object_list), 5)  # less than a page
        many_zones(self, 60, "B")
        with CaptureQueriesContext(connection) as many:
            response = self.index()
        self.assertEqual(len(response.context["page"].object_list), 10)
        self.assertEqual(len(many.captured_queries), len(few.captured_queries))

    def test_the_batched_lift_status_says_what_one_zone_says(self) -> None:
        day = dt.date(2021, 7, 20)
        zones = list(
            LockdownZone.objects.filter(pk__in=[self.zone.pk, self.foreign_zone.pk]).select_related(
                "rule"
            )
        )
        batched = queries.lift_statuses(zones, day)
        for zone in zones:
            alone = queries.lift_status(zone, day)
            self.assertEqual(batched[zone.pk].sentence, alone.sentence)
            self.assertEqual(batched[zone.pk].missing, alone.missing)


class RosterTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)
        cls.business = make_user("business", Role.BUSINESS, cls.ninhkieu)
        cls.anhoa_viewer = make_user("anhoa_viewer", Role.VIEWER, cls.anhoa)
        cls.anhoa_health = make_user("anhoa_health", Role.HEALTH_OFFICER, cls.anhoa)
        cls.shift = cls.zone.posts.get().shifts.get()

    def test_the_roster_is_the_wards_officials_only(self) -> None:
        names = set(queries.roster(self.anhoa).values_list("username", flat=True))
        self.assertEqual(
            names,
            {
                "anhoa_official",
                "anhoa_health",
                "district_steering",
                "city_steering",
                "health_officer",
            },
        )

    def test_the_assign_form_offers_the_roster(self) -> None:
        self.client.force_login(self.anhoa_official)
        response = self.client.get(reverse("lockdowns:detail", args=[self.zone.pk]), {"date": DAY})
        form = next(f for _, _, _, f in response.context["shifts"] if f is not None)
        offered = {label for value, label in form.fields["user"].choices if value}
        self.assertIn("anhoa_official", offered)
        self.assertIn("anhoa_health", offered)
        for other in ("business", "viewer", "anhoa_viewer", "admin", "caikhe_official"):
            self.assertNotIn(other, offered)

    def test_posting_someone_off_the_roster_is_refused_naming_the_field(self) -> None:
        self.client.force_login(self.anhoa_official)
        url = reverse("lockdowns:shift_assign", args=[self.shift.pk])
        for user in (self.business, self.admin, self.anhoa_viewer, self.caikhe_official):
            response = self.client.post(url, {"user": str(user.pk), "as_of": DAY}, follow=True)
            self.assertFalse(ShiftAssignment.objects.filter(user=user).exists())
            sent = [str(m) for m in response.context["messages"]]
            with translation.override("vi"):
                label = str(AssignForm.base_fields["user"].label)
                error = translation.gettext("Not on the roster of officials of the zone's commune.")
            self.assertIn(f"{label}: {error}", sent)
        response = self.client.post(url, {"user": str(self.anhoa_health.pk), "as_of": DAY})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(ShiftAssignment.objects.filter(user=self.anhoa_health).exists())

    def test_the_service_refuses_someone_off_the_roster_too(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as raised:
            services.assign_official(self.shift, actor=self.admin, user=self.business)
        self.assertIn("user", raised.exception.message_dict)
        with self.assertRaises(ValidationError):
            services.assign_official(self.shift, actor=self.admin, user=self.admin)


class BusinessRefusedTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)
        cls.business = make_user("business", Role.BUSINESS, cls.ninhkieu)

    def pages(self) -> dict[str, str]:
        zone = self.zone.pk
        return {
            "index": reverse("lockdowns:index"),
            "detail": reverse("lockdowns:detail", args=[zone]),
            "report": reverse("lockdowns:report"),
            "map": reverse("lockdowns:map_geojson"),
            "create": reverse("lockdowns:create"),
            "edit": reverse("lockdowns:edit", args=[zone]),
            "part": reverse("lockdowns:part_create", args=[zone]),
        }

    def test_the_business_account_gets_the_403_page_naming_who_may_see(self) -> None:
        self.client.force_login(self.business)
        with translation.override("vi"):
            roles = ", ".join(str(r.label) for r in Role if r not in {Role.BUSINESS})
            sentence = translation.gettext("This page is for: %(roles)s.") % {"roles": roles}
        for name, url in self.pages().items():
            with self.subTest(name):
                response = self.client.get(url, {"date": DAY})
                self.assertEqual(response.status_code, 403)
                self.assertContains(
                    response, 'data-testid="error-page" data-status="403"', status_code=403
                )
                self.assertContains(response, sentence, status_code=403)
                self.assertNotContains(response, "Hẻm 51 Mậu Thân", status_code=403)

    def test_the_business_account_cannot_post_to_a_zone(self) -> None:
        self.client.force_login(self.business)
        url = reverse("lockdowns:post_add", args=[self.zone.pk])
        response = self.client.post(url, {"name": "Chốt lạ", "as_of": DAY})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(GuardPost.objects.filter(name="Chốt lạ").exists())

    def test_another_areas_official_still_gets_404_on_a_zone(self) -> None:
        self.client.force_login(self.caikhe_official)
        response = self.client.get(reverse("lockdowns:detail", args=[self.zone.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, 'data-testid="error-page" data-status="404"', status_code=404)

    def test_the_readers_still_open_the_list(self) -> None:
        for user in (self.viewer, self.health_officer, self.anhoa_official, self.admin):
            self.client.force_login(user)
            response = self.client.get(reverse("lockdowns:index"), {"date": DAY})
            self.assertEqual(response.status_code, 200, user.username)
