"""Tag every web and API request so the changes it makes are audited with their source."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vungxanh.audit.context import acting_through, new_request_id

API_PREFIX = "/api/"


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith(API_PREFIX) else "web"
        request_id = request.headers.get("X-Request-ID", "")[:64] or new_request_id()
        with acting_through(source, request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
