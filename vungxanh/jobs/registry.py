"""Which functions may run as jobs. Apps register theirs in ``AppConfig.ready``.

A job row names its work by a registered key, never by an arbitrary import path, so a
row in the database cannot make a worker import and run something else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

_TASKS: dict[str, str] = {}
_TITLES: dict[str, str] = {}


def register(key: str, dotted_path: str, title: str = "") -> None:
    """Let jobs with ``task=key`` run ``dotted_path(job, progress)``.

    ``title`` (lazily translated) names the kind of work on the jobs pages; a job's own
    label says what it worked on.
    """
    _TASKS[key] = dotted_path
    if title:
        _TITLES[key] = title


def resolve(key: str) -> Callable:
    """Return the function registered for ``key`` (KeyError if none)."""
    module_name, _, attribute = _TASKS[key].rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def registered() -> set[str]:
    return set(_TASKS)


def title(key: str) -> str:
    """Return the title registered for ``key``, or "" (an unknown or untitled task)."""
    return str(_TITLES.get(key, ""))
