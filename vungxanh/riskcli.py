"""Offline rule-set commands: no Django, no database.

``vungxanh rules list [--kind K]`` every rule file of every app: kind (levels, lift,
                                   activities, workplace, support, inputs, disease), id,
                                   version, dates, unverified cells, status, title
``vungxanh rules show ID``         a readable dump: source, levels, inputs, bands, rules, flags
``vungxanh rules check FILE``      validate a rule file; errors as ``file:line: key: message``
``vungxanh assess --rules ID --input IN.csv --output OUT.csv``
                                   assess every row of IN (columns ``area``, optional ``date``,
                                   one per input the rule set reads; empty = missing) and write
                                   OUT with ``level``, ``level_rank``, ``explanation`` (Vietnamese)
                                   and ``explanation_en``.

Rule files are read from ``vungxanh/risk/rulesets/`` and, with ``--rules-dir DIR``, from a
province's own folder first; a file's ``parent`` is looked up in both. Bad input gives a
message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vungxanh.domain.activities import ACTIVITIES_DIR, load_activities
from vungxanh.domain.classify import (
    Assessed,
    apply_timing,
    assess,
    explain,
    parse_value,
    prepare,
)
from vungxanh.domain.disease import DiseaseError, load_disease
from vungxanh.domain.feeds import FeedError, load_feeds
from vungxanh.domain.lockdown import LiftRuleError, load_lift_rule
from vungxanh.domain.rules import Band, RuleSet, RuleSetError, load_ruleset
from vungxanh.domain.workplace import WORKPLACE_DIR, load_scheme
from vungxanh.lib.spreadsheet import CsvWriter

PACKAGE_DIR = Path(__file__).resolve().parent
RULES_DIR = PACKAGE_DIR / "risk" / "rulesets"
OUTPUT_COLUMNS = ("level", "level_rank", "explanation", "explanation_en")
TIMING_COLUMNS = ("computed_level", "computed_level_rank")
CHILDREN_PREFIX = "children_"
BAD_INPUT = 2


class CliError(Exception):
    """A problem with what the user gave: printed as is, exit code 2."""


# -- finding rule sets ---------------------------------------------------------------


def folders(rules_dir: str | None) -> list[Path]:
    """Return where rule files are looked up: the province's folder first, then the shipped one."""
    found = []
    if rules_dir:
        path = Path(rules_dir)
        if not path.is_dir():
            raise CliError(f"--rules-dir {rules_dir}: no such folder")
        found.append(path)
    return [*found, RULES_DIR]


def catalogue(search: list[Path]) -> dict[str, Path]:
    """Return rule-set id -> file, an earlier folder hiding a later one's file of the same id."""
    files: dict[str, Path] = {}
    for folder in reversed(search):
        for path in sorted(folder.glob("*.toml")):
            files[path.stem] = path
    return dict(sorted(files.items()))


def find(rules_id: str, search: list[Path]) -> RuleSet:
    """Return the rule set named ``rules_id`` (or the rule file at that path)."""
    path = Path(rules_id)
    if path.suffix == ".toml" and path.is_file():
        return load_ruleset(path, [path.parent, *search])
    files = catalogue(search)
    if rules_id not in files:
        raise CliError(f"unknown rule set {rules_id!r}; known: {', '.join(files) or 'none'}")
    return load_ruleset(files[rules_id], search)


# -- rules list / show / check ---------------------------------------------------------


def dates_text(ruleset: RuleSet) -> str:
    start = ruleset.effective_from.isoformat() if ruleset.effective_from else "…"
    end = ruleset.effective_to.isoformat() if ruleset.effective_to else "…"
    return f"{start} – {end}"


@dataclass(frozen=True)
class CatalogueRow:
    kind: str
    id: str
    version: str
    effective: str
    unverified: int
    verified: bool  # the file's own flag
    title: str

    @property
    def status(self) -> str:
        return "verified" if self.verified and not self.unverified else "unverified"

    def cells(self) -> tuple[str, ...]:
        return (
            self.kind,
            self.id,
            self.version,
            self.effective,
            str(self.unverified),
            self.status,
            self.title,
        )


def _levels_row(path: Path, search: list[Path]) -> CatalogueRow:
    ruleset = load_ruleset(path, search)
    return CatalogueRow(
        "levels",
        ruleset.id,
        ruleset.version,
        dates_text(ruleset),
        len(ruleset.unverified_cells()),
        ruleset.verified,
        ruleset.title,
    )


