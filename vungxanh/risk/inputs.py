"""Which stored indicator feeds each input of a rule set, as the files of ``feeds/`` say.

The content is data (``feeds/vn-indicator-inputs.toml``, parsed by
``vungxanh.domain.feeds``): the indicator of each input, the day the elderly criterion of
QĐ 4800 switches from people aged 65 to people aged 50, which cells are judgements. Here
they are followed: a derived rule set (``parent = …``) uses its parent's sources unless it
names its own, and the engine asks for the values of a day.

A source is a stored indicator, a statistic of the stored Rt (``rt.q50``, …), the previous
level, or a switch between indicators on a date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import numpy as np

from vungxanh.domain.feeds import PREVIOUS_LEVEL, Feeds, combine, is_rt, load_feeds
from vungxanh.domain.rules import RuleSet

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"
# Folders read in order, a later file's rule set replacing an earlier one's (tests and a
# province's own folder add theirs after the shipped one).
FEEDS_DIRS: list[Path] = [FEEDS_DIR]

__all__ = ["PREVIOUS_LEVEL", "is_rt"]


@cache
def _feeds(folders: tuple[Path, ...]) -> Feeds:
    return combine([load_feeds(p) for folder in folders for p in sorted(folder.glob("*.toml"))])


def feeds() -> Feeds:
    """Return the sources of every rule set, as the files of ``FEEDS_DIRS`` say."""
    return _feeds(tuple(FEEDS_DIRS))


def mapping_for(ruleset: RuleSet, parents: dict[str, str]) -> dict[str, str]:
    """Return input -> source for ``ruleset``, following its parent chain."""
    chain = [ruleset.id]
    while chain[-1] in parents and parents[chain[-1]]:
        chain.append(parents[chain[-1]])
    sources = feeds().inputs
    mapping: dict[str, str] = {}
    for code in reversed(chain):
        mapping.update({name: cell.source for name, cell in sources.get(code, {}).items()})
    return {name: mapping[name] for name in ruleset.inputs if name in mapping}


def computable(ruleset: RuleSet, parents: dict[str, str]) -> bool:
    """A rule set can run on surveillance data when every input it needs has a source."""
    mapping = mapping_for(ruleset, parents)
    return bool(mapping) and all(name in mapping for name in ruleset.inputs)


def indicator_on(source: str, day: dt.date) -> str:
    """Return the stored series ``source`` reads on ``day``."""
    return feeds().indicator_on(source, day)


def day_values(
    mapping: dict[str, str],
    indicators: dict[str, np.ndarray],
    day: dt.date,
    column: int,
    previous: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return each input's values (one per area) on ``day`` from indicator matrices."""
    values = {}
    for name, source in mapping.items():
        if source == PREVIOUS_LEVEL:
            values[name] = previous
        else:
            values[name] = indicators[indicator_on(source, day)][:, column]
    return values


def source_matrix(source: str, indicators: dict[str, np.ndarray], dates) -> np.ndarray:
    """Return the ``areas × days`` values ``source`` (not the previous level) reads over ``dates``."""
    read = [indicator_on(source, d) for d in dates]
    if len(set(read)) == 1:
        return indicators[read[0]]
    out = np.empty_like(indicators[read[0]])
    for t, name in enumerate(read):
        out[:, t] = indicators[name][:, t]
    return out


def needed_indicators(mapping: dict[str, str]) -> set[str]:
    """Return every stored series the mapping reads: indicators and Rt statistics."""
    found: set[str] = set()
    for source in mapping.values():
        found |= feeds().indicators_of(source)
    return found


def rt_statistics(names: set[str]) -> set[str]:
    """The Rt statistics among ``names`` (``rt.q50`` → ``q50``)."""
    return {name.split(".", 1)[1] for name in names if is_rt(name)}
