"""Error pages in the site's frame: 403 and 404 with the user's menu, 400 and 500 static.

403 and 404 render with the request (menu, language, "as of" picker) and offer the page
the user came from when it is on this site. 400 and 500 use Django's handlers, which
render ``400.html`` / ``500.html`` without a request: those pages must not need the
database, the session or anything that may be what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def _back(request: HttpRequest) -> str:
    """Return the referring address if it is on this site and is not this page, else ""."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host header: offer no link back
        return ""
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return ""
    if referer.endswith(request.get_full_path()):
        return ""
    return referer


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    context = {"message": message, "back": _back(request)}
    return render(request, "403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    context = {"request_path": request.path, "back": _back(request)}
    return render(request, "404.html", context, status=404)