def _lift_row(path: Path, search: list[Path]) -> CatalogueRow:
    rule = load_lift_rule(path, [path.parent])
    title = f"{rule.title} (default)" if rule.default else rule.title
    return CatalogueRow(
        "lift", rule.id, rule.version, "-", len(rule.unverified()), rule.verified, title
    )


def _activities_row(path: Path, search: list[Path]) -> CatalogueRow:
    matrix = load_activities(path, [path.parent])
    return CatalogueRow(
        "activities",
        matrix.id,
        matrix.version,
        dates_text(matrix),
        len(matrix.unverified_cells()),
        matrix.verified,
        matrix.title,
    )


def _inputs_row(path: Path, search: list[Path]) -> CatalogueRow:
    found = load_feeds(path)
    return CatalogueRow(
        "inputs", found.id, found.version, "-", len(found.unverified()), True, found.title
    )


def _disease_row(path: Path, search: list[Path]) -> CatalogueRow:
    found = load_disease(path)
    return CatalogueRow(
        "disease", found.id, found.version, "-", len(found.unverified()), True, found.title
    )


def _workplace_row(path: Path, search: list[Path]) -> CatalogueRow:
    scheme = load_scheme(path)
    return CatalogueRow(
        "workplace",
        scheme.id,
        scheme.version,
        "-",
        len(scheme.unverified_cells()),
        scheme.verified,
        scheme.title,
    )


# kind -> (the folders of the apps holding its files, how to read one). Workplace scoring
# comes with the permits app, support programmes with the welfare app.
KINDS: dict[str, tuple[tuple[Path, ...], object]] = {
    "levels": ((RULES_DIR,), _levels_row),
    "lift": ((PACKAGE_DIR / "lockdowns" / "rules",), _lift_row),
    "activities": ((ACTIVITIES_DIR,), _activities_row),
    "workplace": ((WORKPLACE_DIR,), _workplace_row),
    "support": ((), None),
    "inputs": ((PACKAGE_DIR / "risk" / "feeds",), _inputs_row),
    "disease": ((PACKAGE_DIR / "surveillance" / "diseases",), _disease_row),
}
CATALOGUE_ERRORS = (RuleSetError, LiftRuleError, FeedError, DiseaseError)


def catalogue_rows(
    search: list[Path], kind: str | None = None
) -> tuple[list[CatalogueRow], list[str]]:
    """Return every rule file of every app (or of ``kind``), and the files that do not load.

    ``search`` is where level rule sets are read (a province's folder first).
    """
    rows, broken = [], []
    for name, (folders, read) in KINDS.items():
        if kind not in (None, name) or read is None:
            continue
        if name == "levels":
            files = list(catalogue(search).values())
        else:
            files = [p for folder in folders for p in sorted(folder.glob("*.toml"))]
        for path in files:
            try:
                rows.append(read(path, search))
            except CATALOGUE_ERRORS as exc:
                broken.append(str(exc))
    return rows, broken


