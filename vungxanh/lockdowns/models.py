"""Narrow lockdown zones: their parts, decisions, cases, testing rounds, posts, inspections.

A ``LockdownZone`` closes the smallest unit that contains the cases (a house, a floor, an
alley, a street segment, a tổ dân phố, a ward, a production line) in one commune. Its
status moves proposed → active → partly lifted → lifted, each move a ``ZoneTransition``
with its decision. A zone may be split into parts (zones whose ``parent`` is it), lifted
one by one from lower to higher risk. Cases are linked by their code (``ZoneCase``): the
surveillance line list is not changed. The lift date is computed, never stored: it is a
pure function of the linked cases, the testing rounds and the zone's lift rule.

Every model is scoped through its zone's commune (``for_user``); every write goes through
``vungxanh.lockdowns.services`` and is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet
from vungxanh.domain.lockdown import Risk, RoundStatus, ScopeType, ZoneStatus


class Status(models.TextChoices):
    PROPOSED = ZoneStatus.PROPOSED.value, _("proposed")
    ACTIVE = ZoneStatus.ACTIVE.value, _("active")
    PARTLY_LIFTED = ZoneStatus.PARTLY_LIFTED.value, _("partly lifted")
    LIFTED = ZoneStatus.LIFTED.value, _("lifted")


class Scope(models.TextChoices):
    HOUSEHOLD = ScopeType.HOUSEHOLD.value, _("Household")
    BUILDING = ScopeType.BUILDING.value, _("Building or floor")
    ALLEY = ScopeType.ALLEY.value, _("Alley (hẻm)")
    STREET_SEGMENT = ScopeType.STREET_SEGMENT.value, _("Street segment")
    RESIDENTIAL_GROUP = (
        ScopeType.RESIDENTIAL_GROUP.value,
        _("Residential group, area or hamlet (tổ dân phố, khu vực, ấp)"),
    )
    WHOLE_WARD = ScopeType.WHOLE_WARD.value, _("Whole ward or commune")
    WORKPLACE = ScopeType.WORKPLACE.value, _("Workplace or production line")


class RiskLevel(models.IntegerChoices):
    LOW = Risk.LOW.value, _("low risk")
    MEDIUM = Risk.MEDIUM.value, _("medium risk")
    HIGH = Risk.HIGH.value, _("high risk")
    VERY_HIGH = Risk.VERY_HIGH.value, _("very high risk")


class LiftRuleRecord(models.Model):
    """A lift rule file as loaded: zones cite the exact version (checksum) they follow."""

    code = models.SlugField(_("lift rule"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    checksum = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=300)
    title_vi = models.CharField(_("Vietnamese title"), max_length=300, blank=True)
    source_document = models.CharField(_("legal source"), max_length=400)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    document = models.JSONField()
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    current = models.BooleanField(_("current version"), default=True)

    class Meta:
        ordering = ["code", "-loaded_at"]
        verbose_name = _("lift rule")
        verbose_name_plural = _("lift rules")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "checksum"], name="lockdowns_rule_unique_code_checksum"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(current=True), name="lockdowns_rule_one_current"
            ),
        ]

    def __str__(self) -> str:
        # What a reader sees (form choices, the audit trail); the code stays on the record.
        english = (get_language() or "vi").startswith("en")
        return (self.title if english or not self.title_vi else self.title_vi) or self.code


class ZoneQuerySet(ScopedQuerySet):
    scope_area_field = "area"

    def top_level(self) -> ZoneQuerySet:
        return self.filter(parent__isnull=True)

    def locked(self) -> ZoneQuerySet:
        return self.filter(status__in=[Status.ACTIVE, Status.PARTLY_LIFTED])


class LockdownZone(models.Model):
    """A locked-down area inside one commune, or a part of one (``parent``)."""

    code = models.CharField(
        _("code"),
        max_length=80,
        unique=True,
        help_text=_("The zone's reference; case records name it in their lockdown zone field."),
    )
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("The commune (ward) the zone lies in."),
    )
    unit = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("smaller unit"),
        help_text=_("The khu vực, tổ dân phố, ấp or hẻm the zone covers, if it is one."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
    )
    risk = models.PositiveSmallIntegerField(
        _("risk"), choices=RiskLevel.choices, null=True, blank=True
    )
    scope_type = models.CharField(_("scope"), max_length=24, choices=Scope.choices)
    scope_description = models.TextField(
        _("scope as decided"), blank=True, help_text=_("The streets, house numbers, floors.")
    )
    geometry = models.TextField(
        _("geometry"), blank=True, help_text=_("GeoJSON polygon (WGS84 longitude/latitude).")
    )
    geometry_approximate = models.BooleanField(_("approximate geometry"), default=False)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decision_number = models.CharField(_("decision"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    rule = models.ForeignKey(
        LiftRuleRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("lift rule")
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    simulated = models.BooleanField(_("simulated"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # Optimistic locking: a save naming an older version is refused (services.update_zone).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("lockdown zone")
        verbose_name_plural = _("lockdown zones")
        indexes = [models.Index(fields=["area", "status"], name="lockdowns_zone_area_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_part(self) -> bool:
        return self.parent_id is not None

    @property
    def locked(self) -> bool:
        return self.status in (Status.ACTIVE, Status.PARTLY_LIFTED)


class ZoneChildQuerySet(ScopedQuerySet):
    scope_area_field = "zone__area"


class ZoneTransition(models.Model):
    """One move of a zone's status, decided on a date, in force from a date."""

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    decision_number = models.CharField(_("decision"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    effective_on = models.DateField(_("in force from"))
    reason = models.TextField(_("reason"), blank=True)
    override_reason = models.TextField(_("reason for not following the lift rule"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    simulated = models.BooleanField(_("simulated"), default=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.zone} → {self.to_status} ({self.effective_on:%d/%m/%Y})"


class TestingRound(models.Model):
    """A round of testing in a zone: planned, sampled (results pending), done."""

    __test__ = False  # not a pytest test class

    class Method(models.TextChoices):
        PCR = "pcr", _("RT-PCR")
        POOLED_PCR = "pooled_pcr", _("pooled RT-PCR")
        RAPID = "rapid", _("rapid antigen")

    class RoundState(models.TextChoices):
        PLANNED = RoundStatus.PLANNED.value, _("planned")
        SAMPLED = RoundStatus.SAMPLED.value, _("sampled, results pending")
        DONE = RoundStatus.DONE.value, _("done")

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    day = models.DateField(_("sampling day"))
    status = models.CharField(
        _("status"), max_length=10, choices=RoundState.choices, default=RoundState.PLANNED
    )
    whole_zone = models.BooleanField(_("whole zone"), default=True)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, default="pcr")
    samples = models.PositiveIntegerField(_("samples"), null=True, blank=True)
    positives = models.PositiveIntegerField(_("positive"), default=0)
    note = models.TextField(_("note"), blank=True)

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["zone", "day", "number"]
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        constraints = [
            models.UniqueConstraint(fields=["zone", "number"], name="lockdowns_round_unique"),
            models.CheckConstraint(
                condition=Q(samples__isnull=True) | Q(positives__lte=models.F("samples")),
                name="lockdowns_round_positive_le_samples",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} #{self.number} {self.day:%d/%m/%Y}"


class ZoneCase(models.Model):
    """A case linked to a zone: one of its index cases, found inside it, or found outside."""

    class Relation(models.TextChoices):
        INDEX = "index", _("index case")
        INSIDE = "inside", _("found inside the zone")
        OUTSIDE = "outside", _("linked to the zone, found outside")

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="cases")
    case_code = models.CharField(_("case code"), max_length=40)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    isolated_on = models.DateField(_("isolated on"))
    found_round = models.ForeignKey(
        TestingRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("found by round"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["isolated_on", "case_code"]
        verbose_name = _("zone case")
        verbose_name_plural = _("zone cases")
        constraints = [
            models.UniqueConstraint(fields=["zone", "case_code"], name="lockdowns_case_unique"),
        ]
        indexes = [models.Index(fields=["case_code"], name="lockdowns_case_code")]

    def __str__(self) -> str:
        return f"{self.case_code} · {self.zone}"


class ZoneHousehold(models.Model):
    """A household inside a zone (an address, no names), when the zone keeps a list."""

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="household_list")
    address = models.CharField(_("address"), max_length=300)
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["zone", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.address


class GuardPost(models.Model):
    """A checkpoint (chốt) of a zone."""

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(_("name"), max_length=150)
    location = models.CharField(_("location"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["zone", "name"]
        verbose_name = _("guard post")
        verbose_name_plural = _("guard posts")

    def __str__(self) -> str:
        return self.name


class ShiftQuerySet(ScopedQuerySet):
    scope_area_field = "post__zone__area"


class Shift(models.Model):
    """A duty shift at a post, with the number of officials it needs."""

    post = models.ForeignKey(GuardPost, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    required_staff = models.PositiveSmallIntegerField(_("officials needed"), default=2)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "post"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="lockdowns_shift_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.starts_at:%d/%m/%Y %H:%M}"


class AssignmentQuerySet(ScopedQuerySet):
    scope_area_field = "shift__post__zone__area"


class ShiftAssignment(models.Model):
    """An official on a shift: a user of the system or a name on the ward's roster."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    roster_name = models.CharField(_("name on the roster"), max_length=150, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["shift", "id"]
        verbose_name = _("official on a shift")
        verbose_name_plural = _("officials on shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(roster_name=""),
                name="lockdowns_assignment_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.roster_name


class Inspection(models.Model):
    """A visit checking the inside of a zone: what was found, violations, photos."""

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="inspections")
    visited_at = models.DateTimeField(_("visited"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inspector_name = models.CharField(_("inspector"), max_length=150)
    findings = models.TextField(_("findings"))

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.zone} {self.visited_at:%d/%m/%Y %H:%M}"


class InspectionChildQuerySet(ScopedQuerySet):
    scope_area_field = "inspection__zone__area"


class Violation(models.Model):
    class Kind(models.TextChoices):
        LEFT_ZONE = "left_zone", _("left the zone")
        ENTERED = "entered", _("entered without permission")
        GATHERING = "gathering", _("gathering")
        NO_MASK = "no_mask", _("no mask")
        ISOLATION = "isolation", _("broke home isolation")
        OTHER = "other", _("other")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="violations")
    kind = models.CharField(_("violation"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    action_taken = models.CharField(_("action taken"), max_length=300, blank=True)

    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")

    def __str__(self) -> str:
        return self.get_kind_display()


def photo_path(instance: InspectionPhoto, filename: str) -> str:
    """Store under MEDIA_ROOT by zone, with a name of our own (never the user's)."""
    return f"lockdowns/inspections/{instance.inspection.zone_id}/{instance.sha256[:32]}.{instance.extension}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=photo_path, max_length=300)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return f"{self.inspection} · {self.sha256[:8]}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[self.content_type]


class Need(models.Model):
    """What the people inside need (food, medicine, other), per household or for the zone."""

    class Kind(models.TextChoices):
        FOOD = "food", _("food")
        MEDICINE = "medicine", _("medicine")
        OTHER = "other", _("other")

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="needs")
    household = models.ForeignKey(
        ZoneHousehold,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("need"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500)
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    requested_on = models.DateField(_("requested on"))
    met_on = models.DateField(_("met on"), null=True, blank=True)
    handed_to = models.CharField(
        _("handed to"),
        max_length=200,
        blank=True,
        help_text=_("The support programme or group that took it over."),
    )

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["met_on", "requested_on", "id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def is_open(self) -> bool:
        return self.met_on is None


class ZoneNotice(models.Model):
    """Something the committee must know: the lift date moved, or a case escaped the zone."""

    class Kind(models.TextChoices):
        LIFT_MOVED = "lift_moved", _("lift date moved")
        SPILLOVER = "spillover", _("case outside the zone")

    zone = models.ForeignKey(LockdownZone, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("notice"), max_length=12, choices=Kind.choices)
    day = models.DateField(_("day"))
    case_code = models.CharField(_("case code"), max_length=40, blank=True)
    old_date = models.DateField(_("before"), null=True, blank=True)
    new_date = models.DateField(_("after"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)

    objects = ZoneChildQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("zone notice")
        verbose_name_plural = _("zone notices")

    def __str__(self) -> str:
        return f"{self.zone}: {self.get_kind_display()} {self.day:%d/%m/%Y}"
