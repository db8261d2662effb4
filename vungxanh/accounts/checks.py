"""System checks that reject a bad configuration before the first request."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=False)
def check_configuration(app_configs, **kwargs):
    problems = []
    if len(settings.SECRET_KEY) < 32:
        problems.append(
            Error(
                "VX_SECRET_KEY is shorter than 32 characters.",
                hint="Use a long random value.",
                id="vungxanh.E001",
            )
        )
    if not settings.DEMO and settings.DEBUG:
        problems.append(
            Error(
                "VX_DEBUG is on outside the demo.",
                hint="Set VX_DEBUG=false, or VX_DEMO=true on a laptop.",
                id="vungxanh.E002",
            )
        )
    if not settings.DEMO and not settings.SECURE_COOKIES:
        problems.append(
            Warning(
                "Cookies are not marked secure outside the demo.",
                hint="Serve over https and leave VX_SECURE_COOKIES on.",
                id="vungxanh.W001",
            )
        )
    if "*" in settings.ALLOWED_HOSTS and not settings.DEMO:
        problems.append(
            Error(
                "VX_ALLOWED_HOSTS contains '*'.",
                hint="List the host names the site is served under.",
                id="vungxanh.E003",
            )
        )
    if settings.PAGE_SIZE_OK is False:
        problems.append(Error("VX_PAGE_SIZE must be between 10 and 1000.", id="vungxanh.E004"))
    return problems
