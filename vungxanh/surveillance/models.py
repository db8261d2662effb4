"""Surveillance data per area: cases, daily counts, tests, vaccination, care capacity.

Every value is stored as reported, with its source and import batch. A correction is a
new version: the old row gets ``superseded_at`` and stays, so the values as known on any
past moment can be reconstructed (``as_known_at``). Indicators derived from these rows
are stored per area and series in ``IndicatorSeries``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet


class Detection(models.TextChoices):
    """Where a case was found. Only COMMUNITY counts as a community case (QĐ 4800)."""

    COMMUNITY = "community", _("community")
    QUARANTINE = "quarantine", _("quarantine facility")
    HOME_ISOLATION = "home_isolation", _("home isolation")
    LOCKDOWN = "lockdown", _("lockdown zone")
    IMPORTED = "imported", _("imported on entry")
    UNKNOWN = "unknown", _("not reported")


class SampleGroup(models.TextChoices):
    COMMUNITY = "community", _("community")
    LOCKDOWN = "lockdown", _("lockdown zone")
    F1 = "f1", _("F1 contacts")
    SCREENING = "screening", _("screening")
    OTHER = "other", _("other")


class Outcome(models.TextChoices):
    UNDER_TREATMENT = "treatment", _("under treatment")
    RECOVERED = "recovered", _("recovered")
    DIED = "died", _("died")
    UNKNOWN = "unknown", _("unknown")


class VaccinationStatus(models.TextChoices):
    NONE = "none", _("not vaccinated")
    ONE_DOSE = "one_dose", _("one dose")
    FULL = "full", _("fully vaccinated")
    UNKNOWN = "unknown", _("unknown")


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "U", _("unknown")


AGE_BANDS = ["0-4", "5-11", "12-17", "18-49", "50-64", "65+", "unknown"]


class Series(models.Model):
    """A source of figures that must not be mixed with another in one curve.

    The Ministry's portal (report dates), a city's Department of Health bulletins, the
    wards' own reports and the demo's simulation are different series.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    simulated = models.BooleanField(_("simulated"), default=False)
    # Lower comes first when a page picks the series to show for an area.
    priority = models.PositiveSmallIntegerField(_("priority"), default=50)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.name


class ImportKind(models.TextChoices):
    CASES = "cases", _("case list")
    DAILY = "daily", _("daily counts")
    TESTS = "tests", _("tests")
    VACCINATION = "vaccination", _("vaccination coverage")
    CAPACITY = "capacity", _("care capacity")
    NCSC = "ncsc", _("Ministry of Health portal series")


class ImportBatchQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class ImportBatch(models.Model):
    """One import of one file: who, when, what, how many rows; undoable as a whole."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("imported")
        UNDONE = "undone", _("undone")

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("The smallest area containing every row of the file."),
    )
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="batches")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    actor_name = models.CharField(_("imported by"), max_length=150)
    source = models.CharField(_("source"), max_length=64)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.COMMITTED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("new"), default=0)
    rows_corrected = models.PositiveIntegerField(_("corrected"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name} · {self.created_at:%d/%m/%Y %H:%M}"


class ReportedQuerySet(ScopedQuerySet):
    scope_area_field = "area"

    def current(self):
        return self.filter(superseded_at__isnull=True)

    def as_known_at(self, moment: dt.datetime):
        """Return the versions that were current at ``moment``."""
        return self.filter(
            recorded_at__lte=moment,
        ).filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=moment))


class Reported(models.Model):
    """Fields every reported value carries: where it came from and when it was known."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="+", verbose_name=_("series")
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ReportedQuerySet.as_manager()

    # The fields that name one fact; one current version per key.
    NATURAL_KEY: tuple[str, ...] = ()
    # The fields whose change makes a new version.
    VALUE_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True


class CaseRecord(Reported):
    """One confirmed case (F0) of a line list, without personal identifiers."""

    case_code = models.CharField(_("case code"), max_length=40)
    onset_date = models.DateField(_("onset"), null=True, blank=True)
    sample_date = models.DateField(_("sampled"), null=True, blank=True)
    confirmed_date = models.DateField(_("confirmed"))
    report_date = models.DateField(_("reported"), null=True, blank=True)
    detection = models.CharField(_("found in"), max_length=16, choices=Detection.choices)
    age_band = models.CharField(_("age band"), max_length=8, default="unknown")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    vaccination = models.CharField(
        _("vaccination"),
        max_length=10,
        choices=VaccinationStatus.choices,
        default=VaccinationStatus.UNKNOWN,
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.UNKNOWN
    )
    # A lockdown zone (issue 6) will be linked here; kept as its reference for now.
    zone_ref = models.CharField(_("lockdown zone"), max_length=80, blank=True)

    NATURAL_KEY = ("case_code",)
    VALUE_FIELDS = (
        "area_id",
        "onset_date",
        "sample_date",
        "confirmed_date",
        "report_date",
        "detection",
        "age_band",
        "sex",
        "vaccination",
        "outcome",
        "zone_ref",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["case_code"],
                condition=Q(superseded_at__isnull=True),
                name="surveillance_case_unique_current_code",
            ),
        ]
        indexes = [
            # The case list filters by area subtree and date, newest first.
            models.Index(fields=["area", "confirmed_date"], name="surv_case_area_date"),
            models.Index(fields=["confirmed_date", "id"], name="surv_case_date_id"),
        ]

    def __str__(self) -> str:
        return self.case_code


