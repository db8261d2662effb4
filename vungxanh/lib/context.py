"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vungxanh import __version__


def site_context(request: HttpRequest) -> dict:
    return {"VX_VERSION": __version__, "VX_DEMO": settings.DEMO}
