"""Safety plans and permit applications: transitions, deadlines, queue, scope, audit."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from vungxanh.audit.models import AuditEntry
from vungxanh.jobs.models import Change
from vungxanh.permits import config, services
from vungxanh.permits.models import PermitApplication, SafetyPlan, State, TestRecord
from vungxanh.permits.queries import DUE_SOON, OVERDUE, approved_overrides, deadline_flag, flagged
from vungxanh.permits.services import Refused, StaleApplication, transition
from vungxanh.permits.tests.world import FIRST_DAY, PermitTestCase, apply, plan

NOON = dt.datetime(2021, 10, 1, 5, 0, tzinfo=dt.UTC)  # 12:00 in Việt Nam


def approve(reviewer, application, reason="Tối đa 10 người"):
    application = transition(reviewer, application, State.UNDER_REVIEW, version=application.version)
    return transition(
        reviewer, application, State.APPROVED, version=application.version, reason=reason
    )


class PlanTestCase(PermitTestCase):
    def test_a_plan_is_scored_by_its_rule_file_and_audited(self):
        saved = plan(self.business, self.grocery, {"score": 31, "maximum": 100})
        self.assertEqual((saved.band, saved.decision, saved.score), ("medium", "operate", 31))
        entry = AuditEntry.objects.get(object_type="permits.safetyplan", object_id=str(saved.pk))
        self.assertEqual(
            (entry.action, entry.actor, entry.area), ("create", self.business, self.anhoa)
        )

    def test_hcmc_components_scored_with_the_seven_point_rule(self):
        answers = {
            key: 3
            for key in (
                "workers_together",
                "workshop_density",
                "hand_washing",
                "masks_worn",
                "temperature_checks",
                "canteen_distance",
                "shuttle_buses",
                "pickup_areas",
                "masks_provided",
            )
        }
        saved = plan(self.business, self.grocery, answers | {"night_shifts": 7}, "hcmc-2021-index")
        self.assertEqual(
            (saved.percent, saved.band, saved.decision), (34, "medium", "reduce_first")
        )

    def test_bad_answers_testing_interval_or_someone_elses_establishment_are_refused(self):
        with self.assertRaises(ValidationError) as caught:
            plan(self.business, self.grocery, {"score": 120, "maximum": 100})
        self.assertIn("score", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.create_plan(
                self.business,
                self.grocery,
                production_model="none",
                workers_on_site=1,
                scheme="vn-2194-2020",
                answers={"score": 1, "maximum": 10},
                test_every_days=8,
                responsible_person="A",
            )
        self.assertIn("test_every_days", caught.exception.message_dict)
        with self.assertRaises(PermissionDenied):
            plan(self.business, self.clinic)  # represented by another account
        with self.assertRaises(PermissionDenied):
            plan(self.anhoa_official, self.grocery)  # not a business applicant
        self.assertFalse(SafetyPlan.objects.exists())

    def test_test_rounds_are_recorded_once_per_day_and_audited(self):
        saved = plan(self.business, self.grocery)
        test = services.record_test(
            self.business, saved, day=dt.date(2021, 10, 2), people_tested=12, positives=0
        )
        self.assertTrue(
            AuditEntry.objects.filter(
                object_type="permits.testrecord", object_id=str(test.pk)
            ).exists()
        )
        with self.assertRaises(ValidationError) as caught:
            services.record_test(
                self.business, saved, day=dt.date(2021, 10, 2), people_tested=3, positives=0
            )
        self.assertIn("day", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.record_test(
                self.business, saved, day=dt.date(2021, 10, 3), people_tested=3, positives=4
            )
        self.assertIn("positives", caught.exception.message_dict)
        self.assertEqual(TestRecord.objects.count(), 1)


class SubmitTestCase(PermitTestCase):
    def test_the_department_follows_the_sector_and_the_kind(self):
        self.assertEqual(apply(self.business, self.grocery).department, "dept_industry_trade")
        self.assertEqual(apply(self.other_business, self.clinic).department, "health_officer")
        site = apply(self.business, self.builder, kind="construction_site")
        self.assertEqual(site.department, "dept_construction")
        self.assertEqual(site.state, State.SUBMITTED)
        self.assertEqual(list(site.steps.values_list("state", flat=True)), ["submitted"])

    def test_a_plan_that_may_not_operate_cannot_support_an_application(self):
        bad = plan(self.business, self.grocery, {"score": 90, "maximum": 100})
        with self.assertRaises(Refused):
            apply(self.business, self.grocery, bad)
        self.assertFalse(PermitApplication.objects.exists())

    def test_a_construction_site_needs_a_construction_business(self):
        with self.assertRaises(Refused) as caught:
            apply(self.business, self.grocery, kind="construction_site")
        self.assertIn("kind", caught.exception.message_dict)

    def test_a_second_open_application_of_the_same_kind_is_refused(self):
        apply(self.business, self.grocery)
        with self.assertRaises(Refused):
            apply(self.business, self.grocery)
        self.assertEqual(PermitApplication.objects.count(), 1)

    def test_only_the_representative_applies(self):
        with self.assertRaises(PermissionDenied):
            apply(self.other_business, self.grocery, plan(self.business, self.grocery))


class TransitionTestCase(PermitTestCase):
    def setUp(self):
        self.application = apply(self.business, self.grocery)

    def test_review_then_approve_numbers_the_permit_and_audits_each_step(self):
        changes = Change.objects.filter(what="establishments", area_path=self.anhoa.path)
        told_before = changes.count()
        under_review = transition(self.trade, self.application, State.UNDER_REVIEW, version=1)
        self.assertEqual(changes.count(), told_before)  # a review changes no status
        approved = transition(
            self.trade, under_review, State.APPROVED, version=2, reason="Tối đa 10 người"
        )
        self.assertEqual((approved.state, approved.version, approved.number), ("approved", 3, 1))
        self.assertEqual(approved.decided_by, self.trade)
        actions = list(
            AuditEntry.objects.filter(object_type="permits.permitapplication")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        self.assertEqual(actions, ["create", "permit_under_review", "permit_approved"])
        last = AuditEntry.objects.filter(action="permit_approved").get()
        self.assertEqual((last.before["state"], last.after["state"]), ("under_review", "approved"))
        self.assertEqual(last.reason, "Tối đa 10 người")
        # The loop is told to recompute the establishment's status in its ward.
        self.assertEqual(changes.count(), told_before + 1)
        # The next permit of the department that year is number 2.
        second = approve(self.trade, apply(self.business, self.grocery, kind="beyond_default"))
        self.assertEqual(second.number, 2)

    def test_changes_requested_then_submitted_again_restarts_the_clock(self):
        a = transition(self.trade, self.application, State.UNDER_REVIEW, version=1)
        a = transition(self.trade, a, State.CHANGES_REQUESTED, version=2, reason="Thiếu danh sách")
        self.assertEqual(a.reason, "Thiếu danh sách")
        with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), tick=False):
            a = transition(self.business, a, State.SUBMITTED, version=3, description="Đã bổ sung")
        self.assertEqual((a.state, a.description), ("submitted", "Đã bổ sung"))
        self.assertEqual(a.due_on, dt.date(2030, 1, 1) + dt.timedelta(days=3))
        self.assertEqual(
            list(a.steps.values_list("state", "reason")),
            [
                ("submitted", ""),
                ("under_review", ""),
                ("changes_requested", "Thiếu danh sách"),
                ("submitted", ""),
            ],
        )

    def test_refused_moves_say_why_and_change_nothing(self):
        with self.assertRaises(Refused) as caught, translation.override("en"):
            transition(self.trade, self.application, State.APPROVED, version=1)
        with translation.override("en"):
            self.assertIn("cannot become", caught.exception.messages[0])
        rejected = transition(self.trade, self.application, State.UNDER_REVIEW, version=1)
        rejected = transition(self.trade, rejected, State.REJECTED, version=2, reason="Không đạt")
        for target in (State.APPROVED, State.SUBMITTED, State.UNDER_REVIEW):
            with self.subTest(target=target), self.assertRaises(Refused):
                transition(self.trade, rejected, target, version=3)
        rejected.refresh_from_db()
        self.assertEqual((rejected.state, rejected.version), ("rejected", 3))

    def test_a_rejection_or_a_request_for_changes_needs_a_reason(self):
        a = transition(self.trade, self.application, State.UNDER_REVIEW, version=1)
        for target in (State.REJECTED, State.CHANGES_REQUESTED):
            with self.subTest(target=target), self.assertRaises(ValidationError) as caught:
                transition(self.trade, a, target, version=2, reason="  ")
            self.assertIn("reason", caught.exception.message_dict)

    def test_only_the_department_decides_and_only_the_applicant_resubmits(self):
        for outsider in (self.business, self.construction, self.anhoa_official, self.trade_cairang):
            with self.subTest(user=outsider.username), self.assertRaises(PermissionDenied):
                transition(outsider, self.application, State.UNDER_REVIEW, version=1)
        a = transition(self.trade, self.application, State.UNDER_REVIEW, version=1)
        a = transition(self.trade, a, State.CHANGES_REQUESTED, version=2, reason="x")
        with self.assertRaises(PermissionDenied):
            transition(self.trade, a, State.SUBMITTED, version=3)
        with self.assertRaises(PermissionDenied):
            transition(self.other_business, a, State.SUBMITTED, version=3)
        self.assertEqual(PermitApplication.objects.get().state, "changes_requested")

    def test_the_second_reviewer_is_told_not_overwritten(self):
        a = transition(self.trade, self.application, State.UNDER_REVIEW, version=1)
        read_by_both = a.version
        transition(self.trade, a, State.APPROVED, version=read_by_both, reason="OK")
        with self.assertRaises(StaleApplication) as caught, translation.override("en"):
            transition(self.trade_ninhkieu, a, State.REJECTED, version=read_by_both, reason="Không")
        with translation.override("en"):
            text = caught.exception.messages[0]
        self.assertIn("dept_trade changed this application while you were reading it", text)
        self.assertIn("Approved", text)
        stored = PermitApplication.objects.get()
        self.assertEqual(
            (stored.state, stored.reason, stored.decided_by), ("approved", "OK", self.trade)
        )


class DeadlineTestCase(PermitTestCase):
    def test_due_soon_and_overdue_on_both_sides(self):
        with time_machine.travel(NOON, tick=False):
            a = apply(self.business, self.grocery)  # reopen: 3 days, warned 1 day ahead
        self.assertEqual(a.due_on, dt.date(2021, 10, 4))
        self.assertEqual(config.load().kinds["reopen"].deadline_days, 3)
        cases = {
            dt.date(2021, 10, 2): "",
            dt.date(2021, 10, 3): DUE_SOON,
            dt.date(2021, 10, 4): DUE_SOON,
            dt.date(2021, 10, 5): OVERDUE,
        }
        rows = PermitApplication.objects.all()
        for today, expected in cases.items():
            with self.subTest(today=today):
                self.assertEqual(deadline_flag(a, today), expected)
                self.assertEqual(flagged(rows, DUE_SOON, today).exists(), expected == DUE_SOON)
                self.assertEqual(flagged(rows, OVERDUE, today).exists(), expected == OVERDUE)

    def test_a_decided_application_is_never_overdue(self):
        with time_machine.travel(NOON, tick=False):
            a = approve(self.trade, apply(self.business, self.grocery))
        self.assertEqual(deadline_flag(a, dt.date(2022, 1, 1)), "")
        self.assertFalse(
            flagged(PermitApplication.objects.all(), OVERDUE, dt.date(2022, 1, 1)).exists()
        )


class QueueAndScopeTestCase(PermitTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from vungxanh.permits.tests.world import establishment

        plain = establishment(
            cls,
            5,
            cls.anhoa,
            cls.business,
            name="Cửa hàng quần áo",
            vsic_code="4771",
            essential_goods=False,
            goods="",
        )
        with time_machine.travel(dt.datetime(2021, 10, 1, 1, tzinfo=dt.UTC), tick=False):
            cls.plain_first = apply(cls.business, plain)
        with time_machine.travel(dt.datetime(2021, 10, 1, 2, tzinfo=dt.UTC), tick=False):
            cls.site = apply(cls.business, cls.builder, kind="construction_site")
        with time_machine.travel(dt.datetime(2021, 10, 1, 3, tzinfo=dt.UTC), tick=False):
            cls.essential_last = apply(cls.business, cls.grocery)
            cls.clinic_app = apply(cls.other_business, cls.clinic)
            cls.foreign = apply(cls.caikhe_business, cls.caikhe_shop)

    def test_essential_goods_and_public_works_come_first_then_submission_time(self):
        order = list(
            PermitApplication.objects.filter(
                pk__in=[self.plain_first.pk, self.site.pk, self.essential_last.pk]
            ).queue_order()
        )
        self.assertEqual(order, [self.essential_last, self.site, self.plain_first])

    def visible(self, user):
        return set(PermitApplication.objects.for_user(user, "view"))

    def test_a_business_sees_only_its_own_applications(self):
        self.assertEqual(
            self.visible(self.business), {self.plain_first, self.site, self.essential_last}
        )
        self.assertEqual(self.visible(self.other_business), {self.clinic_app})

    def test_a_department_sees_only_its_sectors_in_its_area(self):
        self.assertEqual(
            self.visible(self.trade), {self.plain_first, self.essential_last, self.foreign}
        )
        self.assertEqual(self.visible(self.construction), {self.site})
        self.assertEqual(self.visible(self.health_officer), {self.clinic_app})
        self.assertEqual(self.visible(self.trade_cairang), set())

    def test_a_ward_sees_its_establishments_of_every_sector(self):
        self.assertEqual(
            self.visible(self.anhoa_official),
            {self.plain_first, self.site, self.essential_last, self.clinic_app},
        )
        self.assertEqual(self.visible(self.caikhe_official), {self.foreign})
        self.assertEqual(self.visible(self.outsider), set())

    def test_plans_follow_the_applications_of_a_department(self):
        self.assertEqual(
            set(SafetyPlan.objects.for_user(self.construction, "view")), {self.site.plan}
        )
        self.assertEqual(SafetyPlan.objects.for_user(self.trade, "view").count(), 3)

    def test_approved_overrides_give_each_establishment_its_permits_in_the_period(self):
        approved = approve(self.trade, self.essential_last)
        site = approve(self.construction, self.site, reason="")
        PermitApplication.objects.filter(pk=site.pk).update(last_day=dt.date(2021, 10, 10))
        ids = [self.grocery.pk, self.builder.pk, self.clinic.pk]
        found = approved_overrides(ids, dt.date(2021, 10, 1), dt.date(2021, 10, 31))
        self.assertEqual(set(found), {self.grocery.pk, self.builder.pk})
        grocery = found[self.grocery.pk][0]
        self.assertEqual(
            (grocery.establishment_id, grocery.permit_id, grocery.kind),
            (self.grocery.pk, approved.pk, "reopen"),
        )
        self.assertEqual((grocery.first_day, grocery.last_day), (FIRST_DAY, None))
        self.assertEqual(
            (grocery.status, grocery.conditions, grocery.number),
            ("allowed", "Tối đa 10 người", "01/TB-SCT"),
        )
        # Outside its period a permit is not returned; the clinic's is not approved.
        later = approved_overrides(ids, dt.date(2021, 10, 11), dt.date(2021, 10, 12))
        self.assertEqual(set(later), {self.grocery.pk})
        self.assertEqual(approved_overrides(ids, dt.date(2021, 9, 1), dt.date(2021, 9, 30)), {})
        self.assertEqual(approved_overrides([], FIRST_DAY, FIRST_DAY), {})

    def test_a_permit_capping_people_is_limited(self):
        self.essential_last.max_people = 10
        self.essential_last.save()
        approve(self.trade, self.essential_last)
        found = approved_overrides([self.grocery.pk], FIRST_DAY, FIRST_DAY)[self.grocery.pk]
        self.assertEqual((found[0].status, found[0].max_people), ("limited", 10))


class NumberingTestCase(PermitTestCase):
    def test_a_number_taken_meanwhile_is_skipped_not_reused(self):
        first = approve(self.trade, apply(self.business, self.grocery))
        second = apply(self.business, self.grocery, kind="beyond_default")
        real = services._next_number
        calls = []

        def stale_then_real(application):
            calls.append(application.pk)
            return 1 if len(calls) == 1 else real(application)  # as if read before `first`

        with mock.patch.object(services, "_next_number", stale_then_real):
            second = approve(self.trade, second)
        self.assertEqual((first.number, second.number, len(calls)), (1, 2, 2))
        self.assertEqual(PermitApplication.objects.get(pk=second.pk).number, 2)


class ConfigTestCase(PermitTestCase):
    def test_every_section_has_one_department_and_every_row_is_flagged(self):
        rules = config.load()
        owners = [s for d in rules.departments.values() for s in d.sections]
        self.assertEqual(sorted(owners), list(config.SECTIONS))
        self.assertTrue(all(not d.verified and d.note for d in rules.departments.values()))
        self.assertTrue(all(not k.verified and k.note for k in rules.kinds.values()))

    def test_a_wrong_file_names_the_key(self):
        import tomllib

        doc = tomllib.loads(config.CONFIG_FILE.read_text(encoding="utf-8"))
        doc["departments"]["dept_planning"]["sections"].remove("U")
        with self.assertRaisesMessage(config.ConfigError, "sections without a department: U"):
            config.parse(doc)
        doc["departments"]["dept_planning"]["sections"].append("F")
        with self.assertRaisesMessage(config.ConfigError, "departments.dept_planning.sections"):
            config.parse(doc)
        doc = tomllib.loads(config.CONFIG_FILE.read_text(encoding="utf-8"))
        doc["kinds"]["reopen"]["deadline_days"] = 0
        with self.assertRaisesMessage(config.ConfigError, "kinds.reopen.deadline_days"):
            config.parse(doc)
