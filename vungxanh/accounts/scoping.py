"""The one permission module: ``for_user`` for sets, ``can`` for one object.

Every read and write of an area-bound object is scoped here and nowhere else:
``Model.objects.for_user(user, action)`` returns the rows a user may ``action`` (a set),
``can(user, label, action, area)`` says whether the user may ``action`` one object in
``area``. A model opts in by using a ``ScopedQuerySet`` subclass that names the field
leading to its area (``scope_area_field``; empty for the Area model itself).

The helpers the pages and services need are built on those two and live here too:
``root_areas`` (where a user's reach begins), ``default_area`` (the area a page opens
on), ``area_lookup`` (the areas an actor may report for, as an import's lookup) and
``eligible_officials`` (who may be named on a duty in an area).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q

from vungxanh.accounts.roles import roles_allowed
from vungxanh.domain.tabular import AreaLookup

NATION_PATH = "VN/"


def member_paths(user) -> list[tuple[str, str]]:
    """Return (role, area path) for each of the user's memberships, cached on the user."""
    cached = getattr(user, "_vx_member_paths", None)
    if cached is None:
        membership = apps.get_model("accounts", "Membership")
        cached = list(membership.objects.filter(user=user).values_list("role", "area__path"))
        user._vx_member_paths = cached
    return cached


def own_memberships(user) -> list:
    """Return the user's own memberships with their areas, highest area first.

    A person always may read their own roles (their first screen says what each does);
    reading other people's memberships goes through ``for_user`` like everything else.
    """
    membership = apps.get_model("accounts", "Membership")
    rows = membership.objects.filter(user=user).select_related("area")
    return list(rows.order_by("area__path", "role"))


class Unrestricted:
    """Marker: the user may act everywhere."""


UNRESTRICTED = Unrestricted()


def allowed_paths(user, model_label: str, action: str) -> list[str] | Unrestricted:
    """Return the area paths under which ``user`` may ``action`` objects of ``model_label``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return UNRESTRICTED
    roles = roles_allowed(model_label, action)
    paths = sorted({path for role, path in member_paths(user) if role in roles})
    if NATION_PATH in paths:
        return UNRESTRICTED
    # Drop paths already covered by a shorter one, to keep the query small.
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def can(user, model_label: str, action: str, area=None) -> bool:
    """Return whether ``user`` may ``action`` objects of ``model_label`` in ``area``.

    With no area, return whether the user may do it anywhere at all.
    """
    paths = allowed_paths(user, model_label, action)
    if isinstance(paths, Unrestricted):
        return True
    if area is None:
        return bool(paths)
    return any(area.path.startswith(p) for p in paths)


class ScopedQuerySet(models.QuerySet):
    scope_area_field: str = "area"

    def for_user(self, user, action: str = "view") -> ScopedQuerySet:
        """Return the rows ``user`` may ``action``: its areas' subtrees, by its roles."""
        paths = allowed_paths(user, self.model._meta.label_lower, action)
        if isinstance(paths, Unrestricted):
            return self.all()
        if not paths:
            return self.none()
        lookup = (
            f"{self.scope_area_field}__path__startswith"
            if self.scope_area_field
            else ("path__startswith")
        )
        return self.filter(reduce(or_, (Q(**{lookup: p}) for p in paths)))


# -- helpers built on for_user and can ------------------------------------------------------


def _area_model():
    return apps.get_model("areas", "Area")


def root_areas(user) -> list:
    """Return the highest current areas ``user`` can see: where the user's reach begins."""
    visible = _area_model().objects.for_user(user, "view").current()
    if user.is_superuser:
        return list(visible.filter(parent__isnull=True))
    paths = {path for _role, path in member_paths(user)}
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(visible.filter(path__in=tops))


def default_area(user, model_label: str = "surveillance.caserecord"):
    """Return the highest area where ``user`` may read ``model_label``, or None."""
    areas = _area_model().objects.for_user(user, "view").current().order_by("path")
    if user.is_superuser:
        return areas.filter(parent__isnull=True).first()
    paths = sorted({path for _role, path in member_paths(user)}, key=lambda p: (len(p), p))
    for path in paths:
        area = areas.filter(path=path).first()
        if area is not None and can(user, model_label, "view", area):
            return area
    return None


def area_lookup(actor, model_label: str, action: str = "add") -> tuple[AreaLookup, dict]:
    """Return the current areas ``actor`` may ``action`` ``model_label`` in, as a lookup by
    code or name, and by primary key. ``actor=None`` (a trusted loader) may use every area.
    """
    paths = allowed_paths(actor, model_label, action) if actor is not None else UNRESTRICTED
    areas = _area_model().objects.current()
    if not isinstance(paths, Unrestricted):
        if not paths:
            return AreaLookup([]), {}
        areas = areas.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
    rows = list(areas.only("id", "code", "name", "path", "parent_id", "kind", "population"))
    # The populations bound the counts of each row (tabular._beyond_population).
    lookup = AreaLookup((a.pk, a.code, a.name, a.population) for a in rows)
    return lookup, {a.pk: a for a in rows}


def eligible_officials(area, roles=None):
    """Active users holding a role (one of ``roles``, if given) over ``area`` (on it or
    above): who a duty may name."""
    user_model = apps.get_model("accounts", "User")
    membership = apps.get_model("accounts", "Membership")
    paths = [*area.ancestor_paths(), area.path]
    memberships = membership.objects.filter(area__path__in=paths)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    ids = memberships.values("user_id")
    return user_model.objects.filter(pk__in=ids, is_active=True).order_by("username")
