"""Creating and changing establishments: the rules, the scope and the audit trail."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from vungxanh.audit.models import AuditEntry
from vungxanh.economy import services
from vungxanh.economy.models import Establishment
from vungxanh.economy.tests.world import EconomyTestCase, tax_code, values


def errors_of(exc: ValidationError) -> dict:
    return exc.message_dict


class CreateTestCase(EconomyTestCase):
    def test_a_ward_official_registers_an_establishment_and_it_is_audited(self):
        made = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values(tax_code=" " + tax_code(1))
        )
        self.assertEqual(made.tax_code, tax_code(1))
        self.assertEqual((made.section, made.vsic_code, made.ward), ("G", "47112", self.anhoa))
        entry = AuditEntry.objects.get(action="create", object_type="economy.establishment")
        self.assertEqual(entry.object_id, str(made.pk))
        self.assertEqual(entry.area, self.anhoa)
        self.assertEqual(entry.after["tax_code"], tax_code(1))
        self.assertNotIn("phone", entry.after)  # redacted like every phone in the trail

    def test_a_branch_code_is_stored_with_its_dash(self):
        made = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values(tax_code=tax_code(1) + "002")
        )
        self.assertEqual(made.tax_code, f"{tax_code(1)}-002")

    def test_each_bad_value_is_named_at_its_field(self):
        bad = values(
            tax_code=tax_code(1)[:9] + str((int(tax_code(1)[9]) + 1) % 10),
            vsic_code="47110",
            workers=200_001,
            email="not-an-address",
            phone="12",
        )
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.create_establishment(actor=self.anhoa_official, ward=self.anhoa, **bad)
        errors = errors_of(caught.exception)
        self.assertIn("check digit", errors["tax_code"][0])
        self.assertIn("47110 is not a code of VSIC 2018", errors["vsic_code"][0])
        self.assertIn(
            "200001 workers is outside the accepted range (0 to 200000)", errors["workers"][0]
        )
        self.assertIn("not an email address", errors["email"][0])
        self.assertIn("not a Vietnamese phone number", errors["phone"][0])
        self.assertFalse(Establishment.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_a_lost_leading_zero_is_named_in_the_message(self):
        # 0100233488 and 01110 (growing rice), each stored by a spreadsheet as a number.
        bad = values(tax_code=100233488, vsic_code=1110)
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.create_establishment(actor=self.anhoa_official, ward=self.anhoa, **bad)
        errors = errors_of(caught.exception)
        self.assertIn("Did you mean 0100233488?", errors["tax_code"][0])
        self.assertIn("Did you mean 01110?", errors["vsic_code"][0])

    def test_public_investment_is_for_construction_only(self):
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.create_establishment(
                actor=self.anhoa_official,
                ward=self.anhoa,
                **values(public_investment=True, investor="Ban QLDA thành phố"),
            )
        self.assertIn("section G", errors_of(caught.exception)["public_investment"][0])
        works = services.create_establishment(
            actor=self.anhoa_official,
            ward=self.anhoa,
            **values(
                vsic_code="4210",
                essential_goods=False,
                goods="",
                public_investment=True,
                investor="Ban QLDA thành phố",
            ),
        )
        self.assertEqual(works.section, "F")

    def test_the_database_refuses_public_investment_outside_construction(self):
        made = services.create_establishment(actor=self.anhoa_official, ward=self.anhoa, **values())
        with self.assertRaises(IntegrityError), transaction.atomic():
            Establishment.objects.filter(pk=made.pk).update(public_investment=True)

    def test_flags_need_their_text(self):
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.create_establishment(
                actor=self.anhoa_official,
                ward=self.anhoa,
                **values(goods="", vsic_code="4290", public_investment=True, investor=""),
            )
        errors = errors_of(caught.exception)
        self.assertIn("goods", errors)
        self.assertIn("investor", errors)

    def test_a_level5_code_under_a_class_missing_from_the_data_is_accepted(self):
        made = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values(vsic_code="47900")
        )
        self.assertEqual(made.section, "G")

    def test_a_district_is_not_a_ward(self):
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.create_establishment(
                actor=self.district_steering, ward=self.ninhkieu, **values()
            )
        self.assertIn("not a ward or commune", errors_of(caught.exception)["ward"][0])

    def test_a_tax_code_is_registered_once(self):
        services.create_establishment(actor=self.anhoa_official, ward=self.anhoa, **values())
        with self.assertRaises(ValidationError) as caught:
            services.create_establishment(
                actor=self.caikhe_official, ward=self.caikhe, **values(name="Khác")
            )
        self.assertIn("tax_code", errors_of(caught.exception))

    def test_another_wards_official_may_not_register_here(self):
        for actor in (self.caikhe_official, self.business, self.viewer, self.outsider):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                services.create_establishment(actor=actor, ward=self.anhoa, **values())
        self.assertFalse(Establishment.objects.exists())


class UpdateTestCase(EconomyTestCase):
    def setUp(self):
        self.shop = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values()
        )

    def test_an_edit_is_audited_with_before_and_after(self):
        services.update_establishment(
            self.shop, actor=self.anhoa_official, **values(workers=7, name="Tạp hóa Minh Anh")
        )
        self.shop.refresh_from_db()
        self.assertEqual((self.shop.workers, self.shop.name), (7, "Tạp hóa Minh Anh"))
        entry = AuditEntry.objects.get(action="update")
        self.assertEqual((entry.before["workers"], entry.after["workers"]), (3, 7))

    def test_saving_the_same_values_records_nothing(self):
        services.update_establishment(self.shop, actor=self.anhoa_official, **values())
        self.assertFalse(AuditEntry.objects.filter(action="update").exists())

    def test_another_ward_may_not_change_it_nor_move_it_there(self):
        with self.assertRaises(PermissionDenied):
            services.update_establishment(
                self.shop, actor=self.caikhe_official, **values(workers=9)
            )
        with self.assertRaises(PermissionDenied):
            services.update_establishment(
                self.shop, actor=self.anhoa_official, ward=self.caikhe, **values()
            )
        self.shop.refresh_from_db()
        self.assertEqual((self.shop.workers, self.shop.ward), (3, self.anhoa))

    def test_the_district_moves_it_between_its_wards(self):
        services.update_establishment(
            self.shop, actor=self.district_steering, ward=self.caikhe, **values()
        )
        self.shop.refresh_from_db()
        self.assertEqual(self.shop.ward, self.caikhe)


class ScopeTestCase(EconomyTestCase):
    def setUp(self):
        self.anhoa_shop = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, representative=self.business, **values(1)
        )
        self.other_shop = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values(2)
        )
        self.caikhe_shop = services.create_establishment(
            actor=self.caikhe_official, ward=self.caikhe, **values(3)
        )

    def visible(self, user, action="view"):
        return set(Establishment.objects.for_user(user, action).values_list("pk", flat=True))

    def test_each_role_sees_its_area(self):
        every = {self.anhoa_shop.pk, self.other_shop.pk, self.caikhe_shop.pk}
        self.assertEqual(
            self.visible(self.anhoa_official), {self.anhoa_shop.pk, self.other_shop.pk}
        )
        self.assertEqual(self.visible(self.caikhe_official), {self.caikhe_shop.pk})
        self.assertEqual(self.visible(self.district_steering), every)
        self.assertEqual(self.visible(self.planning), every)
        self.assertEqual(self.visible(self.outsider), set())

    def test_a_business_sees_only_what_it_represents_and_changes_nothing(self):
        self.assertEqual(self.visible(self.business), {self.anhoa_shop.pk})
        self.assertEqual(self.visible(self.business, "change"), set())

    def test_representing_counts_only_while_the_business_holds_its_role(self):
        self.business.memberships.all().delete()
        fresh = type(self.business).objects.get(pk=self.business.pk)  # no cached roles
        self.assertEqual(self.visible(fresh), set())


class RepresentativeTestCase(EconomyTestCase):
    def setUp(self):
        self.shop = services.create_establishment(
            actor=self.anhoa_official, ward=self.anhoa, **values()
        )

    def test_naming_the_representative_lets_the_business_see_it_and_is_audited(self):
        self.assertFalse(Establishment.objects.for_user(self.business).filter(pk=self.shop.pk))
        services.set_representative(
            self.shop, self.business, actor=self.anhoa_official, reason="giấy ủy quyền"
        )
        self.assertTrue(Establishment.objects.for_user(self.business).filter(pk=self.shop.pk))
        entry = AuditEntry.objects.filter(action="update").latest("pk")
        self.assertEqual(entry.before, {"representative": None})
        self.assertEqual(entry.after, {"representative": self.business.pk})
        self.assertEqual(entry.reason, "giấy ủy quyền")
        # The same again changes nothing and records nothing.
        count = AuditEntry.objects.count()
        services.set_representative(self.shop, self.business, actor=self.anhoa_official)
        self.assertEqual(AuditEntry.objects.count(), count)

    def test_another_wards_official_may_not_name_the_representative(self):
        with self.assertRaises(PermissionDenied):
            services.set_representative(self.shop, self.business, actor=self.caikhe_official)
        self.shop.refresh_from_db()
        self.assertIsNone(self.shop.representative_id)
