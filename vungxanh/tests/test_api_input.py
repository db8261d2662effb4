"""Bad API input is a documented 4xx naming the field, never a server error (issue 9, #8).

The four causes of the 500s the generated requests found: huge ``limit``/``offset``, a zone
moved to an unknown status, over-long names and codes (accepted by SQLite, a server error on
PostgreSQL), NUL characters; and the 422 bodies of two operations that were not the ones
the OpenAPI document declares.
"""

from __future__ import annotations

import json

import jsonschema
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vungxanh.accounts.models import ApiToken
from vungxanh.areas.models import Area
from vungxanh.lockdowns.models import LockdownZone
from vungxanh.lockdowns.tests.world import build_zones
from vungxanh.surveillance.models import ImportBatch
from vungxanh.testing import BaseTestCase

HUGE = 10**20  # more than any database integer
# Every list the API pages by limit and offset: route name -> its path arguments.
PAGED_LISTS = {
    "api:area_list": [],
    "api:area_subtree": ["916"],
    "api:audit_list": [],
    "api:import_list": [],
    "api:lockdown_zones": [],
    "api:risk_assessments": [],
    "api:risk_changes": [],
}
METHODS = ("get", "put", "post", "delete", "patch")


class ApiInputTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_zones(cls)

    def setUp(self) -> None:
        self.client.force_login(self.district_steering)

    def post_json(self, url: str, body: dict):
        return self.client.post(url, body, content_type="application/json")

    def assert_refused(self, response, field: str) -> None:
        """A 422 in the one shape of every bad input, with a message for ``field``."""
        self.assertEqual(response.status_code, 422, response.content)
        body = response.json()
        self.assertIsInstance(body["detail"], str)
        self.assertIn(field, body["errors"])
        self.assertTrue(all(isinstance(m, str) and m for m in body["errors"][field]))

    # -- pagination ---------------------------------------------------------------------
    def test_every_paged_list_refuses_a_huge_limit_or_offset(self) -> None:
        for name, args in PAGED_LISTS.items():
            url = reverse(name, args=args)
            for field, value in (("limit", HUGE), ("offset", HUGE), ("limit", 0)):
                with self.subTest(route=name, field=field, value=value):
                    self.assert_refused(self.client.get(url, {field: value}), field)
            with self.subTest(route=name, page="largest"):
                self.assertEqual(self.client.get(url, {"limit": 1000}).status_code, 200)

    def test_a_huge_id_in_a_path_is_refused_not_looked_up(self) -> None:
        response = self.client.get(reverse("api:lockdown_zone", args=[HUGE]))
        self.assert_refused(response, "zone_id")

    def test_a_version_or_population_past_its_column_is_refused(self) -> None:
        url = reverse("api:lockdown_zone_update", args=[self.zone.pk])
        body = {"version": 2**31, "name": "Hẻm 51"}
        response = self.client.patch(url, body, content_type="application/json")
        self.assert_refused(response, "version")
        url = reverse("api:lockdown_transition", args=[self.zone.pk])
        body = {"to": "lifted", "decision_number": "QĐ 9", "effective_on": "2021-08-30"}
        self.assert_refused(self.post_json(url, {**body, "version": HUGE}), "version")
        subunit = {"name": "Tổ 1", "unit_type": "Tổ dân phố", "population": HUGE}
        url = reverse("api:area_subunit_create", args=["31120"])
        self.assert_refused(self.post_json(url, subunit), "population")

    # -- enums --------------------------------------------------------------------------
    def test_a_zone_cannot_move_to_an_unknown_status(self) -> None:
        url = reverse("api:lockdown_transition", args=[self.zone.pk])
        for status in ("", "bogus"):
            with self.subTest(status=status):
                body = {"to": status, "decision_number": "QĐ 9", "effective_on": "2021-08-01"}
                self.assert_refused(self.post_json(url, body), "to")
        self.assertEqual(LockdownZone.objects.get(pk=self.zone.pk).status, "active")

    def test_listed_choices_are_enums_in_the_document(self) -> None:
        document = self.client.get(reverse("api:openapi-json")).json()
        transition = document["components"]["schemas"]["TransitionIn"]["properties"]["to"]
        self.assertEqual(set(transition["enum"]), {"active", "partly_lifted", "lifted"})
        self.assert_refused(self.client.get(reverse("api:area_list"), {"kind": "ward"}), "kind")

    # -- lengths ------------------------------------------------------------------------
    def test_names_and_codes_longer_than_their_column_are_refused(self) -> None:
        zone = {"area": "31120", "name": "x" * 201, "scope_type": "alley"}
        self.assert_refused(self.post_json(reverse("api:lockdown_zone_create"), zone), "name")
        subunit = {"name": "Tổ 1", "unit_type": "Tổ dân phố", "code": "9" * 41}
        url = reverse("api:area_subunit_create", args=["31120"])
        self.assert_refused(self.post_json(url, subunit), "code")
        url = reverse("api:token_create")
        self.assert_refused(self.post_json(url, {"name": "t" * 101}), "name")
        self.assertFalse(LockdownZone.objects.filter(name__startswith="xxx").exists())
        self.assertFalse(Area.objects.filter(code__startswith="999").exists())
        self.assertFalse(ApiToken.objects.exists())

    def test_every_text_of_every_body_is_bounded(self) -> None:
        document = self.client.get(reverse("api:openapi-json")).json()
        unbounded = []
        for name, schema in document["components"]["schemas"].items():
            if not name.endswith(("In", "Patch", "Filter")):
                continue
            for field, spec in schema.get("properties", {}).items():
                for option in spec.get("anyOf", [spec]):
                    if option.get("type") == "string" and not (
                        {"maxLength", "enum", "format", "pattern"} & set(option)
                    ):
                        unbounded.append(f"{name}.{field}")
        self.assertEqual(unbounded, [])

    # -- NUL ----------------------------------------------------------------------------
    def test_a_nul_character_is_refused_naming_the_field(self) -> None:
        self.assert_refused(self.client.get(reverse("api:area_list"), {"q": "An\x00"}), "q")
        self.assert_refused(self.client.get(reverse("api:area_detail", args=["31\x00"])), "code")
        response = self.post_json(reverse("api:token_create"), {"name": "excel\x00"})
        self.assert_refused(response, "name")
        self.assertIn("NUL", response.json()["errors"]["name"][0])
        self.client.force_login(self.health_officer)
        imports = ImportBatch.objects.count()
        upload = SimpleUploadedFile("d.csv", b"x", content_type="text/csv")
        response = self.client.post(
            reverse("api:import_create", args=["daily"]), {"file": upload, "series": "re\x00"}
        )
        self.assert_refused(response, "series")
        self.assertEqual(ImportBatch.objects.count(), imports)

    # -- what the document declares -----------------------------------------------------
    def documented(self, path: str, method: str, status: int) -> dict:
        document = self.client.get(reverse("api:openapi-json")).json()
        answer = document["paths"][path][method]["responses"][str(status)]
        schema = answer["content"]["application/json"]["schema"]
        return {**schema, "components": document["components"]}

    def test_the_422_answers_of_uploads_are_the_declared_ones(self) -> None:
        self.client.force_login(self.health_officer)
        url = reverse("api:import_create", args=["daily"])
        schema = self.documented("/api/v1/imports/{kind}", "post", 422)
        bad_file = SimpleUploadedFile("d.csv", "Ngày,Địa bàn\nx,y\n".encode(), "text/csv")
        for response in (self.client.post(url, {"file": bad_file}), self.client.post(url, {})):
            self.assertEqual(response.status_code, 422)
            jsonschema.validate(response.json(), schema)
        self.client.force_login(self.district_steering)
        url = reverse("api:area_boundary_upload", args=["916"])
        schema = self.documented("/api/v1/areas/{code}/boundaries", "post", 422)
        text = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature"}]})
        bad_file = SimpleUploadedFile("b.geojson", text.encode())
        for response in (self.client.post(url, {"file": bad_file}), self.client.post(url, {})):
            self.assertEqual(response.status_code, 422)
            jsonschema.validate(response.json(), schema)

    def test_every_operation_declares_its_client_errors(self) -> None:
        document = self.client.get(reverse("api:openapi-json")).json()
        missing = []
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if method not in METHODS:
                    continue
                declared = set(operation["responses"])
                parameters = operation.get("parameters", [])
                expected = {"401"}
                if parameters or operation.get("requestBody"):
                    expected.add("422")
                if any(p["in"] == "path" and "enum" not in p["schema"] for p in parameters):
                    expected.add("404")  # a path names something to look up
                if method != "get":
                    expected.add("403")
                missing += [f"{method.upper()} {path}: {code}" for code in expected - declared]
        self.assertEqual(missing, [])
