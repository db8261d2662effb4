"""Refusing a page to a role, with a message that says which roles may open it.

A view that is only for some roles calls ``require(user, model_label, action)``; the
403 page (``templates/403.html``) shows the message, e.g. "Trang này dành cho: Cán bộ
phường, Cán bộ y tế, Quản trị viên." The roles come from the one policy table
(``accounts/roles.py``), so the message cannot drift from the rule.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from vungxanh.accounts.roles import POLICY, Role
from vungxanh.accounts.scoping import can


def roles_that_may(model_label: str, action: str) -> list[Role]:
    """Return the roles the policy table allows ``action`` on ``model_label``, in menu order."""
    allowed = POLICY.get(model_label, {}).get(action, frozenset())
    return [role for role in Role if role in allowed]


def refusal(model_label: str, action: str) -> PermissionDenied:
    """Return the PermissionDenied naming who may do ``action`` on ``model_label``."""
    roles = roles_that_may(model_label, action)
    if not roles:
        return PermissionDenied(_("Your role does not give access to this page."))
    names = ", ".join(str(role.label) for role in roles)
    return PermissionDenied(_("This page is for: %(roles)s.") % {"roles": names})


def require(user, model_label: str, action: str) -> None:
    """Raise the 403 refusal unless ``user`` may do ``action`` on ``model_label`` somewhere."""
    if not can(user, model_label, action):
        raise refusal(model_label, action)
