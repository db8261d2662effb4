"""The JSON API under /api/v1/: one NinjaAPI, a router per app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as BadInput
from ninja.security import HttpBearer, django_auth

from vungxanh.accounts.services import user_for_token
from vungxanh.lib.apischema import field_errors


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer vx_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Vùng Xanh API",
    version="1",
    description=(
        "Epidemic response and economic recovery data, scoped to the caller's areas. "
        "Authenticate with the web session (and its CSRF token) or a personal token "
        "(`Authorization: Bearer vx_…`, created on the API tokens page)."
    ),
    urls_namespace="api",
    # The token first: a token client sends no cookie and no CSRF token, and the session
    # check refuses a write without one before any other method is tried. A request
    # without a valid token falls through to the session, which still enforces CSRF.
    auth=[ApiTokenAuth(), django_auth],
)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("Forbidden.")}, status=403)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return api.create_response(
        request, {"detail": _("Invalid input."), "errors": errors}, status=422
    )


@api.exception_handler(BadInput)
def on_bad_input(request, exc):
    # The same body as a service's ValidationError: one shape for every 422 (ErrorOut).
    return api.create_response(
        request, {"detail": _("Invalid input."), "errors": field_errors(exc.errors)}, status=422
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("Sign in or send an API token.")}, status=401)


def _mount_routers() -> None:
    from vungxanh.accounts.api import router as accounts_router
    from vungxanh.areas.api import router as areas_router
    from vungxanh.audit.api import router as audit_router

    api.add_router("/areas/", areas_router)
    api.add_router("/accounts/", accounts_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/imports/", "vungxanh.imports.api.router")
    api.add_router("/risk/", "vungxanh.risk.api.router")
    api.add_router("/surveillance/", "vungxanh.surveillance.api.router")
    api.add_router("/lockdowns/", "vungxanh.lockdowns.api.router")
    api.add_router("/jobs/", "vungxanh.jobs.api.router")
    api.add_router("/reopening/", "vungxanh.reopening.api.router")


_mount_routers()
