"""Which stored indicator feeds each input of a rule set: rule files of kind "inputs".

Rules are data (DESIGN §4): the choice of the indicator a rule set's input reads is a
judgement about the legal text, reviewed in git like the rule set itself. A file::

    id = "vn-indicator-inputs"
    version = "1"
    title = "…"

    [switches.elderly-full-dose]          # an input whose indicator changes on a date
    indicator = "vacc_full_65plus_pct"    # until the first change
    verified = true
    note = "…"
    changes = [{ on = 2021-11-01, indicator = "vacc_full_50plus_pct" }]

    [inputs."vn-4800-2021"]               # rule-set id → input → source
    cases_per_100k_week = "community_incidence_7d"
    vacc_full_elderly_pct = "elderly-full-dose"
    capacity_met = { indicator = "station_oxygen", verified = false, note = "…" }

A source is a stored indicator (``vungxanh.domain.indicators.INDICATORS``), a statistic of
the stored reproduction number (``rt.mean``, ``rt.q025``, ``rt.q50``, ``rt.q975``, …: the
loop computes Rt before levels), ``previous_level`` (the level in force the day before),
or the name of a switch. A cell given as a table may be flagged ``verified = false`` with
a note, like a cell of a rule set. No Django here: the CLI lists and checks these files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vungxanh.domain.indicators import INDICATORS

PREVIOUS_LEVEL = "previous_level"
RT_PREFIX = "rt."
# The statistics stored for Rt (the rows of ``surveillance.models.RT_ROWS``; a test checks
# that they agree).
RT_STATISTICS = ("mean", "std", "q025", "q25", "q50", "q75", "q975")
RT_SOURCES = frozenset(f"{RT_PREFIX}{s}" for s in RT_STATISTICS)
TOP_LEVEL_KEYS = {"id", "version", "title", "title_vi", "notes", "inputs", "switches"}
CELL_KEYS = {"indicator", "verified", "note"}
SWITCH_KEYS = {"indicator", "verified", "note", "changes"}


class FeedError(ValueError):
    """A bad file of inputs: ``file: key: message``."""

    def __init__(self, file: str, key: str, message: str):
        super().__init__(f"{file}: {key}: {message}")
        self.file, self.key, self.message = file, key, message


@dataclass(frozen=True)
class Cell:
    """The source of one input of one rule set."""

    source: str
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class Switch:
    """An input read from one indicator until a date, from another after it."""

    name: str
    indicator: str
    changes: tuple[tuple[dt.date, str], ...]
    verified: bool = True
    note: str = ""

    def on(self, day: dt.date) -> str:
        """Return the indicator read on ``day``."""
        found = self.indicator
        for since, indicator in self.changes:
            if day >= since:
                found = indicator
        return found

    def indicators(self) -> set[str]:
        return {self.indicator, *(indicator for _since, indicator in self.changes)}


@dataclass(frozen=True)
class Feeds:
    id: str
    version: str
    title: str
    title_vi: str
    notes: str
    inputs: dict[str, dict[str, Cell]]
    switches: dict[str, Switch]
    checksum: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def unverified(self) -> list[str]:
        """The cells and switches the file flags as judgements, as ``inputs.ID.NAME`` keys."""
        found = [
            f"inputs.{rules}.{name}"
            for rules, cells in self.inputs.items()
            for name, cell in cells.items()
            if not cell.verified
        ]
        return found + [f"switches.{s.name}" for s in self.switches.values() if not s.verified]

    def indicator_on(self, source: str, day: dt.date) -> str:
        """Return what ``source`` reads on ``day``: a switch's indicator of the day, else itself."""
        switch = self.switches.get(source)
        return switch.on(day) if switch is not None else source

    def indicators_of(self, source: str) -> set[str]:
        """Return every stored series ``source`` may read (none for the previous level)."""
        if source == PREVIOUS_LEVEL:
            return set()
        switch = self.switches.get(source)
        return switch.indicators() if switch is not None else {source}


def is_rt(source: str) -> bool:
    return source.startswith(RT_PREFIX)


def _text(doc: dict, key: str, file: str, path: str = "", default: Any = ...) -> str:
    if key not in doc:
        if default is ...:
            raise FeedError(file, f"{path}{key}", "is required")
        return default
    value = doc[key]
    if isinstance(value, int) and not isinstance(value, bool) and key == "version":
        return str(value)
    if not isinstance(value, str):
        raise FeedError(file, f"{path}{key}", "must be text")
    return value


def _flag(doc: dict, file: str, path: str) -> bool:
    value = doc.get("verified", True)
    if not isinstance(value, bool):
        raise FeedError(file, f"{path}verified", "must be true or false")
    return value


def _only(doc: dict, allowed: set[str], file: str, path: str) -> None:
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise FeedError(file, f"{path}{unknown[0]}", f"unknown key; allowed: {sorted(allowed)}")


