import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from vungxanh.areas import services
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.models import AuditEntry
from vungxanh.testing import BaseTestCase, make_area

MERGE_DAY = dt.date(2024, 11, 1)


class MergeTestCase(BaseTestCase):
    """The 2024 pattern: wards merged into one that keeps one of the old codes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.thoibinh = make_area(
            "31123", "Phường Thới Bình", AreaKind.COMMUNE, cls.ninhkieu, 11_787, "Phường"
        )
        cls.annghiep = make_area(
            "31126", "Phường An Nghiệp", AreaKind.COMMUNE, cls.ninhkieu, 7_059, "Phường"
        )
        cls.hem = services.create_subunit(cls.annghiep, actor=None, name="Hẻm 12", unit_type="Hẻm")

    def merge(self, actor=None):
        return services.merge_units(
            [self.thoibinh, self.annghiep],
            actor=actor,
            code="31123",
            name="Phường Thới Bình",
            effective_on=MERGE_DAY,
            legal_basis="NQ test/2024",
        )

    def test_both_organisations_coexist_by_date(self):
        result = self.merge(actor=self.district_steering)
        new = result.successor
        self.assertEqual(new.path, "VN/92/916/31123@20241101/")
        self.assertEqual(new.population, 11_787 + 7_059)
        before = set(
            Area.objects.valid_on(dt.date(2021, 9, 23))
            .filter(parent=self.ninhkieu)
            .values_list("name", flat=True)
        )
        after = set(
            Area.objects.valid_on(dt.date(2025, 1, 1))
            .filter(parent=self.ninhkieu)
            .values_list("name", flat=True)
        )
        self.assertIn("Phường An Nghiệp", before)
        self.assertNotIn("Phường An Nghiệp", after)
        self.assertEqual(Area.objects.current().get(code="31123"), new)

    def test_old_units_are_read_under_their_successor(self):
        new = self.merge().successor
        self.annghiep.refresh_from_db()
        self.assertEqual(services.successors_on(self.annghiep, dt.date(2025, 1, 1)), [new])
        self.assertEqual(
            services.successors_on(self.annghiep, dt.date(2021, 9, 23)), [self.annghiep]
        )

    def test_smaller_units_move_under_the_successor(self):
        new = self.merge().successor
        self.hem.refresh_from_db()
        self.assertEqual(self.hem.parent, new)
        self.assertTrue(self.hem.path.startswith(new.path))

    def test_it_is_audited_with_its_legal_basis(self):
        self.merge(actor=self.district_steering)
        entries = AuditEntry.objects.filter(legal_basis="NQ test/2024")
        self.assertEqual(
            sorted(entries.values_list("action", flat=True)), ["create", "update", "update"]
        )
        closed = entries.get(action="update", object_id=str(self.annghiep.pk))
        self.assertEqual(
            (closed.before["valid_to"], closed.after["valid_to"]), (None, "2024-11-01")
        )

    def test_a_ward_official_may_not_merge_wards(self):
        with self.assertRaises(PermissionDenied):
            self.merge(actor=self.anhoa_official)
        self.assertIsNone(Area.objects.get(pk=self.annghiep.pk).valid_to)

    def test_units_of_different_parents_are_refused(self):
        with self.assertRaises(ValidationError):
            services.merge_units(
                [self.anhoa, self.hungphu],
                actor=None,
                code="x",
                name="x",
                effective_on=MERGE_DAY,
                legal_basis="",
            )
