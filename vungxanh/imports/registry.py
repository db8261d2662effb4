"""What can be imported: each app registers its kinds of file, its history and its loaders.

``imports`` holds the machinery every import shares (readers, the validator's report,
preview, uploads, templates, jobs, pages, API, command line) and never imports an app:
an app registers, in its ``AppConfig.ready``,

- each kind of file it takes (``register_kind``): the spec of its columns (what the
  template shows and how each cell is read), the permission that allows importing it, and
  the services that check and store it;
- the history of its imports (``register_history``, one per app, under a key each kind
  names in ``Kind.history``): the batches a user may see, how one is undone and where
  its imported rows are shown;
- the words accepted in its choice columns, as the template and the report show them
  (``register_choice_words``);
- loaders of data shipped with the package (``register_loader``), run as jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vungxanh.accounts.scoping import can
from vungxanh.domain.tabular import Spec


@dataclass(frozen=True)
class Kind:
    """One kind of file an app imports.

    ``check(data, file_name, *, actor, series_code, valid_only, progress)`` returns an
    ``ImportCheck`` and writes nothing; ``store`` (same arguments) imports the file, all
    of it or nothing, and returns an ``ImportResult``. ``model_label`` names the model
    the rows are stored in (its "add" permission decides whether and where a user may
    import it). ``history`` is the key of the history its batches are kept in.
    """

    key: str
    label: Any  # lazily translated
    spec: Spec
    model_label: str
    check: Callable[..., Any]
    store: Callable[..., Any]
    history: str
    default_series: str = "reported"


@dataclass(frozen=True)
class Summary:
    """A batch as the shared pages list and show it, whatever the app's model.

    A count the app does not keep is None (shown "—"); ``status`` is its label in words.
    """

    imported_at: Any
    actor_name: str
    file_name: str
    kind_label: Any
    area: Any
    rows: int | None
    new: int | None
    corrected: int | None
    unchanged: int | None
    rejected: int | None
    status: Any
    sha256: str = ""
    source: str = ""
    series_name: str = ""
    undone_at: Any = None


@dataclass(frozen=True)
class History:
    """The stored imports of an app, as its pages, API and undo see them.

    ``key`` names it in addresses (``/imports/<key>/<id>/``) and in ``Kind.history``.
    ``batches(user)`` is the scoped queryset of the batches ``user`` may see (objects with
    ``kind``, ``file_name``, ``area``…), its date field ``date_field`` (newest first in the
    shared list); ``summary(batch)`` a ``Summary`` of one; ``may_undo(user, batch)``;
    ``undo(batch, *, actor, reason)`` (raises PermissionDenied or ValidationError);
    ``sample(user, batch, limit)`` (up to ``limit`` of the stored rows of the batch
    ``user`` may read, how many it stored), for its detail page;
    ``result_link(batch)`` (url, label) of the page that shows what the batch imported;
    ``shown_note(batch)`` a sentence for the user when the pages do not show the batch's
    figures by default (another series is the area's official one), else "";
    ``permission`` the model label of the batches (its "view" right lets a role read them).
    """

    key: str
    batches: Callable[..., Any]
    summary: Callable[..., Summary]
    may_undo: Callable[..., bool]
    undo: Callable[..., Any]
    sample: Callable[..., tuple[list, int]]
    result_link: Callable[..., tuple[str, str]]
    permission: str
    area_lookup: Callable[..., Any]  # (actor, model_label) -> (AreaLookup, {pk: area})
    date_field: str = "created_at"
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
_HISTORIES: dict[str, History] = {}
_CHOICE_WORDS: list[dict[str, list[str]]] = []


def register_kind(kind: Kind) -> None:
    _KINDS[kind.key] = kind


def register_history(history: History) -> None:
    """Register an app's history under its key (registering a key again replaces it)."""
    _HISTORIES[history.key] = history


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


def histories() -> dict[str, History]:
    return dict(_HISTORIES)


def history(key: str) -> History:
    """Return the history registered under ``key`` (LookupError if none)."""
    try:
        return _HISTORIES[key]
    except KeyError:
        raise LookupError(f"no app registered the import history {key!r}") from None


def history_of(kind_key: str) -> History:
    """Return the history the batches of the kind ``kind_key`` are kept in."""
    return history(kind(kind_key).history)


def importable_kinds(user) -> dict[str, Kind]:
    """The kinds ``user`` may import somewhere: each kind's own model's "add" right."""
    return {key: k for key, k in _KINDS.items() if can(user, k.model_label, "add")}


def readable_histories(user) -> dict[str, History]:
    """The histories whose batches ``user`` may read somewhere."""
    return {key: h for key, h in _HISTORIES.items() if can(user, h.permission, "view")}


def choice_words() -> list[dict[str, list[str]]]:
    return list(_CHOICE_WORDS)
