"""The lockdown services: each write is checked, scoped and audited with its decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from vungxanh.audit.models import AuditEntry
from vungxanh.lockdowns import queries, services
from vungxanh.lockdowns.models import (
    InspectionPhoto,
    LiftRuleRecord,
    LockdownZone,
    Status,
    TestingRound,
    ZoneCase,
    ZoneNotice,
    ZoneTransition,
)
from vungxanh.lockdowns.tests.world import (
    DECISION,
    PNG,
    SERIES,
    START,
    ZONE_SHAPE,
    at,
    build_zones,
)
from vungxanh.testing import BaseTestCase

LIFT = "QĐ 202/QĐ-UBND"


def entries(obj, action: str):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


class ZoneTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def negative_rounds(self, zone, *days: dt.date) -> None:
        for day in days:
            round_ = services.plan_round(zone, actor=self.health_officer, day=day)
            services.record_round(round_, actor=self.health_officer, status="done", samples=100)


class RulesTestCase(ZoneTestCase):
    def test_loading_twice_changes_nothing_and_is_audited_once(self) -> None:
        before = AuditEntry.objects.filter(object_type="lockdowns.liftrulerecord").count()
        services.sync_lift_rules(actor=self.admin)
        self.assertEqual(
            AuditEntry.objects.filter(object_type="lockdowns.liftrulerecord").count(), before
        )
        self.assertEqual(
            set(LiftRuleRecord.objects.filter(current=True).values_list("code", flat=True)),
            {"vn-lockdown-14d", "vn-lockdown-14d-3r"},
        )

    def test_a_changed_file_becomes_the_current_version(self) -> None:
        folder = Path(self.id().replace(".", "_"))
        source = services.RULES_DIR / "vn-lockdown-14d.toml"
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            text = source.read_text(encoding="utf-8").replace("value = 14", "value = 21")
            (folder / "vn-lockdown-14d.toml").write_text(text, encoding="utf-8")
            services.sync_lift_rules(actor=self.admin, folder=folder)
        current = LiftRuleRecord.objects.get(code="vn-lockdown-14d", current=True)
        self.assertEqual(queries.rule_of(current).days_after_last_case, 21)
        self.assertEqual(LiftRuleRecord.objects.filter(code="vn-lockdown-14d").count(), 2)
        entry = AuditEntry.objects.filter(object_type="lockdowns.liftrulerecord").latest("id")
        self.assertEqual(entry.after, {"loaded": ["vn-lockdown-14d"]})
        # The zone keeps citing the version it was created with.
        self.assertEqual(queries.rule_of(self.zone.rule).days_after_last_case, 14)


class CreateZoneTestCase(ZoneTestCase):
    def test_a_ward_official_proposes_a_zone_and_it_is_audited(self) -> None:
        zone = services.create_zone(
            self.anhoa,
            actor=self.anhoa_official,
            name="Tổ 12 khu vực 1",
            scope_type="residential_group",
            geometry=ZONE_SHAPE,
            households=12,
            residents=66,
            decision_number="QĐ 7",
            index_cases=["SIM-000002"],
        )
        self.assertEqual(zone.status, Status.PROPOSED)
        self.assertEqual(zone.rule.code, "vn-lockdown-14d")
        self.assertTrue(zone.code.startswith("PT-31120-"))
        entry = AuditEntry.objects.get(
            object_type="lockdowns.lockdownzone", object_id=str(zone.pk), action="create"
        )
        self.assertEqual(entry.actor_name, "anhoa_official")
        self.assertEqual(entry.area, self.anhoa)
        self.assertEqual(entry.legal_basis, "QĐ 7")
        self.assertEqual(entry.after["households"], 12)
        link = ZoneCase.objects.get(zone=zone)
        self.assertEqual((link.case_code, link.relation), ("SIM-000002", "index"))
        self.assertEqual(link.isolated_on, dt.date(2021, 7, 15))  # from the line list

    def test_it_refuses_another_ward_and_bad_geometry(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.create_zone(
                self.caikhe, actor=self.anhoa_official, name="x", scope_type="alley"
            )
        with self.assertRaises(PermissionDenied):
            services.create_zone(self.anhoa, actor=self.viewer, name="x", scope_type="alley")
        bow_tie = {
            "type": "Polygon",
            "coordinates": [
                [
                    [105.72, 10.01],
                    [105.74, 10.05],
                    [105.74, 10.01],
                    [105.72, 10.05],
                    [105.72, 10.01],
                ]
            ],
        }
        with self.assertRaises(ValidationError) as error:
            services.create_zone(
                self.anhoa,
                actor=self.anhoa_official,
                name="x",
                scope_type="alley",
                geometry=bow_tie,
            )
        self.assertIn("geometry", error.exception.message_dict)
        outside = ZONE_SHAPE | {
            "coordinates": [[[106.5, 10.5], [106.6, 10.5], [106.6, 10.6], [106.5, 10.5]]]
        }
        with self.assertRaises(ValidationError) as error:
            services.create_zone(
                self.anhoa,
                actor=self.anhoa_official,
                name="x",
                scope_type="alley",
                geometry=outside,
            )
        self.assertIn("An Hòa", error.exception.message_dict["geometry"][0])
        with self.assertRaises(ValidationError):
            services.create_zone(self.ninhkieu, actor=self.admin, name="x", scope_type="alley")
        self.assertFalse(LockdownZone.objects.filter(name="x").exists())


class TransitionTestCase(ZoneTestCase):
    def test_activating_is_audited_with_its_decision(self) -> None:
        entry = entries(self.zone, "activate").get()
        self.assertEqual(entry.legal_basis, DECISION)
        self.assertEqual(entry.before["status"], "proposed")
        self.assertEqual(entry.after["status"], "active")
        self.assertEqual(self.zone.start_date, START)
        transition = ZoneTransition.objects.get(zone=self.zone)
        self.assertEqual((transition.from_status, transition.to_status), ("proposed", "active"))
        self.assertEqual(transition.decision_number, DECISION)

    def test_lifting_follows_the_rule_unless_a_reason_is_given(self) -> None:
        with self.assertRaises(ValidationError) as error:
            services.transition(
                self.zone,
                actor=self.district_steering,
                to="lifted",
                decision_number=LIFT,
                effective_on=dt.date(2021, 7, 24),
            )
        self.assertIn("vn-lockdown-14d", error.exception.message_dict["to_status"][0])
        self.assertFalse(entries(self.zone, "lift").exists())
        self.negative_rounds(self.zone, dt.date(2021, 7, 18), dt.date(2021, 7, 22))
        lifted = services.transition(
            self.zone,
            actor=self.district_steering,
            to="lifted",
            decision_number=LIFT,
            effective_on=dt.date(2021, 7, 24),
        )
        self.assertEqual((lifted.status, lifted.lifted_on), ("lifted", dt.date(2021, 7, 24)))
        entry = entries(self.zone, "lift").get()
        self.assertEqual(entry.legal_basis, LIFT)
        self.assertEqual(entry.actor_name, "district_steering")

    def test_an_early_lift_records_its_reason(self) -> None:
        services.transition(
            self.zone,
            actor=self.admin,
            to="lifted",
            decision_number=LIFT,
            effective_on=dt.date(2021, 7, 20),
            override_reason="Chỉ đạo của Thành ủy",
        )
        entry = entries(self.zone, "lift").get()
        self.assertIn("Chỉ đạo của Thành ủy", entry.reason)
        self.assertEqual(
            ZoneTransition.objects.get(zone=self.zone, to_status="lifted").override_reason,
            "Chỉ đạo của Thành ủy",
        )

    def test_every_transition_needs_a_decision_and_a_legal_move(self) -> None:
        with self.assertRaises(ValidationError):
            services.transition(
                self.zone, actor=self.admin, to="lifted", decision_number=" ", effective_on=START
            )
        with self.assertRaises(ValidationError):
            services.transition(
                self.zone, actor=self.admin, to="proposed", decision_number=LIFT, effective_on=START
            )
        with self.assertRaises(PermissionDenied):
            services.transition(
                self.zone,
                actor=self.caikhe_official,
                to="lifted",
                decision_number=LIFT,
                effective_on=START,
                override_reason="x",
            )
        with self.assertRaises(PermissionDenied):
            services.transition(
                self.zone,
                actor=self.health_officer,
                to="lifted",
                decision_number=LIFT,
                effective_on=START,
                override_reason="x",
            )

    def test_an_unknown_status_is_refused_naming_the_field(self) -> None:
        for to in ("", "bogus"):
            with self.subTest(to=to), self.assertRaises(ValidationError) as caught:
                services.transition(
                    self.zone, actor=self.admin, to=to, decision_number=LIFT, effective_on=START
                )
            self.assertIn("to_status", caught.exception.message_dict)
        self.assertEqual(LockdownZone.objects.get(pk=self.zone.pk).status, Status.ACTIVE)

    def test_parts_are_lifted_from_lower_to_higher_risk_and_the_zone_follows(self) -> None:
        low = services.create_part(self.zone, actor=self.anhoa_official, name="Đầu hẻm", risk=1)
        high = services.create_part(self.zone, actor=self.anhoa_official, name="Cuối hẻm", risk=3)
        self.assertEqual(
            (low.status, low.start_date, low.decision_number), ("active", START, DECISION)
        )
        self.assertEqual(entries(low, "create").get().legal_basis, DECISION)
        self.negative_rounds(self.zone, dt.date(2021, 7, 18), dt.date(2021, 7, 22))
        day = dt.date(2021, 7, 24)
        with self.assertRaises(ValidationError) as error:
            services.transition(
                high, actor=self.anhoa_official, to="lifted", decision_number=LIFT, effective_on=day
            )
        self.assertIn("Đầu hẻm", error.exception.message_dict["to_status"][0])
        services.transition(
            low, actor=self.anhoa_official, to="lifted", decision_number=LIFT, effective_on=day
        )
        self.zone.refresh_from_db()
        self.assertEqual(self.zone.status, "partly_lifted")
        self.assertEqual(entries(self.zone, "partly_lift").get().legal_basis, LIFT)
        # A case in the high-risk part moves that part's date, not the lifted one's.
        services.link_case(
            high,
            actor=self.health_officer,
            case_code="SIM-000009",
            relation="inside",
            isolated_on=dt.date(2021, 7, 23),
        )
        self.assertEqual(queries.lift_date(high, day).not_before, dt.date(2021, 8, 6))
        with self.assertRaises(ValidationError):
            services.transition(
                high,
                actor=self.anhoa_official,
                to="lifted",
                decision_number="QĐ 3",
                effective_on=dt.date(2021, 7, 25),
            )
        self.negative_rounds(high, dt.date(2021, 8, 1), dt.date(2021, 8, 5))
        services.transition(
            high,
            actor=self.anhoa_official,
            to="lifted",
            decision_number="QĐ 3",
            effective_on=dt.date(2021, 8, 6),
        )
        self.zone.refresh_from_db()
        self.assertEqual((self.zone.status, self.zone.lifted_on), ("lifted", dt.date(2021, 8, 6)))
        self.assertEqual(entries(self.zone, "lift").get().legal_basis, "QĐ 3")
        self.assertEqual(
            list(
                AuditEntry.objects.filter(
                    object_id=str(high.pk), object_type="lockdowns.lockdownzone"
                )
                .order_by("id")
                .values_list("action", "legal_basis")
            ),
            [("create", DECISION), ("lift", "QĐ 3")],
        )
        self.assertEqual(
            list(self.zone.transitions.values_list("to_status", flat=True)),
            ["active", "partly_lifted", "lifted"],
        )

    def test_lifting_the_zone_lifts_its_parts(self) -> None:
        part = services.create_part(self.zone, actor=self.admin, name="A", risk=2)
        services.transition(
            self.zone,
            actor=self.admin,
            to="lifted",
            decision_number=LIFT,
            effective_on=dt.date(2021, 7, 30),
            override_reason="test",
        )
        part.refresh_from_db()
        self.assertEqual(part.status, "lifted")
        self.assertEqual(entries(part, "lift").get().legal_basis, LIFT)


class UpdateZoneTestCase(ZoneTestCase):
    def test_an_edit_is_audited_and_bumps_the_version(self) -> None:
        saved = services.update_zone(
            self.zone, actor=self.anhoa_official, version=self.zone.version, households=30
        )
        self.assertEqual((saved.households, saved.version), (30, self.zone.version + 1))
        entry = AuditEntry.objects.get(object_id=str(self.zone.pk), action="update")
        self.assertEqual((entry.before["households"], entry.after["households"]), (26, 30))
        self.assertEqual(entry.legal_basis, DECISION)

    def test_the_second_of_two_concurrent_edits_is_refused_with_the_first_shown(self) -> None:
        first = LockdownZone.objects.get(pk=self.zone.pk)
        second = LockdownZone.objects.get(pk=self.zone.pk)
        services.update_zone(first, actor=self.anhoa_official, version=first.version, residents=120)
        with self.assertRaises(services.ZoneConflict) as conflict:
            services.update_zone(
                second, actor=self.district_steering, version=second.version, households=40
            )
        error = conflict.exception
        self.assertIn("anhoa_official", str(error))
        self.assertEqual(
            [(c["field"], c["before"], c["after"], c["by"]) for c in error.changes],
            [("residents", 108, 120, "anhoa_official")],
        )
        fresh = LockdownZone.objects.get(pk=self.zone.pk)
        self.assertEqual((fresh.residents, fresh.households), (120, 26))  # nothing lost
        self.assertEqual(entries(self.zone, "update").count(), 1)
        # Having read their change, the second official saves from the new version.
        services.update_zone(
            second, actor=self.district_steering, version=error.zone.version, households=40
        )
        fresh.refresh_from_db()
        self.assertEqual((fresh.residents, fresh.households), (120, 40))

    def test_a_decision_also_refuses_an_old_version(self) -> None:
        old = self.zone.version
        services.update_zone(self.zone, actor=self.admin, version=old, notes="x")
        with self.assertRaises(services.ZoneConflict):
            services.transition(
                self.zone,
                actor=self.admin,
                to="lifted",
                decision_number=LIFT,
                effective_on=dt.date(2021, 7, 30),
                override_reason="y",
                version=old,
            )


class CasesTestCase(ZoneTestCase):
    def test_a_new_case_inside_moves_the_lift_date_with_a_notice(self) -> None:
        link = services.link_case(
            self.zone, actor=self.health_officer, case_code="SIM-000002", relation="inside"
        )
        self.assertEqual(link.isolated_on, dt.date(2021, 7, 15))
        notice = ZoneNotice.objects.get(zone=self.zone, kind="lift_moved")
        self.assertEqual(
            (notice.old_date, notice.new_date), (dt.date(2021, 7, 24), dt.date(2021, 7, 29))
        )
        entry = AuditEntry.objects.get(object_type="lockdowns.zonecase", object_id=str(link.pk))
        self.assertEqual(entry.after["notice"]["new_date"], "29/07/2021")
        self.assertEqual(entry.legal_basis, DECISION)
        services.acknowledge_notice(notice, actor=self.anhoa_official)
        notice.refresh_from_db()
        self.assertEqual(notice.acknowledged_by, "anhoa_official")
        self.assertEqual(AuditEntry.objects.filter(action="acknowledge").count(), 1)

    def test_a_case_found_outside_is_a_spillover(self) -> None:
        services.link_case(
            self.zone, actor=self.district_steering, case_code="SIM-000003", relation="outside"
        )
        self.assertTrue(ZoneNotice.objects.filter(zone=self.zone, kind="spillover").exists())
        held = queries.containment(self.zone)
        self.assertEqual([c.case_code for c in held.outside], ["SIM-000003"])
        self.assertTrue(held.escaped)

    def test_a_case_the_actor_cannot_read_needs_its_date(self) -> None:
        with self.assertRaises(ValidationError) as error:
            services.link_case(
                self.zone, actor=self.anhoa_official, case_code="SIM-000004", relation="outside"
            )
        self.assertIn("isolated_on", error.exception.message_dict)

    def test_cases_naming_the_zone_in_the_line_list_are_linked(self) -> None:
        from vungxanh.lockdowns.tests.world import cases_csv
        from vungxanh.surveillance import services as surveillance

        data = cases_csv(
            [("SIM-000010", "31120", dt.date(2021, 7, 16), "khu phong tỏa")], self.zone.code
        )
        surveillance.import_file("cases", data, "c.csv", actor=self.admin, series_code=SERIES)
        linked = services.link_cases_by_zone_ref(self.zone, actor=self.health_officer)
        self.assertEqual([(c.case_code, c.relation) for c in linked], [("SIM-000010", "inside")])
        self.assertEqual(
            AuditEntry.objects.filter(object_id=str(linked[0].pk), action="link_case").count(), 1
        )
        self.assertEqual(services.link_cases_by_zone_ref(self.zone, actor=self.admin), [])


class RoundsTestCase(ZoneTestCase):
    def test_planning_and_recording_a_round_are_audited(self) -> None:
        round_ = services.plan_round(self.zone, actor=self.health_officer, day=dt.date(2021, 7, 18))
        self.assertEqual(round_.number, 2)
        self.assertEqual(
            AuditEntry.objects.get(
                object_type="lockdowns.testinground", object_id=str(round_.pk), action="create"
            ).actor_name,
            "health_officer",
        )
        services.record_round(round_, actor=self.health_officer, status="sampled", samples=108)
        round_ = services.record_round(
            round_,
            actor=self.health_officer,
            status="done",
            samples=108,
            positives=1,
            positive_cases=["SIM-000011"],
        )
        updates = entries(round_, "update").order_by("id")
        self.assertEqual([e.after["status"] for e in updates], ["sampled", "done"])
        link = ZoneCase.objects.get(case_code="SIM-000011")
        self.assertEqual(
            (link.relation, link.found_round, link.isolated_on),
            ("inside", round_, dt.date(2021, 7, 18)),
        )
        self.assertEqual(
            queries.lift_date(self.zone, dt.date(2021, 7, 19)).anchor, dt.date(2021, 7, 18)
        )

    def test_impossible_results_are_refused(self) -> None:
        round_ = TestingRound.objects.get(zone=self.zone)
        for kwargs in (
            {"status": "done", "samples": 5, "positives": 6},
            {"status": "done", "samples": None},
            {"status": "done", "samples": 5, "positives": 0, "positive_cases": ["X"]},
            {"status": "planned"},
        ):
            with self.subTest(**kwargs), self.assertRaises(ValidationError):
                services.record_round(round_, actor=self.health_officer, **kwargs)
        with self.assertRaises(PermissionDenied):
            services.record_round(round_, actor=self.viewer, status="done", samples=5)


class DutyTestCase(ZoneTestCase):
    def test_posts_shifts_officials_and_check_ins_are_audited(self) -> None:
        post = services.add_post(self.zone, actor=self.anhoa_official, name="Chốt 2")
        self.assertEqual(
            AuditEntry.objects.filter(
                object_type="lockdowns.guardpost", object_id=str(post.pk)
            ).count(),
            1,
        )
        shift = services.add_shift(
            post,
            actor=self.anhoa_official,
            starts_at=at(START, 18),
            ends_at=at(START, 23),
            required_staff=1,
        )
        self.assertEqual(entries(shift, "create").count(), 1)
        self.assertIn(shift, queries.unstaffed_shifts(self.district_steering, START))
        assignment = services.assign_official(
            shift, actor=self.anhoa_official, user=self.anhoa_official
        )
        self.assertEqual(entries(assignment, "create").count(), 1)
        self.assertNotIn(shift, queries.unstaffed_shifts(self.district_steering, START))
        services.check_in(assignment, actor=self.anhoa_official, at=at(START, 18))
        self.assertEqual(
            entries(assignment, "check_in").get().after["checked_in_at"][:10], "2021-07-10"
        )
        with self.assertRaises(ValidationError):
            services.check_in(assignment, actor=self.anhoa_official)

    def test_only_officials_over_the_commune_may_be_named(self) -> None:
        shift = self.zone.posts.get().shifts.get()
        with self.assertRaises(ValidationError):
            services.assign_official(shift, actor=self.admin, user=self.caikhe_official)
        with self.assertRaises(ValidationError):
            services.assign_official(shift, actor=self.admin)
        services.assign_official(shift, actor=self.admin, user=self.district_steering)

    def test_the_understaffed_shift_is_flagged_in_the_users_area_only(self) -> None:
        day = dt.date(2021, 7, 20)
        zones = {s.post.zone for s in queries.unstaffed_shifts(self.district_steering, day)}
        self.assertEqual(zones, {self.zone, self.foreign_zone})
        zones = {s.post.zone for s in queries.unstaffed_shifts(self.anhoa_official, day)}
        self.assertEqual(zones, {self.zone})


class InspectionTestCase(ZoneTestCase):
    def test_an_inspection_with_a_photo_is_stored_and_audited(self) -> None:
        inspection = services.record_inspection(
            self.zone,
            actor=self.anhoa_official,
            visited_at=at(START, 10),
            findings="Người dân chấp hành tốt",
            violations=[{"kind": "no_mask", "description": "1 người"}],
            photos=[("a.png", PNG)],
        )
        entry = AuditEntry.objects.get(
            object_type="lockdowns.inspection", object_id=str(inspection.pk)
        )
        self.assertEqual(entry.after["violations"], ["no_mask"])
        photo = InspectionPhoto.objects.get(inspection=inspection)
        self.assertEqual((photo.content_type, photo.size), ("image/png", len(PNG)))
        self.assertTrue(photo.file.name.startswith(f"lockdowns/inspections/{self.zone.pk}/"))
        self.assertTrue(default_storage.exists(photo.file.name))

    def test_a_file_that_is_not_a_photo_or_too_large_is_refused_whole(self) -> None:
        count = InspectionPhoto.objects.count()
        for photos in ([("a.png", b"<script>")], [("big.png", PNG + b"0" * (5 * 1024 * 1024))]):
            with self.subTest(len(photos[0][1])), self.assertRaises(ValidationError):
                services.record_inspection(
                    self.zone,
                    actor=self.anhoa_official,
                    visited_at=at(START, 10),
                    findings="x",
                    photos=photos,
                )
        self.assertEqual(InspectionPhoto.objects.count(), count)
        self.assertFalse(self.zone.inspections.filter(findings="x").exists())


class NeedsTestCase(ZoneTestCase):
    def test_households_and_needs_are_audited(self) -> None:
        household = services.add_household(
            self.zone, actor=self.anhoa_official, address="1/13A Mậu Thân", residents=5
        )
        self.assertEqual(
            AuditEntry.objects.filter(
                object_type="lockdowns.zonehousehold", object_id=str(household.pk)
            ).count(),
            1,
        )
        need = services.record_need(
            self.zone,
            actor=self.anhoa_official,
            kind="medicine",
            description="thuốc huyết áp",
            household=household,
            people=1,
            requested_on=START,
        )
        self.assertEqual(entries(need, "create").count(), 1)
        services.meet_need(
            need, actor=self.anhoa_official, met_on=START, handed_to="Hội Chữ thập đỏ"
        )
        entry = entries(need, "update").get()
        self.assertEqual(entry.after["handed_to"], "Hội Chữ thập đỏ")
        with self.assertRaises(ValidationError):
            services.meet_need(need, actor=self.anhoa_official, met_on=START)
        foreign = self.foreign_zone.household_list.get()
        with self.assertRaises(ValidationError):
            services.record_need(
                self.zone,
                actor=self.admin,
                kind="food",
                description="x",
                household=foreign,
                requested_on=START,
            )
