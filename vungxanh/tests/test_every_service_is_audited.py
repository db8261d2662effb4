"""Every public function in a services module (``services.py``, ``services_*.py``) either
writes with an audit entry (proved by a named test here) or is declared read-only. A new
service without either fails the suite. Which modules write at all is checked beside this
one (``test_only_services_write``: only services, the loop's stages and migrations)."""

import importlib
import inspect
import pkgutil

import vungxanh

# Modules, not classes: a TestCase class imported here would be collected and run twice.
from vungxanh.accounts.tests import test_services as accounts_tests
from vungxanh.areas.tests import test_services as areas_tests
from vungxanh.areas.tests import test_succession as succession_tests
from vungxanh.economy.tests import test_import as establishment_import_tests
from vungxanh.economy.tests import test_services as establishment_tests
from vungxanh.jobs.tests import test_jobs as job_tests
from vungxanh.lockdowns.tests import test_services as lockdown_tests
from vungxanh.permits.tests import test_services as permit_tests
from vungxanh.reopening.tests import test_views as reopening_tests
from vungxanh.risk.tests import test_official as official_tests
from vungxanh.risk.tests import test_services as risk_tests
from vungxanh.surveillance.tests import test_edits as edit_tests
from vungxanh.surveillance.tests import test_imports as import_tests
from vungxanh.surveillance.tests import test_official_series as official_series_tests

