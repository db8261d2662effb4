"""Generated requests against every operation of the OpenAPI document, under four roles.

Schemathesis reads ``/api/v1/openapi.json`` from the WSGI application and generates valid
and invalid requests for each operation (derandomized: a run is reproducible); each one is
sent in-process to the same WSGI application with a personal API token of a ward official
(An Hòa), a district steering committee, a health officer and a viewer. Every answer must be
no server error, carry a status code the document declares, and match that code's schema.
Writes happen: they go to the test database and are rolled back with the test.
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from vungxanh.accounts.services import create_api_token
from vungxanh.lockdowns.models import TestingRound
from vungxanh.lockdowns.tests.world import build_zones
from vungxanh.surveillance.models import CaseRecord, ImportBatch
from vungxanh.testing import BaseTestCase

SCHEMA_PATH = "/api/v1/openapi.json"
ROLES = ("anhoa_official", "district_steering", "health_officer", "viewer")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Examples per operation, role and mode: the whole test stays well under two minutes.
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}


class ApiFuzzTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)  # zones, rounds, cases and shifts for the requests to meet
        cls.tokens, cls.token_ids = {}, {}
        for role in ROLES:
            user = getattr(cls, role)
            cls.tokens[role] = create_api_token(user, actor=user, name="fuzz")[1]
            # Another token for the fuzz to revoke: revoking its own would end the run.
            cls.token_ids[role] = create_api_token(user, actor=user, name="spare")[0].pk
        # Path parameters naming what exists: half the requests reach past the lookup.
        cls.known = {
            "code": cls.anhoa.code,
            "zone_id": cls.zone.pk,
            "round_id": TestingRound.objects.filter(zone=cls.zone).first().pk,
            "record_id": CaseRecord.objects.filter(area=cls.anhoa).first().pk,
            "batch_id": ImportBatch.objects.first().pk,
        }

    def setUp(self) -> None:
        # As Django's test client does: the end of a request must not close the connection
        # that holds the test's transaction.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)
        self.app = WSGIHandler()
        self.schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, self.app)
        # (role, operation, failure title, status) -> how many; the first example of each.
        self.counts: Counter = Counter()
        self.examples: dict[tuple, str] = {}

    def fuzz(self, role: str, operation, mode: GenerationMode) -> None:
        # The token alone, as a script sends it: no session cookie, no CSRF token.
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}

        @settings(
            max_examples=EXAMPLES[mode],
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=self.cases(role, operation, mode))
        def run(case) -> None:
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (role, operation.label, failure.title, response.status_code)
                    self.counts[key] += 1
                    self.examples.setdefault(key, str(group))

        run()

    def cases(self, role: str, operation, mode: GenerationMode):
        """Cases with generated path parameters, and as many naming existing objects."""
        generated = operation.as_strategy(generation_mode=mode)
        known = {**self.known, "token_id": self.token_ids[role]}
        names = {parameter.name for parameter in operation.path_parameters}
        if not names or not names <= set(known):
            return generated
        fixed = {name: known[name] for name in names}
        return st.one_of(generated, operation.as_strategy(mode, path_parameters=fixed))

    def test_no_server_error_and_every_answer_as_documented(self) -> None:
        operations = [result.ok() for result in self.schema.get_all_operations()]
        self.assertGreater(len(operations), 40)
        for role in ROLES:
            for operation in operations:
                for mode in EXAMPLES:
                    self.fuzz(role, operation, mode)
        report = "\n\n".join(
            f"[{n}×] {role} {label}: {title} ({status})\n{self.examples[key][:1500]}"
            for key, n in sorted(self.counts.items())
            for role, label, title, status in [key]
        )
        self.assertEqual(sum(self.counts.values()), 0, report)
