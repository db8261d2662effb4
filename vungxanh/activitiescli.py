"""Offline activity-matrix commands: no Django, no database.

``vungxanh activities --rules ID --vsic CODE --level N``
    the cell of the matrix for that code at that level: the group matched (and its
    Vietnamese title), the status, its terms and conditions, verified or not, the source
``vungxanh activities list``
    the activity files: id, version, what they derive from, levels, unverified cells, title
``vungxanh activities check FILE``
    validate a province's file against what it derives from: ``OK: …`` or
    ``file:line: key: message``

Files are read from ``vungxanh/economy/activities/`` and, with ``--rules-dir DIR``, from a
province's own folder first (a ``derives_from`` is looked up in both). ``--rules`` also
takes the path of a ``.toml`` file. Bad input gives a message naming the argument and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from vungxanh.domain import vsic
from vungxanh.domain.activities import (
    ACTIVITIES_DIR,
    STATUS_VI,
    ActivityLookupError,
    ActivityMatrix,
    Cell,
    describe_terms,
    load_activities,
    lookup,
)
from vungxanh.domain.rules import RuleSetError, load_ruleset

LEVEL_RULES_DIR = Path(__file__).resolve().parent / "risk" / "rulesets"
BAD_INPUT = 2


class CliError(Exception):
    """A problem with what the user gave: printed as is, exit code 2."""


def folders(rules_dir: str | None) -> list[Path]:
    """Return where activity files are looked up: the province's folder first."""
    if not rules_dir:
        return [ACTIVITIES_DIR]
    path = Path(rules_dir)
    if not path.is_dir():
        raise CliError(f"--rules-dir {rules_dir}: no such folder")
    return [path, ACTIVITIES_DIR]


def catalogue(search: list[Path]) -> dict[str, Path]:
    """Return id -> file, an earlier folder hiding a later one's file of the same id."""
    files: dict[str, Path] = {}
    for folder in reversed(search):
        files.update({path.stem: path for path in sorted(folder.glob("*.toml"))})
    return dict(sorted(files.items()))


def find(rules_id: str, search: list[Path]) -> ActivityMatrix:
    """Return the activity matrix ``rules_id`` (an id, or the path of a .toml file)."""
    path = Path(rules_id)
    if path.suffix == ".toml" and path.is_file():
        return load_activities(path, [path.parent, *search])
    files = catalogue(search)
    if rules_id not in files:
        known = ", ".join(files) or "none"
        raise CliError(f"--rules {rules_id}: no such activity matrix; known: {known}")
    return load_activities(files[rules_id], search)


def level_labels(matrix: ActivityMatrix) -> dict[str, str]:
    """Return the labels of the matrix's levels from its level rule set ("4" -> "Cấp 4").

    The matrix is usable without its level rule set, so a missing one gives no labels.
    """
    path = LEVEL_RULES_DIR / f"{matrix.level_rules}.toml"
    try:
        ruleset = load_ruleset(path)
    except (OSError, RuleSetError):
        return {}
    return {level.key: level.label for level in ruleset.levels}


def cell_lines(matrix: ActivityMatrix, cell: Cell, code: str) -> list[str]:
    """Return the printed answer for one establishment's code at one level."""
    labels = level_labels(matrix)
    checked = vsic.check(code)
    if checked.entry is not None:
        code_text = f"{checked.code}: {checked.entry.name_vi}"
    else:
        code_text = f"{checked.code}: (class not in the VSIC 2018 data; group {checked.group.code})"
    group = cell.group
    label = f" ({labels[cell.level]})" if cell.level in labels else ""
    lines = [
        f"{matrix.id} (version {matrix.version}): {matrix.title_vi or matrix.title}",
        f"VSIC {code_text}",
        f"Group: {group.title_vi} ({group.key}: {group.title}); matched {cell.matched_code}",
        f"Level: {cell.level}{label} [{matrix.level_rules}]",
        f"Status: {cell.status} ({STATUS_VI[cell.status]})",
    ]
    terms = describe_terms(cell)
    if terms:
        lines.append(f"Terms: {'; '.join(terms)}")
    if cell.conditions_vi:
        lines.append(f"Conditions: {cell.conditions_vi}")
    if cell.conditions_en:
        lines.append(f"Conditions (en): {cell.conditions_en}")
    flag = "yes" if cell.verified else "NO (UNVERIFIED)"
    note = cell.note_for("vi")
    lines.append(f"Verified: {flag}" + (f": {note}" if note else ""))
    date = f" ({cell.source.date.isoformat()})" if cell.source.date else ""
    lines.append(f"Source: {cell.source.document}{date} [{cell.written_in}]")
    if cell.source.url:
        lines.append(f"  {cell.source.url}")
    if matrix.example:
        lines.append("Note: this file is an EXAMPLE, not one official decision.")
    return lines


