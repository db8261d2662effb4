import datetime as dt

from vungxanh.risk import services
from vungxanh.risk.daily import levels_for_day
from vungxanh.risk.models import AssessmentSeries, RuleSetRecord
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series
from vungxanh.testing import BaseTestCase

DAY = dt.date(2021, 10, 20)
DAILY_CSV = "\n".join(
    ["Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"]
    + [f"31120,{DAY - dt.timedelta(days=d):%d/%m/%Y},7,3" for d in range(7)]
    + [f"31117,{DAY - dt.timedelta(days=3):%d/%m/%Y},1,0"]
).encode()
VACCINATION_CSV = (
    "Địa bàn,Ngày,Dân số từ 18 tuổi,Người ≥18 tuổi đã tiêm ≥1 liều,Người ≥18 tuổi tiêm đủ liều,"
    "Dân số từ 65 tuổi,Người ≥65 tuổi tiêm đủ liều\n"
    "31120,01/10/2021,24000,23500,20000,2000,1800\n"
    "31117,01/10/2021,17000,16000,12000,1500,1000\n"
).encode()


class LevelsForDayTestCase(BaseTestCase):
    """One day read from the indicators gives the levels compute_levels stored for it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.sync_rulesets()
        surveillance.import_file("daily", DAILY_CSV, "d.csv", actor=cls.health_officer)
        surveillance.import_file("vaccination", VACCINATION_CSV, "v.csv", actor=cls.health_officer)
        cls.series = Series.objects.get(code="reported")
        cls.records = [
            RuleSetRecord.objects.get(code=code, current=True)
            for code in ("vn-4800-2021", "vn-green-zone-14d")
        ]
        for record in cls.records:
            services.compute_levels(record, cls.series, provinces=[cls.cantho])

    def stored(self, record, day):
        found = {}
        for row in AssessmentSeries.objects.filter(ruleset=record, series=self.series):
            offset = row.offset(day)
            if offset is not None:
                found[row.area_id] = int(row.level_indexes(computed=True)[offset])
        return found

    def test_one_day_equals_the_stored_computed_levels(self):
        for record in self.records:
            for day in (DAY - dt.timedelta(days=6), DAY - dt.timedelta(days=3), DAY):
                with self.subTest(rules=record.code, day=day):
                    stored = self.stored(record, day)
                    self.assertGreaterEqual(len(stored), 3)
                    found = levels_for_day(record, self.series, day, provinces=[self.cantho])
                    self.assertEqual({pk: found[pk] for pk in stored}, stored)

    def test_the_levels_are_the_expected_ones(self):
        record = self.records[0]
        found = levels_for_day(record, self.series, DAY)
        ruleset = services.ruleset_of(record)
        # An Hòa: 156.7 community cases/100k/week, 98 % first dose → Cấp 3 computed.
        self.assertEqual(ruleset.levels[found[self.anhoa.pk]].key, "3")
        self.assertEqual(ruleset.levels[found[self.caikhe.pk]].key, "2")
        self.assertEqual(ruleset.levels[found[self.ninhkieu.pk]].key, "1")

    def test_without_indicators_nothing_is_assessed(self):
        empty = Series.objects.create(code="empty", name="Empty", simulated=True)
        self.assertEqual(levels_for_day(self.records[0], empty, DAY), {})
