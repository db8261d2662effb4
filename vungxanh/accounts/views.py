"""Sign-in, personal API tokens, and the page of what a role does here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vungxanh.accounts import services
from vungxanh.accounts.forms import LoginForm
from vungxanh.accounts.models import ApiToken
from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import own_memberships
from vungxanh.accounts.workspace import work_links


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


NEW_SECRET_KEY = "vx_new_token_secret"


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            _token, secret = services.create_api_token(
                request.user, actor=request.user, name=request.POST.get("name", "")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            # Shown once, on the page the redirect leads to; a reload creates nothing.
            request.session[NEW_SECRET_KEY] = secret
        return redirect("accounts:tokens")
    new_secret = request.session.pop(NEW_SECRET_KEY, None)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"tokens": tokens, "new_secret": new_secret})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=token_id)
    services.revoke_api_token(token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """What the user's roles do here: open pages as links, coming modules named as such."""
    roles = []
    for membership in own_memberships(request.user):
        role, area = Role(membership.role), membership.area
        roles.append(
            {
                "role": role,
                "area": area,
                "work": work_links(role, area.code if area else None),
            }
        )
    return render(request, "accounts/my_work.html", {"roles": roles})
