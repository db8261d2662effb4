"""The JSON API under /api/v1/: one NinjaAPI, a router per app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from vungxanh.accounts.services import user_for_token


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
    auth=[django_auth, ApiTokenAuth()],
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
    api.add_router("/imports/", "vungxanh.surveillance.api_imports.router")
    api.add_router("/risk/", "vungxanh.risk.api.router")
    api.add_router("/surveillance/", "vungxanh.surveillance.api.router")
    api.add_router("/lockdowns/", "vungxanh.lockdowns.api.router")


_mount_routers()
