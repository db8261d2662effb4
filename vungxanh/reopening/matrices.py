"""Which activity matrix answers a ward on a day (pure), and the shipped matrices (cached).

A ward's level comes from a level rule set; the matrix that answers it is one whose
``level_rules`` is that rule set and that is in force that day. A province's own matrix
(a derivation such as ``vn-nq128-activities-cantho``, or a province-only regime such as
``cantho-2021-09-green-zone``) wins over the national one for the wards of that province.

The activity files name no province (``docs/activities-format.md`` has no such key), so the
province of each provincial file is written here, by its id: the smallest mapping that lets
the stage choose, until the format gains a ``province`` key. A file not listed is national.
Example files (``example = true``: composites that illustrate a derivation) are never used
for real statuses, as example level rule sets are never computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

from vungxanh.domain.activities import ActivityMatrix, load_all

# activity file id -> the province code (areas.Area.code) whose decision it states
PROVINCE_OF = {
    "cantho-2021-09-green-zone": "92",
    "vn-nq128-activities-cantho": "92",
    "vn-nq128-activities-hanoi": "01",
}


def in_force(matrix: ActivityMatrix, day: dt.date) -> bool:
    after_start = matrix.effective_from is None or day >= matrix.effective_from
    before_end = matrix.effective_to is None or day <= matrix.effective_to
    return after_start and before_end


def choose(
    matrices: Iterable[ActivityMatrix],
    level_rules: str,
    day: dt.date,
    province: str,
    provinces: dict[str, str] | None = None,
) -> ActivityMatrix | None:
    """The matrix for a ward of ``province`` whose level comes from ``level_rules`` on ``day``.

    Among the matrices pairing with the rule set and in force that day: the province's own
    first, then a national one; within each, the one that took effect last (then by id).
    None when no matrix pairs with the rule set that day.
    """
    owner = PROVINCE_OF if provinces is None else provinces
    fitting = [
        m
        for m in matrices
        if m.level_rules == level_rules
        and in_force(m, day)
        and owner.get(m.id, province) == province
    ]
    if not fitting:
        return None
    return max(
        fitting,
        key=lambda m: (m.id in owner, m.effective_from or dt.date.min, m.id),
    )


@cache
def shipped() -> tuple[ActivityMatrix, ...]:
    """The activity files shipped with the package, examples left out (read once)."""
    return tuple(m for m in load_all().values() if not m.example)


def by_id() -> dict[str, ActivityMatrix]:
    return {m.id: m for m in load_all_cached()}


@cache
def load_all_cached() -> tuple[ActivityMatrix, ...]:
    """Every shipped file, examples included (to show the source of a stored period)."""
    return tuple(load_all().values())
