"""Accounts API.

GET    /api/v1/accounts/me             the caller and their memberships
GET    /api/v1/accounts/tokens         the caller's API tokens
POST   /api/v1/accounts/tokens         create a token (its secret is returned once)
DELETE /api/v1/accounts/tokens/{id}    revoke one of the caller's tokens
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from vungxanh.accounts import services
from vungxanh.accounts.models import ApiToken
from vungxanh.accounts.schemas import MeOut, TokenCreatedOut, TokenIn, TokenOut
from vungxanh.lib.apischema import Id, errors

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **errors(401)}, url_name="me")
def me(request: HttpRequest):
    user = request.user
    memberships = user.memberships.select_related("area").order_by("area__path")
    return {
        "username": user.username,
        "full_name": user.full_name,
        "is_superuser": user.is_superuser,
        "memberships": [
            {
                "area_code": m.area.code,
                "area_name": m.area.name,
                "role": m.role,
                "role_label": m.get_role_display(),
            }
            for m in memberships
        ],
    }


@router.get("/tokens", response={200: list[TokenOut], **errors(401)}, url_name="token_list")
def token_list(request: HttpRequest):
    # Tokens are personal: the scope is the caller, not an area.
    return ApiToken.objects.filter(user=request.user)


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **errors(400, 401, 403, 422)},
    url_name="token_create",
)
def token_create(request: HttpRequest, payload: TokenIn):
    token, raw = services.create_api_token(request.user, actor=request.user, name=payload.name)
    token.token = raw
    return Status(201, token)


@router.delete(
    "/tokens/{token_id}",
    response={200: TokenOut, **errors(401, 403, 404, 422)},
    url_name="token_revoke",
)
def token_revoke(request: HttpRequest, token_id: Id):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=token_id)
    return services.revoke_api_token(token, actor=request.user)
