"""``vungxanh export`` without ``--series``: never "0 rows" in silence (issue 10, item 8).

After ``vungxanh import ncsc`` the province's daily counts are in the series ``moh-ncsc``,
not in the default "reported": the export uses the only series that holds data for the
area (and says so), or names every series that does, with its row count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.management import CommandError, call_command

from vungxanh.surveillance import services
from vungxanh.surveillance.loaders import NCSC_SERIES
from vungxanh.testing import BaseTestCase


def export(*args, **options) -> tuple[list[list[str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err, **options)
    return list(csv.reader(io.StringIO(out.getvalue()))), err.getvalue()


class ExportDefaultSeriesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # What `vungxanh import ncsc` stores for a province: one row a day, series moh-ncsc.
        services.import_records(
            "daily",
            [
                {"area_id": cls.cantho.pk, "date": dt.date(2021, 9, d), "unknown": 100 + d}
                for d in range(1, 4)
            ],
            actor=cls.admin,
            series_code=NCSC_SERIES,
            label="ncsc",
        )

    def test_the_only_series_with_data_is_used_and_named(self):
        rows, said = export("daily", area="92")
        self.assertEqual(len(rows) - 1, 3)
        self.assertEqual({r[0] for r in rows[1:]}, {"92"})
        self.assertIn(NCSC_SERIES, said)
        self.assertIn("reported", said)
        self.assertIn("(3 ", said, "the row count of the series used")

    def test_several_series_are_listed_with_their_rows(self):
        services.import_records(
            "daily",
            [{"area_id": self.anhoa.pk, "date": dt.date(2021, 9, 2), "community": 4}],
            actor=self.admin,
            series_code="cantho-sim",
            label="sim",
        )
        with self.assertRaises(CommandError) as raised:
            export("daily", area="92")
        message = str(raised.exception)
        self.assertIn(f"{NCSC_SERIES} (", message)
        self.assertIn("): 3", message)
        self.assertIn("cantho-sim (", message)
        self.assertIn("): 1", message)
        self.assertIn("--series", message)

    def test_a_named_series_or_data_in_the_default_series_is_exported_as_asked(self):
        rows, said = export("daily", area="92", series=NCSC_SERIES)
        self.assertEqual(len(rows) - 1, 3)
        self.assertNotIn("only series", said)
        services.import_records(
            "daily",
            [{"area_id": self.anhoa.pk, "date": dt.date(2021, 9, 2), "community": 4}],
            actor=self.admin,
            series_code="reported",
            label="ward",
        )
        rows, said = export("daily", area="92")
        self.assertEqual([r[0] for r in rows[1:]], ["31120"], "the default series holds data")
        rows, said = export("daily", area="92", series="reported")
        self.assertEqual(len(rows) - 1, 1)

    def test_no_data_at_all_is_said(self):
        rows, said = export("daily", area="919")
        self.assertEqual(len(rows), 1)
        self.assertIn("Quận Cái Răng", said, "an empty file is never silent")

    def test_the_areas_official_series_is_the_default(self):
        from vungxanh.surveillance.models import Series
        from vungxanh.surveillance.services_series import designate_series

        services.import_records(
            "daily",
            [{"area_id": self.anhoa.pk, "date": dt.date(2021, 9, 2), "community": 4}],
            actor=self.admin,
            series_code="reported",
            label="ward",
        )
        designate_series(self.cantho, Series.objects.get(code=NCSC_SERIES), actor=self.admin)
        rows, said = export("daily", area="92")
        self.assertEqual({r[0] for r in rows[1:]}, {"92"}, "the city's designated series")
        self.assertNotIn("reported", said)