def _indicator(value: Any, file: str, key: str) -> str:
    known = set(INDICATORS) | RT_SOURCES
    if not isinstance(value, str) or value not in known:
        raise FeedError(file, key, f"{value!r} is not a stored indicator or rt.<statistic>")
    return value


def _switch(name: str, doc: Any, file: str) -> Switch:
    path = f"switches.{name}."
    if not isinstance(doc, dict):
        raise FeedError(file, path[:-1], "must be a table")
    _only(doc, SWITCH_KEYS, file, path)
    changes = doc.get("changes", [])
    if not isinstance(changes, list) or not changes:
        raise FeedError(file, f"{path}changes", "must list at least one {on, indicator}")
    parsed = []
    for i, change in enumerate(changes):
        where = f"{path}changes[{i}]"
        if not isinstance(change, dict) or set(change) != {"on", "indicator"}:
            raise FeedError(file, where, "must be { on = YYYY-MM-DD, indicator = NAME }")
        if not isinstance(change["on"], dt.date) or isinstance(change["on"], dt.datetime):
            raise FeedError(file, f"{where}.on", "must be a date")
        parsed.append((change["on"], _indicator(change["indicator"], file, f"{where}.indicator")))
    if [d for d, _i in parsed] != sorted({d for d, _i in parsed}):
        raise FeedError(file, f"{path}changes", "dates must be distinct and in order")
    return Switch(
        name=name,
        indicator=_indicator(doc.get("indicator"), file, f"{path}indicator"),
        changes=tuple(parsed),
        verified=_flag(doc, file, path),
        note=_text(doc, "note", file, path, ""),
    )


def _cell(value: Any, switches: dict[str, Switch], file: str, key: str) -> Cell:
    if isinstance(value, dict):
        _only(value, CELL_KEYS, file, f"{key}.")
        source = value.get("indicator")
        verified, note = _flag(value, file, f"{key}."), _text(value, "note", file, f"{key}.", "")
    else:
        source, verified, note = value, True, ""
    if source != PREVIOUS_LEVEL and source not in switches:
        _indicator(source, file, key)
    return Cell(source, verified, note)


def parse_feeds(doc: dict, *, file: str = "(inputs)", text: str = "") -> Feeds:
    """Validate a document of inputs and return it, or raise FeedError."""
    _only(doc, TOP_LEVEL_KEYS, file, "")
    raw_switches = doc.get("switches", {})
    if not isinstance(raw_switches, dict):
        raise FeedError(file, "switches", "must be a table")
    switches = {name: _switch(name, value, file) for name, value in raw_switches.items()}
    clash = sorted(set(switches) & (set(INDICATORS) | RT_SOURCES | {PREVIOUS_LEVEL}))
    if clash:
        raise FeedError(file, f"switches.{clash[0]}", "a switch may not take an indicator's name")
    raw_inputs = doc.get("inputs", {})
    if not isinstance(raw_inputs, dict):
        raise FeedError(file, "inputs", "must be a table of rule-set ids")
    inputs: dict[str, dict[str, Cell]] = {}
    for rules, cells in raw_inputs.items():
        if not isinstance(cells, dict):
            raise FeedError(file, f"inputs.{rules}", "must be a table: input = source")
        inputs[rules] = {
            name: _cell(value, switches, file, f"inputs.{rules}.{name}")
            for name, value in cells.items()
        }
    checksum = hashlib.sha256((text or repr(sorted(doc.items()))).encode()).hexdigest()
    return Feeds(
        id=_text(doc, "id", file),
        version=_text(doc, "version", file, "", "1"),
        title=_text(doc, "title", file),
        title_vi=_text(doc, "title_vi", file, "", ""),
        notes=_text(doc, "notes", file, "", ""),
        inputs=inputs,
        switches=switches,
        checksum=checksum,
        raw=doc,
    )


def load_feeds(path: Path) -> Feeds:
    """Read and validate the file of inputs at ``path``."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FeedError(path.name, "(file)", str(exc)) from exc
    return parse_feeds(doc, file=path.name, text=text)


def combine(files: list[Feeds]) -> Feeds:
    """Return one Feeds of several files; a later file's rule set or switch replaces an
    earlier one's (a province's folder comes last)."""
    inputs: dict[str, dict[str, Cell]] = {}
    switches: dict[str, Switch] = {}
    for one in files:
        inputs.update(one.inputs)
        switches.update(one.switches)
    checksum = hashlib.sha256("".join(f.checksum for f in files).encode()).hexdigest()
    first = files[0] if files else None
    return Feeds(
        id="+".join(f.id for f in files),
        version="+".join(f.version for f in files),
        title=first.title if first else "",
        title_vi=first.title_vi if first else "",
        notes="",
        inputs=inputs,
        switches=switches,
        checksum=checksum,
    )
