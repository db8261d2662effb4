import datetime as dt
import io

import numpy as np
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.test import SimpleTestCase, TestCase
from django.utils import translation

from vungxanh.areas.models import Area
from vungxanh.audit.models import AuditEntry
from vungxanh.lib.shared_data import shared_data_dir
from vungxanh.surveillance import loaders
from vungxanh.surveillance.models import DailyCount, ImportBatch

SHIPPED = {
    "covid_vn": (
        loaders.NCSC_DIR,
        [
            "ncsc_cases_by_province_daily_wide.csv",
            "ncsc_deaths_by_province_daily_wide.csv",
            "ncsc_province_id_crosswalk.csv",
        ],
    ),
    "cantho_2021": (
        loaders.CANTHO_DIR,
        [
            "cantho_daily_2021.csv",
            "cantho_district_cumulative_2021.csv",
            "cantho_levels_2021.csv",
            "ninhkieu_lockdowns_2021.csv",
            "cantho_events_2021.md",
        ],
    ),
}


def quietly(*args, **kwargs) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


class ShippedCopiesTestCase(SimpleTestCase):
    def test_the_shipped_files_are_byte_copies_of_the_shared_sources(self):
        for folder, (shipped, names) in SHIPPED.items():
            source = shared_data_dir() / folder
            if not source.is_dir():
                self.skipTest(f"{source} is not available")
            for name in names:
                with self.subTest(name=name):
                    self.assertEqual((shipped / name).read_bytes(), (source / name).read_bytes())
            self.assertTrue((shipped / "PROVENANCE.md").is_file())


class ReadersTestCase(SimpleTestCase):
    def test_the_wide_files_are_read_with_their_gaps(self):
        codes, dates, cases, deaths = loaders.read_ncsc()
        self.assertEqual((len(codes), len(dates)), (63, 646))
        self.assertEqual((dates[0], dates[-1]), (dt.date(2020, 3, 18), dt.date(2022, 1, 22)))
        self.assertEqual(int(np.isnan(cases).sum()), 296)
        self.assertEqual(len(set(codes)), 63)
        self.assertIn("01", codes)

    def test_the_published_totals_are_read_back(self):
        codes, dates, cases, deaths = loaders.read_ncsc()
        in_2021 = np.array([d.year == 2021 for d in dates])
        to_2022 = np.array([d <= dt.date(2021, 12, 31) for d in dates])
        cantho = codes.index("92")
        self.assertEqual(np.nansum(cases[cantho, in_2021]), 40_891)
        self.assertEqual(np.nansum(deaths[cantho, in_2021]), 599)
        self.assertEqual(np.nansum(cases[:, to_2022]), 1_871_149)
        self.assertEqual(np.nansum(deaths), 36_609)

    def test_a_press_report_splits_into_the_daily_count_fields(self):
        rows = {r["date"]: r for r in loaders.read_cantho_daily()}
        record = loaders.cantho_daily_record(rows[dt.date(2021, 11, 10)], city_id=1)
        self.assertEqual(
            {k: record[k] for k in ("quarantine", "lockdown", "home_isolation", "community")},
            {"quarantine": 111, "lockdown": 169, "home_isolation": 173, "community": 126},
        )
        self.assertEqual(record["unknown"], 0)
        # 20/7: quarantine and lockdown were printed together; what is not split is unknown.
        july = loaders.cantho_daily_record(rows[dt.date(2021, 7, 20)], city_id=1)
        self.assertEqual((july["community"], july["unknown"], july["deaths"]), (13, 16, 2))


class NcscLoadTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        quietly("load_units")
        cls.first = loaders.load_ncsc()
        cls.second = loaders.load_ncsc()

    def test_can_tho_2021_adds_up_to_the_portal_total(self):
        rows = DailyCount.objects.current().filter(
            series__code="moh-ncsc", area__code="92", date__year=2021
        )
        totals = rows.aggregate(cases=Sum("unknown"), deaths=Sum("deaths"))
        self.assertEqual(totals, {"cases": 40_891, "deaths": 599})
        self.assertEqual(rows.get(date=dt.date(2021, 12, 6)).unknown, 1_189)

    def test_every_reported_cell_is_one_row_and_empty_cells_none(self):
        self.assertEqual(self.first.check.new, 63 * 646 - 296)
        self.assertEqual(DailyCount.objects.filter(series__code="moh-ncsc").count(), 40_402)
        hanoi = Area.objects.current().get(code="01")
        self.assertFalse(
            DailyCount.objects.filter(series__code="moh-ncsc", area=hanoi)
            .exclude(community=0, quarantine=0, home_isolation=0, lockdown=0, imported=0)
            .exists()
        )

    def test_loading_again_changes_nothing(self):
        self.assertTrue(self.first.written)
        self.assertFalse(self.second.written)
        self.assertEqual(self.second.check.unchanged, 40_402)
        self.assertEqual(ImportBatch.objects.filter(series__code="moh-ncsc").count(), 1)

    def test_the_load_is_audited_as_one_batch_of_the_nation(self):
        batch = self.first.batch
        self.assertEqual((batch.kind, batch.area.code, batch.actor_name), ("daily", "VN", "system"))
        entry = AuditEntry.objects.get(action="import")
        self.assertEqual(entry.after["series"], "moh-ncsc")
        self.assertEqual(DailyCount.objects.filter(batch=batch).first().source, loaders.NCSC_SOURCE)

    def test_the_command_says_nothing_changed(self):
        out = quietly("import_ncsc")
        self.assertIn("40402 rows, 0 new, 0 corrected, 40402 unchanged", out)


class CanthoPressLoadTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        quietly("load_units")
        cls.first = loaders.load_cantho_press()
        cls.second = loaders.load_cantho_press()

    def counts(self):
        return DailyCount.objects.current().filter(series__code="cantho-doh")

    def test_the_city_reports_and_district_figures_are_stored(self):
        self.assertEqual([r.check.new for r in self.first], [28, 11])
        city = self.counts().filter(area__code="92")
        self.assertEqual(city.count(), 28)
        day = city.get(date=dt.date(2021, 11, 25))
        self.assertEqual((day.total, day.home_isolation, day.community), (1_310, 754, 304))
        self.assertEqual(
            day.source,
            "https://giaoducthoidai.vn/can-tho-lan-dau-ghi-nhan-ca-mac-covid-19-o-muc-4-con-so-post541877.html",
        )
        self.assertEqual(self.counts().get(area__code="916", date=dt.date(2021, 11, 17)).total, 157)

    def test_cumulative_only_rows_are_not_daily_counts(self):
        dates = set(self.counts().filter(area__code="92").values_list("date", flat=True))
        self.assertNotIn(dt.date(2021, 9, 25), dates)
        self.assertNotIn(dt.date(2021, 11, 20), dates)
        self.assertIn(dt.date(2022, 2, 10), dates)

    def test_the_deaths_of_the_day_are_kept(self):
        self.assertEqual(self.counts().get(area__code="92", date=dt.date(2021, 12, 6)).deaths, 14)

    def test_loading_again_changes_nothing(self):
        self.assertEqual([r.written for r in self.second], [False, False])
        self.assertIn("39 rows, 0 new, 0 corrected, 39 unchanged", quietly("load_cantho"))


class MissingUnitsTestCase(TestCase):
    def test_loading_before_the_units_says_what_to_do(self):
        with self.assertRaisesMessage(ValidationError, "load-units"):
            loaders.load_ncsc()