class CasePersonQuerySet(ReportedQuerySet):
    scope_area_field = "area"


class CasePerson(models.Model):
    """Personal identifiers of a case, kept apart; only health roles may read them.

    Versioned with the case, like the reported facts: a correction (an import, a form or an
    API edit) supersedes the current version and adds one in its batch, and undoing that
    batch brings the previous version back. An identity is never deleted by a correction.
    """

    case_code = models.CharField(_("case code"), max_length=40)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CasePersonQuerySet.as_manager()

    FIELDS = ("full_name", "phone", "id_number", "address")

    class Meta:
        verbose_name = _("case identity")
        verbose_name_plural = _("case identities")
        constraints = [
            models.UniqueConstraint(
                fields=["case_code"],
                condition=Q(superseded_at__isnull=True),
                name="surveillance_person_unique_current_code",
            ),
        ]
        indexes = [
            # Undo and the history of one case look up every version of a code.
            models.Index(fields=["case_code"], name="surv_person_code"),
        ]

    def __str__(self) -> str:
        return self.case_code  # never the name: this string may reach logs


class DailyCount(Reported):
    """New cases and deaths of one area on one day, where only aggregates exist."""

    date = models.DateField(_("date"))
    community = models.PositiveIntegerField(_("community"), default=0)
    quarantine = models.PositiveIntegerField(_("quarantine facility"), default=0)
    home_isolation = models.PositiveIntegerField(_("home isolation"), default=0)
    lockdown = models.PositiveIntegerField(_("lockdown zone"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    unknown = models.PositiveIntegerField(_("place not reported"), default=0)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)

    NATURAL_KEY = ("area_id", "series_id", "date")
    VALUE_FIELDS = (
        "community",
        "quarantine",
        "home_isolation",
        "lockdown",
        "imported",
        "unknown",
        "deaths",
    )

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "series", "date"],
                condition=Q(superseded_at__isnull=True),
                name="surveillance_daily_unique_current",
            ),
        ]
        indexes = [
            models.Index(fields=["series", "date"], name="surv_daily_series_date"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date:%d/%m/%Y}"

    @property
    def total(self) -> int:
        return (
            self.community
            + self.quarantine
            + self.home_isolation
            + self.lockdown
            + self.imported
            + self.unknown
        )


class TestCount(Reported):
    """Tests performed and positive in one area on one day, by sample group."""

    __test__ = False  # not a pytest test class

    date = models.DateField(_("date"))
    sample_group = models.CharField(_("sample group"), max_length=12, choices=SampleGroup.choices)
    performed = models.PositiveIntegerField(_("performed"))
    positive = models.PositiveIntegerField(_("positive"))

    NATURAL_KEY = ("area_id", "series_id", "date", "sample_group")
    VALUE_FIELDS = ("performed", "positive")

    class Meta:
        verbose_name = _("test count")
        verbose_name_plural = _("test counts")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "series", "date", "sample_group"],
                condition=Q(superseded_at__isnull=True),
                name="surveillance_tests_unique_current",
            ),
            models.CheckConstraint(
                condition=Q(positive__lte=models.F("performed")),
                name="surveillance_tests_positive_le_performed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date:%d/%m/%Y} {self.sample_group}"


class VaccinationCoverage(Reported):
    """Vaccination coverage of one area as of one day, as counts with their denominators."""

    date = models.DateField(_("date"))
    adults = models.PositiveIntegerField(_("people aged 18+"))
    adults_one_dose = models.PositiveIntegerField(_("18+ with at least one dose"))
    adults_full = models.PositiveIntegerField(_("18+ fully vaccinated"))
    aged_50_plus = models.PositiveIntegerField(_("people aged 50+"), null=True, blank=True)
    aged_50_plus_full = models.PositiveIntegerField(
        _("50+ fully vaccinated"), null=True, blank=True
    )
    aged_65_plus = models.PositiveIntegerField(_("people aged 65+"), null=True, blank=True)
    aged_65_plus_full = models.PositiveIntegerField(
        _("65+ fully vaccinated"), null=True, blank=True
    )

    NATURAL_KEY = ("area_id", "series_id", "date")
    VALUE_FIELDS = (
        "adults",
        "adults_one_dose",
        "adults_full",
        "aged_50_plus",
        "aged_50_plus_full",
        "aged_65_plus",
        "aged_65_plus_full",
    )

    class Meta:
        verbose_name = _("vaccination coverage")
        verbose_name_plural = _("vaccination coverage")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "series", "date"],
                condition=Q(superseded_at__isnull=True),
                name="surveillance_vacc_unique_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date:%d/%m/%Y}"


