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
STATES = {"level", "missing", "unknown"}


class RuleSetError(ValueError):
    """A rule file that cannot be used, naming the file, the key and (roughly) the line."""

    def __init__(self, file: str, key: str, message: str, line: int | None = None):
        self.file, self.key, self.line, self.message = file, key, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}")


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
class Band:
    name: str
    input: str
    edges: tuple[float, ...]
    closed: str  # "left": [a, b) "from X to below Y"; "right": (a, b]
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class Rule:
    level: str
    when: Expression
    name: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class Matrix:
    rows: str  # band name
    cols: str  # band name
    cells: tuple[tuple[str, ...], ...]
    verified: tuple[tuple[bool, ...], ...]
    notes: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class BandLevels:
    band: str
    levels: tuple[str, ...]  # level key for band 1, 2, …


@dataclass(frozen=True)
class Adjustment:
    name: str
    when: Expression
    raise_by: int = 0
    floor: str = ""  # an input holding a level rank the result may not go below
    cap: int | None = None  # never raise above this rank
    verified: bool = True
    note: str = ""


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
    checksum: str
    parent: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
        return cells

    def applies_on(self, day: dt.date) -> bool:
        after_start = self.effective_from is None or day >= self.effective_from
        before_end = self.effective_to is None or day <= self.effective_to
        return after_start and before_end


def _line_of(text: str, key: str) -> int | None:
    """Return the line where ``key`` (dotted) is probably defined, for error messages."""
    parts = key.split(".")
    lines = text.splitlines()
    for depth in range(len(parts), 0, -1):
        head, last = ".".join(parts[: depth - 1]), parts[depth - 1]
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if re.match(rf"^\[\[?{re.escape('.'.join(parts[:depth]))}\]?\]$", stripped):
                return number
            if re.match(rf"^{re.escape(last)}\s*=", stripped) and (not head or head in text):
                return number
    return None


class _Reader:
    """Typed access to a TOML document with errors that name the key."""

    def __init__(self, file: str, text: str):
        self.file, self.text = file, text

    def fail(self, key: str, message: str) -> RuleSetError:
        return RuleSetError(self.file, key, message, _line_of(self.text, key))

    def get(self, table: dict, key: str, path: str, kind: type | tuple, default: Any = ...):
        if key not in table:
            if default is ...:
                raise self.fail(f"{path}{key}", "is required")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are ints to Python; a number field must not accept true/false.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise self.fail(f"{path}{key}", f"must be {expected}, not {type(value).__name__}")
        return value

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


def merge(parent: dict, child: dict) -> dict:
    """Return ``parent`` overridden by ``child``: tables merge key by key, lists are replaced."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_document(path: Path, search: list[Path] | None = None) -> tuple[dict, str]:
    """Return the TOML document of ``path`` merged over its parents, and the combined text."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise RuleSetError(path.name, "(file)", str(exc), int(line[1]) if line else None) from exc
    parent_id = doc.get("parent")
    if not parent_id:
        return doc, text
    folders = search or [path.parent]
    parent_path = next(
        (f / f"{parent_id}.toml" for f in folders if (f / f"{parent_id}.toml").exists()), None
    )
    if parent_path is None:
        raise RuleSetError(path.name, "parent", f"no rule set {parent_id!r} to derive from")
    parent_doc, parent_text = load_document(parent_path, folders)
    own = {k: v for k, v in doc.items() if k != "parent"}
    merged = merge({k: v for k, v in parent_doc.items() if k != "id"}, own)
    merged["parent"] = parent_id
    return merged, parent_text + "\n" + text


