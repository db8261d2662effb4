"""Sign-in throttling (django-axes): whose address counts, and what a locked-out user reads.

Failures are counted twice (``AXES_LOCKOUT_PARAMETERS``): per account, from any address, and
per address, against any account. Either reaching the limit pauses signing in.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_STATUS = 429


def client_address(request: HttpRequest) -> str:
    """The address that failed: the socket's peer, or the one our proxy saw.

    ``X-Forwarded-For`` is written by the client too; only its last entry, appended by
    the proxy in front of us, is trusted, and only when ``VX_BEHIND_PROXY`` says there is one.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not getattr(settings, "VX_BEHIND_PROXY", False):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else peer


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The sign-in page's answer while the account or the address is paused."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=LOCKED_STATUS)
