"""Job functions the job tests register (never registered outside the tests)."""

from django.core.exceptions import ValidationError

from vungxanh.areas.models import Area


def rename_area(job, progress):
    """Write something, report progress, return an outcome."""
    progress(0.5, "rename")
    Area.objects.filter(pk=job.params["area_id"]).update(name=job.params["name"])
    return {"renamed": 1}


def refuse(job, progress):
    raise ValidationError({"file": "Tệp không hợp lệ."})


def crash_after_write(job, progress):
    Area.objects.filter(pk=job.params["area_id"]).update(name="half-written")
    raise RuntimeError("boom")
