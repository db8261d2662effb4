"""The demo's establishments: simulated, real VSIC codes and tax codes, loaded once."""

from __future__ import annotations

import io

from vungxanh.accounts.roles import Role
from vungxanh.demo import economy as demo
from vungxanh.domain import taxcode, vsic
from vungxanh.economy.models import Establishment
from vungxanh.testing import BaseTestCase, make_user


class DemoEstablishmentsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.quantri = make_user("quantri", Role.ADMIN, cls.nation)
        cls.business = make_user("doanhnghiep.demo", Role.BUSINESS, cls.ninhkieu)

    def test_the_rows_are_seeded_valid_and_spread_over_the_wards(self):
        wards = [self.anhoa, self.caikhe]
        rows = demo.demo_rows(wards, total=300)
        self.assertEqual(rows, demo.demo_rows(wards, total=300))  # the same run, the same rows
        self.assertEqual(len({row[0] for row in rows}), 300)
        for row in rows:
            self.assertTrue(taxcode.check(row[0]).ok, row)
            self.assertIsNotNone(vsic.load_vsic().lookup(row[3]), row)
        self.assertEqual({row[4] for row in rows}, {"31120", "31117"})
        public = [row for row in rows if row[9] == "có"]
        self.assertEqual(len(public), len(demo.PUBLIC_WORKS))
        self.assertTrue(all(row[3].startswith(("41", "42", "43")) and row[10] for row in public))

    def test_loading_twice_imports_once_marks_them_simulated_and_names_a_representative(self):
        out = io.StringIO()
        created = demo.load_demo_establishments(out, total=120)
        self.assertEqual(created, 120)
        self.assertEqual(Establishment.objects.filter(simulated=True).count(), 120)
        self.assertEqual(demo.load_demo_establishments(out, total=120), 0)
        self.assertEqual(Establishment.objects.count(), 120)
        represented = Establishment.objects.filter(representative=self.business)
        self.assertGreaterEqual(represented.count(), 1)
        self.assertTrue(all(e.ward == self.anhoa for e in represented))