# service -> the test that checks its audit entry
AUDITED = {
    "vungxanh.reopening.services.acknowledge_notice": reopening_tests.NoticeTestCase.test_the_representative_sees_and_acknowledges_their_notice_with_an_audit_entry,
    "vungxanh.accounts.services.create_user": accounts_tests.UserAndMembershipTestCase.test_creating_a_user_is_audited_without_the_password,
    "vungxanh.accounts.services.grant_membership": accounts_tests.UserAndMembershipTestCase.test_granting_is_audited_once_even_if_repeated,
    "vungxanh.accounts.services.revoke_membership": accounts_tests.UserAndMembershipTestCase.test_revoking_a_membership_is_audited,
    "vungxanh.accounts.services.create_api_token": accounts_tests.ApiTokenTestCase.test_a_token_is_stored_hashed_and_found_by_its_secret,
    "vungxanh.accounts.services.revoke_api_token": accounts_tests.ApiTokenTestCase.test_a_revoked_token_no_longer_works,
    "vungxanh.areas.services.load_reference_units": areas_tests.LoadReferenceUnitsTestCase.test_it_creates_the_tree_with_paths_and_one_audit_entry,
    "vungxanh.areas.services.create_subunit": areas_tests.SubunitTestCase.test_a_ward_official_creates_a_subunit_and_it_is_audited,
    "vungxanh.areas.services.set_boundary": areas_tests.BoundaryUploadTestCase.test_valid_boundaries_are_stored_with_an_audit_entry_each,
    "vungxanh.areas.services.merge_units": succession_tests.MergeTestCase.test_it_is_audited_with_its_legal_basis,
    "vungxanh.surveillance.services.import_file": import_tests.CaseImportTestCase.test_a_valid_file_is_imported_completely,
    "vungxanh.surveillance.services.store_versions": import_tests.CaseImportTestCase.test_a_valid_file_is_imported_completely,
    "vungxanh.surveillance.services.import_records": import_tests.ImportRecordsTestCase.test_loaded_records_are_audited_and_a_reload_changes_nothing,
    "vungxanh.surveillance.services.undo_import": import_tests.CaseImportTestCase.test_undo_removes_the_batch_and_restores_what_it_replaced,
    "vungxanh.surveillance.services_series.designate_series": official_series_tests.OfficialSeriesTestCase.test_setting_it_is_audited_and_has_the_levels_follow,
    "vungxanh.surveillance.services_edits.create_fact": edit_tests.CreateFactTestCase.test_a_case_is_created_as_a_tiny_import_with_its_audit_entries,
    "vungxanh.surveillance.services_edits.correct_fact": edit_tests.CorrectFactTestCase.test_a_correction_is_a_new_version_and_the_old_one_stays,
    "vungxanh.risk.services_official.load_official_decisions": official_tests.LoadTestCase.test_a_second_load_changes_nothing_and_is_audited_once,
    "vungxanh.risk.services.sync_rulesets": risk_tests.SyncRulesetsTestCase.test_loading_twice_changes_nothing,
    "vungxanh.risk.services.publish": risk_tests.ComputeLevelsTestCase.test_publishing_freezes_inputs_and_records_changes,
    "vungxanh.risk.services.decide_level": risk_tests.ComputeLevelsTestCase.test_the_steering_committee_decides_another_level_with_a_reason,
    "vungxanh.areas.services.apply_boundary_upload": areas_tests.BoundaryUploadTestCase.test_valid_boundaries_are_stored_with_an_audit_entry_each,
    "vungxanh.jobs.services.submit": job_tests.RunJobTestCase.test_a_submitted_job_is_queued_audited_and_sent_after_commit,
    "vungxanh.lockdowns.services.sync_lift_rules": lockdown_tests.RulesTestCase.test_a_changed_file_becomes_the_current_version,
    "vungxanh.lockdowns.services.create_zone": lockdown_tests.CreateZoneTestCase.test_a_ward_official_proposes_a_zone_and_it_is_audited,
    "vungxanh.lockdowns.services.update_zone": lockdown_tests.UpdateZoneTestCase.test_an_edit_is_audited_and_bumps_the_version,
    "vungxanh.lockdowns.services.transition": lockdown_tests.TransitionTestCase.test_parts_are_lifted_from_lower_to_higher_risk_and_the_zone_follows,
    "vungxanh.lockdowns.services.create_part": lockdown_tests.TransitionTestCase.test_parts_are_lifted_from_lower_to_higher_risk_and_the_zone_follows,
    "vungxanh.lockdowns.services.link_case": lockdown_tests.CasesTestCase.test_a_new_case_inside_moves_the_lift_date_with_a_notice,
    "vungxanh.lockdowns.services.link_cases_by_zone_ref": lockdown_tests.CasesTestCase.test_cases_naming_the_zone_in_the_line_list_are_linked,
    "vungxanh.lockdowns.services.acknowledge_notice": lockdown_tests.CasesTestCase.test_a_new_case_inside_moves_the_lift_date_with_a_notice,
    "vungxanh.lockdowns.services.plan_round": lockdown_tests.RoundsTestCase.test_planning_and_recording_a_round_are_audited,
    "vungxanh.lockdowns.services.record_round": lockdown_tests.RoundsTestCase.test_planning_and_recording_a_round_are_audited,
    "vungxanh.lockdowns.services.add_post": lockdown_tests.DutyTestCase.test_posts_shifts_officials_and_check_ins_are_audited,
    "vungxanh.lockdowns.services.add_shift": lockdown_tests.DutyTestCase.test_posts_shifts_officials_and_check_ins_are_audited,
    "vungxanh.lockdowns.services.assign_official": lockdown_tests.DutyTestCase.test_posts_shifts_officials_and_check_ins_are_audited,
    "vungxanh.lockdowns.services.check_in": lockdown_tests.DutyTestCase.test_posts_shifts_officials_and_check_ins_are_audited,
    "vungxanh.lockdowns.services.record_inspection": lockdown_tests.InspectionTestCase.test_an_inspection_with_a_photo_is_stored_and_audited,
    "vungxanh.lockdowns.services.add_household": lockdown_tests.NeedsTestCase.test_households_and_needs_are_audited,
    "vungxanh.lockdowns.services.record_need": lockdown_tests.NeedsTestCase.test_households_and_needs_are_audited,
    "vungxanh.lockdowns.services.meet_need": lockdown_tests.NeedsTestCase.test_households_and_needs_are_audited,
    "vungxanh.economy.services.create_establishment": establishment_tests.CreateTestCase.test_a_ward_official_registers_an_establishment_and_it_is_audited,
    "vungxanh.economy.services.update_establishment": establishment_tests.UpdateTestCase.test_an_edit_is_audited_with_before_and_after,
    "vungxanh.economy.services.import_file": establishment_import_tests.ImportTestCase.test_a_valid_file_is_imported_set_based_and_audited_once,
    "vungxanh.economy.services.set_representative": establishment_tests.RepresentativeTestCase.test_naming_the_representative_lets_the_business_see_it_and_is_audited,
    "vungxanh.permits.services.create_plan": permit_tests.PlanTestCase.test_a_plan_is_scored_by_its_rule_file_and_audited,
    "vungxanh.permits.services.record_test": permit_tests.PlanTestCase.test_test_rounds_are_recorded_once_per_day_and_audited,
    "vungxanh.permits.services.submit_application": permit_tests.TransitionTestCase.test_review_then_approve_numbers_the_permit_and_audits_each_step,
    "vungxanh.permits.services.transition": permit_tests.TransitionTestCase.test_review_then_approve_numbers_the_permit_and_audits_each_step,
}
# service -> why it needs no audit entry of its own
NOT_WRITING = {
    "vungxanh.reopening.services.record_establishments_changed": "an outbox row inside the caller's audited change",
    "vungxanh.reopening.services.record_lockdown_changed": "an outbox row inside the caller's audited change",
    "vungxanh.reopening.services.status_series": "reads which series sets the statuses",
    "vungxanh.reopening.services.permit_overrides": "reads approved permits (the hook for the permits app)",
    "vungxanh.reopening.services.locked_grid": "reads lockdown zones",
    "vungxanh.reopening.services.recompute": "derived data, recomputed from audited facts (loop stage)",
    "vungxanh.reopening.services.recompute_province": "derived data, recomputed from audited facts (loop stage)",
    "vungxanh.accounts.services.user_for_token": "reads; only touches last_used_at",
    "vungxanh.areas.services.check_boundary_upload": "validates; writes nothing",
    "vungxanh.areas.services.next_subunit_code": "computes a code; writes nothing",
    "vungxanh.areas.services.ensure_nation": "creates the root once, inside an audited load",
    "vungxanh.areas.services.successors_on": "reads the succession links",
    "vungxanh.audit.services.record": "is the audit entry itself",
    "vungxanh.risk.services.compute_levels": "derived data, recomputed from audited facts",
    "vungxanh.risk.services.compute_all_levels": "derived data, recomputed from audited facts",
    "vungxanh.risk.services.ruleset_of": "parses a stored rule set",
    "vungxanh.risk.services.parents": "reads rule sets",
    "vungxanh.risk.services.current_ruleset": "reads a rule set",
    "vungxanh.risk.services.computable_rulesets": "reads rule sets",
    "vungxanh.risk.services.rulesets_on": "reads rule sets",
    "vungxanh.risk.services.levels_on": "reads computed levels",
    "vungxanh.risk.services.explain_day": "explains a computed level",
    "vungxanh.surveillance.services.check_import": "validates a file; writes nothing",
    "vungxanh.economy.services.check_import": "validates a file; writes nothing",
    "vungxanh.surveillance.services.get_series": "reads a series",
    "vungxanh.surveillance.services_edits.validate": "checks an edit's values; writes nothing",
    "vungxanh.risk.services_official.comparable_rank": "maps a printed status to a rank",
    "vungxanh.risk.services_official.read_decisions": "reads the file of decisions",
    "vungxanh.audit.services.snapshot": "reads an object's values for an entry",
    "vungxanh.jobs.services.dispatch": "sends a queued job's id to the broker; writes nothing",
    "vungxanh.jobs.services.record_change": "an outbox row inside the caller's audited change",
    "vungxanh.jobs.services.request_loop": "queues the loop, whose run is audited by its job",
}


def service_functions() -> set[str]:
    names = set()
    for module_info in pkgutil.walk_packages(vungxanh.__path__, "vungxanh."):
        if not module_info.name.rsplit(".", 1)[-1].startswith("services"):
            continue
        module = importlib.import_module(module_info.name)
        for name, member in inspect.getmembers(module, inspect.isfunction):
            if member.__module__ == module.__name__ and not name.startswith("_"):
                names.add(f"{module.__name__}.{name}")
    return names


def test_every_service_is_audited_or_declared_read_only():
    assert service_functions() - set(AUDITED) - set(NOT_WRITING) == set()


def test_the_lists_name_only_existing_services():
    assert (set(AUDITED) | set(NOT_WRITING)) - service_functions() == set()


def test_every_named_audit_test_asserts_on_audit_entries():
    for test in AUDITED.values():
        assert "AuditEntry" in inspect.getsource(test), test.__qualname__
