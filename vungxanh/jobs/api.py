"""Jobs API: the caller's own jobs, and those of their areas their role may see.

GET /api/v1/jobs/         newest first, optionally by status
GET /api/v1/jobs/{id}     one job: status, progress (as known now), outcome, error
"""

import uuid

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from vungxanh.jobs.models import Job
from vungxanh.jobs.schemas import JobOut
from vungxanh.lib.apischema import Pagination, errors

router = Router(tags=["jobs"])


class JobFilter(Schema):
    status: Job.Status | None = None


def _visible(request: HttpRequest):
    return Job.objects.visible_to(request.user).select_related("area")


@router.get("/", response={200: list[JobOut], **errors(401, 422)}, url_name="job_list")
@paginate(Pagination)
def job_list(request: HttpRequest, filters: Query[JobFilter]):
    jobs = _visible(request)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    return jobs


@router.get("/{job_id}", response={200: JobOut, **errors(401, 404, 422)}, url_name="job_detail")
def job_detail(request: HttpRequest, job_id: uuid.UUID):
    job = _visible(request).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job
