import contextlib
import csv
import io
import json
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import translation

from vungxanh.areas.models import Area
from vungxanh.audit.models import AuditEntry
from vungxanh.cli import main as cli_main

NINH_KIEU_WARDS = {
    "Phường Cái Khế",
    "Phường An Hòa",
    "Phường Thới Bình",
    "Phường An Nghiệp",
    "Phường An Cư",
    "Phường Tân An",
    "Phường An Phú",
    "Phường Xuân Khánh",
    "Phường Hưng Lợi",
    "Phường An Khánh",
    "Phường An Bình",
}


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def csv_rows(*args) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run("areas", "list", *args, "--format", "csv"))))


class LoadUnitsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        run("load_units")
        cls.second_run = run("load_units")

    def test_the_second_run_changes_nothing(self):
        self.assertIn(
            "0 units created, 0 updated, 11371 unchanged; 0 boundaries set",
            self.second_run.replace(".", ""),
        )
        self.assertEqual(AuditEntry.objects.filter(action="bulk_load").count(), 1)
        self.assertEqual(AuditEntry.objects.get().source, "cli:load-units")

    def test_it_lists_63_provinces_705_districts_10603_communes(self):
        self.assertEqual(len(csv_rows("--type", "province")), 63)
        self.assertEqual(len(csv_rows("--type", "district")), 705)
        self.assertEqual(len(csv_rows("--type", "commune")), 10_603)

    def test_ninh_kieu_has_its_11_wards_with_280494_people(self):
        rows = csv_rows("--parent", "916")
        self.assertEqual({r["name"] for r in rows}, NINH_KIEU_WARDS)
        self.assertEqual(sum(int(r["population"]) for r in rows), 280_494)
        self.assertEqual(list(rows[0]), ["code", "name", "type", "parent_code", "population"])
        self.assertTrue(all(r["type"] == "commune" and r["parent_code"] == "916" for r in rows))

    def test_codes_keep_their_leading_zeros(self):
        hanoi = [r for r in csv_rows("--type", "province") if r["code"] == "01"]
        self.assertEqual(hanoi[0]["name"], "Thành phố Hà Nội")

    def test_can_tho_districts_have_real_boundaries(self):
        districts = Area.objects.filter(parent__code="92")
        self.assertEqual(districts.count(), 9)
        self.assertFalse(districts.filter(boundary="").exists())
        self.assertFalse(districts.filter(boundary_approximate=True).exists())

    def test_the_table_format_is_aligned(self):
        lines = run("areas", "list", "--parent", "916").splitlines()
        self.assertTrue(lines[0].startswith("code "))
        self.assertEqual(len(lines), 2 + 11)

    def test_an_unknown_parent_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "“999”"):
            run("areas", "list", "--parent", "999")


class UploadBoundariesCommandTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        run("load_units")

    def write(self, doc) -> str:
        path = Path(tempfile.mkdtemp()) / "boundaries.geojson"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return str(path)

    def test_it_stores_the_approximate_ward_layout(self):
        layout = Path(__file__).resolve().parents[1] / "data" / "ninhkieu_wards_approx.geojson"
        out = run("areas", "upload-boundaries", "916", str(layout), "--approximate")
        self.assertIn("11", out)
        self.assertEqual(
            Area.objects.filter(parent__code="916", boundary_approximate=True).count(), 11
        )
        self.assertEqual(
            AuditEntry.objects.filter(source="cli:areas upload-boundaries").count(), 11
        )

    def test_problems_fail_the_command_and_store_nothing(self):
        path = self.write(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "00001"},
                        "geometry": {"type": "Point", "coordinates": [105.7, 10.0]},
                    }
                ],
            }
        )
        with self.assertRaises(CommandError):
            call_command("areas", "upload-boundaries", "916", path, stderr=io.StringIO())
        self.assertFalse(Area.objects.filter(parent__code="916").exclude(boundary="").exists())


class ConsoleScriptTestCase(TestCase):
    def test_dashes_reach_the_management_command(self):
        run("load_units")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli_main(["vungxanh", "areas", "list", "--parent", "916", "--format", "csv"])
        self.assertEqual(len(out.getvalue().strip().splitlines()), 12)

    def test_version_needs_no_database(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            cli_main(["vungxanh", "version"])
        self.assertRegex(out.getvalue(), r"^vungxanh \d+\.\d+")
