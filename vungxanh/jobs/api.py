"""Jobs in the API: the caller's own, and those of their areas their role may see."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from vungxanh.jobs.models import Job
from vungxanh.jobs.queries import job_view
from vungxanh.jobs.schemas import JobError, JobOut

router = Router(tags=["jobs"])


class JobFilter(Schema):
    status: Job.Status | None = Field(None, description="queued, running, done or failed")


@router.get("/", response=list[JobOut])
@paginate(LimitOffsetPagination)
def list_jobs(request: HttpRequest, filters: Query[JobFilter]):
    jobs = Job.objects.visible_to(request.user).select_related("area").order_by("-created_at")
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    return [job_view(job) for job in jobs[:1000]]


@router.get("/{job_id}", response={200: JobOut, 404: JobError})
def get_job(request: HttpRequest, job_id: uuid.UUID):
    job = Job.objects.visible_to(request.user).select_related("area").filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job_view(job)
