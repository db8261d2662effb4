"""Each establishment's status over time, and the notices of its changes (issue 12).

A ``StatusPeriod`` is a run of days over which one establishment's status, and the cell it
comes from, stay the same: storing runs, not days, keeps a million establishments × a year
to a few million rows. ``end`` is the last day (inclusive); an open period (``end`` null)
lasts until a recompute says otherwise. ``previous_status`` is the status of the period
before, so the change list of a day is one query (periods starting that day whose status
differs from the one before). The ward and the sector are copied from the establishment
when computed, for scoping and the change list.

A ``Notice`` tells an establishment its status changed on a day; its representative sees it
and acknowledges it (audited). A recompute that no longer finds the change marks the notice
withdrawn rather than deleting what someone may have read.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet, Unrestricted, allowed_paths

STATUS_PERIOD = "reopening.statusperiod"
NOTICE = "reopening.notice"
# Business applicants reach notices through the establishments they represent.
OWN_ESTABLISHMENT = "economy.ownestablishment"


class Status(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    LIMITED = "limited", _("limited")
    SUSPENDED = "suspended", _("suspended")
    UNKNOWN = "unknown", _("unknown (no level in force)")


class Reason(models.TextChoices):
    LEVEL = "level", _("the level in force")
    LOCKDOWN = "lockdown", _("a lockdown zone")
    PERMIT = "permit", _("a permit")
    NO_LEVEL = "no_level", _("no level or no rule for this activity")


class StatusPeriodQuerySet(ScopedQuerySet):
    scope_area_field = "ward"

    def on(self, day) -> StatusPeriodQuerySet:
        """The periods in force on ``day``."""
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


class StatusPeriod(models.Model):
    establishment = models.ForeignKey(
        "economy.Establishment", on_delete=models.CASCADE, related_name="status_periods"
    )
    ward = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    section = models.CharField(_("sector (VSIC section)"), max_length=1)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    # The first day of the run of this status (periods split on terms, not only status).
    since = models.DateField(_("status since"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=10, choices=Status.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    level_rules = models.CharField(_("level rule set"), max_length=60, blank=True)
    level_key = models.CharField(_("level"), max_length=30, blank=True)
    matrix = models.CharField(_("activity matrix"), max_length=60, blank=True)
    group = models.CharField(_("activity group"), max_length=60, blank=True)
    verified = models.BooleanField(_("verified rule"), default=False)
    capacity_percent = models.PositiveSmallIntegerField(_("capacity %"), null=True, blank=True)
    max_people = models.PositiveIntegerField(_("maximum people"), null=True, blank=True)
    closing_hour = models.CharField(_("closing hour"), max_length=5, blank=True)
    takeaway_only = models.BooleanField(_("takeaway only"), default=False)
    conditions_vi = models.TextField(_("conditions (Vietnamese)"), blank=True)
    conditions_en = models.TextField(_("conditions (English)"), blank=True)
    computed_at = models.DateTimeField(_("computed"))

    objects = StatusPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["establishment_id", "start"]
        verbose_name = _("status period")
        verbose_name_plural = _("status periods")
        indexes = [
            models.Index(fields=["establishment", "start"], name="reopening_period_est_start"),
            models.Index(fields=["ward", "start"], name="reopening_period_ward_start"),
        ]

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.start}–{self.end or ''}: {self.status}"


class NoticeQuerySet(ScopedQuerySet):
    scope_area_field = "ward"

    def for_user(self, user, action: str = "view") -> NoticeQuerySet:
        """The ward subtrees of the user's roles, plus the notices of what the user represents
        (where the user is a business applicant over the ward)."""
        scoped = super().for_user(user, action)
        own_paths = allowed_paths(user, OWN_ESTABLISHMENT, "view")
        if not own_paths:
            return scoped
        own = self.filter(establishment__representative=user)
        if not isinstance(own_paths, Unrestricted):
            own = own.filter(reduce(or_, (Q(ward__path__startswith=p) for p in own_paths)))
        return scoped | own


class Notice(models.Model):
    """An establishment's status changed on a day: from what, to what, under which terms."""

    establishment = models.ForeignKey(
        "economy.Establishment", on_delete=models.CASCADE, related_name="notices"
    )
    ward = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    effective_on = models.DateField(_("from"))
    from_status = models.CharField(_("was"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("now"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "establishment_id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "effective_on", "from_status", "to_status"],
                name="reopening_notice_unique_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.effective_on}: {self.from_status} → {self.to_status}"