def rules_list(search: list[Path], kind: str | None = None) -> int:
    rows, broken = catalogue_rows(search, kind)
    header = ("kind", "id", "version", "effective", "unverified", "status", "title")
    table = [header, *(row.cells() for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    if not rows and kind is not None:
        print(f"no rule files of kind {kind} yet", file=sys.stderr)
    for message in broken:
        print(f"error: {message}", file=sys.stderr)
    return BAD_INPUT if broken else 0


def band_ranges(band: Band) -> list[str]:
    """Return the text of every band: ``< 20``, ``20 – < 50``, …, ``≥ 150``."""
    edges = [_number_text(e) for e in band.edges]
    if band.closed == "left":
        inner = [f"{a} – < {b}" for a, b in zip(edges, edges[1:], strict=False)]
        return [f"< {edges[0]}", *inner, f"≥ {edges[-1]}"]
    inner = [f"> {a} – ≤ {b}" for a, b in zip(edges, edges[1:], strict=False)]
    return [f"≤ {edges[0]}", *inner, f"> {edges[-1]}"]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _flag(verified: bool) -> str:
    return "verified" if verified else "UNVERIFIED"


def _cell(verified: bool, note: str) -> str:
    return f"[{_flag(verified)}]" + (f" {note}" if note else "")


def show(ruleset: RuleSet) -> list[str]:
    """Return the lines of a readable dump of ``ruleset``."""
    lines = [f"{ruleset.id} (version {ruleset.version}): {ruleset.title}"]
    if ruleset.title_vi:
        lines.append(f"  {ruleset.title_vi}")
    if ruleset.parent:
        lines.append(f"Derived from: {ruleset.parent}")
    source_date = f" ({ruleset.source_date.isoformat()})" if ruleset.source_date else ""
    lines.append(f"Legal source: {ruleset.source_document}{source_date}")
    if ruleset.source_url:
        lines.append(f"  {ruleset.source_url}")
    unverified = ruleset.unverified_cells()
    lines += [
        f"Effective: {dates_text(ruleset)}",
        f"Scales: {', '.join(ruleset.scales)}",
        f"Verified: {'yes' if ruleset.verified else 'no'}; unverified cells: {len(unverified)}",
        f"Checksum: {ruleset.checksum}",
    ]
    if ruleset.notes.strip():
        lines.append("Notes:")
        lines += [f"  {line}" for line in ruleset.notes.strip().splitlines()]
    lines.append("Levels:")
    for level in ruleset.levels:
        state = "" if level.state == "level" else f" ({level.state}, not ranked)"
        lines.append(
            f"  {level.rank}  {level.label}  [key {level.key}]{state}  "
            f"{level.label_vi} / {level.label_en}  {level.colour}"
        )
    lines.append("Inputs:")
    for spec in ruleset.inputs.values():
        extra = [spec.kind]
        if spec.direction:
            extra.append(f"direction {spec.direction}")
        if spec.missing:
            extra.append("missing " + ", ".join(_number_text(v) for v in spec.missing))
        unit = f" ({spec.unit_en})" if spec.unit_en else ""
        lines.append(f"  {spec.name}: {spec.label_vi} / {spec.label_en}{unit} [{'; '.join(extra)}]")
    if ruleset.derived:
        lines.append("Derived:")
        lines += [f"  {name} = {expr.text}" for name, expr in ruleset.derived.items()]
    if ruleset.bands:
        lines.append("Bands:")
        for band in ruleset.bands.values():
            ranges = "; ".join(f"{n}: {text}" for n, text in enumerate(band_ranges(band), 1))
            lines.append(
                f"  {band.name} on {band.input} ({ranges}) {_cell(band.verified, band.note)}"
            )
    lines.append(f"Method: {ruleset.method}")
    if ruleset.method == "rules":
        lines += _rule_lines(ruleset, ruleset.rules)
    if ruleset.matrix is not None:
        matrix = ruleset.matrix
        rows, cols = ruleset.bands[matrix.rows], ruleset.bands[matrix.cols]
        lines.append(
            f"Matrix: rows {rows.name} ({rows.input}) × columns {cols.name} ({cols.input})"
        )
        for i, row_text in enumerate(band_ranges(rows)):
            for j, col_text in enumerate(band_ranges(cols)):
                level = ruleset.level(matrix.cells[i][j])
                cell = _cell(matrix.verified[i][j], matrix.notes[i][j])
                lines.append(
                    f"  {rows.name} {row_text} × {cols.name} {col_text} → {level.label} {cell}"
                )
    for entry in ruleset.max_of:
        band = ruleset.bands[entry.band]
        pairs = ", ".join(
            f"{text} → {ruleset.level(key).label}"
            for text, key in zip(band_ranges(band), entry.levels, strict=True)
        )
        lines.append(f"  max of: {band.name}: {pairs}")
    if ruleset.all_missing_level:
        lines.append(f"All inputs missing: {ruleset.level(ruleset.all_missing_level).label}")
    if ruleset.adjustments:
        lines.append("Adjustments (in order):")
        for adjustment in ruleset.adjustments:
            effect = []
            if adjustment.raise_by:
                effect.append(f"raise {adjustment.raise_by}")
            if adjustment.cap is not None:
                effect.append(f"not above rank {adjustment.cap}")
            if adjustment.floor:
                effect.append(f"not below {adjustment.floor}")
            lines.append(f"  {adjustment.name}: {', '.join(effect)}")
            lines.append(f"    when: {adjustment.when.text}")
            lines.append(f"    {_cell(adjustment.verified, adjustment.note)}")
    for scale, scale_rule in ruleset.scale_rules.items():
        lines.append(f"Scale {scale}: {scale_rule.method}")
        lines += _rule_lines(ruleset, scale_rule.rules)
    timing = ruleset.timing
    lines.append(
        "Timing: "
        f"raise after {timing.raise_after_days} day(s), effective {timing.raise_delay_days} later; "
        f"lower after {timing.lower_after_days} "
        f"{'working day(s)' if timing.lower_counts == 'working_days' else 'day(s)'}, "
        f"effective {timing.lower_delay_days} later; minimum dwell {timing.min_dwell_days} day(s)"
    )
    return lines


def _rule_lines(ruleset: RuleSet, rules) -> list[str]:
    lines = []
    for number, rule in enumerate(rules, 1):
        lines.append(f"  {number}. {rule.name} → {ruleset.level(rule.level).label}")
        lines.append(f"     when: {rule.when.text}")
        lines.append(f"     {_cell(rule.verified, rule.note)}")
    return lines


def rules_check(file: str, search: list[Path]) -> int:
    path = Path(file)
    if not path.is_file():
        raise CliError(f"{file}: no such file")
    try:
        ruleset = load_ruleset(path, [path.parent, *search])
    except RuleSetError as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    if ruleset.id != path.stem:
        print(
            f"{path.name}: id: {ruleset.id!r} differs from the file name; "
            f"name the file {ruleset.id}.toml so it can be found",
            file=sys.stderr,
        )
        return BAD_INPUT
    count = len(ruleset.unverified_cells())
    print(f"{path.name}: OK: {ruleset.id}, {len(ruleset.levels)} levels, {count} unverified cells")
    return 0


# -- assess ---------------------------------------------------------------------------------


def required_inputs(ruleset: RuleSet, scale: str) -> list[str]:
    """Return the inputs the assessment at ``scale`` reads, in the file's order."""
    scale_rule = ruleset.scale_rules.get(scale)
    expressions = [a.when for a in ruleset.adjustments]
    bands: set[str] = set()
    if scale_rule is not None and scale_rule.method == "children":
        expressions += [rule.when for rule in scale_rule.rules]
    elif ruleset.method == "rules":
        expressions += [rule.when for rule in ruleset.rules]
    elif ruleset.matrix is not None:
        bands |= {ruleset.matrix.rows, ruleset.matrix.cols}
    else:
        bands |= {entry.band for entry in ruleset.max_of}
    names = {a.floor for a in ruleset.adjustments if a.floor}
    for expression in expressions:
        names |= expression.value_names()
        bands |= expression.band_names()
    names |= {ruleset.bands[b].input for b in bands}
    pending = list(names & set(ruleset.derived))
    while pending:
        reads = ruleset.derived[pending.pop()].value_names()
        pending += list((reads - names) & set(ruleset.derived))
        names |= reads
    return [name for name in ruleset.inputs if name in names]


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a CSV file (comma, semicolon or tab separated)."""
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CliError(f"{path}: empty file; the first line must name the columns")
    first = lines[0]
    delimiter = max(",;\t", key=first.count)
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [name.strip() for name in rows[0]]
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    return header, body


def parse_date(text: str) -> dt.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


def read_columns(ruleset: RuleSet, scale: str, header: list[str], body: list[list[str]]):
    """Return the parsed inputs, child counts and dates, or raise CliError naming the cell."""
    position = {name: i for i, name in enumerate(header)}
    for name in OUTPUT_COLUMNS + TIMING_COLUMNS:
        if name in position:
            raise CliError(f"column {name!r} is written by the assessment; rename it in the input")
    if "area" not in position:
        raise CliError(f"no column 'area'; the columns are {', '.join(header)}")
    needed = required_inputs(ruleset, scale)
    scale_rule = ruleset.scale_rules.get(scale)
    children = scale_rule is not None and scale_rule.method == "children"
    child_columns = (
        {lv.key: CHILDREN_PREFIX + lv.key for lv in ruleset.ranked_levels()} if children else {}
    )
    missing = [n for n in [*needed, *child_columns.values()] if n not in position]
    if missing:
        raise CliError(
            f"missing input column(s) {', '.join(missing)} for rule set {ruleset.id}"
            + (f" at scale {scale}" if scale else "")
        )
    errors = []

    def cell(row: list[str], column: str) -> str:
        index = position[column]
        return row[index] if index < len(row) else ""

    values = {}
    ranks = [lv.rank for lv in ruleset.ranked_levels()]
    for name, spec in ruleset.inputs.items():
        if name not in position:
            continue
        column = np.full(len(body), np.nan)
        for number, row in enumerate(body):
            try:
                column[number] = parse_value(cell(row, name), spec.kind)
            except ValueError as exc:
                errors.append(f"row {number + 2}, column {name}: {exc}")
                continue
            value = column[number]
            if spec.kind == "level" and not math.isnan(value) and value not in ranks:
                errors.append(
                    f"row {number + 2}, column {name}: {cell(row, name)!r} is not a level "
                    f"rank ({', '.join(str(r) for r in ranks)})"
                )
        values[name] = column
    child_levels = None
    if children:
        counts = {}
        extra = {lv.key: CHILDREN_PREFIX + lv.key for lv in ruleset.levels if lv.state != "level"}
        for key, column_name in {**child_columns, **extra}.items():
            column = np.zeros(len(body))
            if column_name in position:
                for number, row in enumerate(body):
                    try:
                        value = parse_value(cell(row, column_name))
                    except ValueError as exc:
                        errors.append(f"row {number + 2}, column {column_name}: {exc}")
                        continue
                    if math.isnan(value):
                        value = 0.0
                    if value < 0 or not float(value).is_integer():
                        errors.append(
                            f"row {number + 2}, column {column_name}: must be a whole number ≥ 0"
                        )
                    column[number] = value
            counts[key] = column
        total = sum(counts.values()) if counts else np.zeros(len(body))
        child_levels = {key: (count, total) for key, count in counts.items()}
    dates: list[dt.date | None] = [None] * len(body)
    if "date" in position:
        for number, row in enumerate(body):
            text = cell(row, "date")
            if not text.strip():
                continue
            try:
                dates[number] = parse_date(text)
            except ValueError as exc:
                errors.append(f"row {number + 2}, column date: {exc}")
    if errors:
        shown = errors[:20]
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise CliError("\n".join(shown) + more)
    return values, child_levels, dates


def assess_file(args: argparse.Namespace, search: list[Path]) -> int:
    ruleset = find(args.rules, search)
    if args.scale and ruleset.scales != ("any",) and args.scale not in ruleset.scales:
        raise CliError(f"scale {args.scale!r} is not one of {', '.join(ruleset.scales)}")
    header, body = read_table(Path(args.input))
    columns, child_levels, dates = read_columns(ruleset, args.scale, header, body)
    # prepare() turns each input's missing-data codes (ECDC's 999999) into missing values.
    given = {name: list(column) for name, column in columns.items()}
    values = prepare(ruleset, given or {"(rows)": [None] * len(body)})
    assessed = assess(ruleset, values, scale=args.scale, child_levels=child_levels)
    computed = assessed.ranks().astype(np.float64)
    decided = timed(ruleset, header, body, dates, computed, args.holiday) if args.timing else None
    outside = [
        n + 2 for n, day in enumerate(dates) if day is not None and not ruleset.applies_on(day)
    ]
    results = [output_cells(ruleset, assessed, n, computed, decided) for n in range(len(body))]
    output = Path(args.output)
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            writer = CsvWriter(handle)
            extra = TIMING_COLUMNS if decided is not None else ()
            writer.writerow([*header, *OUTPUT_COLUMNS, *extra])
            for row, result in zip(body, results, strict=True):
                padded = row + [""] * (len(header) - len(row))
                writer.writerow(padded[: len(header)] + result)
    except OSError as exc:
        raise CliError(f"{output}: cannot write ({exc.strerror})") from None
    tally = Counter(result[0] or "(none)" for result in results)
    summary = ", ".join(f"{label}: {count}" for label, count in tally.most_common())
    print(f"{len(body)} rows assessed with {ruleset.id} → {output} ({summary})")
    if outside:
        print(
            f"warning: {ruleset.id} applies {dates_text(ruleset)}; {len(outside)} row(s) are "
            f"dated outside it (first: row {outside[0]})",
            file=sys.stderr,
        )
    return 0


def label_of(ruleset: RuleSet, rank: float, index: int | None = None) -> str:
    if index is not None:
        return ruleset.levels[index].label if index >= 0 else ""
    if math.isnan(rank):
        return ""
    match = [lv for lv in ruleset.ranked_levels() if lv.rank == rank]
    return match[0].label if match else ""


def output_cells(
    ruleset: RuleSet,
    assessed: Assessed,
    number: int,
    computed: np.ndarray,
    decided: np.ndarray | None,
) -> list:
    """Return level, level_rank, explanation, explanation_en (and the computed level)."""
    index = int(assessed.level_index[number])
    rank = int(computed[number])
    label = label_of(ruleset, rank, index)
    why = explain(assessed, number)
    vi, en = why.sentence_vi, why.sentence_en
    if decided is None:
        return [label, rank, vi, en]
    decided_rank = decided[number]
    decided_label = label_of(ruleset, decided_rank)
    if decided_label != label:
        level = ruleset.level_by_rank(int(decided_rank)) if decided_label else None
        vi_label = level.label_vi if level else "chưa có"
        en_label = level.label_en if level else "none yet"
        vi = f"{vi_label} theo quy tắc thời gian (mức tính được hôm nay: {vi})"
        en = f"{en_label} under the timing rules (today's computed level: {en})"
    decided_int = 0 if math.isnan(decided_rank) else int(decided_rank)
    return [decided_label, decided_int, vi, en, label, rank]


def timed(ruleset, header, body, dates, computed, holidays) -> np.ndarray:
    """Return decided ranks row by row, applying the timing per area over consecutive days."""
    if "date" not in header:
        raise CliError("--timing needs a 'date' column (one row per area and day)")
    position = header.index("area")
    by_area: dict[str, list[int]] = {}
    for number, row in enumerate(body):
        if dates[number] is None:
            raise CliError(f"row {number + 2}, column date: --timing needs a date on every row")
        area = row[position].strip() if position < len(row) else ""
        by_area.setdefault(area, []).append(number)
    try:
        holiday_dates = frozenset(parse_date(text) for text in holidays or [])
    except ValueError as exc:
        raise CliError(f"--holiday: {exc}") from None
    decided = np.full(len(body), np.nan)
    for area, numbers in by_area.items():
        numbers.sort(key=lambda n: dates[n])
        days = [dates[n] for n in numbers]
        for earlier, later, n in zip(days, days[1:], numbers[1:], strict=False):
            if (later - earlier).days != 1:
                raise CliError(
                    f"row {n + 2}: area {area!r} goes from {earlier} to {later}; "
                    "--timing needs one row per day without gaps or repeats"
                )
        decided[numbers] = apply_timing(ruleset, computed[numbers], days, holiday_dates)
    return decided


# -- entry point ---------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vungxanh", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    rules = commands.add_parser("rules", help="list, show or check rule sets")
    rules_commands = rules.add_subparsers(dest="action", required=True)
    for name, help_text in (
        ("list", "list the rule sets"),
        ("show", "show one rule set"),
        ("check", "validate a rule file"),
    ):
        sub = rules_commands.add_parser(name, help=help_text)
        if name == "show":
            sub.add_argument("id", help="rule-set id, e.g. vn-4800-2021")
        if name == "check":
            sub.add_argument("file", help="path of a .toml rule file")
        if name == "list":
            sub.add_argument("--kind", choices=list(KINDS), help="list the files of one kind")
        sub.add_argument("--rules-dir", help="a province's own folder of rule files")
    run = commands.add_parser("assess", help="assess the rows of a CSV file")
    run.add_argument("--rules", required=True, help="rule-set id (or path of a .toml file)")
    run.add_argument("--input", required=True, help="CSV with area, [date,] one column per input")
    run.add_argument("--output", required=True, help="CSV to write")
    run.add_argument("--rules-dir", help="a province's own folder of rule files")
    run.add_argument(
        "--scale", default="", help="scale to assess, e.g. district (children_<level>)"
    )
    run.add_argument(
        "--timing", action="store_true", help="apply the rule set's timing over daily rows"
    )
    run.add_argument("--holiday", action="append", help="a public holiday (repeatable)")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rules list|show|check`` or ``assess``; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the problem
        return int(exc.code or 0)
    try:
        search = folders(args.rules_dir)
        if args.command == "assess":
            return assess_file(args, search)
        if args.action == "list":
            return rules_list(search, args.kind)
        if args.action == "show":
            print("\n".join(show(find(args.id, search))))
            return 0
        return rules_check(args.file, search)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except RuleSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
