"""Who is acting, through what, in which request: carried in a context variable.

The web and API middleware set it for a request; commands set it with ``acting_as``.
Services read it when they record an audit entry, so the source and request id of
every change are known without passing them through every call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    source: str  # "web", "api" or "cli:<command>"
    request_id: str


_current: ContextVar[AuditContext | None] = ContextVar("vx_audit_context", default=None)


def current() -> AuditContext:
    """Return the active context; code run outside any request or command is "system"."""
    return _current.get() or AuditContext(source="system", request_id="")


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting_through(source: str, request_id: str | None = None) -> Iterator[AuditContext]:
    """Mark every change made inside the block as coming from ``source``."""
    context = AuditContext(source=source, request_id=request_id or new_request_id())
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