def parse_ruleset(doc: dict, *, file: str = "(rules)", text: str = "") -> RuleSet:
    """Validate a rule-set document and return it as a RuleSet, or raise RuleSetError."""
    r = _Reader(file, text)
    r.only(doc, "", TOP_LEVEL_KEYS)
    source = r.get(doc, "source", "", dict, {})
    r.only(source, "source.", {"document", "date", "url"})
    levels = _levels(r, doc)
    keys = {lv.key for lv in levels}
    inputs = _inputs(r, doc)
    derived = {
        name: r.expression(expr, f"derived.{name}")
        for name, expr in r.get(doc, "derived", "", dict, {}).items()
    }
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
        raise r.fail("rules", "method 'rules' needs at least one [[rules]] entry")
    all_missing = r.get(doc, "all_missing_level", "", str, "")
    if all_missing and all_missing not in keys:
        raise r.fail("all_missing_level", f"unknown level {all_missing!r}")
    ruleset = RuleSet(
        id=r.get(doc, "id", "", str),
        title=r.get(doc, "title", "", str),
        title_vi=r.get(doc, "title_vi", "", str, ""),
        version=str(r.get(doc, "version", "", (str, int), "1")),
        disease=r.get(doc, "disease", "", str, "COVID-19"),
        source_document=r.get(source, "document", "source.", str),
        source_date=r.get(source, "date", "source.", dt.date, None),
        source_url=r.get(source, "url", "source.", str, ""),
        effective_from=r.get(doc, "effective_from", "", dt.date, None),
        effective_to=r.get(doc, "effective_to", "", dt.date, None),
        scales=tuple(r.get(doc, "scales", "", list, ["any"])),
        levels=levels,
        inputs=inputs,
        derived=derived,
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
        timing=_timing(r, r.get(doc, "timing", "", dict, {})),
        scale_rules=_scale_rules(r, r.get(doc, "scale", "", dict, {}), keys),
        verified=r.get(doc, "verified", "", bool, True),
        notes=r.get(doc, "notes", "", str, ""),
        checksum=hashlib.sha256((text or repr(doc)).encode()).hexdigest(),
        parent=doc.get("parent", ""),
        raw=doc,
    )
    _check_names(r, ruleset)
    return ruleset


def _levels(r: _Reader, doc: dict) -> tuple[Level, ...]:
    items = r.get(doc, "levels", "", list)
    levels = []
    for i, item in enumerate(items):
        path = f"levels[{i}]."
        r.only(item, path, {"key", "rank", "label", "label_vi", "label_en", "colour", "state"})
        state = r.get(item, "state", path, str, "level")
        if state not in STATES:
            raise r.fail(f"{path}state", f"must be one of {sorted(STATES)}")
        label = r.get(item, "label", path, str)
        levels.append(
            Level(
                key=str(r.get(item, "key", path, (str, int))),
                rank=r.get(item, "rank", path, int, 0),
                label=label,
                label_vi=r.get(item, "label_vi", path, str, label),
                label_en=r.get(item, "label_en", path, str, label),
                colour=r.get(item, "colour", path, str, "#9e9e9e"),
                state=state,
            )
        )
    if len({lv.key for lv in levels}) != len(levels):
        raise r.fail("levels", "two levels share a key")
    return tuple(levels)


def _inputs(r: _Reader, doc: dict) -> dict[str, Input]:
    inputs = {}
    for name, item in r.get(doc, "inputs", "", dict).items():
        path = f"inputs.{name}."
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
            missing=tuple(float(v) for v in r.get(item, "missing", path, list, [])),
            direction=direction,
        )
    return inputs


def _bands(r: _Reader, doc: dict, known: set[str]) -> dict[str, Band]:
    bands = {}
    for name, item in r.get(doc, "bands", "", dict, {}).items():
        path = f"bands.{name}."
        r.only(item, path, {"input", "edges", "closed", "verified", "note"})
        source = r.get(item, "input", path, str)
        if source not in known:
            raise r.fail(f"{path}input", f"unknown input {source!r}")
        edges = tuple(float(e) for e in r.get(item, "edges", path, list))
        if list(edges) != sorted(edges) or len(set(edges)) != len(edges):
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
        )
    return bands


def _rule(r: _Reader, item: dict, path: str, keys: set[str]) -> Rule:
    r.only(item, f"{path}.", {"level", "when", "name", "verified", "note"})
    level = str(r.get(item, "level", f"{path}.", (str, int)))
    if level not in keys:
        raise r.fail(f"{path}.level", f"unknown level {level!r}")
    return Rule(
        level,
        r.expression(item.get("when", "true"), f"{path}.when"),
        r.get(item, "name", f"{path}.", str, f"{path}"),
        r.get(item, "verified", f"{path}.", bool, True),
        r.get(item, "note", f"{path}.", str, ""),
    )


