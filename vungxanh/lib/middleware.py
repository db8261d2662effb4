"""Response headers that every page carries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Every asset ships with the package, so nothing outside this origin is needed (except the
# images of a street tile server the deployment names in VX_TILE_URL, see ``policy``).
# Scripts never run inline: pages hand data to scripts through json_script blocks.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def policy() -> str:
    """The policy, with the street tile server's images when ``VX_TILE_URL`` names one."""
    from vungxanh.lib.tiles import origin

    tiles = origin()
    if not tiles:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: blob:", f"img-src 'self' data: blob: {tiles}"
    )


# The OpenAPI docs page (django-ninja's Swagger UI) is the one page with its own policy.
API_DOCS_PREFIX = "/api/v1/docs"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_DOCS_PREFIX):
            response.setdefault("Content-Security-Policy", policy())
        return response
