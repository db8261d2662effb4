"""Record audit entries. Every service that writes calls ``record`` in the same transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from vungxanh.audit.context import current
from vungxanh.audit.models import AuditEntry

# Fields never copied into the trail: secrets, and the personal identifiers of cases.
REDACTED_FIELDS = frozenset({"password", "key_hash", "phone", "id_number", "address"})
REDACTED_BY_MODEL = {"surveillance.caseperson": frozenset({"full_name"})}


def _plain(value: Any) -> Any:
    """Return ``value`` as something JSON can hold."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, *, fields: list[str] | None = None) -> dict[str, Any]:
    """Return the concrete field values of ``instance`` (foreign keys as ids)."""
    values: dict[str, Any] = {}
    redacted = REDACTED_FIELDS | REDACTED_BY_MODEL.get(instance._meta.label_lower, frozenset())
    for field in instance._meta.concrete_fields:
        if field.name in redacted or (fields is not None and field.name not in fields):
            continue
        values[field.attname] = _plain(getattr(instance, field.attname))
    return values


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    area=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    legal_basis: str = "",
) -> AuditEntry:
    """Append one audit entry for a change made by ``actor`` (None means the system)."""
    context = current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    entry = AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None else "system")[:150],
        source=context.source,
        request_id=context.request_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        area=area,
        before=before,
        after=after,
        reason=reason,
        legal_basis=legal_basis[:200],
    )
    entry.save()
    return entry
