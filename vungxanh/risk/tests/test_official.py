"""The decisions actually taken: units matched by name, a comparable level, idempotent, audited."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import translation

from vungxanh.audit.models import AuditEntry
from vungxanh.risk import services_official as official
from vungxanh.risk.models import OfficialDecision
from vungxanh.testing import BaseTestCase, make_area


@pytest.mark.parametrize(
    "status,rank",
    [
        ("Chỉ thị 16", 4),
        ("Chỉ thị 16 (to 1/10)", 4),
        ("Chỉ thị 15", 3),
        ("vùng xanh; Chỉ thị 15", 1),
        ("Chỉ thị 16 -> Chỉ thị 15 (last wards under CT16; whole city CT15 from 12h 30/9)", 3),
        ("cấp độ 3", 3),
        ("cấp độ 4 (vùng đỏ)", 4),
        ("cấp độ 2 -> cấp độ 3 (previous city level was 2, vùng vàng)", 3),
        ("cấp độ 1 (green) — Bộ Y tế weekly national assessment", 1),
        ("arrivals from level 1–2 areas: no test; from level 3–4 areas: test", None),
    ],
)
def test_each_status_has_a_comparable_level(status, rank):
    assert official.comparable_rank(status) == rank


CSV_HEADER = (
    "date_announced,effective_date,unit_type,unit,level_or_status,inputs_given,source_url,quote\n"
)


class LoadTestCase(BaseTestCase):
    """The shipped file against the test world: Cần Thơ, Ninh Kiều (An Hòa, Cái Khế),
    Cái Răng (Hưng Phú); the other districts and wards of the file are not in it."""

    def decisions(self, area) -> list[tuple[dt.date, str, int | None]]:
        return list(
            OfficialDecision.objects.filter(area=area)
            .order_by("effective_on", "label")
            .values_list("effective_on", "label", "rank")
        )

    def test_the_six_ninh_kiều_wards_kept_under_directive_16_until_1_october(self):
        official.load_official_decisions()
        self.assertEqual(
            self.decisions(self.anhoa),
            [
                (dt.date(2021, 9, 24), "Chỉ thị 16 (đến 1/10)", 4),
                (
                    dt.date(2021, 9, 30),
                    "Chỉ thị 16 → Chỉ thị 15 (các phường cuối cùng theo CT16; toàn thành phố "
                    "theo CT15 từ 12 giờ 30/9)",
                    3,
                ),
            ],
        )
        self.assertEqual(
            [(d, r) for d, _label, r in self.decisions(self.caikhe)],
            [(dt.date(2021, 9, 24), 4), (dt.date(2021, 9, 30), 3), (dt.date(2021, 11, 11), 3)],
        )
        decision = OfficialDecision.objects.get(area=self.anhoa, rank=4)
        self.assertEqual(decision.announced_on, dt.date(2021, 9, 23))
        self.assertTrue(decision.source_url.startswith("http"))
        self.assertIn("An Hòa", decision.quote)

    def test_district_levels_from_11_november(self):
        official.load_official_decisions()
        ninhkieu = [(d, r) for d, _label, r in self.decisions(self.ninhkieu)]
        self.assertIn((dt.date(2021, 11, 11), 3), ninhkieu)
        self.assertIn((dt.date(2021, 12, 13), 4), ninhkieu)
        self.assertIn((dt.date(2021, 12, 31), 3), ninhkieu)
        # "5 inner districts (Ninh Kiều, Bình Thủy, Cái Răng, …)" continue under CT16 on 18/9.
        self.assertIn((dt.date(2021, 9, 18), 4), ninhkieu)
        self.assertIn(
            (dt.date(2021, 9, 18), 4), [(d, r) for d, _label, r in self.decisions(self.cairang)]
        )

    def test_the_city_and_its_qualified_decisions(self):
        official.load_official_decisions()
        city = self.decisions(self.cantho)
        self.assertIn(
            (
                dt.date(2021, 9, 24),
                "Chỉ thị 15 — except 9 wards (74 communes/wards)",
                3,
            ),
            city,
        )
        # "(all)" and "(85/85 communes per Dân trí)" on 30/9 are one decision.
        self.assertEqual(
            [d for d in city if d[0] == dt.date(2021, 9, 30)],
            [(dt.date(2021, 9, 30), "Chỉ thị 15", 3)],
        )

    def test_rows_without_names_are_skipped_and_reported(self):
        with translation.override("en"):
            result = official.load_official_decisions()
        reasons = {(s.unit, s.reason) for s in result.skipped}
        self.assertIn(
            ("16 wards/communes (names not in excerpt)", "a count of units without their names"),
            reasons,
        )
        self.assertIn(("TP Cần Thơ travel rule by origin level", "not a unit"), reasons)
        self.assertIn(("Bình Thủy", "no district of Cần Thơ is named Bình Thủy"), reasons)
        row = next(s for s in result.skipped if s.unit.startswith("wards with no new F0"))
        self.assertEqual(row.row, 24)  # the header is line 1

    def test_a_second_load_changes_nothing_and_is_audited_once(self):
        first = official.load_official_decisions()
        self.assertGreater(first.created, 20)
        count = OfficialDecision.objects.count()
        second = official.load_official_decisions()
        self.assertEqual((second.created, second.updated), (0, 0))
        self.assertEqual(second.unchanged, first.created)
        self.assertEqual(OfficialDecision.objects.count(), count)
        entry = AuditEntry.objects.get(object_type="risk.officialdecision")
        self.assertEqual(entry.action, "bulk_load")
        self.assertEqual(entry.after["created"], first.created)
        self.assertEqual(entry.area, self.cantho)

    def test_a_corrected_file_updates_the_decision(self):
        path = Path(self.tmp()) / "levels.csv"
        path.write_text(
            CSV_HEADER
            + "2021-09-23,2021-09-24 00:00,ward,An Hòa (Ninh Kiều),Chỉ thị 16,,https://a.example/1,q\n",
            encoding="utf-8",
        )
        official.load_official_decisions(path=path)
        path.write_text(
            CSV_HEADER
            + "2021-09-22,2021-09-24 00:00,ward,An Hòa (Ninh Kiều),Chỉ thị 16,,https://a.example/2,q\n",
            encoding="utf-8",
        )
        result = official.load_official_decisions(path=path)
        self.assertEqual((result.created, result.updated), (0, 1))
        decision = OfficialDecision.objects.get(area=self.anhoa)
        self.assertEqual(
            (decision.announced_on, decision.source_url),
            (dt.date(2021, 9, 22), "https://a.example/2"),
        )
        self.assertEqual(AuditEntry.objects.filter(object_type="risk.officialdecision").count(), 2)

    def test_wards_are_matched_within_their_district(self):
        # A ward named An Hòa in Cái Răng must not receive Ninh Kiều's decision.
        other = make_area("99999", "Phường An Hòa", "commune", self.cairang, 1000, "Phường")
        official.load_official_decisions()
        self.assertFalse(OfficialDecision.objects.filter(area=other).exists())
        self.assertTrue(OfficialDecision.objects.filter(area=self.anhoa).exists())

    def test_decisions_read_in_vietnamese(self):
        # The researchers' English notes ("Chỉ thị 16 continues") are shown in curated Vietnamese.
        official.load_official_decisions()
        labels = set(OfficialDecision.objects.values_list("label", flat=True))
        self.assertIn("tiếp tục Chỉ thị 16", labels)
        english = re.compile(r"\b(continues|extended|to|from|assessment|arrivals|green|last|PM)\b")
        self.assertEqual([label for label in labels if english.search(label)], [])

    def test_only_the_steering_committee_of_the_city_may_load(self):
        with self.assertRaises(PermissionDenied):
            official.load_official_decisions(actor=self.district_steering)
        official.load_official_decisions(actor=self.city_steering)
        self.assertEqual(
            AuditEntry.objects.get(object_type="risk.officialdecision").actor,
            self.city_steering,
        )

    def test_the_command_reports_and_supports_a_dry_run(self):
        out = io.StringIO()
        with translation.override("en"):
            call_command("load_official_decisions", "--dry-run", stdout=out)
        self.assertFalse(OfficialDecision.objects.exists())
        self.assertIn("(dry run: nothing stored)", out.getvalue())
        out = io.StringIO()
        with translation.override("en"):
            call_command("load_official_decisions", stdout=out)
        count = OfficialDecision.objects.count()
        self.assertIn(f"Official decisions: {count} new, 0 updated, 0 unchanged.", out.getvalue())
        self.assertIn("16 wards/communes (names not in excerpt)", out.getvalue())
        self.assertEqual(
            AuditEntry.objects.get(object_type="risk.officialdecision").source,
            "cli:load_official_decisions",
        )

    def tmp(self) -> str:
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        return folder