def _matrix(r: _Reader, item: Any, bands: dict[str, Band], keys: set[str]) -> Matrix:
    if not isinstance(item, dict):
        raise r.fail("matrix", "method 'matrix' needs a [matrix] table")
    r.only(item, "matrix.", {"rows", "cols", "cells", "verified", "notes"})
    rows, cols = r.get(item, "rows", "matrix.", str), r.get(item, "cols", "matrix.", str)
    for name, key in ((rows, "rows"), (cols, "cols")):
        if name not in bands:
            raise r.fail(f"matrix.{key}", f"unknown band {name!r}")
    cells = tuple(tuple(str(c) for c in row) for row in r.get(item, "cells", "matrix.", list))
    shape = (len(bands[rows].edges) + 1, len(bands[cols].edges) + 1)
    if len(cells) != shape[0] or any(len(row) != shape[1] for row in cells):
        raise r.fail("matrix.cells", f"must be {shape[0]} rows of {shape[1]} levels")
    for row in cells:
        for cell in row:
            if cell not in keys:
                raise r.fail("matrix.cells", f"unknown level {cell!r}")
    verified = item.get("verified", [[True] * shape[1]] * shape[0])
    notes = item.get("notes", [[""] * shape[1]] * shape[0])
    if len(verified) != shape[0] or any(len(row) != shape[1] for row in verified):
        raise r.fail("matrix.verified", f"must be {shape[0]} rows of {shape[1]} true/false")
    return Matrix(
        rows,
        cols,
        cells,
        tuple(tuple(bool(v) for v in row) for row in verified),
        tuple(tuple(str(n) for n in row) for row in notes),
    )


def _max_of(r: _Reader, doc: dict, bands, keys) -> tuple[BandLevels, ...]:
    items = r.get(doc, "max_of", "", list)
    result = []
    for i, item in enumerate(items):
        path = f"max_of[{i}]."
        band = r.get(item, "band", path, str)
        if band not in bands:
            raise r.fail(f"{path}band", f"unknown band {band!r}")
        levels = tuple(str(v) for v in r.get(item, "levels", path, list))
        if len(levels) != len(bands[band].edges) + 1 or not set(levels) <= keys:
            raise r.fail(f"{path}levels", "needs one known level per band")
        result.append(BandLevels(band, levels))
    return tuple(result)


def _adjustment(r: _Reader, item: dict, path: str, inputs: dict[str, Input]) -> Adjustment:
    r.only(item, f"{path}.", {"name", "when", "raise", "no_lower_than", "cap", "verified", "note"})
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
    return Timing(
        raise_after_days=r.get(item, "raise_after_days", "timing.", int, 1),
        lower_after_days=r.get(item, "lower_after_days", "timing.", int, 1),
        lower_counts=counts,
        raise_delay_days=r.get(item, "raise_delay_days", "timing.", int, 0),
        lower_delay_days=r.get(item, "lower_delay_days", "timing.", int, 0),
        min_dwell_days=r.get(item, "min_dwell_days", "timing.", int, 0),
    )


def _scale_rules(r: _Reader, table: dict, keys: set[str]) -> dict[str, ScaleRule]:
    result = {}
    for scale, item in table.items():
        path = f"scale.{scale}."
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
        result[scale] = ScaleRule(method, rules)
    return result


def _check_names(r: _Reader, ruleset: RuleSet) -> None:
    """Every name a condition reads must be an input, a derived value or a constant."""
    known = set(ruleset.inputs) | set(ruleset.derived)
    keys = {lv.key for lv in ruleset.levels}
    expressions = [(f"derived.{n}", e) for n, e in ruleset.derived.items()]
    expressions += [(f"rules[{i}].when", rule.when) for i, rule in enumerate(ruleset.rules)]
    expressions += [(f"adjustments[{i}].when", a.when) for i, a in enumerate(ruleset.adjustments)]
    for scale, rule_set in ruleset.scale_rules.items():
        expressions += [
            (f"scale.{scale}.rules[{i}].when", rule.when) for i, rule in enumerate(rule_set.rules)
        ]
    for key, expression in expressions:
        unknown = expression.names() - known - set(ruleset.bands) - keys
        if unknown:
            raise r.fail(key, f"unknown name(s) {sorted(unknown)}")
        bad_bands = expression.band_names() - set(ruleset.bands)
        if bad_bands:
            raise r.fail(key, f"unknown band(s) {sorted(bad_bands)}")


def load_ruleset(path: Path, search: list[Path] | None = None) -> RuleSet:
    """Read, merge over its parent, and validate the rule file at ``path``."""
    doc, text = load_document(path, search)
    return parse_ruleset(doc, file=path.name, text=text)