class CareCapacity(Reported):
    """Treatment capacity of one area as of one day (QĐ 4800 criterion 3)."""

    date = models.DateField(_("date"))
    treatment_beds = models.PositiveIntegerField(_("treatment beds"), null=True, blank=True)
    treatment_beds_occupied = models.PositiveIntegerField(
        _("treatment beds occupied"), null=True, blank=True
    )
    icu_beds = models.PositiveIntegerField(_("ICU beds"), null=True, blank=True)
    station_oxygen = models.BooleanField(
        _("oxygen at the commune health station"), null=True, blank=True
    )
    mobile_stations = models.PositiveIntegerField(
        _("mobile medical stations"), null=True, blank=True
    )

    NATURAL_KEY = ("area_id", "series_id", "date")
    VALUE_FIELDS = (
        "treatment_beds",
        "treatment_beds_occupied",
        "icu_beds",
        "station_oxygen",
        "mobile_stations",
    )

    class Meta:
        verbose_name = _("care capacity")
        verbose_name_plural = _("care capacity")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "series", "date"],
                condition=Q(superseded_at__isnull=True),
                name="surveillance_capacity_unique_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date:%d/%m/%Y}"


class IndicatorSeriesQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class IndicatorSeries(models.Model):
    """Every indicator of one area and series, day by day, as one float32 matrix.

    Stored as ``len(INDICATORS) × days`` so that an area's page, a district's overview
    and a map of one day each read a handful of rows, and a national recompute writes
    one row per area instead of one per area and day.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    days = models.PositiveIntegerField()
    # The indicator of each matrix row, in order (vungxanh.domain.indicators.INDICATORS).
    names = models.JSONField()
    data = models.BinaryField()
    computed_at = models.DateTimeField(auto_now=True)

    objects = IndicatorSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator series")
        verbose_name_plural = _("indicator series")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "series"], name="surveillance_indicators_unique_area_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.series_id}"

    def matrix(self) -> np.ndarray:
        return np.frombuffer(bytes(self.data), dtype=np.float32).reshape(len(self.names), self.days)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def values(self, name: str) -> np.ndarray:
        return self.matrix()[self.names.index(name)]

    def on(self, day: dt.date) -> dict[str, float | None]:
        """Return every indicator on ``day`` (None outside the stored range or undefined)."""
        offset = (day - self.start).days
        if not 0 <= offset < self.days:
            return dict.fromkeys(self.names)
        column = self.matrix()[:, offset]
        return {
            n: (None if np.isnan(v) else float(v)) for n, v in zip(self.names, column, strict=True)
        }


# The rows of an RtSeries matrix, in order.
RT_ROWS: tuple[str, ...] = ("mean", "std", "q025", "q25", "q50", "q75", "q975")


class RtSeriesQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class RtSeries(models.Model):
    """The reproduction number of one area and series, by the last day of its window.

    ``data`` is a float32 ``len(RT_ROWS) × days`` matrix: column ``j`` is the weekly window
    ending on ``start + j`` days (Cori et al. 2013, as EpiEstim's ``estimate_R``), NaN where
    EpiEstim gives NA (the first days). The serial interval used is stored with it.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    days = models.PositiveIntegerField()
    si_mean = models.FloatField(_("serial interval mean"))
    si_sd = models.FloatField(_("serial interval sd"))
    data = models.BinaryField()
    computed_at = models.DateTimeField(auto_now=True)

    objects = RtSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("Rt series")
        verbose_name_plural = _("Rt series")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "series"], name="surveillance_rt_unique_area_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.series_id} · Rt"

    def matrix(self) -> np.ndarray:
        return np.frombuffer(bytes(self.data), dtype=np.float32).reshape(len(RT_ROWS), self.days)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def values(self, name: str) -> np.ndarray:
        return self.matrix()[RT_ROWS.index(name)]

    def latest(self, on: dt.date | None = None) -> dict | None:
        """Return Rt on ``on`` (the last estimated day if None) with its trend; None if none."""
        matrix = self.matrix()
        last = self.days - 1 if on is None else min((on - self.start).days, self.days - 1)
        if last < 0:
            return None
        known = np.flatnonzero(~np.isnan(matrix[0, : last + 1]))
        if not len(known):
            return None
        j = int(known[-1])
        found = {n: float(v) for n, v in zip(RT_ROWS, matrix[:, j], strict=True)}
        found["date"] = self.start + dt.timedelta(days=j)
        found["trend"] = rt_trend(found["q025"], found["q975"])
        return found


def rt_trend(q025: float, q975: float) -> str:
    """Return "falling" (interval below 1), "rising" (above 1) or "uncertain" (spans 1)."""
    if q975 < 1:
        return "falling"
    if q025 > 1:
        return "rising"
    return "uncertain"


class OfficialSeriesQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class OfficialSeries(models.Model):
    """The series an area's pages, map and API show by default, set by its steering committee.

    Inherited: an area without a row of its own uses its nearest ancestor's. A series a
    new import brings is offered beside it, never shown instead of it.
    """

    area = models.OneToOneField(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="+", verbose_name=_("official series")
    )
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    objects = OfficialSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("official series")
        verbose_name_plural = _("official series")

    def __str__(self) -> str:
        return f"{self.area} · {self.series.code}"
