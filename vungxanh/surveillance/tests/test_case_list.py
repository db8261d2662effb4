"""The case list: filters, keyset pagination, personal columns, exports (see test_pages)."""

from __future__ import annotations

import re
from unittest import mock

from django.test import override_settings
from django.urls import reverse

from vungxanh.audit.models import AuditEntry
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CaseRecord
from vungxanh.surveillance.queries import CaseFilters, capped_count, filtered_cases
from vungxanh.surveillance.tests.test_pages import SurveillanceTestCase, csv_rows, xlsx_rows

# Newest first; on the same day the later row first.
NINH_KIEU_ORDER = ["BN10", "BN9", "BN8", "BN7", "BN6", "BN5", "BN4", "BN3", "BN2", "BN1"]
PERSONAL = ["Nguyễn Văn Một", "0901000001", "092000000001", "Lê Thị Ba", "Trần Thị Ngoài"]


def codes(response) -> list[str]:
    return [case.case_code for case, _person in response.context["cases"]]


class CaseListTestCase(SurveillanceTestCase):
    url = reverse("surveillance:cases")

    def get(self, user, **params):
        """The list with ``params``; a search (``q``) is posted, as the page's form does."""
        self.client.force_login(user)
        if "q" in params:
            return self.client.post(self.url, params, follow=True)
        return self.client.get(self.url, params)

    def test_the_list_is_newest_first_within_the_users_area(self):
        response = self.get(self.district_steering)
        self.assertEqual(codes(response), NINH_KIEU_ORDER)
        self.assertEqual(response.context["area"], self.ninhkieu)
        total = response.context["total"]
        self.assertEqual((total.value, total.exact), (10, True))
        self.assertContains(response, 'data-testid="case-total"')

    def test_a_ward_official_sees_only_the_ward(self):
        response = self.get(self.anhoa_official)
        self.assertEqual(codes(response), ["BN8", "BN7", "BN6", "BN5", "BN4", "BN2", "BN1"])

    def test_filters(self):
        user = self.district_steering
        self.assertEqual(codes(self.get(user, detection="quarantine")), ["BN3"])
        self.assertEqual(
            codes(self.get(user, **{"from": "12/09/2021", "to": "15/09/2021"})),
            ["BN5", "BN4", "BN3"],
        )
        self.assertEqual(codes(self.get(user, area="31117")), ["BN10", "BN9", "BN3"])
        self.assertEqual(codes(self.get(user, q="bn1")), ["BN10", "BN1"])
        self.assertEqual(self.get(user, area="31189").status_code, 404)

    def test_personal_columns_only_for_the_health_officer(self):
        steering = self.get(self.district_steering)
        self.assertFalse(steering.context["show_people"])
        for text in PERSONAL:
            self.assertNotContains(steering, text)
        officer = self.get(self.health_officer)
        self.assertTrue(officer.context["show_people"])
        self.assertContains(officer, "Nguyễn Văn Một")
        self.assertContains(officer, "0901000001")
        self.assertNotContains(officer, "Trần Thị Ngoài")  # Cái Răng's case

    def test_only_the_health_officer_can_search_by_name(self):
        self.assertEqual(codes(self.get(self.health_officer, q="Một")), ["BN1"])
        self.assertEqual(codes(self.get(self.district_steering, q="Một")), [])

    def test_a_huge_total_is_labelled_as_a_lower_bound(self):
        with mock.patch("vungxanh.surveillance.queries.COUNT_CAP", 4):
            response = self.get(self.district_steering)
        total = response.context["total"]
        self.assertEqual((total.value, total.exact), (4, False))
        self.assertContains(response, "4")
        rows = filtered_cases(self.district_steering, CaseFilters(area=self.ninhkieu))
        self.assertEqual(capped_count(rows, 10).exact, True)
        self.assertEqual(capped_count(rows, 9).exact, False)


