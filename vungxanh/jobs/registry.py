"""Which functions may run as jobs. Apps register theirs in ``AppConfig.ready``.

A job row names its work by a registered key, never by an arbitrary import path, so a
row in the database cannot make a worker import and run something else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

_TASKS: dict[str, str] = {}


def register(key: str, dotted_path: str) -> None:
    """Let jobs with ``task=key`` run ``dotted_path(job, progress)``."""
    _TASKS[key] = dotted_path


def resolve(key: str) -> Callable:
    """Return the function registered for ``key`` (KeyError if none)."""
    module_name, _, attribute = _TASKS[key].rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def registered() -> set[str]:
    return set(_TASKS)
