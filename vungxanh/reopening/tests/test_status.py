"""Statuses as a stage of the loop: establishments reach it through the outbox, a level
decided by the committee produces new periods and its change list, a whole-ward lockdown
suspends the establishments inside it, and recomputing is idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from vungxanh.jobs.models import Change
from vungxanh.lockdowns import services as lockdowns
from vungxanh.lockdowns.models import LiftRuleRecord, LockdownZone, Scope
from vungxanh.loop.drain import plan
from vungxanh.loop.stages import STAGES
from vungxanh.reopening import queries
from vungxanh.reopening import services as reopening
from vungxanh.reopening.models import Notice, StatusPeriod
from vungxanh.reopening.tests.world import CHANGE_DAY, ReopeningTestCase, decide_level_4
from vungxanh.risk import services as risk
from vungxanh.risk.models import Assessment
from vungxanh.surveillance.models import Series
from vungxanh.surveillance.services_series import designate_series
from vungxanh.testing import BaseTestCase

OCTOBER = dt.date(2021, 10, 20)


def status_on(establishment, day):
    period = StatusPeriod.objects.filter(establishment=establishment).on(day).get()
    return period


class StageTestCase(ReopeningTestCase):
    def test_establishments_reach_the_stage_through_the_outbox(self):
        # The establishment services write the outbox rows; the loop took every one of them.
        changes = Change.objects.filter(what="establishments")
        self.assertTrue(changes.exists())
        self.assertFalse(changes.filter(processed_at__isnull=True).exists())
        self.assertTrue(StatusPeriod.objects.filter(establishment=self.restaurant).exists())
        period = status_on(self.restaurant, OCTOBER)
        self.assertEqual(period.status, "allowed")
        self.assertEqual((period.matrix, period.group), ("vn-nq128-activities", "restaurants"))
        self.assertEqual(period.reason, "level")
        self.assertTrue(period.verified)

    def test_the_green_zone_regime_limits_can_tho_restaurants_in_september(self):
        # An Hòa is green from 18/9: Cần Thơ's green-zone regime, at most 10 guests.
        period = status_on(self.anhoa_restaurant, dt.date(2021, 9, 20))
        self.assertEqual((period.status, period.level_key), ("limited", "green"))
        self.assertEqual(period.max_people, 10)
        self.assertEqual(period.matrix, "cantho-2021-09-green-zone")
        # After 23/9 no matrix answers the green-zone levels: the status is unknown.
        self.assertEqual(status_on(self.anhoa_restaurant, dt.date(2021, 9, 28)).status, "unknown")

    def test_a_level_decided_through_the_loop_produces_new_periods_and_its_change_list(self):
        self.assertEqual(status_on(self.restaurant, CHANGE_DAY).status, "allowed")
        decide_level_4(self)
        after = status_on(self.restaurant, CHANGE_DAY)
        self.assertEqual((after.status, after.level_key, after.start), ("limited", "4", CHANGE_DAY))
        self.assertEqual(after.previous_status, "allowed")
        self.assertEqual(
            status_on(self.restaurant, CHANGE_DAY - dt.timedelta(days=1)).status, "allowed"
        )
        changes = list(queries.change_list(StatusPeriod.objects.all(), self.caikhe, CHANGE_DAY))
        # Both of Cái Khế's establishments (restaurants, shops of row 6 at Cấp 4), nobody else.
        self.assertEqual(
            {(c.establishment, c.previous_status, c.status) for c in changes},
            {(self.restaurant, "allowed", "limited"), (self.grocery, "allowed", "limited")},
        )
        everywhere = queries.change_list(StatusPeriod.objects.all(), self.cantho, CHANGE_DAY)
        self.assertEqual(len(everywhere), 2)
        notice = Notice.objects.get(establishment=self.restaurant, effective_on=CHANGE_DAY)
        self.assertEqual((notice.from_status, notice.to_status), ("allowed", "limited"))
        self.assertIn("mang về", notice.conditions)

    def test_a_change_taken_back_withdraws_its_notice_and_keeps_it(self):
        decide_level_4(self)

        assessment = Assessment.objects.get(area=self.caikhe, date=CHANGE_DAY)
        risk.decide_level(assessment, actor=self.admin, level_key="2", reason="Nhầm ổ dịch")
        self.assertEqual(status_on(self.restaurant, CHANGE_DAY).status, "allowed")
        notice = Notice.objects.get(establishment=self.restaurant, effective_on=CHANGE_DAY)
        self.assertTrue(notice.withdrawn)
        self.assertFalse(
            queries.change_list(StatusPeriod.objects.all(), self.caikhe, CHANGE_DAY).exists()
        )

    def test_recomputing_twice_writes_the_same_periods(self):
        def snapshot():
            return sorted(
                StatusPeriod.objects.values_list(
                    "establishment_id", "start", "end", "status", "matrix"
                )
            )

        before, notices = snapshot(), Notice.objects.count()
        reopening.recompute(self.series, [self.cantho])
        self.assertEqual(snapshot(), before)
        self.assertEqual(Notice.objects.count(), notices)

    def test_periods_tile_the_days_without_gaps(self):
        for est in (self.restaurant, self.grocery, self.anhoa_restaurant):
            rows = list(StatusPeriod.objects.filter(establishment=est).order_by("start"))
            for a, b in zip(rows, rows[1:], strict=False):
                self.assertEqual(a.end + dt.timedelta(days=1), b.start)
                self.assertNotEqual(
                    (a.status, a.matrix, a.level_key), (b.status, b.matrix, b.level_key)
                )
            self.assertIsNone(rows[-1].end)


class LockdownTestCase(ReopeningTestCase):
    def test_a_whole_ward_lockdown_suspends_the_establishments_inside_it(self):
        lockdowns.sync_lift_rules()
        start, lifted = dt.date(2021, 10, 18), dt.date(2021, 10, 22)
        with transaction.atomic():
            LockdownZone.objects.create(
                code="CK-1", name="Phường Cái Khế", area=self.caikhe, scope_type=Scope.WHOLE_WARD,
                status="lifted", start_date=start, lifted_on=lifted,
                rule=LiftRuleRecord.objects.filter(current=True).first(),
            )  # fmt: skip
            reopening.record_lockdown_changed(self.caikhe, start)
        for est in (self.restaurant, self.grocery):
            period = status_on(est, dt.date(2021, 10, 20))
            self.assertEqual((period.status, period.reason), ("suspended", "lockdown"))
            self.assertEqual((period.start, period.end), (start, lifted - dt.timedelta(days=1)))
            self.assertEqual(status_on(est, lifted).status, "allowed")
        # Outside the zone, An Hòa's restaurant keeps its level's status.
        self.assertEqual(status_on(self.anhoa_restaurant, dt.date(2021, 10, 20)).reason, "level")
        self.assertTrue(
            Notice.objects.filter(
                establishment=self.grocery, effective_on=start, to_status="suspended"
            ).exists()  # fmt: skip
        )
        self.assertTrue(
            Notice.objects.filter(
                establishment=self.grocery,
                effective_on=lifted,
                from_status="suspended",
                to_status="allowed",
            ).exists()  # fmt: skip
        )

    def test_a_zone_of_a_smaller_unit_is_not_applied_to_the_whole_ward(self):
        lockdowns.sync_lift_rules()
        with transaction.atomic():
            LockdownZone.objects.create(
                code="CK-2", name="Hẻm 12", area=self.caikhe, scope_type=Scope.ALLEY,
                status="active", start_date=dt.date(2021, 10, 18),
                rule=LiftRuleRecord.objects.filter(current=True).first(),
            )  # fmt: skip
            reopening.record_lockdown_changed(self.caikhe)
        self.assertEqual(status_on(self.grocery, dt.date(2021, 10, 20)).reason, "level")


class PlanTestCase(ReopeningTestCase):
    def test_an_establishment_or_lockdown_change_reruns_the_status_stage_only(self):

        work = plan([Change(what="establishments", area_path=self.caikhe.path)])
        item = work["reported"]
        self.assertEqual((item.data, item.rules, item.statuses), (False, False, True))
        self.assertEqual(item.provinces, {self.cantho.path})
        rerun = [s.name for s in STAGES if s.needs_statuses]
        self.assertEqual(rerun, ["establishments"])
        # After the levels, in the loop's order.
        names = [s.name for s in STAGES]
        self.assertEqual(names.index("establishments"), names.index("levels") + 1)


class StatusSeriesTestCase(BaseTestCase):
    """Statuses read the series designated for the ward: a district's designation counts."""

    def test_a_districts_designation_sets_its_wards_series_and_no_one_elses(self):
        simulated = Series.objects.create(code="district-sim", name="Mô phỏng", simulated=True)
        reported = Series.objects.get(code="reported")
        designate_series(self.ninhkieu, simulated, actor=self.district_steering, reason="thử")
        chosen = reopening._series_of_wards(self.cantho, [self.anhoa, self.caikhe, self.hungphu])
        self.assertEqual(chosen[self.anhoa.pk], simulated.pk)
        self.assertEqual(chosen[self.caikhe.pk], simulated.pk)
        self.assertEqual(chosen[self.hungphu.pk], reported.pk)  # Cái Răng: no designation
        self.assertEqual(reopening.status_series(self.anhoa), simulated)
        self.assertEqual(reopening.status_series(self.hungphu), reported)
