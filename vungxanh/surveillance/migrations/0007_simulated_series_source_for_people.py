# The simulated series' source is shown to people on every epidemic page ("Nguồn: …"): it
# reads in Vietnamese and says plainly that the figures are not real (issue 11). Only the
# values this project wrote are replaced, so a source someone edited stays as it is.

from django.db import migrations

SERIES = "cantho-sim"
SERIES_SOURCE = ("Vùng Xanh demo model", "Mô hình mô phỏng của Vùng Xanh (không phải số liệu thật)")
# The source stamped on each simulated case by ``vungxanh.demo.epidemic`` (its SOURCE).
CASE_SOURCE = (
    "Vùng Xanh demo model (mô phỏng, không phải số liệu thật của phường)",
    "Mô hình mô phỏng của Vùng Xanh (không phải số liệu thật)",
)


def _replace(apps, old_index: int) -> None:
    new_index = 1 - old_index
    series = apps.get_model("surveillance", "Series")
    series.objects.filter(code=SERIES, source=SERIES_SOURCE[old_index]).update(
        source=SERIES_SOURCE[new_index]
    )
    cases = apps.get_model("surveillance", "CaseRecord")
    cases.objects.filter(series__code=SERIES, source=CASE_SOURCE[old_index]).update(
        source=CASE_SOURCE[new_index]
    )


def forwards(apps, schema_editor):
    _replace(apps, 0)


def backwards(apps, schema_editor):
    _replace(apps, 1)


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0006_official_series")]
    operations = [migrations.RunPython(forwards, backwards)]
