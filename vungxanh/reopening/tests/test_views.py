"""The change list page and its XLSX export, the notices and their acknowledgement, the
public lookup, and the command line — each with who may and may not see it."""

from __future__ import annotations

import io
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from vungxanh.audit.models import AuditEntry
from vungxanh.economy.models import Establishment
from vungxanh.reopening.models import Notice
from vungxanh.reopening.tests.world import CHANGE_DAY, ReopeningTestCase, decide_level_4

DAY = CHANGE_DAY.strftime("%d/%m/%Y")


class ViewsTestCase(ReopeningTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        decide_level_4(cls)

    def login(self, user) -> None:
        self.client.force_login(user)
        self.english()

    def changes(self, area_code: str, name: str = "reopening:changes"):
        return self.client.get(reverse(name), {"area": area_code, "date": DAY})


class ChangeListTestCase(ViewsTestCase):
    def test_the_ward_official_sees_the_days_changes_of_the_ward(self):
        self.login(self.caikhe_official)
        response = self.changes("31117")
        self.assertEqual(response.status_code, 200)
        rows = response.context["page"].object_list
        self.assertEqual({p.establishment for p in rows}, {self.restaurant, self.grocery})
        self.assertContains(response, "Quán cơm Cái Khế")
        # The freshness line with the level in force: the committee's Cấp 4 that day.
        self.assertEqual(response.context["area_level"].key, "4")
        self.assertContains(response, 'data-testid="freshness"')
        self.assertEqual(dict((s.value, n) for s, n in response.context["totals"])["limited"], 2)

    def test_a_user_of_another_area_gets_a_404_and_sees_nothing_of_it(self):
        self.login(self.anhoa_official)
        self.assertEqual(self.changes("31117").status_code, 404)
        self.assertEqual(self.changes("92").status_code, 404)
        # Their own ward has no change that day.
        response = self.changes("31120")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Quán cơm Cái Khế")
        self.assertEqual(self.changes("31117", "reopening:changes_export").status_code, 404)

    def test_a_business_applicant_may_not_open_the_change_list(self):
        self.login(self.business)
        self.assertEqual(self.changes("31117").status_code, 403)

    def test_the_sector_filter_keeps_one_section_and_names_a_bad_one(self):
        self.login(self.caikhe_official)
        url = reverse("reopening:changes")
        response = self.client.get(url, {"area": "31117", "date": DAY, "section": "I"})
        self.assertEqual([p.establishment for p in response.context["page"]], [self.restaurant])
        response = self.client.get(url, {"area": "31117", "date": DAY, "section": "Q9"})
        self.assertContains(response, "Sector: “Q9”")
        self.assertEqual(len(response.context["page"].object_list), 2)

    def test_a_bad_day_is_named_and_the_page_still_shows(self):
        self.login(self.caikhe_official)
        response = self.client.get(
            reverse("reopening:changes"), {"area": "31117", "date": "31/09/2021"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "31/09/2021")
        self.assertContains(response, 'class="error"')

    def test_the_xlsx_export_neutralises_formula_prefixes(self):
        Establishment.objects.filter(pk=self.restaurant.pk).update(name='=HYPERLINK("x")')
        self.login(self.caikhe_official)
        response = self.changes("31117", "reopening:changes_export")
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        values = [c.value for row in book.active.iter_rows() for c in row]
        self.assertIn('\'=HYPERLINK("x")', values)
        self.assertFalse(any(isinstance(v, str) and v.startswith("=") for v in values))
        self.assertIn("Tạp hóa Cái Khế", values)


class NoticeTestCase(ViewsTestCase):
    def test_the_representative_sees_and_acknowledges_their_notice_with_an_audit_entry(self):
        self.login(self.business)
        response = self.client.get(reverse("reopening:notices"))
        self.assertEqual(response.status_code, 200)
        shown = list(response.context["page"].object_list)
        self.assertEqual({n.establishment for n in shown}, {self.restaurant})
        notice = Notice.objects.get(establishment=self.restaurant, effective_on=CHANGE_DAY)
        response = self.client.post(reverse("reopening:acknowledge", args=[notice.pk]))
        self.assertEqual(response.status_code, 302)
        notice.refresh_from_db()
        self.assertEqual(notice.acknowledged_by, self.business)
        entry = AuditEntry.objects.get(action="acknowledge", object_id=str(notice.pk))
        self.assertEqual(entry.actor, self.business)

    def test_another_business_sees_nor_acknowledges_another_businesss_notice(self):
        notice = Notice.objects.get(establishment=self.restaurant, effective_on=CHANGE_DAY)
        self.login(self.other_business)
        response = self.client.get(reverse("reopening:notices"))
        self.assertNotIn(notice, list(response.context["page"].object_list))
        self.assertNotContains(response, "Quán cơm Cái Khế")
        response = self.client.post(reverse("reopening:acknowledge", args=[notice.pk]))
        self.assertEqual(response.status_code, 404)
        notice.refresh_from_db()
        self.assertIsNone(notice.acknowledged_at)

    def test_an_official_of_another_ward_does_not_see_the_notices(self):
        self.login(self.anhoa_official)
        response = self.client.get(reverse("reopening:notices"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Quán cơm Cái Khế")
        # An official sees the ward's notices but may not acknowledge for the business.
        self.login(self.caikhe_official)
        notice = Notice.objects.get(establishment=self.restaurant, effective_on=CHANGE_DAY)
        self.assertContains(self.client.get(reverse("reopening:notices")), "Quán cơm Cái Khế")
        self.assertEqual(
            self.client.post(reverse("reopening:acknowledge", args=[notice.pk])).status_code, 404
        )


class PublicLookupTestCase(ViewsTestCase):
    def lookup(self, **params):
        with self.settings(VX_DEMO=True, DEMO=True, VX_DEMO_DAY=CHANGE_DAY):
            return self.client.get(reverse("reopening_public:lookup"), params)

    def test_a_tax_code_shows_its_status_conditions_since_and_source_without_signing_in(self):
        self.english()
        response = self.lookup(tax_code=self.restaurant.tax_code)
        self.assertEqual(response.status_code, 200)
        answer = response.context["answer"]
        self.assertEqual((answer.status, answer.since), ("limited", CHANGE_DAY))
        self.assertTrue(answer.verified)
        self.assertIn("128/NQ-CP", answer.source_document)
        self.assertContains(response, 'data-status="limited"')

    def test_an_unknown_tax_code_says_so_and_a_malformed_one_names_the_field(self):
        self.english()
        response = self.lookup(tax_code="0100109106")
        self.assertContains(response, "No establishment with the tax code 0100109106")
        response = self.lookup(tax_code="12<script>")
        self.assertContains(response, "Tax code:")
        self.assertNotContains(response, "12<script>")
        self.assertContains(response, "12&lt;script&gt;")

    def test_a_sector_and_a_ward_show_the_rule_not_a_list_of_businesses(self):
        self.english()
        response = self.lookup(vsic="5610", ward="31117")
        answer = response.context["answer"]
        self.assertEqual((answer.status, answer.level_key), ("limited", "4"))
        self.assertEqual(answer.since, CHANGE_DAY)
        self.assertNotContains(response, "Quán cơm Cái Khế")
        response = self.lookup(vsic="ZZ", ward="99999")
        self.assertContains(response, "Sector:")
        self.assertContains(response, "Ward:")


class CommandTestCase(ViewsTestCase):
    def test_it_prints_every_establishment_of_the_area_with_its_status(self):
        out = StringIO()
        call_command(
            "establishments",
            "status",
            "--area",
            "916",
            "--date",
            DAY,
            "--format",
            "csv",
            stdout=out,
        )
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], "tax_code,name,vsic,ward,status,conditions,since,reason")
        by_code = {line.split(",")[0]: line for line in lines[1:]}
        self.assertEqual(len(by_code), 3)  # An Hòa and Cái Khế; Hưng Phú is in Cái Răng
        self.assertIn(f"{DAY},level", by_code[self.restaurant.tax_code])
        self.assertIn(",limited,", by_code[self.restaurant.tax_code])

    def test_errors_name_the_argument(self):
        with translation.override("en"):
            for args, named in (
                (["--area", "nowhere", "--date", DAY], "--area"),
                (["--area", "916", "--date", "31/09/2021"], "--date"),
                (["--area", "916", "--date", DAY, "--format", "xlsx"], "--format"),
            ):
                with self.assertRaisesMessage(CommandError, named):
                    call_command("establishments", "status", *args, stdout=StringIO())
