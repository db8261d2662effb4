"""What can be imported: each app registers its kinds of file, its history and its loaders.

``imports`` holds the machinery every import shares (readers, the validator's report,
preview, uploads, templates, jobs, pages, API, command line) and never imports an app:
an app registers, in its ``AppConfig.ready``,

- each kind of file it takes (``register_kind``): the spec of its columns (what the
  template shows and how each cell is read), the permission that allows importing it, and
  the services that check and store it;
- the history of its imports (``register_history``): the batches a user may see, and how
  one is undone;
- the words accepted in its choice columns, as the template and the report show them
  (``register_choice_words``);
- loaders of data shipped with the package (``register_loader``), run as jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vungxanh.domain.tabular import Spec


@dataclass(frozen=True)
class Kind:
    """One kind of file an app imports.

    ``check(data, file_name, *, actor, series_code, valid_only, progress)`` returns an
    ``ImportCheck`` and writes nothing; ``store`` (same arguments) imports the file, all
    of it or nothing, and returns an ``ImportResult``. ``model_label`` names the model
    the rows are stored in (its permissions decide where a user may import).
    """

    key: str
    label: Any  # lazily translated
    spec: Spec
    model_label: str
    check: Callable[..., Any]
    store: Callable[..., Any]
    default_series: str = "reported"


@dataclass(frozen=True)
class History:
    """The stored imports of an app, as its pages, API and undo see them.

    ``batches(user)`` is the scoped queryset of the batches ``user`` may see (objects with
    ``kind``, ``file_name``, ``area``, ``status``…); ``may_undo(user, batch)``;
    ``undo(batch, *, actor, reason)`` (raises PermissionDenied or ValidationError);
    ``rows(user, batch)`` the stored rows of a batch ``user`` may read;
    ``area_url(area, series=None)`` where the imported figures are shown;
    ``shown_note(batch)`` a sentence for the user when the pages do not show the batch's
    figures by default (another series is the area's official one), else "";
    ``permission`` the model label whose "add" right allows importing at all.
    """

    batches: Callable[..., Any]
    may_undo: Callable[..., bool]
    undo: Callable[..., Any]
    rows: Callable[..., Any]
    area_url: Callable[..., str]
    permission: str
    area_lookup: Callable[..., Any]  # (actor, model_label) -> (AreaLookup, {pk: area})
    shown_note: Callable[..., str] = lambda batch: ""


@dataclass(frozen=True)
class Loader:
    """Data shipped with the package, loaded by a job (``vungxanh import KEY``)."""

    key: str
    label: Any
    task: str  # the job task that loads it (registered in vungxanh.jobs.registry)
    area_code: str = ""  # the area it loads data for: its job shows to those who see it


_KINDS: dict[str, Kind] = {}
_LOADERS: dict[str, Loader] = {}
_HISTORY: list[History] = []
_CHOICE_WORDS: list[dict[str, list[str]]] = []


def register_kind(kind: Kind) -> None:
    _KINDS[kind.key] = kind


def register_history(history: History) -> None:
    _HISTORY[:] = [history]


def register_loader(loader: Loader) -> None:
    _LOADERS[loader.key] = loader


def register_choice_words(*mappings: dict[str, list[str]]) -> None:
    """Add the accepted words of choice columns: stored value -> words, the first its own."""
    for mapping in mappings:
        if mapping not in _CHOICE_WORDS:
            _CHOICE_WORDS.append(mapping)


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


def kind(key: str) -> Kind:
    """Return the registered kind ``key`` (KeyError if none)."""
    return _KINDS[key]


def specs() -> dict[str, Spec]:
    return {key: kind.spec for key, kind in _KINDS.items()}


def loaders() -> dict[str, Loader]:
    return dict(_LOADERS)


def history() -> History:
    if not _HISTORY:
        raise LookupError("no app registered an import history")
    return _HISTORY[0]


def choice_words() -> list[dict[str, list[str]]]:
    return list(_CHOICE_WORDS)
