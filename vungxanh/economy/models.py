"""Establishments (cơ sở sản xuất, kinh doanh): who may open, where, doing what (issue 12).

An establishment is identified by its tax code (mã số thuế), kept in its normal form
(``domain.taxcode``): ten digits, or ten, a dash and three for a dependent unit. Its
VSIC 2018 code says what it does; its section letter is stored beside the code so the
list, the matrix and the status stage select by sector without parsing codes.

Reading is scoped like every area-bound object (``accounts.scoping``: the ward's subtree
by role) and, for business accounts, by representation: a business applicant sees the
establishments they represent, nothing else (``EstablishmentQuerySet.for_user``).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.accounts.scoping import ScopedQuerySet, Unrestricted, allowed_paths
from vungxanh.economy import bounds

ESTABLISHMENT = "economy.establishment"
# The policy entry (accounts/roles.py) of the roles that reach an establishment through
# representing it rather than through an area.
OWN_ESTABLISHMENT = "economy.ownestablishment"
CONSTRUCTION_SECTION = "F"


class Kind(models.TextChoices):
    HOUSEHOLD = "household", _("Business household")
    ENTERPRISE = "enterprise", _("Enterprise")


class EstablishmentQuerySet(ScopedQuerySet):
    scope_area_field = "ward"

    def for_user(self, user, action: str = "view") -> EstablishmentQuerySet:
        """The ward subtrees of the user's roles, plus what the user represents.

        Representing counts only where the user holds a role of ``OWN_ESTABLISHMENT`` (a
        business applicant) over the establishment's ward: an account that stops being
        the business's stops seeing it when its membership is revoked.
        """
        scoped = super().for_user(user, action)
        own_paths = allowed_paths(user, OWN_ESTABLISHMENT, action)
        if not own_paths:
            return scoped
        own = self.filter(representative=user)
        if not isinstance(own_paths, Unrestricted):
            own = own.filter(reduce(or_, (Q(ward__path__startswith=p) for p in own_paths)))
        return scoped | own


class Establishment(models.Model):
    """A business household or an enterprise at one address in one ward."""

    name = models.CharField(_("name"), max_length=bounds.NAME_MAX)
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        unique=True,
        help_text=_("10 digits, or 13 for a branch: 0123456789-001."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    vsic_code = models.CharField(_("VSIC 2018 code"), max_length=5)
    # The VSIC section (A–U) of vsic_code, set by the services: filters and the matrix.
    section = models.CharField(_("sector (VSIC section)"), max_length=1, db_index=True)
    address = models.CharField(_("address"), max_length=bounds.ADDRESS_MAX, blank=True)
    ward = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="establishments",
        verbose_name=_("ward or commune"),
    )
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    essential_goods = models.BooleanField(_("essential goods"), default=False)
    goods = models.CharField(_("goods"), max_length=bounds.GOODS_MAX, blank=True)
    public_investment = models.BooleanField(_("public-investment works"), default=False)
    investor = models.CharField(_("investor"), max_length=bounds.INVESTOR_MAX, blank=True)
    phone = models.CharField(_("phone"), max_length=bounds.PHONE_MAX, blank=True)
    email = models.EmailField(_("email"), max_length=bounds.EMAIL_MAX, blank=True)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="represented_establishments",
        verbose_name=_("represented by"),
    )
    simulated = models.BooleanField(_("simulated"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "tax_code"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        indexes = [models.Index(fields=["ward", "section"], name="economy_est_ward_section")]
        constraints = [
            models.CheckConstraint(
                condition=Q(workers__isnull=True)
                | Q(workers__gte=bounds.WORKERS_MIN, workers__lte=bounds.WORKERS_MAX),
                name="economy_establishment_workers_range",
            ),
            # Public-investment works are construction works (VSIC section F).
            models.CheckConstraint(
                condition=Q(public_investment=False) | Q(section=CONSTRUCTION_SECTION),
                name="economy_establishment_public_investment_is_construction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class EstablishmentImportQuerySet(ScopedQuerySet):
    scope_area_field = "area"


class EstablishmentImport(models.Model):
    """One file of establishments imported: what it added and changed, by whom."""

    kind = "establishments"  # the import kind, as the shared import pages name it
    series = None  # establishments belong to no surveillance series

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("new"))
    changed = models.PositiveIntegerField(_("changed"))
    unchanged = models.PositiveIntegerField(_("unchanged"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    objects = EstablishmentImportQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("import of establishments")
        verbose_name_plural = _("imports of establishments")

    def __str__(self) -> str:
        return self.file_name
