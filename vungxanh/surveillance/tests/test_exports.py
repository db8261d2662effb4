"""``vungxanh export``: every kind, the area's subtree, round trips, personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from vungxanh.audit.models import AuditEntry
from vungxanh.domain.indicators import INDICATORS
from vungxanh.surveillance import exports, services
from vungxanh.surveillance import services_edits as edits
from vungxanh.surveillance.tests.test_pages import SurveillanceTestCase


def export(*args, **options) -> list[list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err, **options)
    return list(csv.reader(io.StringIO(out.getvalue())))


class ExportCommandTestCase(SurveillanceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        base = {"area": "31117", "date": "20/09/2021"}
        actor = cls.health_officer
        edits.create_fact(
            "tests", {**base, "sample_group": "f1", "performed": 40, "positive": 2}, actor=actor
        )
        edits.create_fact(
            "vaccination",
            {**base, "adults": 17000, "adults_one_dose": 16000, "adults_full": 9000},
            actor=actor,
        )
        edits.create_fact(
            "capacity", {**base, "icu_beds": 3, "station_oxygen": "không"}, actor=actor
        )

    def test_cases_of_the_area_and_its_subtree_with_the_import_header(self):
        rows = export("cases", area="916")
        self.assertEqual(rows[0], exports.fact_header("cases"))
        self.assertEqual([r[0] for r in rows[1:]], [f"BN{i}" for i in range(1, 11)])
        self.assertEqual(rows[1][1:3], ["31120", "10/09/2021"])
        self.assertNotIn("Nguyễn Văn Một", str(rows))
        ward = export("cases", area="31117", **{"from": "13/09/2021"})
        self.assertEqual([r[0] for r in ward[1:]], ["BN9", "BN10"])

    def test_every_fact_kind_round_trips_through_the_import(self):
        for kind in exports.FACT_KINDS:
            with self.subTest(kind=kind):
                rows = export(kind, area="916")
                self.assertEqual(rows[0], exports.fact_header(kind))
                self.assertGreater(len(rows), 1)
                text = "\n".join(",".join(r) for r in rows).encode()
                again = services.import_file(kind, text, f"{kind}.csv", actor=self.health_officer)
                self.assertEqual(again.check.errors, [])
                self.assertEqual(again.check.unchanged, len(rows) - 1)
                self.assertFalse(again.written)

    def test_values_are_written_as_the_import_reads_them(self):
        capacity = export("capacity", area="31117")
        row = dict(zip(capacity[0], capacity[1], strict=True))
        self.assertEqual(
            (row["station_oxygen"], row["icu_beds"], row["treatment_beds"]), ("không", "3", "")
        )
        tests = dict(zip(*export("tests", area="916")[:2], strict=True))
        self.assertEqual(
            (tests["date"], tests["sample_group"], tests["positive"]), ("20/09/2021", "f1", "2")
        )

    def test_indicators_one_row_per_area_and_day(self):
        rows = export("indicators", area="916", **{"from": "20/09/2021", "to": "20/09/2021"})
        self.assertEqual(rows[0], ["area", "date", *INDICATORS])
        by_area = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        self.assertEqual(set(by_area), {"916", "31120", "31117"})
        self.assertEqual(by_area["916"]["cumulative_cases"], "14")
        self.assertEqual(by_area["31117"]["positivity_7d_pct"], "5")
        self.assertEqual(by_area["31117"]["station_oxygen"], "0")
        self.assertEqual(by_area["31120"]["positivity_7d_pct"], "")
        self.assertEqual({r[1] for r in rows[1:]}, {"20/09/2021"})

    def test_xlsx_to_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.xlsx"
            export("cases", area="31120", fmt="xlsx", output=str(path))
            sheet = load_workbook(path, read_only=True).worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            self.assertEqual(sheet.title, exports.SHEET_TITLE)
            self.assertEqual(rows[0][0], "case_code")
            self.assertEqual(len(rows), 8)
            self.assertEqual(rows[1][2], dt.datetime(2021, 9, 10))
            again = services.import_file(
                "cases", path.read_bytes(), "cases.xlsx", actor=self.health_officer
            )
            self.assertEqual((again.check.errors, again.check.unchanged), ([], 7))
            with self.assertRaises(CommandError):
                export("cases", area="31120", fmt="xlsx")

    def test_personal_data_only_when_asked_and_audited(self):
        rows = export("cases", area="31120", include_personal=True)
        self.assertEqual(rows[0][-4:], ["full_name", "phone", "id_number", "address"])
        bn1 = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(bn1["full_name"], "Nguyễn Văn Một")
        entry = AuditEntry.objects.get(action="export_personal")
        self.assertEqual(
            (entry.source, entry.actor_name, entry.area), ("cli:export", "system", self.anhoa)
        )
        with self.assertRaises(CommandError):
            export("cases", area="31120", include_personal=True, user="district_steering")

    def test_acting_as_a_user_limits_the_rows(self):
        rows = export("cases", area="916", user="anhoa_official")
        self.assertEqual({r[1] for r in rows[1:]}, {"31120"})
        officer = export("cases", area="916", user="health_officer", include_personal=True)
        self.assertIn("Lê Thị Ba", str(officer))

    def test_mistakes_are_explained(self):
        with self.assertRaises(CommandError):
            export("cases", area="99999")
        with self.assertRaises(CommandError):
            export("cases", area="916", series="nope")
        with self.assertRaises(CommandError):
            export("cases", area="916", **{"from": "someday"})
