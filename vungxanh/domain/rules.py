"""Rule sets as data: TOML files parsed and validated into plain dataclasses.

A rule set names its legal source, effective dates, levels, inputs, and how inputs
become a level: ordered rules (first true wins), a 2-D matrix of bands, or the maximum
of several bands; then adjustments (+1 level, a no-downgrade guard), timing (hysteresis,
delays, minimum dwell) and, per scale, evaluation on its own totals or on shares of its
children's levels. Every cell reconstructed rather than read in the legal text carries
``verified = false`` and a note. A province derives its own file from a shipped one with
``parent = "…"`` and the keys it overrides; no code changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vungxanh.domain.expressions import Expression, ExpressionError, parse

METHODS = {"rules", "matrix", "max_of_bands"}
TOP_LEVEL_KEYS = {
    "example",
    "id",
    "version",
    "title",
    "title_vi",
    "disease",
    "scales",
    "effective_from",
    "effective_to",
    "verified",
    "notes",
    "notes_vi",
    "source",
    "levels",
    "inputs",
    "derived",
    "bands",
    "method",
    "rules",
    "matrix",
    "max_of",
    "all_missing_level",
    "adjustments",
    "timing",
    "scale",
    "parent",
}
INPUT_KINDS = {"number", "bool", "level"}
# The Vietnamese written beside an English text; a derived file that rewrites the English
# drops the parent's Vietnamese (it translated the old text), see merge().
COMPANIONS = {"name": "name_vi", "note": "note_vi", "notes": "notes_vi"}
STATES = {"level", "missing", "unknown"}


class RuleSetError(ValueError):
    """A rule file that cannot be used, naming the file, the key and (roughly) the line."""

    def __init__(self, file: str, key: str, message: str, line: int | None = None):
        self.file, self.key, self.line, self.message = file, key, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}")


class Bilingual:
    """The name and note of a band, rule or adjustment in the language a page is read in.

    The rule files are written in English for their maintainers; ``name_vi`` and ``note_vi``
    are what a Vietnamese reader is shown, the English when no Vietnamese is written.
    """

    name: str
    note: str
    name_vi: str
    note_vi: str

    def name_for(self, language: str) -> str:
        return self.name_vi if language == "vi" and self.name_vi else self.name

    def note_for(self, language: str) -> str:
        return self.note_vi if language == "vi" and self.note_vi else self.note


@dataclass(frozen=True)
class Level:
    key: str
    rank: int
    label: str  # as the source publishes it
    label_vi: str
    label_en: str
    colour: str
    state: str = "level"  # "missing" (grey) and "unknown" are not ranked levels


@dataclass(frozen=True)
class Input:
    name: str
    label_vi: str
    label_en: str
    kind: str = "number"
    unit_vi: str = ""
    unit_en: str = ""
    decimals: int = 1
    missing: tuple[float, ...] = ()
    # "up": more of it never lowers the level (cases); "down": more never raises it (coverage)
    direction: str = ""


@dataclass(frozen=True)
class Band(Bilingual):
    name: str
    input: str
    edges: tuple[float, ...]
    closed: str  # "left": [a, b) "from X to below Y"; "right": (a, b]
    verified: bool
    note: str = ""
    note_vi: str = ""
    name_vi: str = ""  # a band is named by its key; kept for the shared name_for()


@dataclass(frozen=True)
class Rule(Bilingual):
    level: str
    when: Expression
    name: str
    verified: bool
    note: str = ""
    name_vi: str = ""
    note_vi: str = ""


@dataclass(frozen=True)
class Matrix:
    rows: str  # band name
    cols: str  # band name
    cells: tuple[tuple[str, ...], ...]
    verified: tuple[tuple[bool, ...], ...]
    notes: tuple[tuple[str, ...], ...]
    notes_vi: tuple[tuple[str, ...], ...] = ()  # same shape as notes, or empty

    def note_for(self, row: int, col: int, language: str) -> str:
        """The note of cell (row, col), counted from 0, in ``language`` (English fallback)."""
        if language == "vi" and self.notes_vi and self.notes_vi[row][col]:
            return self.notes_vi[row][col]
        return self.notes[row][col]


@dataclass(frozen=True)
class BandLevels:
    band: str
    levels: tuple[str, ...]  # level key for band 1, 2, …


@dataclass(frozen=True)
class Adjustment(Bilingual):
    name: str
    when: Expression
    raise_by: int = 0
    floor: str = ""  # an input holding a level rank the result may not go below
    cap: int | None = None  # never raise above this rank
    verified: bool = True
    note: str = ""
    name_vi: str = ""
    note_vi: str = ""


@dataclass(frozen=True)
class Timing:
    raise_after_days: int = 1  # days in a row at a higher level before raising
    lower_after_days: int = 1  # days in a row at a lower level before lowering
    lower_counts: str = "days"  # or "working_days": Sundays and holidays neither count nor break
    raise_delay_days: int = 0  # a raise takes effect this many days after the decision
    lower_delay_days: int = 0
    min_dwell_days: int = 0  # at least this long at a level before any change


@dataclass(frozen=True)
class ScaleRule:
    method: str  # "own_totals" or "children"
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    title_vi: str
    version: str
    disease: str
    source_document: str
    source_date: dt.date | None
    source_url: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    scales: tuple[str, ...]
    levels: tuple[Level, ...]
    inputs: dict[str, Input]
    derived: dict[str, Expression]
    bands: dict[str, Band]
    method: str
    rules: tuple[Rule, ...]
    matrix: Matrix | None
    max_of: tuple[BandLevels, ...]
    all_missing_level: str
    adjustments: tuple[Adjustment, ...]
    timing: Timing
    scale_rules: dict[str, ScaleRule]
    verified: bool
    notes: str
    # An illustration of the format (e.g. a provincial adaptation): never computed by default.
    example: bool
    checksum: str
    parent: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # labels of derived values, for explanations ([derived.X] tables)
    derived_labels: dict[str, Input] = field(default_factory=dict)
    notes_vi: str = ""

    def notes_for(self, language: str) -> str:
        """The top-level notes in ``language``, the English when no Vietnamese is written."""
        return self.notes_vi if language == "vi" and self.notes_vi else self.notes

    def describe(self, name: str) -> Input | None:
        """Return the labels of an input or a labelled derived value, or None."""
        return self.inputs.get(name) or self.derived_labels.get(name)

    def level(self, key: str) -> Level:
        return next(level for level in self.levels if level.key == key)

    def level_by_rank(self, rank: int) -> Level:
        return next(level for level in self.ranked_levels() if level.rank == rank)

    def ranked_levels(self) -> list[Level]:
        return sorted((lv for lv in self.levels if lv.state == "level"), key=lambda lv: lv.rank)

    def unverified_cells(self) -> list[str]:
        """Return a description of every cell the file flags as not verified."""
        cells = [f"band {b.name}" for b in self.bands.values() if not b.verified]
        cells += [f"rule {r.name}" for r in self.rules if not r.verified]
        cells += [f"adjustment {a.name}" for a in self.adjustments if not a.verified]
        if self.matrix:
            for i, row in enumerate(self.matrix.verified):
                cells += [f"matrix[{i + 1}][{j + 1}]" for j, ok in enumerate(row) if not ok]
        for scale, scale_rule in self.scale_rules.items():
            cells += [f"scale.{scale} rule {r.name}" for r in scale_rule.rules if not r.verified]
        return cells

    def applies_on(self, day: dt.date) -> bool:
        after_start = self.effective_from is None or day >= self.effective_from
        before_end = self.effective_to is None or day <= self.effective_to
        return after_start and before_end


KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
KEY_LINE = re.compile(rf"^({KEY_PART}(?:\s*\.\s*{KEY_PART})*)\s*=\s*(.*)$")
ARRAY_HEADER = re.compile(r"^\[\[\s*([^\]]+?)\s*\]\]")
TABLE_HEADER = re.compile(r"^\[\s*([^\]]+?)\s*\]")


def _dotted(name: str) -> str:
    """Return a TOML key (possibly dotted and quoted) as plain dotted text."""
    parts = re.findall(KEY_PART, name)
    return ".".join(part.strip("\"'") for part in parts)


def _bracket_balance(text: str) -> int:
    """Return open minus closed brackets in ``text``, ignoring strings and comments."""
    balance, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            balance += 1
        elif char in "]}":
            balance -= 1
    return balance


def key_lines(text: str) -> dict[str, int]:
    """Return the line of every key and table defined in a TOML text, by dotted path.

    Arrays of tables get their index: the second ``[[rules]]`` defines ``rules[1]``
    and its ``when`` is ``rules[1].when``, the way validation errors name keys.
    """
    lines: dict[str, int] = {}
    table = ""
    counters: dict[str, int] = {}
    in_string, depth = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if in_string:
            if in_string in stripped:
                in_string = ""
            continue
        if depth > 0:
            depth += _bracket_balance(stripped)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if match := ARRAY_HEADER.match(stripped):
            name = _dotted(match[1])
            index = counters.get(name, 0)
            counters[name] = index + 1
            table = f"{name}[{index}]"
            lines.setdefault(name, number)
            lines.setdefault(table, number)
            continue
        if match := TABLE_HEADER.match(stripped):
            table = _dotted(match[1])
            lines.setdefault(table, number)
            continue
        if match := KEY_LINE.match(stripped):
            key = _dotted(match[1])
            lines.setdefault(f"{table}.{key}" if table else key, number)
            value = match[2].strip()
            for quotes in ('"""', "'''"):
                if value.startswith(quotes) and value.count(quotes) == 1:
                    in_string = quotes
            if not in_string:
                depth = _bracket_balance(value)
    return lines


