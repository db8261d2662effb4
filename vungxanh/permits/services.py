"""The only code that writes safety plans, test records and permit applications.

Every write is audited in its transaction. An application moves only along ``TRANSITIONS``;
a move that is not allowed, or made on a version of the application someone else has
changed since it was read, is refused with a sentence saying why (``Refused``,
``StaleApplication``) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.audit.services import record, snapshot
from vungxanh.domain import workplace
from vungxanh.economy.models import CONSTRUCTION_SECTION, Establishment
from vungxanh.jobs.services import record_change
from vungxanh.permits import config
from vungxanh.permits.models import (
    APPLICATION,
    PLAN,
    REASON_MAX,
    TEST_EVERY_MAX,
    TEST_EVERY_MIN,
    TEST_RECORD,
    PermitApplication,
    PermitKind,
    SafetyPlan,
    State,
    Step,
    TestRecord,
    _scope,
)

REVIEW, APPLICANT = "review", "applicant"
# (from, to) -> who may make the move: a reviewer of the department, or the applicant.
TRANSITIONS = {
    (State.SUBMITTED, State.UNDER_REVIEW): REVIEW,
    (State.UNDER_REVIEW, State.APPROVED): REVIEW,
    (State.UNDER_REVIEW, State.CHANGES_REQUESTED): REVIEW,
    (State.UNDER_REVIEW, State.REJECTED): REVIEW,
    (State.CHANGES_REQUESTED, State.SUBMITTED): APPLICANT,
}
# A refusal or a request for changes must tell the applicant why.
NEEDS_REASON = frozenset({State.CHANGES_REQUESTED, State.REJECTED})


class Refused(ValidationError):
    """A move the rules do not allow; the message says why."""


class StaleApplication(ValidationError):
    """The application changed since the person read it (someone else decided first)."""


def _own_establishment(actor, establishment: Establishment, label: str) -> None:
    """Refuse unless ``actor`` may write ``label`` for ``establishment`` (represents it)."""
    visible = _scope(Establishment.objects.all(), actor, label, "add", "", "")
    if not visible.filter(pk=establishment.pk).exists():
        raise PermissionDenied(_("You do not represent this establishment."))


# -- safety plans ----------------------------------------------------------------------


def create_plan(
    actor,
    establishment: Establishment,
    *,
    production_model: str,
    workers_on_site: int,
    scheme: str,
    answers: dict[str, Any],
    test_every_days: int,
    responsible_person: str,
    responsible_phone: str = "",
) -> SafetyPlan:
    """Record a safety plan with its self-assessment scored by the rule file ``scheme``."""
    _own_establishment(actor, establishment, PLAN)
    schemes = config.schemes()
    if scheme not in schemes:
        raise ValidationError({"scheme": _("Unknown self-assessment %(id)s.") % {"id": scheme}})
    if not TEST_EVERY_MIN <= test_every_days <= TEST_EVERY_MAX:
        raise ValidationError(
            {
                "test_every_days": _(
                    "QĐ 2787/QĐ-BYT asks for testing every %(low)d to %(high)d days."
                )
                % {"low": TEST_EVERY_MIN, "high": TEST_EVERY_MAX}
            }
        )
    try:
        assessed = workplace.assess(schemes[scheme], answers)
    except workplace.AnswerError as exc:
        raise ValidationError({exc.field: str(exc)}) from exc
    with transaction.atomic():
        plan = SafetyPlan.objects.create(
            establishment=establishment,
            production_model=production_model,
            workers_on_site=workers_on_site,
            scheme=scheme,
            answers=dict(answers),
            score=assessed.score,
            maximum=assessed.maximum,
            percent=round(assessed.percent_value, 2),
            band=assessed.band.key,
            decision=assessed.decision,
            test_every_days=test_every_days,
            responsible_person=responsible_person,
            responsible_phone=responsible_phone,
            created_by=actor,
        )
        record(actor, "create", plan, area=establishment.ward, after=snapshot(plan))
    return plan


def record_test(actor, plan: SafetyPlan, *, day: dt.date, people_tested: int, positives: int):
    """Record one screening round of ``plan`` (one per day: a second one is refused)."""
    _own_establishment(actor, plan.establishment, TEST_RECORD)
    if positives > people_tested:
        raise ValidationError(
            {
                "positives": _("More positives (%(p)d) than people tested (%(n)d).")
                % {"p": positives, "n": people_tested}
            }
        )
    if plan.tests.filter(day=day).exists():
        raise ValidationError(
            {
                "day": _("A test round is already recorded on %(day)s.")
                % {"day": day.strftime("%d/%m/%Y")}
            }
        )
    with transaction.atomic():
        test = TestRecord.objects.create(
            plan=plan, day=day, people_tested=people_tested, positives=positives, recorded_by=actor
        )
        record(actor, "create", test, area=plan.establishment.ward, after=snapshot(test))
    return test


# -- applications ----------------------------------------------------------------------


def submit_application(
    actor,
    establishment: Establishment,
    *,
    plan: SafetyPlan,
    kind: str,
    first_day: dt.date,
    last_day: dt.date | None = None,
    max_people: int | None = None,
    description: str,
) -> PermitApplication:
    """Submit an application; the department follows from the kind and the sector."""
    _own_establishment(actor, establishment, APPLICATION)
    if plan.establishment_id != establishment.pk:
        raise ValidationError({"plan": _("This safety plan is another establishment's.")})
    if plan.decision == workplace.NOT_ALLOWED:
        raise Refused(
            {
                "plan": _(
                    "The plan's self-assessment says the establishment may not operate: "
                    "lower the risk and assess again before applying."
                )
            }
        )
    if kind == PermitKind.CONSTRUCTION_SITE and establishment.section != CONSTRUCTION_SECTION:
        raise Refused(
            {"kind": _("A construction site is run by a construction business (VSIC section F).")}
        )
    if last_day is not None and last_day < first_day:
        raise ValidationError({"last_day": _("The last day comes before the first.")})
    pending = PermitApplication.objects.filter(
        establishment=establishment,
        kind=kind,
        state__in=(State.SUBMITTED, State.UNDER_REVIEW, State.CHANGES_REQUESTED),
    )
    if pending.exists():
        raise Refused(
            {"kind": _("An application of this kind is already open for this establishment.")}
        )
    rules = config.load()
    now = timezone.now()
    with transaction.atomic():
        application = PermitApplication.objects.create(
            establishment=establishment,
            plan=plan,
            kind=kind,
            state=State.SUBMITTED,
            department=rules.department_for(kind, establishment.section),
            first_day=first_day,
            last_day=last_day,
            max_people=max_people,
            description=description,
            applicant=actor,
            submitted_at=now,
            due_on=rules.kinds[kind].due_on(timezone.localdate(now)),
        )
        Step.objects.create(application=application, state=State.SUBMITTED, actor=actor)
        record(actor, "create", application, area=establishment.ward, after=snapshot(application))
    return application


def _refusal_text(current: str, target: str) -> str:
    return _("An application that is “%(current)s” cannot become “%(target)s”.") % {
        "current": State(current).label,
        "target": State(target).label,
    }


def _stale_text(application: PermitApplication) -> str:
    last = application.steps.select_related("actor").last()
    who = last.actor.get_username() if last and last.actor else _("someone")
    return _(
        "%(who)s changed this application while you were reading it: it is now “%(state)s”. "
        "Nothing of yours was saved; read it again before deciding."
    ) % {"who": who, "state": State(application.state).label}


def _may_move(actor, application: PermitApplication, who: str) -> bool:
    action = "change" if who == REVIEW else "add"
    visible = PermitApplication.objects.for_user(actor, action)
    return visible.filter(pk=application.pk).exists()


def transition(
    actor,
    application: PermitApplication,
    target: str,
    *,
    version: int,
    reason: str = "",
    description: str | None = None,
) -> PermitApplication:
    """Move ``application`` to ``target`` if the rules allow it and nobody moved it first.

    ``version`` is the version the actor read: a different stored version means someone
    else changed it since, and nothing is saved (no silent overwrite). An applicant
    submitting again may rewrite ``description`` to answer the requested changes.
    """
    reason = reason.strip()[:REASON_MAX]
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        who = TRANSITIONS.get((locked.state, target))
        if locked.version != version:
            raise StaleApplication(_stale_text(locked))
        if who is None:
            raise Refused(_refusal_text(locked.state, target))
        if not _may_move(actor, locked, who):
            raise PermissionDenied(
                _("Only the reviewing department may decide.")
                if who == REVIEW
                else _("Only the applicant may submit it again.")
            )
        if target in NEEDS_REASON and not reason:
            raise ValidationError({"reason": _("Say why: the applicant reads this reason.")})
        before = snapshot(locked)
        _apply(locked, target, actor, reason)
        if target == State.SUBMITTED and description and description.strip():
            locked.description = description.strip()
        if target == State.APPROVED:
            _save_numbered(locked)
            # The establishment's status follows its permits: the loop recomputes it.
            record_change("establishments", area_path=locked.establishment.ward.path)
        else:
            locked.save()
        Step.objects.create(application=locked, state=target, reason=reason, actor=actor)
        record(
            actor,
            f"permit_{target}",
            locked,
            area=locked.establishment.ward,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
    return locked


def _apply(application: PermitApplication, target: str, actor, reason: str) -> None:
    now = timezone.now()
    application.state = target
    application.version += 1
    if target in (State.APPROVED, State.CHANGES_REQUESTED, State.REJECTED):
        application.reason = reason
        application.decided_at, application.decided_by = now, actor
    if target == State.APPROVED:
        application.year = timezone.localdate(now).year
    if target == State.SUBMITTED:  # submitted again: the clock starts again
        rule = config.load().kinds[application.kind]
        application.submitted_at = now
        application.due_on = rule.due_on(timezone.localdate(now))
        application.decided_at = application.decided_by = None


NUMBER_ATTEMPTS = 5


def _next_number(application: PermitApplication) -> int:
    last = PermitApplication.objects.filter(
        department=application.department, year=application.year
    ).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def _save_numbered(application: PermitApplication) -> None:
    """Save an approval with the department's next number of the year (Nghị định 30, Điều 15).

    Two approvals at once may pick the same number: the unique constraint refuses the
    second, which takes the next one (each try in its own savepoint).
    """
    for attempt in range(NUMBER_ATTEMPTS):
        application.number = _next_number(application)
        try:
            with transaction.atomic():
                application.save()
            return
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
