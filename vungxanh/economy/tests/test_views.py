"""The establishment pages: list and filters, the form, and who may see or change what."""

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from vungxanh.audit.models import AuditEntry
from vungxanh.economy import services
from vungxanh.economy.models import Establishment
from vungxanh.economy.tests.world import EconomyTestCase, tax_code, values

LIST = reverse("economy:list")
NEW = reverse("economy:create")


def form_data(n: int = 1, **changes) -> dict:
    data = {
        k: ("on" if v is True else "" if v in (False, None) else v) for k, v in values(n).items()
    }
    return data | {"ward": "31120"} | changes


class PagesTestCase(EconomyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.grocery = services.create_establishment(
            actor=cls.anhoa_official, ward=cls.anhoa, representative=cls.business, **values(1)
        )
        cls.works = services.create_establishment(
            actor=cls.anhoa_official,
            ward=cls.anhoa,
            **values(
                2,
                name="Công trình cầu Trần Hoàng Na",
                kind="enterprise",
                vsic_code="4210",
                essential_goods=False,
                goods="",
                public_investment=True,
                investor="Ban QLDA ĐTXD thành phố",
            ),
        )
        cls.caikhe_shop = services.create_establishment(
            actor=cls.caikhe_official, ward=cls.caikhe, **values(3, name="Quán Cái Khế")
        )

    def names(self, response) -> set[str]:
        return {e.name for e, _activity in response.context["rows"]}

    def test_a_ward_official_lists_only_its_ward(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.get(LIST)
        self.assertEqual(self.names(response), {self.grocery.name, self.works.name})
        self.assertNotContains(response, "Quán Cái Khế")
        self.assertContains(response, "Bán lẻ trong cửa hàng tiện lợi")  # the VSIC name of 47112

    def test_filters_by_ward_section_and_flags(self):
        self.client.force_login(self.district_steering)
        cases = [
            ({"ward": "31117"}, {"Quán Cái Khế"}),
            ({"section": "F"}, {self.works.name}),
            ({"section": "g", "ward": "31120"}, {self.grocery.name}),
            ({"public": "1"}, {self.works.name}),
            ({"essential": "1", "ward": "31120"}, {self.grocery.name}),
            ({"q": tax_code(3)}, {"Quán Cái Khế"}),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                self.assertEqual(self.names(self.client.get(LIST, query)), expected)

    def test_a_bad_filter_is_named_and_the_list_still_shows(self):
        self.client.force_login(self.anhoa_official)
        with translation.override("en"):
            response = self.client.get(
                LIST, {"ward": "31117", "section": "Z"}, HTTP_ACCEPT_LANGUAGE="en"
            )
        self.assertEqual(len(response.context["errors"]), 2)
        self.assertEqual(self.names(response), {self.grocery.name, self.works.name})

    @override_settings(VX_PAGE_SIZE=10)
    def test_the_list_is_paginated(self):
        for n in range(4, 16):
            services.create_establishment(actor=self.anhoa_official, ward=self.anhoa, **values(n))
        self.client.force_login(self.anhoa_official)
        first = self.client.get(LIST)
        self.assertEqual(len(first.context["rows"]), 10)
        self.assertEqual(first.context["page"].paginator.count, 14)
        second = self.client.get(LIST, {"page": 2})
        self.assertEqual(len(second.context["rows"]), 4)

    def test_a_business_lists_only_what_it_represents_and_cannot_edit(self):
        self.client.force_login(self.business)
        response = self.client.get(LIST)
        self.assertEqual(self.names(response), {self.grocery.name})
        self.assertFalse(response.context["may_add"])
        edit = self.client.get(reverse("economy:edit", args=[self.grocery.pk]))
        self.assertEqual(edit.status_code, 404)
        self.assertEqual(self.client.get(NEW).status_code, 403)

    def test_roles_without_access_get_the_refusal(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(LIST).status_code, 403)
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(LIST).status_code, 200)
        self.assertEqual(self.client.get(NEW).status_code, 403)

    def test_a_ward_official_enters_one_by_the_form(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(NEW, form_data(4, name="Nhà thuốc Hòa An"))
        self.assertRedirects(response, f"{LIST}?ward=31120")
        made = Establishment.objects.get(tax_code=tax_code(4))
        self.assertEqual(
            (made.name, made.ward, made.section), ("Nhà thuốc Hòa An", self.anhoa, "G")
        )
        self.assertTrue(AuditEntry.objects.filter(action="create", object_id=str(made.pk)).exists())

    def test_form_errors_are_shown_at_their_fields(self):
        self.client.force_login(self.anhoa_official)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Vietnamese first
        with translation.override("en"):
            response = self.client.post(
                NEW,
                form_data(4, tax_code="12345", vsic_code="47", public_investment="on"),
                HTTP_ACCEPT_LANGUAGE="en",
            )
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("has 5 digits", form.errors["tax_code"][0])
        self.assertIn("too broad", form.errors["vsic_code"][0])
        self.assertIn("investor", form.errors)
        self.assertFalse(Establishment.objects.filter(name__startswith="Tạp hóa số 4").exists())

    def test_the_form_offers_only_the_users_wards_and_refuses_another(self):
        self.client.force_login(self.anhoa_official)
        page = self.client.get(NEW)
        self.assertEqual(
            [code for code, _label in page.context["form"].fields["ward"].choices], ["31120"]
        )
        response = self.client.post(NEW, form_data(4, ward="31117"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("ward", response.context["form"].errors)
        self.assertFalse(Establishment.objects.filter(tax_code=tax_code(4)).exists())

    def test_another_ward_cannot_open_or_change_an_establishment(self):
        self.client.force_login(self.caikhe_official)
        url = reverse("economy:edit", args=[self.grocery.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, form_data(1, name="Đổi")).status_code, 404)
        self.grocery.refresh_from_db()
        self.assertEqual(self.grocery.name, "Tạp hóa số 1")

    def test_an_official_edits_one_of_its_ward(self):
        self.client.force_login(self.anhoa_official)
        url = reverse("economy:edit", args=[self.grocery.pk])
        self.assertContains(self.client.get(url), tax_code(1))
        response = self.client.post(url, form_data(1, workers="12"))
        self.assertEqual(response.status_code, 302)
        self.grocery.refresh_from_db()
        self.assertEqual(self.grocery.workers, 12)

    def test_names_typed_by_users_are_escaped(self):
        services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values(5, name="<b>Quán</b>")
        )
        self.client.force_login(self.anhoa_official)
        response = self.client.get(LIST)
        self.assertContains(response, "&lt;b&gt;Quán&lt;/b&gt;")
        self.assertNotContains(response, "<b>Quán</b>")

    def test_the_menu_shows_the_list_to_who_may_open_it(self):
        link = f'href="{LIST}"'
        for user, shown in (
            (self.anhoa_official, True),
            (self.business, True),
            (self.outsider, False),
        ):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    link in self.client.get(reverse("accounts:tokens")).content.decode(), shown
                )
