"""Isolation checks of the permit pages (collected by vungxanh/tests/test_isolation.py).

A business of An Hòa and one of Cái Khế, each with a plan and an application, built lazily
per check: An Hòa's ward official and An Hòa's business must neither see nor change Cái
Khế's; Cái Răng's industry-and-trade officer sees neither.
"""

from __future__ import annotations

from django.urls import reverse

from vungxanh.accounts.roles import Role
from vungxanh.permits.models import PermitApplication, SafetyPlan, State, TestRecord
from vungxanh.permits.tests.world import apply, establishment
from vungxanh.testing import make_user

FOREIGN = "foreign-permit-marker"
OWN = "own-permit-marker"


def _ready(tc) -> None:
    if getattr(tc, "_permits_ready", False):
        return
    tc.permit_business = make_user("iso_business_anhoa", Role.BUSINESS, tc.anhoa)
    tc.permit_foreign_business = make_user("iso_business_caikhe", Role.BUSINESS, tc.caikhe)
    tc.permit_cairang_trade = make_user("iso_trade_cairang", Role.DEPT_INDUSTRY_TRADE, tc.cairang)
    own = establishment(tc, 11, tc.anhoa, tc.permit_business, name=OWN)
    foreign = establishment(tc, 12, tc.caikhe, tc.permit_foreign_business, name=FOREIGN)
    tc.own_application = apply(tc.permit_business, own)
    tc.foreign_application = apply(tc.permit_foreign_business, foreign)
    tc._permits_ready = True


def _refused_everywhere(tc, url: str, data: dict | None = None) -> None:
    for user in (tc.anhoa_official, tc.permit_business, tc.permit_cairang_trade):
        tc.client.force_login(user)
        response = tc.client.post(url, data) if data is not None else tc.client.get(url)
        tc.assert_refused(response)


def check_list(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name) + "?state=all", [FOREIGN, "Cái Khế"], [OWN])
    tc.client.force_login(tc.permit_business)
    tc.assert_hides(reverse(name) + "?state=all", [FOREIGN], [OWN])
    tc.client.force_login(tc.permit_cairang_trade)
    tc.assert_hides(reverse(name) + "?state=all", [FOREIGN, OWN])


def check_plan(tc, name: str) -> None:
    _ready(tc)
    url = reverse(name, args=[tc.foreign_application.plan_id])
    _refused_everywhere(tc, url)
    _refused_everywhere(tc, url, {"day": "01/10/2021", "people_tested": "3", "positives": "0"})
    tc.assertFalse(TestRecord.objects.exists())


def check_plan_docx(tc, name: str) -> None:
    _ready(tc)
    _refused_everywhere(tc, reverse(name, args=[tc.foreign_application.plan_id]))


def check_plan_create(tc, name: str) -> None:
    _ready(tc)
    tc.client.force_login(tc.permit_business)
    tc.assert_hides(reverse(name), [FOREIGN], [OWN])
    before = SafetyPlan.objects.count()
    data = {
        "establishment": tc.foreign_application.establishment_id,
        "production_model": "none",
        "workers_on_site": "3",
        "test_every_days": "7",
        "responsible_person": "X",
        "answer_score": "1",
        "answer_maximum": "10",
    }
    tc.assertEqual(tc.client.post(reverse(name), data).status_code, 200)  # the form, refused
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name), data))
    tc.assertEqual(SafetyPlan.objects.count(), before)


def check_application_create(tc, name: str) -> None:
    _ready(tc)
    tc.client.force_login(tc.permit_business)
    tc.assert_hides(reverse(name), [FOREIGN])
    data = {
        "plan": tc.foreign_application.plan_id,
        "kind": "beyond_default",
        "first_day": "01/10/2021",
        "description": "x",
    }
    tc.assertEqual(tc.client.post(reverse(name), data).status_code, 200)  # the form, refused
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name), data))
    tc.assertEqual(PermitApplication.objects.count(), 2)


def check_application(tc, name: str) -> None:
    _ready(tc)
    url = reverse(name, args=[tc.foreign_application.pk])
    _refused_everywhere(tc, url)
    _refused_everywhere(tc, url, {"decision": "review", "version": "1"})
    tc.foreign_application.refresh_from_db()
    tc.assertEqual(tc.foreign_application.state, State.SUBMITTED)


def check_permit_docx(tc, name: str) -> None:
    _ready(tc)
    PermitApplication.objects.filter(pk=tc.foreign_application.pk).update(
        state=State.APPROVED, year=2021, number=1
    )
    _refused_everywhere(tc, reverse(name, args=[tc.foreign_application.pk]))


CHECKS = {
    "permits:list": check_list,
    "permits:plan_create": check_plan_create,
    "permits:plan": check_plan,
    "permits:plan_docx": check_plan_docx,
    "permits:application_create": check_application_create,
    "permits:application": check_application,
    "permits:permit_docx": check_permit_docx,
}
WRITE_CHECKS = {
    "permits:plan_create": check_plan_create,
    "permits:plan": check_plan,
    "permits:application_create": check_application_create,
    "permits:application": check_application,
}
