"""Every public function in a ``services`` module either writes with an audit entry (proved by
a named test here) or is declared read-only. A new service without either fails the suite."""

import importlib
import inspect
import pkgutil

import vungxanh
from vungxanh.accounts.tests.test_services import ApiTokenTestCase, UserAndMembershipTestCase
from vungxanh.areas.tests.test_services import (
    BoundaryUploadTestCase,
    LoadReferenceUnitsTestCase,
    SubunitTestCase,
)
from vungxanh.areas.tests.test_succession import MergeTestCase
from vungxanh.surveillance.tests.test_imports import CaseImportTestCase, ImportRecordsTestCase

# service -> the test that checks its audit entry
AUDITED = {
    "vungxanh.accounts.services.create_user": UserAndMembershipTestCase.test_creating_a_user_is_audited_without_the_password,
    "vungxanh.accounts.services.grant_membership": UserAndMembershipTestCase.test_granting_is_audited_once_even_if_repeated,
    "vungxanh.accounts.services.revoke_membership": UserAndMembershipTestCase.test_revoking_a_membership_is_audited,
    "vungxanh.accounts.services.create_api_token": ApiTokenTestCase.test_a_token_is_stored_hashed_and_found_by_its_secret,
    "vungxanh.accounts.services.revoke_api_token": ApiTokenTestCase.test_a_revoked_token_no_longer_works,
    "vungxanh.areas.services.load_reference_units": LoadReferenceUnitsTestCase.test_it_creates_the_tree_with_paths_and_one_audit_entry,
    "vungxanh.areas.services.create_subunit": SubunitTestCase.test_a_ward_official_creates_a_subunit_and_it_is_audited,
    "vungxanh.areas.services.set_boundary": BoundaryUploadTestCase.test_valid_boundaries_are_stored_with_an_audit_entry_each,
    "vungxanh.areas.services.merge_units": MergeTestCase.test_it_is_audited_with_its_legal_basis,
    "vungxanh.surveillance.services.import_file": CaseImportTestCase.test_a_valid_file_is_imported_completely,
    "vungxanh.surveillance.services.store_versions": CaseImportTestCase.test_a_valid_file_is_imported_completely,
    "vungxanh.surveillance.services.import_records": ImportRecordsTestCase.test_loaded_records_are_audited_and_a_reload_changes_nothing,
    "vungxanh.surveillance.services.undo_import": CaseImportTestCase.test_undo_removes_the_batch_and_restores_what_it_replaced,
    "vungxanh.areas.services.apply_boundary_upload": BoundaryUploadTestCase.test_valid_boundaries_are_stored_with_an_audit_entry_each,
}
# service -> why it needs no audit entry of its own
NOT_WRITING = {
    "vungxanh.accounts.services.user_for_token": "reads; only touches last_used_at",
    "vungxanh.areas.services.check_boundary_upload": "validates; writes nothing",
    "vungxanh.areas.services.next_subunit_code": "computes a code; writes nothing",
    "vungxanh.areas.services.ensure_nation": "creates the root once, inside an audited load",
    "vungxanh.areas.services.successors_on": "reads the succession links",
    "vungxanh.audit.services.record": "is the audit entry itself",
    "vungxanh.surveillance.services.check_import": "validates a file; writes nothing",
    "vungxanh.surveillance.services.get_series": "reads a series",
    "vungxanh.surveillance.services.area_lookup": "reads the areas an actor may report for",
    "vungxanh.audit.services.snapshot": "reads an object's values for an entry",
}


def service_functions() -> set[str]:
    names = set()
    for module_info in pkgutil.walk_packages(vungxanh.__path__, "vungxanh."):
        if not module_info.name.endswith(".services"):
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
