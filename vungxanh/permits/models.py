"""Safety plans (phương án phòng, chống dịch) and permit applications (issue 12, items 4–5).

Who reads what is the policy table (``accounts/roles.py``) applied per membership:

- a business applicant: the plans and applications of the establishments it represents, in
  the wards of its memberships;
- a department officer (and the health officer, for the health department): the
  applications its department reviews (``department`` = its role, set from the sector at
  submission), and their plans, in the area of its membership;
- every other role allowed by the table: everything in the area of its membership.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.roles import Role, roles_allowed
from vungxanh.accounts.scoping import NATION_PATH, member_paths

PLAN = "permits.safetyplan"
TEST_RECORD = "permits.testrecord"
APPLICATION = "permits.permitapplication"
# The roles that review applications: the departments, and health officers for Health.
REVIEWERS = frozenset(
    {
        Role.DEPT_INDUSTRY_TRADE,
        Role.DEPT_CONSTRUCTION,
        Role.DEPT_LABOUR,
        Role.DEPT_PLANNING,
        Role.HEALTH_OFFICER,
    }
)
# QĐ 2787/QĐ-BYT: screening at least every 5–7 days (RULES-VN §6.3).
TEST_EVERY_MIN, TEST_EVERY_MAX = 5, 7
NAME_MAX, TEXT_MAX, REASON_MAX = 200, 4000, 2000


def _scope(queryset, user, label: str, action: str, establishment: str, department: str):
    """Return the rows of ``queryset`` ``user`` may ``action``, membership by membership.

    ``establishment`` is the lookup to the establishment ("" for an Establishment itself),
    ``department`` the lookup to the reviewing department's role ("" where there is none).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    allowed = roles_allowed(label, action)
    found = Q(pk__in=[])
    for role, path in member_paths(user):
        if role not in allowed:
            continue
        where = (
            Q() if path == NATION_PATH else Q(**{f"{establishment}ward__path__startswith": path})
        )
        if role == Role.BUSINESS:
            where &= Q(**{f"{establishment}representative": user})
        elif role in REVIEWERS:
            where &= Q(**{department: role}) if department else Q(pk__in=[])
        found |= where
    if "__" in department:
        # Through a to-many relation a row could come back once per application.
        return queryset.filter(pk__in=queryset.model.objects.filter(found).values("pk"))
    return queryset.filter(found)


class ProductionModel(models.TextChoices):
    ON_SITE = "on_site", _("“3 on site”: produce, eat and rest on site")
    ONE_ROUTE = "one_route", _("“1 route, 2 destinations”: lodging and workplace only")
    NONE = "none", _("Neither: workers come and go")


class SafetyPlanQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        # A reviewer sees the plans its department's applications rely on.
        return _scope(self, user, PLAN, action, "establishment__", "applications__department")


class SafetyPlan(models.Model):
    """An establishment's plan to operate safely, with its self-assessment and testing."""

    establishment = models.ForeignKey(
        "economy.Establishment",
        on_delete=models.PROTECT,
        related_name="safety_plans",
        verbose_name=_("establishment"),
    )
    production_model = models.CharField(
        _("production model"), max_length=16, choices=ProductionModel.choices
    )
    workers_on_site = models.PositiveIntegerField(_("workers on site"))
    scheme = models.CharField(_("self-assessment"), max_length=64)
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveIntegerField(_("score"))
    maximum = models.PositiveIntegerField(_("maximum score"))
    percent = models.DecimalField(_("risk index (%)"), max_digits=5, decimal_places=2)
    band = models.CharField(_("risk band"), max_length=32)
    decision = models.CharField(_("decision"), max_length=32)
    test_every_days = models.PositiveSmallIntegerField(_("test every (days)"))
    responsible_person = models.CharField(_("responsible person"), max_length=NAME_MAX)
    responsible_phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SafetyPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    test_every_days__gte=TEST_EVERY_MIN, test_every_days__lte=TEST_EVERY_MAX
                ),
                name="permits_plan_test_every_5_to_7_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.establishment.name}: {self.get_production_model_display()}"


class TestRecordQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return _scope(
            self,
            user,
            TEST_RECORD,
            action,
            "plan__establishment__",
            "plan__applications__department",
        )


class TestRecord(models.Model):
    """One screening round of a plan: who was tested, how many were positive."""

    __test__ = False  # not a pytest class, whatever its name

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="tests")
    day = models.DateField(_("day"))
    people_tested = models.PositiveIntegerField(_("people tested"))
    positives = models.PositiveIntegerField(_("positives"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TestRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("test record")
        verbose_name_plural = _("test records")
        constraints = [
            models.CheckConstraint(
                condition=Q(positives__lte=models.F("people_tested")),
                name="permits_test_positives_within_tested",
            ),
            models.UniqueConstraint(fields=["plan", "day"], name="permits_test_one_per_plan_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.positives}/{self.people_tested}"


class PermitKind(models.TextChoices):
    REOPEN = "reopen", _("Reopen")
    CONSTRUCTION_SITE = "construction_site", _("Run a construction site")
    BEYOND_DEFAULT = "beyond_default", _("Operate beyond the level's default")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")


# States a department still has to act on: the deadline runs.
OPEN_STATES = (State.SUBMITTED, State.UNDER_REVIEW)


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        return _scope(self, user, APPLICATION, action, "establishment__", "department")

    def queue_order(self):
        """Essential goods first, then public-investment works, then by submission time."""
        return self.order_by(
            "-establishment__essential_goods",
            "-establishment__public_investment",
            "submitted_at",
            "pk",
        )


class PermitApplication(models.Model):
    """An application to reopen, run a site or go beyond the level's default; then the permit."""

    establishment = models.ForeignKey(
        "economy.Establishment",
        on_delete=models.PROTECT,
        related_name="permit_applications",
        verbose_name=_("establishment"),
    )
    plan = models.ForeignKey(
        SafetyPlan,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("safety plan"),
    )
    kind = models.CharField(_("kind of application"), max_length=24, choices=PermitKind.choices)
    state = models.CharField(_("state"), max_length=24, choices=State.choices)
    # The reviewing department's role (permits.toml), fixed at submission.
    department = models.CharField(_("department"), max_length=32, choices=Role.choices)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"), null=True, blank=True)
    max_people = models.PositiveIntegerField(_("at most (people)"), null=True, blank=True)
    description = models.TextField(_("what is asked"), max_length=TEXT_MAX)
    reason = models.TextField(_("reason"), max_length=REASON_MAX, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    due_on = models.DateField(_("decision due"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The permit's number within its year (Nghị định 30/2020, Điều 15), set on approval.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    # Bumped by every change: a decision made on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        indexes = [models.Index(fields=["department", "state"], name="permits_app_dept_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "number"], name="permits_number_unique_in_year"
            ),
            models.CheckConstraint(
                condition=Q(last_day__isnull=True) | Q(last_day__gte=models.F("first_day")),
                name="permits_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.establishment.name}"


class Step(models.Model):
    """One move of an application (submitted, under review, decided…), with its reason."""

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="steps"
    )
    state = models.CharField(max_length=24, choices=State.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.state}"
