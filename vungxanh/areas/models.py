"""Administrative units (nation → province → district → commune) and smaller units."""

from __future__ import annotations

import datetime as dt
import json

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet
from vungxanh.domain.areas import NATION_CODE


class AreaKind(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    SUBUNIT = "subunit", _("Smaller unit")


# What may sit directly under each kind.
CHILD_KIND = {
    AreaKind.NATION: AreaKind.PROVINCE,
    AreaKind.PROVINCE: AreaKind.DISTRICT,
    AreaKind.DISTRICT: AreaKind.COMMUNE,
    AreaKind.COMMUNE: AreaKind.SUBUNIT,
    AreaKind.SUBUNIT: AreaKind.SUBUNIT,
}


class SubunitType(models.TextChoices):
    """Units smaller than a commune that lockdowns and assessments use."""

    KHU_VUC = "Khu vực", _("Area (khu vực)")
    TO_DAN_PHO = "Tổ dân phố", _("Residential group (tổ dân phố)")
    AP = "Ấp", _("Hamlet (ấp)")
    HEM = "Hẻm", _("Alley (hẻm)")
    BUILDING = "Tòa nhà", _("Building")


# Where each population figure comes from (vocabulary of vungxanh/areas/data/PROVENANCE.md).
POPULATION_BASIS = {
    "census": _("2019 census"),
    "census-merged": _("2019 census, sum of the communes merged into this one"),
    "split-unresolved": _("unknown: a 2019 commune was split between several"),
    "unmatched": _("unknown: not found in the 2019 census"),
    "census-district-row": _("2019 census, district total"),
    "sum-of-communes": _("2019 census, sum of its communes"),
    "census-island-row": _("2019 census, island district"),
    "not-enumerated": _("not covered by the 2019 census"),
    "census-province-row": _("2019 census, province total"),
    "sum-of-predecessors": _("sum of the merged units"),
    "reported": _("reported by the commune"),
}


class AreaQuerySet(ScopedQuerySet):
    # The Area model is its own scope.
    scope_area_field = ""

    def valid_on(self, day: dt.date) -> AreaQuerySet:
        """Return the units that existed on ``day``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        )

    def current(self) -> AreaQuerySet:
        return self.filter(valid_to__isnull=True)

    def subtree(self, area: Area, *, include_self: bool = True) -> AreaQuerySet:
        rows = self.filter(path__startswith=area.path)
        return rows if include_self else rows.exclude(pk=area.pk)

    def ancestors_of(self, area: Area) -> AreaQuerySet:
        return self.filter(path__in=area.ancestor_paths())


class Area(models.Model):
    """An administrative unit (with its GSO code) or a smaller unit a commune defines.

    Units are dated: ``valid_from``/``valid_to`` bound the organisation they belong to,
    and ``AreaSuccession`` rows say which units took over when they were merged or
    split, so data entered under an old unit can be read under its successor.
    """

    code = models.CharField(
        _("code"),
        max_length=40,
        help_text=_("Official GSO code (kept as text, leading zeros included)."),
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices, db_index=True)
    unit_type = models.CharField(
        _("unit type"), max_length=40, blank=True, help_text=_("Phường, Xã, Quận, Tỉnh, ...")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "VN/92/916/31120/": subtree queries are prefix matches and need no recursion.
    path = models.CharField(max_length=255, unique=True, editable=False)
    folded_name = models.CharField(max_length=150, db_index=True, editable=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_basis = models.CharField(_("population basis"), max_length=40, blank=True)
    boundary = models.TextField(
        _("boundary"), blank=True, help_text=_("GeoJSON geometry (WGS84 longitude/latitude).")
    )
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    boundary_approximate = models.BooleanField(_("approximate boundary"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_to__isnull=True),
                name="areas_area_unique_current_code",
                violation_error_message=_("Another current unit already has this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_paths(self) -> list[str]:
        """Return the paths of every ancestor, nation first."""
        keys = self.path.rstrip("/").split("/")[:-1]
        return ["/".join(keys[: i + 1]) + "/" for i in range(len(keys))]

    @property
    def population_basis_label(self) -> str:
        return str(POPULATION_BASIS.get(self.population_basis, self.population_basis))

    def boundary_geometry(self) -> dict | None:
        return json.loads(self.boundary) if self.boundary else None

    @property
    def is_nation(self) -> bool:
        return self.code == NATION_CODE and self.parent_id is None


class AreaSuccession(models.Model):
    """One unit taking over (all or part of) another on a date: a merger or a split."""

    predecessor = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="succeeded_by", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="succeeds", verbose_name=_("successor")
    )
    effective_on = models.DateField(_("effective on"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    population_share = models.FloatField(
        _("population share"),
        null=True,
        blank=True,
        help_text=_("Share of the predecessor's population that went to the successor."),
    )

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="areas_succession_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"
