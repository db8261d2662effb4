"""The batches of every history a user may read, as one list newest first (pages and API).

Each history's scoped queryset is reduced to (history, id, date) rows and the database
merges them with UNION ALL, ordered and sliced there: a page reads its page-size rows
whatever the page number, and the count is one query. (Taking the first offset + page-size
rows of each history and merging them here would read more rows the further one pages.)
The batches of a page are then loaded by id, one query per history on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, Value

from vungxanh.imports import registry


@dataclass(frozen=True)
class Listed:
    """One batch of the merged list: its history's key, the batch, its summary."""

    history: str
    batch: Any
    summary: registry.Summary
    undoable: bool


def merged_rows(user, histories: dict[str, registry.History]):
    """The (history, id, date) rows of every batch of ``histories`` ``user`` may read."""
    parts = [
        history.batches(user)
        .order_by()
        .values(
            merged_history=Value(key, output_field=CharField()),
            merged_id=F("pk"),
            merged_at=F(history.date_field),
        )
        for key, history in histories.items()
    ]
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True).order_by("-merged_at", "-merged_id")


class Merged:
    """A sliceable, countable list of ``Listed`` (what a Paginator or ninja's paginate take).

    ``convert(listed)`` turns each into what the caller shows (the API's dicts).
    """

    def __init__(self, user, convert: Callable[[Listed], Any] = lambda listed: listed):
        self.user = user
        self.histories = registry.readable_histories(user)
        self.rows = merged_rows(user, self.histories)
        self.convert = convert

    def count(self) -> int:
        return self.rows.count() if self.rows is not None else 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice):
            raise TypeError("a merged list of imports is read by slices")
        if self.rows is None:
            return []
        return [self.convert(listed) for listed in self._load(list(self.rows[index]))]

    def _load(self, rows: list[dict]) -> list[Listed]:
        """The batches of ``rows``, in their order (one that vanished since is left out)."""
        wanted: dict[str, list[int]] = {}
        for row in rows:
            wanted.setdefault(row["merged_history"], []).append(row["merged_id"])
        loaded = {
            key: self.histories[key].batches(self.user).in_bulk(ids) for key, ids in wanted.items()
        }
        listed = []
        for row in rows:
            key = row["merged_history"]
            batch = loaded[key].get(row["merged_id"])
            if batch is not None:
                history = self.histories[key]
                undoable = history.may_undo(self.user, batch)
                listed.append(Listed(key, batch, history.summary(batch), undoable))
        return listed