def _shorter(key: str) -> str:
    """Return the enclosing key: ``rules[2].when`` -> ``rules[2]`` -> ``rules`` -> ``""``."""
    if key.endswith("]") and "[" in key:
        return key[: key.rindex("[")]
    return key.rsplit(".", 1)[0] if "." in key else ""


def locate(sources: list[tuple[str, str]], key: str) -> tuple[str, int | None]:
    """Return the file and line defining ``key``, searching a derived file before its parents.

    When the key itself is not written anywhere (a required key left out), the line of
    the nearest enclosing table is given, or for a top-level key the first table's line
    (it must be written above it).
    """
    tables = [(file, key_lines(text)) for file, text in sources]
    candidate = key
    while candidate:
        for file, lines in tables:
            if candidate in lines:
                return file, lines[candidate]
        candidate = _shorter(candidate)
    if not sources:
        return "(rules)", None
    # A top-level key that is not written belongs before the first [table].
    file, text = sources[0]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("["):
            return file, number
    return file, (len(text.splitlines()) or None)


class _Reader:
    """Typed access to a TOML document with errors that name the file, key and line."""

    def __init__(self, sources: list[tuple[str, str]]):
        self.sources = sources

    def fail(self, key: str, message: str, *, at: str = "") -> RuleSetError:
        """Return the error for ``key``, located at ``key`` (or at ``at`` when it is missing)."""
        file, line = locate(self.sources, key)
        if at and key not in key_lines(dict(self.sources)[file]):
            file, line = locate(self.sources, at)
        return RuleSetError(file, key, message, line)

    def get(self, table: dict, key: str, path: str, kind: type | tuple, default: Any = ...):
        if key not in table:
            if default is ...:
                raise self.fail(f"{path}{key}", "is required")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are ints to Python; a number field must not accept true/false.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise self.fail(f"{path}{key}", f"must be {expected}, not {_type_name(value)}")
        return value

    def table(self, value: Any, path: str) -> dict:
        """Return ``value`` if it is a table, else fail naming ``path``."""
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a table, not {_type_name(value)}")
        return value

    def numbers(self, value: Any, path: str) -> tuple[float, ...]:
        """Return a list of numbers as floats, else fail naming ``path``."""
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int | float) for v in value
        ):
            raise self.fail(path, "must be a list of numbers")
        return tuple(float(v) for v in value)

    def only(self, table: dict, path: str, allowed: set[str]) -> None:
        """Refuse keys the format does not know: usually a key under the wrong [table]."""
        for key in table:
            if key not in allowed:
                raise self.fail(
                    f"{path}{key}",
                    f"unknown key; expected one of {sorted(allowed)} "
                    "(a top-level key written after a [table] belongs to it)",
                )

    def expression(self, text: Any, key: str) -> Expression:
        if not isinstance(text, str):
            raise self.fail(key, "must be a condition written as text")
        try:
            return parse(text)
        except ExpressionError as exc:
            raise self.fail(key, str(exc)) from exc


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
    dt.date: "a date (YYYY-MM-DD)",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def merge(parent: dict, child: dict) -> dict:
    """Return ``parent`` overridden by ``child``: tables merge key by key, lists are replaced.

    A child that rewrites an English ``name``/``note``/``notes`` without its Vietnamese
    companion drops the parent's companion: that translated the parent's text, not the child's.
    """
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
        companion = COMPANIONS.get(key)
        if companion and companion not in child:
            merged.pop(companion, None)
    return merged


