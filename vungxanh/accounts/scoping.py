"""The one permission entry point: ``Model.objects.for_user(user, action)``.

Every read and write of an area-bound object is scoped here and nowhere else. A model
opts in by using a ``ScopedQuerySet`` subclass that names the field leading to its
area (``scope_area_field``; empty for the Area model itself).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q

from vungxanh.accounts.roles import roles_allowed

NATION_PATH = "VN/"


def member_paths(user) -> list[tuple[str, str]]:
    """Return (role, area path) for each of the user's memberships, cached on the user."""
    cached = getattr(user, "_vx_member_paths", None)
    if cached is None:
        membership = apps.get_model("accounts", "Membership")
        cached = list(membership.objects.filter(user=user).values_list("role", "area__path"))
        user._vx_member_paths = cached
    return cached


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
