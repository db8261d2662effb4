import json

from django.core.exceptions import PermissionDenied, ValidationError

from vungxanh.areas import services
from vungxanh.areas.models import Area, AreaKind
from vungxanh.areas.services import UnitRow
from vungxanh.audit.models import AuditEntry
from vungxanh.testing import BaseTestCase


def square(x0, y0, size=0.01):
    return {
        "type": "Polygon",
        "coordinates": [
            [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
        ],
    }


def collection(*features):
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": geometry}
                for props, geometry in features
            ],
        }
    )


ROWS = [
    UnitRow(
        "92",
        "Thành phố Cần Thơ",
        "province",
        "Thành phố Trung ương",
        "",
        1_235_171,
        "census-province-row",
    ),
    UnitRow("916", "Quận Ninh Kiều", "district", "Quận", "92", 280_494, "census-district-row"),
    UnitRow("31120", "Phường An Hòa", "commune", "Phường", "916", 31_268, "census"),
]


class LoadReferenceUnitsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        pass  # starts from an empty table

    def test_it_creates_the_tree_with_paths_and_one_audit_entry(self):
        result = services.load_reference_units(ROWS)
        self.assertEqual((result.created, result.updated), (3, 0))
        ward = Area.objects.get(code="31120")
        self.assertEqual(ward.path, "VN/92/916/31120/")
        self.assertEqual(ward.parent.code, "916")
        self.assertEqual(Area.objects.get(code="VN").population, 1_235_171)
        entry = AuditEntry.objects.get()
        self.assertEqual(entry.action, "bulk_load")
        self.assertEqual(entry.after["created"], 3)

    def test_running_it_twice_changes_nothing(self):
        services.load_reference_units(ROWS)
        before = list(Area.objects.values_list("pk", "code", "path", "population"))
        result = services.load_reference_units(ROWS)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 3))
        self.assertEqual(list(Area.objects.values_list("pk", "code", "path", "population")), before)
        self.assertEqual(AuditEntry.objects.count(), 1)

    def test_a_corrected_population_is_updated_and_audited(self):
        services.load_reference_units(ROWS)
        corrected = [*ROWS[:2], UnitRow(*[*ROWS[2].__dict__.values()][:5], 31_300, "census")]
        result = services.load_reference_units(corrected)
        self.assertEqual(result.updated, 1)
        self.assertEqual(Area.objects.get(code="31120").population, 31_300)
        self.assertEqual(AuditEntry.objects.count(), 2)

    def test_an_unknown_parent_leaves_the_table_as_it_was(self):
        orphan = UnitRow("99999", "Xã Mồ Côi", "commune", "Xã", "999", 10, "census")
        with self.assertRaises(KeyError):
            services.load_reference_units([*ROWS, orphan])
        self.assertFalse(Area.objects.exists())


class SubunitTestCase(BaseTestCase):
    def test_a_ward_official_creates_a_subunit_and_it_is_audited(self):
        unit = services.create_subunit(
            self.anhoa,
            actor=self.anhoa_official,
            name="Khu vực 1",
            unit_type="Khu vực",
            reason="phong tỏa hẻm 51",
        )
        self.assertEqual(unit.kind, AreaKind.SUBUNIT)
        self.assertEqual(unit.code, "31120.01")
        self.assertEqual(unit.path, "VN/92/916/31120/31120.01/")
        entry = AuditEntry.objects.get(object_type="areas.area", object_id=str(unit.pk))
        self.assertEqual(
            (entry.action, entry.actor, entry.reason),
            ("create", self.anhoa_official, "phong tỏa hẻm 51"),
        )
        self.assertEqual(entry.after["name"], "Khu vực 1")

    def test_another_wards_official_may_not(self):
        with self.assertRaises(PermissionDenied):
            services.create_subunit(
                self.anhoa, actor=self.caikhe_official, name="Khu vực 1", unit_type="Khu vực"
            )
        self.assertFalse(AuditEntry.objects.exists())

    def test_a_viewer_may_not(self):
        with self.assertRaises(PermissionDenied):
            services.create_subunit(self.anhoa, actor=self.viewer, name="X", unit_type="Hẻm")

    def test_it_refuses_a_duplicate_name_ignoring_accents(self):
        services.create_subunit(
            self.anhoa, actor=self.anhoa_official, name="Hẻm 51", unit_type="Hẻm"
        )
        with self.assertRaises(ValidationError) as caught:
            services.create_subunit(
                self.anhoa, actor=self.anhoa_official, name="hem 51", unit_type="Hẻm"
            )
        self.assertIn("name", caught.exception.message_dict)

    def test_it_refuses_a_subunit_under_a_district(self):
        with self.assertRaises(ValidationError) as caught:
            services.create_subunit(
                self.ninhkieu, actor=self.admin, name="Khu A", unit_type="Khu vực"
            )
        self.assertIn("parent", caught.exception.message_dict)


class BoundaryUploadTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ninhkieu.boundary = json.dumps(square(105.70, 10.00, 0.10))
        cls.ninhkieu.save()

    def upload(self, text, **kwargs):
        return services.apply_boundary_upload(
            text, self.ninhkieu, actor=self.district_steering, source="test", **kwargs
        )

    def test_valid_boundaries_are_stored_with_an_audit_entry_each(self):
        check = self.upload(
            collection(
                ({"code": "31120"}, square(105.71, 10.01)),
                ({"name": "phuong cai khe"}, square(105.75, 10.05)),
            )
        )
        self.assertTrue(check.ok)
        self.anhoa.refresh_from_db()
        self.assertEqual(json.loads(self.anhoa.boundary)["type"], "Polygon")
        self.assertEqual(AuditEntry.objects.filter(action="update").count(), 2)

    def test_every_problem_is_reported_and_nothing_is_stored(self):
        bow_tie = {
            "type": "Polygon",
            "coordinates": [
                [
                    [105.71, 10.01],
                    [105.72, 10.02],
                    [105.72, 10.01],
                    [105.71, 10.02],
                    [105.71, 10.01],
                ]
            ],
        }
        check = self.upload(
            collection(
                ({"code": "31120"}, square(105.71, 10.01)),  # fine
                ({"code": "31189"}, square(105.72, 10.01)),  # Hưng Phú: not under 916
                ({"code": "31117"}, bow_tie),  # self-intersecting
                ({"code": "31120"}, square(105.73, 10.01)),  # An Hòa twice
                ({"name": "Cái Khế"}, square(106.50, 10.50)),  # Cái Khế again; outside
                ({"code": "31117"}, {"type": "Point", "coordinates": [105.7, 10.0]}),
                ({"code": "31117"}, square(5.0, 50.0)),  # lat/lon swapped: not Vietnam
            )
        )
        codes = [(p.feature, p.code) for p in check.problems]
        self.assertEqual(
            codes,
            [
                (2, "unknown_unit"),
                (3, "invalid_geometry"),
                (4, "duplicate_unit"),
                (5, "duplicate_unit"),
                (5, "outside_parent"),
                (6, "duplicate_unit"),
                (6, "not_polygon"),
                (7, "duplicate_unit"),
                (7, "outside_vietnam"),
            ],
        )
        self.anhoa.refresh_from_db()
        self.assertEqual(self.anhoa.boundary, "")
        self.assertFalse(AuditEntry.objects.exists())

    def test_valid_only_stores_the_good_features(self):
        check = self.upload(
            collection(
                ({"code": "31120"}, square(105.71, 10.01)),
                ({"code": "nope"}, square(105.72, 10.01)),
            ),
            valid_only=True,
        )
        self.assertEqual([m.unit.code for m in check.matched], ["31120"])
        self.anhoa.refresh_from_db()
        self.assertNotEqual(self.anhoa.boundary, "")

    def test_broken_files_are_reported(self):
        self.assertEqual([p.code for p in self.upload("{not json").problems], ["not_json"])
        self.assertEqual(
            [p.code for p in self.upload('{"type": "Point"}').problems], ["not_geojson"]
        )
        self.assertEqual([p.code for p in self.upload(collection()).problems], ["no_features"])

    def test_an_unknown_name_gets_suggestions(self):
        check = self.upload(collection(({"name": "An"}, square(105.71, 10.01))))
        problem = check.problems[0]
        self.assertEqual(problem.code, "unknown_unit")
        self.assertEqual(sorted(problem.params["suggestions"]), ["Phường An Hòa"])

    def test_a_ward_official_cannot_upload_for_the_district(self):
        with self.assertRaises(PermissionDenied):
            services.apply_boundary_upload(
                collection(), self.ninhkieu, actor=self.anhoa_official, source="x"
            )
