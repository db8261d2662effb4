"""Isolation checks of the jobs pages (collected by vungxanh/tests/test_isolation.py).

An Hòa's ward official sees the jobs they started and those of An Hòa, never Cái Khế's.
"""

from __future__ import annotations

from django.urls import reverse

from vungxanh.jobs.models import Job


def _jobs(tc) -> tuple[Job, Job]:
    """A job of An Hòa's official (own) and one of Cái Khế's (foreign)."""
    own = Job.objects.create(
        task="vungxanh.iso.own", area=tc.anhoa, actor=tc.anhoa_official, actor_name="anhoa_official"
    )
    foreign = Job.objects.create(
        task="vungxanh.iso.foreign",
        area=tc.caikhe,
        actor=tc.caikhe_official,
        actor_name="caikhe_official",
    )
    return own, foreign


def check_list(tc, name: str) -> None:
    _jobs(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name), ["caikhe_official", "Cái Khế"], ["anhoa_official"])


def check_detail(tc, name: str) -> None:
    own, foreign = _jobs(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=[foreign.pk])))
    tc.assertEqual(tc.client.get(reverse(name, args=[own.pk])).status_code, 200)


def check_api_list(tc, name: str) -> None:
    _jobs(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name), ["caikhe_official", "vungxanh.iso.foreign"], ["anhoa_official"])


def check_api_detail(tc, name: str) -> None:
    own, foreign = _jobs(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name, args=[foreign.pk])))
    tc.assertEqual(tc.client.get(reverse(name, args=[own.pk])).json()["id"], str(own.pk))


CHECKS = {
    "jobs:list": check_list,
    "jobs:detail": check_detail,
    "api:job_list": check_api_list,
    "api:job_detail": check_api_detail,
}