def show_cell(args: argparse.Namespace, search: list[Path]) -> int:
    missing = [f"--{name}" for name in ("rules", "vsic", "level") if getattr(args, name) is None]
    if missing:
        raise CliError(f"{', '.join(missing)} required (or: vungxanh activities list)")
    matrix = find(args.rules, search)
    try:
        cell = lookup(matrix, args.vsic, args.level)
    except ActivityLookupError as exc:
        if exc.argument == "level":
            labels = level_labels(matrix)
            known = ", ".join(
                f"{key} ({labels[key]})" if key in labels else key for key in matrix.levels
            )
            raise CliError(
                f"--level {args.level}: not a level of {matrix.id}; levels: {known}"
            ) from None
        raise CliError(f"--vsic {args.vsic}: {exc}") from None
    print("\n".join(cell_lines(matrix, cell, vsic.normalise(args.vsic))))
    return 0


def list_files(search: list[Path]) -> int:
    header = ("id", "version", "derives_from", "levels", "unverified", "status", "title")
    rows, broken = [header], []
    for path in catalogue(search).values():
        try:
            matrix = load_activities(path, search)
        except RuleSetError as exc:
            broken.append(str(exc))
            continue
        unverified = len(matrix.unverified_cells())
        status = "verified" if matrix.verified and not unverified else "unverified"
        rows.append(
            (
                matrix.id,
                matrix.version,
                matrix.derives_from or "-",
                f"{matrix.level_rules}:{','.join(matrix.levels)}",
                f"{unverified}/{len(matrix.cells)}",
                status,
                matrix.title,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        print("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]))
    for message in broken:
        print(f"error: {message}", file=sys.stderr)
    return BAD_INPUT if broken else 0


def check_file(file: str | None, search: list[Path]) -> int:
    if not file:
        raise CliError("check needs the path of a .toml file")
    path = Path(file)
    if not path.is_file():
        raise CliError(f"{file}: no such file")
    matrix = load_activities(path, [path.parent, *search])
    unverified = len(matrix.unverified_cells())
    print(
        f"{path.name}: OK: {matrix.id}, {len(matrix.groups)} groups × {len(matrix.levels)} "
        f"levels, {unverified} unverified cells"
    )
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vungxanh activities", description=__doc__.splitlines()[0])
    root.add_argument(
        "action", nargs="?", choices=["list", "check"], help="list the files, or check one"
    )
    root.add_argument("file", nargs="?", help="check: the path of a .toml activity file")
    root.add_argument("--rules", help="activity matrix id (or path of a .toml file)")
    root.add_argument("--vsic", help="VSIC 2018 code: a section letter or 2 to 5 digits")
    root.add_argument("--level", help="level key, e.g. 1–4 (Cấp) or green / not_green")
    root.add_argument("--rules-dir", help="a province's own folder of activity files")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``activities list`` or a lookup; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the problem
        return int(exc.code or 0)
    try:
        search = folders(args.rules_dir)
        if args.action == "list":
            return list_files(search)
        if args.action == "check":
            return check_file(args.file, search)
        return show_cell(args, search)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except RuleSetError as exc:  # a bad activity file: file:line: key: message
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
