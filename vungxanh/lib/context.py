"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vungxanh import __version__
from vungxanh.accounts.scoping import can


def site_context(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "VX_VERSION": __version__,
        "VX_DEMO": settings.DEMO,
        # Menu entries only for what the user may open.
        "nav_audit": user is not None and can(user, "audit.auditentry", "view"),
        "nav_imports": user is not None and can(user, "surveillance.importbatch", "add"),
        "nav_surveillance": user is not None and can(user, "surveillance.indicatorseries", "view"),
    }
