"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vungxanh import __version__
from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import can, member_paths
from vungxanh.accounts.workspace import ROLES_WITH_WORK_PAGE
from vungxanh.imports.registry import importable_kinds
from vungxanh.lib import tiles


def site_context(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "VX_VERSION": __version__,
        "VX_DEMO": settings.DEMO,
        **tiles.page_context(),  # the street base map of the map pages (data- attributes)
        # Menu entries only for what the user may open.
        "nav_audit": user is not None and can(user, "audit.auditentry", "view"),
        "nav_imports": user is not None and bool(importable_kinds(user)),
        "nav_surveillance": user is not None and can(user, "surveillance.indicatorseries", "view"),
        "nav_lockdowns": user is not None and can(user, "lockdowns.lockdownzone", "view"),
        "nav_economy": user is not None
        and any(can(user, f"economy.{m}", "view") for m in ("establishment", "ownestablishment")),
        "nav_my_work": user is not None and _has_work_page(user),
        "nav_permits": user is not None and can(user, "permits.permitapplication", "view"),
        # What may open where (the change list); a business reads its own notices instead.
        "nav_reopening": user is not None and can(user, "reopening.statusperiod", "view"),
        "nav_notices": user is not None and can(user, "economy.ownestablishment", "view"),
    }


def _has_work_page(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(Role(role) in ROLES_WITH_WORK_PAGE for role, _path in member_paths(user))
