"""The jobs page: what runs in the background, how far it is, how it ended."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vungxanh.jobs.models import Job
from vungxanh.jobs.queries import job_view


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user).select_related("area")
    page = Paginator(jobs, settings.VX_PAGE_SIZE).get_page(request.GET.get("page"))
    views = [job_view(job) for job in page]
    return render(request, "jobs/list.html", {"page": page, "jobs": views})


@login_required
def job_detail(request: HttpRequest, job_id) -> HttpResponse:
    try:
        job = Job.objects.visible_to(request.user).select_related("area").get(pk=job_id)
    except (Job.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    return render(request, "jobs/detail.html", {"job": job_view(job)})
