"""Helpers shared by management commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def table(rows: list[list[str]], headers: list[str]) -> str:
    """Return ``rows`` as a plain-text table with aligned columns."""
    widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def user_or_error(username: str | None):
    """Return the named user, None for the system, or fail with a clear message."""
    if not username:
        return None
    from vungxanh.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user named “%(name)s”.") % {"name": username})
    return user
