"""Roles, and what each role may do to each kind of object.

A membership gives a user one role in one area and its whole subtree. *What* a role
may do is this policy table; *where* is the membership's area. The one entry point
that applies both is ``ScopedQuerySet.for_user`` (vungxanh/accounts/scoping.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STEERING = "steering", _("Steering committee member")
    WARD_OFFICIAL = "ward_official", _("Ward official")
    HEALTH_OFFICER = "health_officer", _("Health officer")
    DEPT_INDUSTRY_TRADE = "dept_industry_trade", _("Department officer: industry and trade")
    DEPT_CONSTRUCTION = "dept_construction", _("Department officer: construction")
    DEPT_LABOUR = "dept_labour", _("Department officer: labour, invalids and social affairs")
    DEPT_PLANNING = "dept_planning", _("Department officer: planning and investment")
    BUSINESS = "business", _("Business applicant")
    VIEWER = "viewer", _("Viewer")
    ADMIN = "admin", _("Administrator")


class Action(models.TextChoices):
    VIEW = "view", _("view")
    ADD = "add", _("add")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")


EVERY_ROLE = frozenset(Role)
DEPARTMENTS = frozenset(
    {Role.DEPT_INDUSTRY_TRADE, Role.DEPT_CONSTRUCTION, Role.DEPT_LABOUR, Role.DEPT_PLANNING}
)
LOCAL_GOVERNMENT = frozenset({Role.STEERING, Role.WARD_OFFICIAL, Role.ADMIN})

HEALTH_DATA_READERS = frozenset(Role) - {Role.BUSINESS}
HEALTH_DATA_WRITERS = frozenset({Role.HEALTH_OFFICER, Role.WARD_OFFICIAL, Role.ADMIN})
SURVEILLANCE_POLICY = {
    Action.VIEW: HEALTH_DATA_READERS,
    Action.ADD: HEALTH_DATA_WRITERS,
    Action.CHANGE: HEALTH_DATA_WRITERS,
    # Undoing a whole import: the people who import, and the steering committee.
    Action.DELETE: HEALTH_DATA_WRITERS | {Role.STEERING},
}

# Lockdown zones: ward officials and steering committees run them in their area; health
# officers record testing rounds and the cases found; every role but businesses reads them.
LOCKDOWN_RUNNERS = {
    Action.VIEW: HEALTH_DATA_READERS,
    Action.ADD: LOCAL_GOVERNMENT,
    Action.CHANGE: LOCAL_GOVERNMENT,
}
LOCKDOWN_TESTERS = {
    Action.VIEW: HEALTH_DATA_READERS,
    Action.ADD: LOCAL_GOVERNMENT | {Role.HEALTH_OFFICER},
    Action.CHANGE: LOCAL_GOVERNMENT | {Role.HEALTH_OFFICER},
}

ESTABLISHMENT_POLICY = {
    Action.VIEW: EVERY_ROLE - {Role.BUSINESS},
    Action.ADD: LOCAL_GOVERNMENT | {Role.DEPT_PLANNING},
    Action.CHANGE: LOCAL_GOVERNMENT | {Role.DEPT_PLANNING},
}

# model label -> action -> roles allowed. A model or action missing here is denied.
POLICY: dict[str, dict[str, frozenset[Role]]] = {
    **{
        f"surveillance.{model}": SURVEILLANCE_POLICY
        for model in (
            "caserecord",
            "dailycount",
            "testcount",
            "vaccinationcoverage",
            "carecapacity",
            "importbatch",
            "indicatorseries",
            "rtseries",
        )
    },
    **{
        f"lockdowns.{model}": LOCKDOWN_RUNNERS
        for model in (
            "lockdownzone",
            "zonetransition",
            "zonehousehold",
            "guardpost",
            "shift",
            "shiftassignment",
            "need",
            "zonenotice",
        )
    },
    **{
        f"lockdowns.{model}": LOCKDOWN_TESTERS
        for model in ("testinground", "zonecase", "inspection", "violation", "inspectionphoto")
    },
    # Levels are public within the area; publishing and deciding is the steering committee's.
    "risk.assessment": {
        Action.VIEW: EVERY_ROLE,
        Action.ADD: frozenset({Role.STEERING, Role.ADMIN}),
        Action.CHANGE: frozenset({Role.STEERING, Role.ADMIN}),
    },
    "risk.assessmentseries": {Action.VIEW: EVERY_ROLE},
    "risk.levelchange": {Action.VIEW: EVERY_ROLE},
    "risk.officialdecision": {
        Action.VIEW: EVERY_ROLE,
        Action.ADD: frozenset({Role.STEERING, Role.ADMIN}),
    },
    # Which series an area's pages show by default: its steering committee decides.
    "surveillance.officialseries": {
        Action.VIEW: HEALTH_DATA_READERS,
        Action.CHANGE: frozenset({Role.STEERING, Role.ADMIN}),
    },
    # Names, phones, ID numbers and addresses of cases: health roles only.
    "surveillance.caseperson": {Action.VIEW: frozenset({Role.HEALTH_OFFICER})},
    "areas.area": {
        Action.VIEW: EVERY_ROLE,
        # Smaller units (khu vực, tổ dân phố, ấp, hẻm) and boundaries are local work.
        Action.ADD: LOCAL_GOVERNMENT,
        Action.CHANGE: LOCAL_GOVERNMENT,
        Action.DELETE: frozenset({Role.ADMIN}),
    },
    "audit.auditentry": {
        Action.VIEW: frozenset({Role.ADMIN, Role.STEERING}),
    },
    # Everyone sees the jobs they started; these roles also see the others' in their area.
    "jobs.job": {Action.VIEW: frozenset({Role.ADMIN, Role.STEERING})},
    # Establishments (issue 12): the register is local government's and the planning
    # department's (business registration); every role but businesses reads it in its
    # area; a business applicant reads the establishments it represents (ownestablishment).
    "economy.establishment": ESTABLISHMENT_POLICY,
    "economy.establishmentimport": ESTABLISHMENT_POLICY,
    "economy.ownestablishment": {Action.VIEW: frozenset({Role.BUSINESS})},
    # Statuses, change lists and notices (issue 12): read like the register, in the area;
    # a business applicant reads the notices of what it represents (ownestablishment).
    "reopening.statusperiod": {Action.VIEW: EVERY_ROLE - {Role.BUSINESS}},
    "reopening.notice": {Action.VIEW: EVERY_ROLE - {Role.BUSINESS}},
    # Safety plans and permit applications (issue 12, vungxanh/permits): a business applicant
    # writes those of the establishments it represents; departments (Health: health
    # officers) review the applications of their sectors; every role reads them in its area
    # (permits/models.py narrows businesses and departments further).
    "permits.safetyplan": {
        Action.VIEW: EVERY_ROLE,
        Action.ADD: frozenset({Role.BUSINESS}),
    },
    "permits.testrecord": {
        Action.VIEW: EVERY_ROLE,
        Action.ADD: frozenset({Role.BUSINESS}),
    },
    "permits.permitapplication": {
        Action.VIEW: EVERY_ROLE,
        Action.ADD: frozenset({Role.BUSINESS}),
        Action.CHANGE: DEPARTMENTS | {Role.HEALTH_OFFICER, Role.ADMIN},
    },
    "accounts.membership": {
        Action.VIEW: frozenset({Role.ADMIN}),
        Action.ADD: frozenset({Role.ADMIN}),
        Action.CHANGE: frozenset({Role.ADMIN}),
        Action.DELETE: frozenset({Role.ADMIN}),
    },
}


def roles_allowed(model_label: str, action: str) -> frozenset[Role]:
    return POLICY.get(model_label, {}).get(action, frozenset())
