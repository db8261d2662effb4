import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from vungxanh.audit.models import AuditEntry
from vungxanh.risk import services
from vungxanh.risk.models import Assessment, AssessmentSeries, LevelChange, RuleSetRecord
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import Series
from vungxanh.testing import BaseTestCase

DAY = dt.date(2021, 10, 20)


def daily_csv(rows):
    lines = ["Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa"]
    lines += [
        f"{code},{day:%d/%m/%Y},{community},{lockdown}" for code, day, community, lockdown in rows
    ]
    return "\n".join(lines).encode()


VACCINATION_CSV = (
    "Địa bàn,Ngày,Dân số từ 18 tuổi,Người ≥18 tuổi đã tiêm ≥1 liều,Người ≥18 tuổi tiêm đủ liều,"
    "Dân số từ 65 tuổi,Người ≥65 tuổi tiêm đủ liều\n"
    "31120,01/10/2021,24000,23500,20000,2000,1800\n"
    "31117,01/10/2021,17000,16000,12000,1500,1000\n"
).encode()


class ComputeLevelsTestCase(BaseTestCase):
    """An Hòa (31,268 people) with 49 community cases in a week: 156.7/100k → Mức 4."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.sync_rulesets()
        rows = [("31120", DAY - dt.timedelta(days=d), 7, 3) for d in range(7)]
        rows += [("31117", DAY - dt.timedelta(days=3), 1, 0)]
        surveillance.import_file("daily", daily_csv(rows), "d.csv", actor=cls.health_officer)
        surveillance.import_file("vaccination", VACCINATION_CSV, "v.csv", actor=cls.health_officer)
        cls.series = Series.objects.get(code="reported")
        cls.record = RuleSetRecord.objects.get(code="vn-4800-2021", current=True)
        services.compute_levels(cls.record, cls.series, provinces=[cls.cantho])

    def test_each_area_gets_its_level_on_its_own_totals(self):
        levels = services.levels_on(
            self.record, self.series, [self.anhoa, self.caikhe, self.ninhkieu], DAY
        )
        # An Hòa: 49/31,268 × 100,000 = 156.7 ≥ 150, 98 % first dose → Cấp 3 computed;
        # a raise takes effect 48 hours later (NQ 128), so Cấp 2 is still in force that day.
        self.assertEqual(levels[self.anhoa.pk].computed_key, "3")
        self.assertEqual(levels[self.anhoa.pk].level_key, "2")
        # Cái Khế: 1/22,106 × 100,000 = 4.5 → Mức 1; 65+ full dose 67 % < 80 % → +1 → Cấp 2.
        self.assertEqual(levels[self.caikhe.pk].computed_key, "2")
        # Ninh Kiều on its own totals: 50/280,494 = 17.8 → Cấp 1 (not the max of its wards).
        self.assertEqual(levels[self.ninhkieu.pk].computed_key, "1")

    def test_the_explanation_names_the_inputs(self):
        row = AssessmentSeries.objects.get(area=self.anhoa, ruleset=self.record)
        explanation, _values = services.explain_day(self.record, row, DAY)
        self.assertIn("156,7 ca cộng đồng/100.000 dân/tuần (≥ 150)", explanation.sentence_vi)
        self.assertIn("98% người từ 18 tuổi", explanation.sentence_vi)

    def test_publishing_freezes_inputs_and_records_changes(self):
        published = services.publish(
            self.record,
            self.series,
            DAY,
            self.ninhkieu,
            actor=self.district_steering,
            legal_basis="QĐ test",
        )
        self.assertEqual(
            {a.area_id for a in published}, {self.ninhkieu.pk, self.anhoa.pk, self.caikhe.pk}
        )
        anhoa = Assessment.objects.get(area=self.anhoa, date=DAY)
        self.assertAlmostEqual(anhoa.inputs["cases_per_100k_week"], 156.7, places=1)
        self.assertEqual(LevelChange.objects.filter(area=self.anhoa).get().to_key, "3")
        self.assertTrue(AuditEntry.objects.filter(action="publish").exists())
        again = services.publish(
            self.record, self.series, DAY, self.ninhkieu, actor=self.district_steering
        )
        self.assertEqual(again, [])

    def test_a_raise_takes_effect_48_hours_after_it_is_announced(self):
        services.publish(
            self.record,
            self.series,
            DAY - dt.timedelta(days=7),
            self.ninhkieu,
            actor=self.district_steering,
        )
        services.publish(self.record, self.series, DAY, self.ninhkieu, actor=self.district_steering)
        change = LevelChange.objects.filter(area=self.anhoa).order_by("announced_on").last()
        self.assertTrue(change.is_raise)
        self.assertEqual(change.effective_on, DAY + dt.timedelta(days=2))

    def test_the_steering_committee_decides_another_level_with_a_reason(self):
        services.publish(self.record, self.series, DAY, self.ninhkieu, actor=self.district_steering)
        assessment = Assessment.objects.get(area=self.anhoa, date=DAY)
        services.decide_level(
            assessment,
            actor=self.district_steering,
            level_key="4",
            reason="Ổ dịch chợ chưa kiểm soát",
            legal_basis="QĐ 99",
        )
        assessment.refresh_from_db()
        self.assertEqual((assessment.computed_key, assessment.decided_key), ("3", "4"))
        self.assertTrue(assessment.overridden)
        entry = AuditEntry.objects.get(action="update", object_type="risk.assessment")
        self.assertEqual((entry.before["decided_key"], entry.after["decided_key"]), ("3", "4"))
        with self.assertRaises(ValidationError):
            services.decide_level(
                assessment, actor=self.district_steering, level_key="2", reason=" "
            )

    def test_a_ward_official_may_not_decide_or_publish(self):
        services.publish(self.record, self.series, DAY, self.ninhkieu, actor=self.district_steering)
        assessment = Assessment.objects.get(area=self.anhoa, date=DAY)
        with self.assertRaises(PermissionDenied):
            services.decide_level(assessment, actor=self.anhoa_official, level_key="1", reason="x")
        with self.assertRaises(PermissionDenied):
            services.publish(self.record, self.series, DAY, self.anhoa, actor=self.anhoa_official)


class SyncRulesetsTestCase(BaseTestCase):
    def test_loading_twice_changes_nothing(self):
        first = services.sync_rulesets()
        self.assertTrue(first)
        count = RuleSetRecord.objects.count()
        services.sync_rulesets()
        self.assertEqual(RuleSetRecord.objects.count(), count)
        self.assertEqual(AuditEntry.objects.filter(object_type="risk.rulesetrecord").count(), 1)