@override_settings(VX_PAGE_SIZE=3)
class KeysetPaginationTestCase(SurveillanceTestCase):
    def follow(self, link: str, user=None, **params) -> list[list[str]]:
        """Walk the pages along ``link`` (next or previous) and return each page's codes."""
        self.client.force_login(user or self.district_steering)
        url = reverse("surveillance:cases")
        response = self.client.get(url, params)
        pages = [codes(response)]
        while response.context[f"{link}_query"]:
            response = self.client.get(f"{url}?{response.context[f'{link}_query']}")
            pages.append(codes(response))
            self.assertLess(len(pages), 20)
        return pages

    def test_next_links_visit_every_case_once_in_order(self):
        pages = self.follow("next")
        self.assertEqual([len(p) for p in pages], [3, 3, 3, 1])
        self.assertEqual([c for p in pages for c in p], NINH_KIEU_ORDER)

    def test_previous_links_go_back_over_the_same_pages(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:cases")
        response = self.client.get(url)
        forward = [codes(response)]
        while response.context["next_query"]:
            response = self.client.get(f"{url}?{response.context['next_query']}")
            forward.append(codes(response))
        backward = [codes(response)]
        while response.context["previous_query"]:
            response = self.client.get(f"{url}?{response.context['previous_query']}")
            backward.append(codes(response))
        self.assertEqual(backward, list(reversed(forward)))
        self.assertTrue(response.context["page"].is_first)

    def test_a_page_holds_when_rows_are_added_before_it(self):
        self.client.force_login(self.district_steering)
        url = reverse("surveillance:cases")
        first = self.client.get(url)
        services.import_file(
            "cases",
            b"M\xc3\xa3 ca b\xe1\xbb\x87nh,\xc4\x90\xe1\xbb\x8ba b\xc3\xa0n,"
            b"Ng\xc3\xa0y x\xc3\xa1c nh\xe1\xba\xadn,N\xc6\xa1i ph\xc3\xa1t hi\xe1\xbb\x87n\n"
            b"BN99,31120,21/09/2021,community\n",
            "late.csv",
            actor=self.health_officer,
        )
        second = self.client.get(f"{url}?{first.context['next_query']}")
        # The next page continues after the last row seen, not shifted by the new one.
        self.assertEqual(codes(second), ["BN7", "BN6", "BN5"])

    def test_a_corrected_case_appears_once(self):
        services.import_file(
            "cases",
            "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện\nBN4,31120,15/09/2021,Khu cách ly\n".encode(),
            "fix.csv",
            actor=self.health_officer,
        )
        self.assertEqual(CaseRecord.objects.filter(case_code="BN4").count(), 2)
        pages = self.follow("next")
        flat = [c for p in pages for c in p]
        # The new version has the higher id, so it now comes first on its day.
        self.assertEqual(sorted(flat), sorted(NINH_KIEU_ORDER))
        self.assertEqual(flat[5:7], ["BN4", "BN5"])

    def test_a_malformed_key_shows_the_first_page(self):
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("surveillance:cases"), {"after": "yesterday.x"})
        self.assertEqual(codes(response), NINH_KIEU_ORDER[:3])


class CaseExportTestCase(SurveillanceTestCase):
    def export(self, user, fmt="csv", **params):
        self.client.force_login(user)
        return self.client.get(reverse("surveillance:cases_export", args=[fmt]), params)

    def test_the_csv_has_the_import_columns_and_no_personal_data(self):
        rows = csv_rows(self.export(self.district_steering))
        self.assertEqual(
            rows[0],
            [
                "case_code",
                "area",
                "confirmed_date",
                "onset_date",
                "sample_date",
                "report_date",
                "detection",
                "age_band",
                "sex",
                "vaccination",
                "outcome",
                "zone_ref",
            ],
        )
        self.assertEqual(len(rows), 11)
        self.assertEqual(rows[1][:3], ["BN1", "31120", "10/09/2021"])
        self.assertEqual(rows[1][6], "community")
        text = str(rows)
        for value in PERSONAL:
            self.assertNotIn(value, text)

    def test_asking_for_personal_data_without_the_right_changes_nothing(self):
        rows = csv_rows(self.export(self.district_steering, include_personal="1"))
        self.assertNotIn("full_name", rows[0])
        self.assertNotIn("Nguyễn Văn Một", str(rows))
        self.assertFalse(AuditEntry.objects.filter(action="export_personal").exists())

    def test_the_health_officer_exports_personal_data_only_when_asked(self):
        plain = csv_rows(self.export(self.health_officer))
        self.assertNotIn("full_name", plain[0])
        rows = csv_rows(self.export(self.health_officer, include_personal="1"))
        self.assertEqual(rows[0][-4:], ["full_name", "phone", "id_number", "address"])
        bn1 = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual((bn1["full_name"], bn1["phone"]), ("Nguyễn Văn Một", "0901000001"))
        self.assertNotIn("Trần Thị Ngoài", str(rows))
        entry = AuditEntry.objects.get(action="export_personal")
        self.assertEqual((entry.actor, entry.area), (self.health_officer, self.ninhkieu))
        self.assertNotIn("Nguyễn", str(entry.after))

    def test_an_export_can_be_imported_again_unchanged(self):
        body = b"".join(self.export(self.health_officer, include_personal="1").streaming_content)
        again = services.import_file("cases", body, "export.csv", actor=self.health_officer)
        self.assertEqual(again.check.errors, [])
        self.assertEqual(
            (again.check.unchanged, again.check.new, again.check.corrected), (10, 0, 0)
        )

    def test_the_export_follows_the_filters(self):
        rows = csv_rows(self.export(self.district_steering, detection="community", area="31117"))
        self.assertEqual([r[0] for r in rows[1:]], ["BN9", "BN10"])

    def test_xlsx(self):
        rows = xlsx_rows(self.export(self.district_steering, "xlsx"))
        self.assertEqual(rows[0][0], "case_code")
        self.assertEqual(len(rows), 11)
        self.assertEqual(rows[1][0], "BN1")
        self.assertEqual(rows[1][2].strftime("%d/%m/%Y"), "10/09/2021")
        body = self.export(self.health_officer, "xlsx").getvalue()
        again = services.import_file("cases", body, "export.xlsx", actor=self.health_officer)
        self.assertEqual((again.check.errors, again.check.unchanged), ([], 10))

    def test_the_page_offers_the_personal_export_only_to_the_health_officer(self):
        self.client.force_login(self.district_steering)
        page = self.client.get(reverse("surveillance:cases"))
        self.assertNotContains(page, "include_personal")
        self.client.force_login(self.health_officer)
        page = self.client.get(reverse("surveillance:cases"))
        self.assertTrue(re.search(r"include_personal=1", page.content.decode()))