def load_document(path: Path, search: list[Path] | None = None) -> tuple[dict, str]:
    """Return the TOML document of ``path`` merged over its parents, and the combined text."""
    doc, sources = _load(path, search or [path.parent], ())
    return doc, "\n".join(text for _file, text in reversed(sources))


def _load(path: Path, folders: list[Path], chain: tuple[str, ...]):
    """Return the merged document and its sources, the file itself first, then its parents."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise RuleSetError(path.name, "(file)", str(exc), int(line[1]) if line else None) from exc
    sources = [(path.name, text)]
    parent_id = doc.get("parent")
    if not parent_id:
        return doc, sources
    reader = _Reader(sources)
    if not isinstance(parent_id, str):
        raise reader.fail("parent", f"must be text, not {_type_name(parent_id)}")
    own_id = doc.get("id", path.stem)
    if parent_id in chain or parent_id == own_id:
        loop = " → ".join((*chain, own_id, parent_id))
        raise reader.fail("parent", f"derivation loop: {loop}")
    parent_path = next(
        (f / f"{parent_id}.toml" for f in folders if (f / f"{parent_id}.toml").exists()), None
    )
    if parent_path is None:
        where = ", ".join(str(f) for f in folders)
        raise reader.fail("parent", f"no rule set {parent_id!r} to derive from (looked in {where})")
    parent_doc, parent_sources = _load(parent_path, folders, (*chain, own_id))
    own = {k: v for k, v in doc.items() if k != "parent"}
    merged = merge({k: v for k, v in parent_doc.items() if k not in {"id", "parent"}}, own)
    merged["parent"] = parent_id
    return merged, sources + parent_sources


def parse_ruleset(
    doc: dict,
    *,
    file: str = "(rules)",
    text: str = "",
    sources: list[tuple[str, str]] | None = None,
) -> RuleSet:
    """Validate a rule-set document and return it as a RuleSet, or raise RuleSetError.

    ``sources`` lists (file name, text) of a derived file and then its parents, so an
    error names the file and line where the offending key is written.
    """
    sources = sources or [(file, text)]
    r = _Reader(sources)
    r.only(doc, "", TOP_LEVEL_KEYS)
    source = r.table(r.get(doc, "source", "", dict, {}), "source")
    r.only(source, "source.", {"document", "date", "url"})
    levels = _levels(r, doc)
    keys = {lv.key for lv in levels}
    inputs = _inputs(r, doc)
    derived, derived_labels = {}, {}
    for name, expr in r.get(doc, "derived", "", dict, {}).items():
        if name in inputs:
            raise r.fail(f"derived.{name}", "is already an input")
        if name in TOP_LEVEL_KEYS:
            raise r.fail(
                f"derived.{name}",
                "unknown key (a top-level key written after [derived] belongs to it)",
            )
        if isinstance(expr, dict):
            # [derived.W] with expr = "…" and the labels an explanation uses
            path = f"derived.{name}."
            r.only(expr, path, {"expr", "label_vi", "label_en", "unit_vi", "unit_en", "decimals"})
            derived_labels[name] = Input(
                name=name,
                label_vi=r.get(expr, "label_vi", path, str, name),
                label_en=r.get(expr, "label_en", path, str, name),
                unit_vi=r.get(expr, "unit_vi", path, str, ""),
                unit_en=r.get(expr, "unit_en", path, str, ""),
                decimals=r.get(expr, "decimals", path, int, 1),
            )
            derived[name] = r.expression(r.get(expr, "expr", path, str), f"{path}expr")
        else:
            derived[name] = r.expression(expr, f"derived.{name}")
    bands = _bands(r, doc, set(inputs) | set(derived))
    method = r.get(doc, "method", "", str)
    if method not in METHODS:
        raise r.fail("method", f"must be one of {sorted(METHODS)}")
    rules = tuple(
        _rule(r, item, f"rules[{i}]", keys)
        for i, item in enumerate(r.get(doc, "rules", "", list, []))
    )
    matrix = _matrix(r, doc.get("matrix"), bands, keys) if method == "matrix" else None
    max_of = _max_of(r, doc, bands, keys) if method == "max_of_bands" else ()
    if method == "rules" and not rules:
        raise r.fail("rules", "method 'rules' needs at least one [[rules]] entry", at="method")
    all_missing = str(r.get(doc, "all_missing_level", "", (str, int), ""))
    if all_missing and all_missing not in keys:
        raise r.fail("all_missing_level", f"unknown level {all_missing!r}")
    scales = r.get(doc, "scales", "", list, ["any"])
    if not scales or not all(isinstance(s, str) for s in scales):
        raise r.fail("scales", 'must be a list of scale names, e.g. ["commune", "district"]')
    effective_from = r.get(doc, "effective_from", "", dt.date, None)
    effective_to = r.get(doc, "effective_to", "", dt.date, None)
    if effective_from and effective_to and effective_to < effective_from:
        raise r.fail("effective_to", "is before effective_from")
    ruleset = RuleSet(
        id=r.get(doc, "id", "", str),
        title=r.get(doc, "title", "", str),
        title_vi=r.get(doc, "title_vi", "", str, ""),
        version=str(r.get(doc, "version", "", (str, int), "1")),
        disease=r.get(doc, "disease", "", str, "COVID-19"),
        source_document=r.get(source, "document", "source.", str),
        source_date=r.get(source, "date", "source.", dt.date, None),
        source_url=r.get(source, "url", "source.", str, ""),
        effective_from=effective_from,
        effective_to=effective_to,
        scales=tuple(scales),
        levels=levels,
        inputs=inputs,
        derived=derived,
        derived_labels=derived_labels,
        bands=bands,
        method=method,
        rules=rules,
        matrix=matrix,
        max_of=max_of,
        all_missing_level=all_missing,
        adjustments=tuple(
            _adjustment(r, item, f"adjustments[{i}]", inputs)
            for i, item in enumerate(r.get(doc, "adjustments", "", list, []))
        ),
        timing=_timing(r, r.table(r.get(doc, "timing", "", dict, {}), "timing")),
        scale_rules=_scale_rules(r, r.get(doc, "scale", "", dict, {}), keys, tuple(scales)),
        verified=r.get(doc, "verified", "", bool, True),
        example=r.get(doc, "example", "", bool, False),
        notes=r.get(doc, "notes", "", str, ""),
        notes_vi=r.get(doc, "notes_vi", "", str, ""),
        checksum=hashlib.sha256(
            "\n".join(text for _f, text in reversed(sources)).encode() or repr(doc).encode()
        ).hexdigest(),
        parent=str(doc.get("parent", "")),
        raw=doc,
    )
    _check_names(r, ruleset)
    return ruleset


def _levels(r: _Reader, doc: dict) -> tuple[Level, ...]:
    items = r.get(doc, "levels", "", list)
    levels = []
    for i, item in enumerate(items):
        path = f"levels[{i}]."
        item = r.table(item, f"levels[{i}]")
        r.only(item, path, {"key", "rank", "label", "label_vi", "label_en", "colour", "state"})
        state = r.get(item, "state", path, str, "level")
        if state not in STATES:
            raise r.fail(f"{path}state", f"must be one of {sorted(STATES)}")
        label = r.get(item, "label", path, str)
        rank = r.get(item, "rank", path, int, 0)
        if state == "level" and rank < 1:
            raise r.fail(f"{path}rank", "a ranked level needs a rank of 1 or more (0 is for grey)")
        levels.append(
            Level(
                key=str(r.get(item, "key", path, (str, int))),
                rank=rank,
                label=label,
                label_vi=r.get(item, "label_vi", path, str, label),
                label_en=r.get(item, "label_en", path, str, label),
                colour=r.get(item, "colour", path, str, "#9e9e9e"),
                state=state,
            )
        )
    if len({lv.key for lv in levels}) != len(levels):
        raise r.fail("levels", "two levels share a key")
    ranks = [lv.rank for lv in levels if lv.state == "level"]
    if not ranks:
        raise r.fail("levels", 'needs at least one ranked level (state = "level")')
    if len(set(ranks)) != len(ranks):
        raise r.fail("levels", "two ranked levels share a rank")
    return tuple(levels)


def _inputs(r: _Reader, doc: dict) -> dict[str, Input]:
    inputs = {}
    for name, item in r.get(doc, "inputs", "", dict).items():
        path = f"inputs.{name}."
        item = r.table(item, f"inputs.{name}")
        r.only(
            item,
            path,
            {
                "label_vi",
                "label_en",
                "kind",
                "unit_vi",
                "unit_en",
                "decimals",
                "missing",
                "direction",
            },
        )
        kind = r.get(item, "kind", path, str, "number")
        if kind not in INPUT_KINDS:
            raise r.fail(f"{path}kind", f"must be one of {sorted(INPUT_KINDS)}")
        direction = r.get(item, "direction", path, str, "")
        if direction not in {"", "up", "down"}:
            raise r.fail(f"{path}direction", "must be 'up', 'down' or empty")
        inputs[name] = Input(
            name=name,
            label_vi=r.get(item, "label_vi", path, str, name),
            label_en=r.get(item, "label_en", path, str, name),
            kind=kind,
            unit_vi=r.get(item, "unit_vi", path, str, ""),
            unit_en=r.get(item, "unit_en", path, str, ""),
            decimals=r.get(item, "decimals", path, int, 1),
            missing=r.numbers(item.get("missing", []), f"{path}missing"),
            direction=direction,
        )
    return inputs


def _bands(r: _Reader, doc: dict, known: set[str]) -> dict[str, Band]:
    bands = {}
    for name, item in r.get(doc, "bands", "", dict, {}).items():
        path = f"bands.{name}."
        item = r.table(item, f"bands.{name}")
        r.only(item, path, {"input", "edges", "closed", "verified", "note", "note_vi"})
        source = r.get(item, "input", path, str)
        if source not in known:
            raise r.fail(f"{path}input", f"unknown input {source!r}")
        edges = r.numbers(r.get(item, "edges", path, list), f"{path}edges")
        if not edges or list(edges) != sorted(edges) or len(set(edges)) != len(edges):
            raise r.fail(f"{path}edges", "must be strictly increasing")
        closed = r.get(item, "closed", path, str)
        if closed not in {"left", "right"}:
            raise r.fail(
                f"{path}closed",
                "must be 'left' ([a, b): from a to below b) or 'right' ((a, b]: above a up to b)",
            )
        bands[name] = Band(
            name,
            source,
            edges,
            closed,
            r.get(item, "verified", path, bool, True),
            r.get(item, "note", path, str, ""),
            r.get(item, "note_vi", path, str, ""),
        )
    return bands


def _rule(r: _Reader, item: Any, path: str, keys: set[str]) -> Rule:
    item = r.table(item, path)
    r.only(item, f"{path}.", {"level", "when", "name", "name_vi", "verified", "note", "note_vi"})
    level = str(r.get(item, "level", f"{path}.", (str, int)))
    if level not in keys:
        raise r.fail(f"{path}.level", f"unknown level {level!r}")
    return Rule(
        level,
        r.expression(item.get("when", "true"), f"{path}.when"),
        r.get(item, "name", f"{path}.", str, f"{path}"),
        r.get(item, "verified", f"{path}.", bool, True),
        r.get(item, "note", f"{path}.", str, ""),
        r.get(item, "name_vi", f"{path}.", str, ""),
        r.get(item, "note_vi", f"{path}.", str, ""),
    )


def _grid(r: _Reader, value: Any, key: str, shape: tuple[int, int], kind: type) -> list[list]:
    """Return ``value`` if it is ``shape[0]`` rows of ``shape[1]`` items of ``kind``."""
    rows, cols = shape
    ok = (
        isinstance(value, list)
        and len(value) == rows
        and all(isinstance(row, list) and len(row) == cols for row in value)
        and all(isinstance(cell, kind) for row in value for cell in row)
    )
    if not ok:
        what = {bool: "true/false", str: "texts"}.get(kind, "levels")
        raise r.fail(key, f"must be {rows} rows of {cols} {what}")
    return value


def _matrix(r: _Reader, item: Any, bands: dict[str, Band], keys: set[str]) -> Matrix:
    if not isinstance(item, dict):
        raise r.fail("matrix", "method 'matrix' needs a [matrix] table", at="method")
    r.only(item, "matrix.", {"rows", "cols", "cells", "verified", "notes", "notes_vi"})
    rows, cols = r.get(item, "rows", "matrix.", str), r.get(item, "cols", "matrix.", str)
    for name, key in ((rows, "rows"), (cols, "cols")):
        if name not in bands:
            raise r.fail(f"matrix.{key}", f"unknown band {name!r}")
    shape = (len(bands[rows].edges) + 1, len(bands[cols].edges) + 1)
    raw = _grid(r, r.get(item, "cells", "matrix.", list), "matrix.cells", shape, str | int)
    cells = tuple(tuple(str(c) for c in row) for row in raw)
    for row in cells:
        for cell in row:
            if cell not in keys:
                raise r.fail("matrix.cells", f"unknown level {cell!r}")
    verified = _grid(
        r, item.get("verified", [[True] * shape[1]] * shape[0]), "matrix.verified", shape, bool
    )
    empty = [[""] * shape[1]] * shape[0]
    notes = _grid(r, item.get("notes", empty), "matrix.notes", shape, str)
    notes_vi = _grid(r, item.get("notes_vi", empty), "matrix.notes_vi", shape, str)
    return Matrix(
        rows,
        cols,
        cells,
        tuple(tuple(v for v in row) for row in verified),
        tuple(tuple(n for n in row) for row in notes),
        tuple(tuple(n for n in row) for row in notes_vi),
    )


def _max_of(r: _Reader, doc: dict, bands, keys) -> tuple[BandLevels, ...]:
    items = r.get(doc, "max_of", "", list, [])
    result = []
    for i, item in enumerate(items):
        path = f"max_of[{i}]."
        item = r.table(item, f"max_of[{i}]")
        r.only(item, path, {"band", "levels"})
        band = r.get(item, "band", path, str)
        if band not in bands:
            raise r.fail(f"{path}band", f"unknown band {band!r}")
        levels = tuple(str(v) for v in r.get(item, "levels", path, list))
        if len(levels) != len(bands[band].edges) + 1:
            raise r.fail(
                f"{path}levels", f"needs one level per band ({len(bands[band].edges) + 1})"
            )
        unknown = [lv for lv in levels if lv not in keys]
        if unknown:
            raise r.fail(f"{path}levels", f"unknown level(s) {unknown}")
        result.append(BandLevels(band, levels))
    if not result:
        raise r.fail(
            "max_of", "method 'max_of_bands' needs at least one [[max_of]] entry", at="method"
        )
    return tuple(result)


def _adjustment(r: _Reader, item: Any, path: str, inputs: dict[str, Input]) -> Adjustment:
    item = r.table(item, path)
    r.only(
        item,
        f"{path}.",
        {"name", "name_vi", "when", "raise", "no_lower_than", "cap", "verified", "note", "note_vi"},
    )
    floor = r.get(item, "no_lower_than", f"{path}.", str, "")
    if floor and floor not in inputs:
        raise r.fail(f"{path}.no_lower_than", f"unknown input {floor!r}")
    return Adjustment(
        name=r.get(item, "name", f"{path}.", str),
        when=r.expression(item.get("when", "true"), f"{path}.when"),
        raise_by=r.get(item, "raise", f"{path}.", int, 0),
        floor=floor,
        cap=r.get(item, "cap", f"{path}.", int, None),
        verified=r.get(item, "verified", f"{path}.", bool, True),
        note=r.get(item, "note", f"{path}.", str, ""),
        name_vi=r.get(item, "name_vi", f"{path}.", str, ""),
        note_vi=r.get(item, "note_vi", f"{path}.", str, ""),
    )


def _timing(r: _Reader, item: dict) -> Timing:
    r.only(
        item,
        "timing.",
        {
            "raise_after_days",
            "lower_after_days",
            "lower_counts",
            "raise_delay_days",
            "lower_delay_days",
            "min_dwell_days",
        },
    )
    counts = r.get(item, "lower_counts", "timing.", str, "days")
    if counts not in {"days", "working_days"}:
        raise r.fail("timing.lower_counts", "must be 'days' or 'working_days'")
    values = {}
    for key, default, least in (
        ("raise_after_days", 1, 1),
        ("lower_after_days", 1, 1),
        ("raise_delay_days", 0, 0),
        ("lower_delay_days", 0, 0),
        ("min_dwell_days", 0, 0),
    ):
        values[key] = r.get(item, key, "timing.", int, default)
        if values[key] < least:
            raise r.fail(f"timing.{key}", f"must be {least} or more")
    return Timing(lower_counts=counts, **values)


def _scale_rules(
    r: _Reader, table: dict, keys: set[str], scales: tuple[str, ...]
) -> dict[str, ScaleRule]:
    result = {}
    for scale, item in table.items():
        path = f"scale.{scale}."
        item = r.table(item, f"scale.{scale}")
        if scales != ("any",) and scale not in scales:
            raise r.fail(f"scale.{scale}", f"is not one of the scales {list(scales)}")
        r.only(item, path, {"method", "rules"})
        method = r.get(item, "method", path, str, "own_totals")
        if method not in {"own_totals", "children"}:
            raise r.fail(f"{path}method", "must be 'own_totals' or 'children'")
        rules = tuple(
            _rule(r, rule, f"scale.{scale}.rules[{i}]", keys)
            for i, rule in enumerate(r.get(item, "rules", path, list, []))
        )
        if method == "children" and not rules:
            raise r.fail(f"{path}rules", "evaluating on children needs rules")
        if method == "own_totals" and rules:
            raise r.fail(f"{path}rules", "only method 'children' takes its own rules")
        result[scale] = ScaleRule(method, rules)
    return result


def _check_names(r: _Reader, ruleset: RuleSet) -> None:
    """Every name a condition reads must exist where the condition is evaluated.

    Values are inputs, derived values (each derived value only reads those defined
    before it) and the constants true/false/yes/no; band() takes a band; share() and
    count() take a level key and are only meaningful on a scale assessed from children.
    """
    keys = {lv.key for lv in ruleset.levels}
    values = set(ruleset.inputs)
    checks: list[tuple[str, Expression, set[str], bool, bool]] = []
    for name, expression in ruleset.derived.items():
        checks.append((f"derived.{name}", expression, set(values), False, False))
        values.add(name)
    checks += [
        (f"rules[{i}].when", x.when, values, True, False) for i, x in enumerate(ruleset.rules)
    ]
    checks += [
        (f"adjustments[{i}].when", a.when, values, True, False)
        for i, a in enumerate(ruleset.adjustments)
    ]
    for scale, rule_set in ruleset.scale_rules.items():
        children = rule_set.method == "children"
        checks += [
            (f"scale.{scale}.rules[{i}].when", rule.when, values, True, children)
            for i, rule in enumerate(rule_set.rules)
        ]
    for key, expression, known, bands_allowed, levels_allowed in checks:
        unknown = expression.value_names() - known
        if unknown:
            hint = ""
            if unknown & keys:
                hint = " (a level key is read only inside share() or count())"
            elif unknown & set(ruleset.bands):
                hint = " (a band is read only inside band())"
            raise r.fail(key, f"unknown name(s) {sorted(unknown)}{hint}")
        band_names = expression.band_names()
        if band_names and not bands_allowed:
            raise r.fail(key, "band() cannot be used here: bands are computed after derived values")
        bad_bands = band_names - set(ruleset.bands)
        if bad_bands:
            raise r.fail(key, f"unknown band(s) {sorted(bad_bands)}")
        level_keys = expression.level_keys()
        if level_keys and not levels_allowed:
            raise r.fail(
                key, 'share() and count() only work in [scale.X] rules with method = "children"'
            )
        bad_levels = level_keys - keys
        if bad_levels:
            raise r.fail(key, f"unknown level(s) {sorted(bad_levels)}")


def load_ruleset(path: Path, search: list[Path] | None = None) -> RuleSet:
    """Read, merge over its parent, and validate the rule file at ``path``."""
    doc, sources = _load(path, search or [path.parent], ())
    return parse_ruleset(doc, file=path.name, sources=sources)
