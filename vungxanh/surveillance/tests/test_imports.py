import datetime as dt

from vungxanh.audit.models import AuditEntry
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CasePerson, CaseRecord, DailyCount, ImportBatch
from vungxanh.testing import BaseTestCase

CASES_CSV = (
    "Mã ca bệnh,Địa bàn,Ngày xác nhận,Nơi phát hiện,Nhóm tuổi,Giới tính,Họ tên\n"
    "BN1,31120,23/09/2021,Khu phong tỏa,18-49,Nữ,Nguyễn Thị A\n"
    "BN2,Phường Cái Khế,2021-09-23,cộng đồng,65+,nam,\n"
    "BN3,phuong an hoa,24/09/2021,Khu cách ly,,,\n"
)
DAILY_CSV = (
    "Địa bàn;Ngày;Ca cộng đồng;Ca trong khu phong tỏa\n31120;23/09/2021;2;5\n31117;23/09/2021;0;1\n"
)


def run_import(kind, text, actor, name="f.csv", **kwargs):
    return services.import_file(kind, text.encode(), name, actor=actor, **kwargs)


class CaseImportTestCase(BaseTestCase):
    def test_a_valid_file_is_imported_completely(self):
        result = run_import("cases", CASES_CSV, self.health_officer)
        self.assertTrue(result.written)
        self.assertEqual(CaseRecord.objects.count(), 3)
        bn2 = CaseRecord.objects.get(case_code="BN2")
        self.assertEqual(
            (bn2.area, bn2.detection, bn2.age_band, bn2.sex), (self.caikhe, "community", "65+", "M")
        )
        self.assertEqual(
            CaseRecord.objects.get(case_code="BN3").confirmed_date, dt.date(2021, 9, 24)
        )
        self.assertEqual(CasePerson.objects.get().full_name, "Nguyễn Thị A")
        batch = ImportBatch.objects.get()
        self.assertEqual((batch.rows_total, batch.rows_created, batch.area), (3, 3, self.ninhkieu))
        entry = AuditEntry.objects.get(action="import")
        self.assertEqual(entry.after["new"], 3)
        self.assertNotIn("Nguyễn", str(entry.after))

    def test_importing_the_same_file_again_changes_nothing(self):
        run_import("cases", CASES_CSV, self.health_officer)
        again = run_import("cases", CASES_CSV, self.health_officer)
        self.assertFalse(again.written)
        self.assertEqual(again.check.unchanged, 3)
        self.assertEqual(CaseRecord.objects.count(), 3)
        self.assertEqual(ImportBatch.objects.count(), 1)

    def test_a_correction_is_a_new_version_and_the_old_one_is_kept(self):
        first = run_import("cases", CASES_CSV, self.health_officer)
        after_first = first.batch.created_at
        corrected = CASES_CSV.replace(
            "BN3,phuong an hoa,24/09/2021,Khu cách ly", "BN3,phuong an hoa,24/09/2021,Cộng đồng"
        )
        second = run_import("cases", corrected, self.health_officer)
        self.assertEqual(
            (second.check.new, second.check.corrected, second.check.unchanged), (0, 1, 2)
        )
        versions = CaseRecord.objects.filter(case_code="BN3").order_by("id")
        self.assertEqual([v.detection for v in versions], ["quarantine", "community"])
        known_then = CaseRecord.objects.as_known_at(after_first).get(case_code="BN3")
        self.assertEqual(known_then.detection, "quarantine")
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN3").detection, "community")

    def test_undo_removes_the_batch_and_restores_what_it_replaced(self):
        run_import("cases", CASES_CSV, self.health_officer)
        corrected = CASES_CSV.replace("Khu cách ly", "Cộng đồng")
        second = run_import("cases", corrected, self.health_officer)
        services.undo_import(second.batch, actor=self.health_officer)
        self.assertEqual(CaseRecord.objects.current().get(case_code="BN3").detection, "quarantine")
        self.assertEqual(CaseRecord.objects.count(), 3)
        self.assertEqual(ImportBatch.objects.get(pk=second.batch.pk).status, "undone")
        self.assertTrue(AuditEntry.objects.filter(action="undo").exists())

    def test_a_ward_official_cannot_import_for_another_ward(self):
        result = run_import("cases", CASES_CSV, self.anhoa_official)
        self.assertFalse(result.written)
        self.assertEqual([(e.row, e.code) for e in result.check.errors], [(3, "unknown_area")])
        self.assertFalse(CaseRecord.objects.exists())


class DailyImportTestCase(BaseTestCase):
    def test_semicolon_csv_with_vietnamese_headers(self):
        result = run_import("daily", DAILY_CSV, self.health_officer)
        self.assertTrue(result.written, result.check.errors)
        row = DailyCount.objects.get(area=self.anhoa)
        self.assertEqual((row.community, row.lockdown, row.quarantine, row.total), (2, 5, 0, 7))
        self.assertEqual(row.series.code, "reported")


class ImportRecordsTestCase(BaseTestCase):
    """Trusted loaders (e.g. the Ministry's series) are versioned and audited like files."""

    def records(self, community=3):
        return [
            {
                "area_id": self.cantho.pk,
                "date": dt.date(2021, 9, 23),
                "unknown": 50,
                "community": community,
                "deaths": 1,
            }
        ]

    def test_loaded_records_are_audited_and_a_reload_changes_nothing(self):
        first = services.import_records(
            "daily", self.records(), actor=None, series_code="moh-ncsc", label="ncsc test"
        )
        self.assertTrue(first.written)
        entry = AuditEntry.objects.get(action="import")
        self.assertEqual((entry.actor_name, entry.after["series"]), ("system", "moh-ncsc"))
        again = services.import_records(
            "daily", self.records(), actor=None, series_code="moh-ncsc", label="ncsc test"
        )
        self.assertFalse(again.written)
        self.assertEqual(DailyCount.objects.count(), 1)
        corrected = services.import_records(
            "daily",
            self.records(community=4),
            actor=None,
            series_code="moh-ncsc",
            label="ncsc test",
        )
        self.assertEqual(corrected.check.corrected, 1)
        self.assertEqual(DailyCount.objects.current().get().community, 4)
