"""Rule sets loaded from their files, computed levels, published assessments, level changes.

``AssessmentSeries`` holds the level every area would have each day under a rule set,
recomputed with the indicators (one row per area, like IndicatorSeries). An
``Assessment`` is a level published for a date: its inputs are frozen as they were known
then, with the computed level, the decided level (a steering committee may decide
another, with a reason) and the sentence that explains it. A ``LevelChange`` row marks
each move, with the day it takes effect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet


class RuleSetRecord(models.Model):
    """A rule file as loaded: results cite the exact version (checksum) that produced them."""

    code = models.SlugField(_("rule set"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    checksum = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=300)
    title_vi = models.CharField(_("Vietnamese title"), max_length=300, blank=True)
    source_document = models.CharField(_("legal source"), max_length=300)
    source_date = models.DateField(_("source date"), null=True, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    unverified_cells = models.PositiveIntegerField(_("unverified cells"), default=0)
    document = models.JSONField()
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    current = models.BooleanField(_("current version"), default=True)

    class Meta:
        ordering = ["code", "-loaded_at"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "checksum"], name="risk_ruleset_unique_code_checksum"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(current=True),
                name="risk_ruleset_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class AssessmentSeriesQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class AssessmentSeries(models.Model):
    """The computed level of one area under one rule set, day by day, with its inputs."""

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    ruleset = models.ForeignKey(RuleSetRecord, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey("surveillance.Series", on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    days = models.PositiveIntegerField()
    # Per day: index into the rule set's levels (-1: no level), after timing rules.
    levels = models.BinaryField()
    # Per day: the level computed that day before hysteresis/delays (same encoding).
    computed = models.BinaryField()
    # Input names and their float32 values (inputs × days), so a day can be explained.
    input_names = models.JSONField()
    inputs = models.BinaryField()
    computed_at = models.DateTimeField(auto_now=True)

    objects = AssessmentSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("computed levels")
        verbose_name_plural = _("computed levels")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ruleset", "series"], name="risk_series_unique_area_ruleset_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.ruleset}"

    def level_indexes(self, *, computed: bool = False) -> np.ndarray:
        raw = self.computed if computed else self.levels
        return np.frombuffer(bytes(raw), dtype=np.int16)

    def offset(self, day: dt.date) -> int | None:
        offset = (day - self.start).days
        return offset if 0 <= offset < self.days else None

    def input_values(self, day: dt.date) -> dict[str, float]:
        offset = self.offset(day)
        matrix = np.frombuffer(bytes(self.inputs), dtype=np.float32).reshape(
            len(self.input_names), self.days
        )
        if offset is None:
            return dict.fromkeys(self.input_names, float("nan"))
        return {n: float(v) for n, v in zip(self.input_names, matrix[:, offset], strict=True)}


class AssessmentQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class Assessment(models.Model):
    """A level published for an area and date: computed and decided, with frozen inputs."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    ruleset = models.ForeignKey(
        RuleSetRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule set")
    )
    series = models.ForeignKey(
        "surveillance.Series",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("data series"),
    )
    date = models.DateField(_("date"))
    computed_key = models.CharField(_("computed level"), max_length=30)
    computed_rank = models.SmallIntegerField(_("computed rank"))
    decided_key = models.CharField(_("decided level"), max_length=30)
    decided_rank = models.SmallIntegerField(_("decided rank"))
    criterion = models.CharField(_("deciding criterion"), max_length=200)
    adjustments = models.JSONField(_("adjustments"), default=list)
    inputs = models.JSONField(_("inputs"))
    explanation_vi = models.TextField(_("explanation (Vietnamese)"))
    explanation_en = models.TextField(_("explanation (English)"))
    data_as_of = models.DateTimeField(_("data as known at"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(_("reason for a different decided level"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "area__path"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ruleset", "series", "date"],
                name="risk_assessment_unique_area_ruleset_date",
            ),
        ]
        indexes = [models.Index(fields=["ruleset", "date"], name="risk_assessment_rs_date")]

    def __str__(self) -> str:
        return f"{self.area} {self.date:%d/%m/%Y}: {self.decided_key}"

    @property
    def overridden(self) -> bool:
        return self.decided_key != self.computed_key


class LevelChangeQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class LevelChange(models.Model):
    """An area moving from one decided level to another, and the day it takes effect."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    ruleset = models.ForeignKey(RuleSetRecord, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="changes")
    from_key = models.CharField(_("from"), max_length=30, blank=True)
    to_key = models.CharField(_("to"), max_length=30)
    from_rank = models.SmallIntegerField(null=True, blank=True)
    to_rank = models.SmallIntegerField()
    announced_on = models.DateField(_("announced on"))
    effective_on = models.DateField(_("takes effect on"))
    reason = models.TextField(_("reason"), blank=True)

    objects = LevelChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-announced_on", "-id"]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")

    def __str__(self) -> str:
        return f"{self.area}: {self.from_key or '—'} → {self.to_key} ({self.effective_on:%d/%m/%Y})"

    @property
    def is_raise(self) -> bool:
        return self.from_rank is not None and self.to_rank > self.from_rank


class OfficialDecisionQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class OfficialDecision(models.Model):
    """A status or level an authority actually announced (e.g. Chỉ thị 16, Cấp 3), with source.

    Shown beside the computed levels, so a user sees where the rules and the decisions differ.
    """

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    announced_on = models.DateField(_("announced on"))
    effective_on = models.DateField(_("effective from"))
    label = models.CharField(_("status or level"), max_length=100)
    rank = models.SmallIntegerField(_("comparable level"), null=True, blank=True)
    source_url = models.URLField(_("source"), max_length=500)
    quote = models.TextField(_("quote"), blank=True)

    objects = OfficialDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on"]
        verbose_name = _("official decision")
        verbose_name_plural = _("official decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "effective_on", "label"], name="risk_official_unique_area_day_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.effective_on:%d/%m/%Y}: {self.label}"
