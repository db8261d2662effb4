import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vungxanh.accounts.services import create_api_token
from vungxanh.areas.models import Area
from vungxanh.areas.tests.test_services import collection, square
from vungxanh.testing import BaseTestCase


class AreaApiTestCase(BaseTestCase):
    def test_the_list_filters_by_parent(self):
        self.client.force_login(self.district_steering)
        response = self.client.get(reverse("api:area_list"), {"parent": "916"})
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["count"], 2)
        self.assertEqual([r["code"] for r in body["items"]], ["31117", "31120"])
        self.assertEqual(body["items"][1]["parent_code"], "916")
        self.assertEqual(body["items"][1]["population"], 31_268)

    def test_the_list_filters_by_kind_and_name_without_accents(self):
        self.client.force_login(self.admin)
        rows = self.client.get(reverse("api:area_list"), {"kind": "commune", "q": "HUNG PHU"})
        self.assertEqual([r["code"] for r in rows.json()["items"]], ["31189"])

    def test_the_list_filters_by_validity_date(self):
        self.client.force_login(self.admin)
        Area.objects.filter(pk=self.hungphu.pk).update(valid_to="2024-01-01")
        on_2021 = self.client.get(
            reverse("api:area_list"), {"kind": "commune", "valid_on": "2021-09-23"}
        )
        on_2025 = self.client.get(
            reverse("api:area_list"), {"kind": "commune", "valid_on": "2025-01-01"}
        )
        self.assertIn("31189", [r["code"] for r in on_2021.json()["items"]])
        self.assertNotIn("31189", [r["code"] for r in on_2025.json()["items"]])

    def test_detail_and_subtree(self):
        self.client.force_login(self.city_steering)
        detail = self.client.get(reverse("api:area_detail", args=["916"])).json()
        self.assertEqual((detail["name"], detail["kind"]), ("Quận Ninh Kiều", "district"))
        subtree = self.client.get(reverse("api:area_subtree", args=["916"])).json()
        self.assertEqual([r["code"] for r in subtree["items"]], ["916", "31117", "31120"])

    def test_geojson_of_a_subtree(self):
        Area.objects.filter(pk=self.anhoa.pk).update(
            boundary=json.dumps(square(105.7, 10.0)), boundary_approximate=True
        )
        self.client.force_login(self.district_steering)
        doc = self.client.get(reverse("api:area_geojson", args=["916"])).json()
        self.assertEqual(doc["type"], "FeatureCollection")
        by_code = {f["properties"]["code"]: f for f in doc["features"]}
        self.assertEqual(set(by_code), {"916", "31117", "31120"})
        self.assertEqual(by_code["31120"]["geometry"]["type"], "Polygon")
        self.assertIs(by_code["31120"]["properties"]["approximate"], True)
        self.assertIsNone(by_code["31117"]["geometry"])
        self.client.force_login(self.city_steering)
        shallow = self.client.get(reverse("api:area_geojson", args=["92"]), {"depth": 1}).json()
        self.assertEqual({f["id"] for f in shallow["features"]}, {"92", "916", "919"})

    def test_a_token_authenticates_and_is_scoped(self):
        _token, raw = create_api_token(self.anhoa_official, actor=self.anhoa_official, name="t")
        response = self.client.get(reverse("api:area_list"), HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual([r["code"] for r in response.json()["items"]], ["31120"])
        wrong = self.client.get(reverse("api:area_list"), HTTP_AUTHORIZATION="Bearer vx_nope")
        self.assertEqual(wrong.status_code, 401)

    def test_anonymous_callers_are_refused(self):
        self.assertEqual(self.client.get(reverse("api:area_list")).status_code, 401)

    def test_session_writes_need_the_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.anhoa_official)
        response = client.post(
            reverse("api:area_subunit_create", args=["31120"]),
            {"name": "Khu vực 1", "unit_type": "Khu vực"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Area.objects.filter(parent=self.anhoa).exists())

    def test_creating_a_subunit(self):
        self.client.force_login(self.anhoa_official)
        response = self.client.post(
            reverse("api:area_subunit_create", args=["31120"]),
            {"name": "Tổ dân phố 3", "unit_type": "Tổ dân phố"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["parent_code"], "31120")
        bad = self.client.post(
            reverse("api:area_subunit_create", args=["31120"]),
            {"name": "", "unit_type": "Tổ dân phố"},
            content_type="application/json",
        )
        self.assertEqual(bad.status_code, 422)
        self.assertIn("name", bad.json()["errors"])

    def test_boundary_upload_reports_problems_by_feature(self):
        self.client.force_login(self.district_steering)
        text = collection(({"code": "31120"}, square(105.7, 10.0)), ({"code": "x"}, None))
        response = self.client.post(
            reverse("api:area_boundary_upload", args=["916"]),
            {"file": SimpleUploadedFile("b.geojson", text.encode())},
        )
        self.assertEqual(response.status_code, 422)
        body = response.json()
        self.assertEqual(body["stored"], 0)
        self.assertEqual(
            [(p["feature"], p["code"]) for p in body["problems"]],
            [(2, "unknown_unit"), (2, "not_polygon")],
        )
        self.assertTrue(all(p["message"] for p in body["problems"]))

    def test_the_openapi_document_is_valid(self):
        from openapi_spec_validator import validate

        response = self.client.get(reverse("api:openapi-json"))
        self.assertEqual(response.status_code, 200)
        document = response.json()
        validate(document)
        self.assertIn("/api/v1/areas/", document["paths"])
