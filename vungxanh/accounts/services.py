"""The only code that writes users, memberships and API tokens; each write is audited."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.models import ApiToken, Membership, User, hash_token
from vungxanh.accounts.roles import Role
from vungxanh.accounts.scoping import can
from vungxanh.audit.services import record, snapshot

MEMBERSHIP_LABEL = "accounts.membership"
TOKEN_PREFIX = "vx_"


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a user; only a superuser may create another superuser."""
    if is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may create a superuser."))
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.set_password(password)
    user.save()
    record(actor, "create", user, after=snapshot(user))
    return user


@transaction.atomic
def grant_membership(user: User, area, role: str, *, actor, reason: str = "") -> Membership:
    """Give ``user`` ``role`` in ``area`` and its subtree; granting twice changes nothing."""
    if actor is not None and not can(actor, MEMBERSHIP_LABEL, "add", area):
        raise PermissionDenied(_("You may not grant roles in this area."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = Membership.objects.get_or_create(user=user, area=area, role=role)
    if created:
        record(actor, "create", membership, area=area, after=snapshot(membership), reason=reason)
    return membership


@transaction.atomic
def revoke_membership(membership: Membership, *, actor, reason: str = "") -> None:
    if actor is not None and not can(actor, MEMBERSHIP_LABEL, "delete", membership.area):
        raise PermissionDenied(_("You may not remove roles in this area."))
    before = snapshot(membership)
    record(actor, "delete", membership, area=membership.area, before=before, reason=reason)
    membership.delete()


@transaction.atomic
def create_api_token(user: User, *, actor, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; return it with the secret, which is shown only once."""
    if actor != user:
        raise PermissionDenied(_("Tokens are personal: create your own."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:10], key_hash=hash_token(raw)
    )
    record(actor, "create", token, after=snapshot(token))
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    if actor != token.user:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, "update", token, before=before, after=snapshot(token))
    return token


def user_for_token(raw: str) -> User | None:
    """Return the active user owning the active token ``raw``, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    # Record use at most once a minute, to keep reads cheap.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
