"""``vungxanh rt``: the reproduction number of every area of a CSV file, as EpiEstim.

    vungxanh rt --input IN.csv --output OUT.csv
                [--si-mean M --si-sd S | --si-distr SI.csv] [--window N]
                [--prior-mean 5 --prior-sd 5]

IN has the columns ``area,t,local`` and optionally ``imported``: one row per area and day,
``t`` a whole day index or an ISO date (YYYY-MM-DD); a day without a row has no case.
Day 1 is the earliest ``t`` of the file, for every area. Without an ``imported`` column,
day 1's cases count as imported (as when EpiEstim is handed a plain series).
SI.csv has one column ``si``: the probabilities of a serial interval of 0, 1, 2, … days
(``si`` of day 0 must be 0). ``--si-mean``/``--si-sd`` give EpiEstim's parametric serial
interval instead. The windows slide by one day: t_start = 2 … T − N + 1,
t_end = t_start + N − 1 (N = 7 by default, EpiEstim's weekly windows).

OUT has the columns ``area,t_start,t_end,mean,std,q025,q05,q25,median,q75,q95,q975``:
t_start and t_end are 1-based day indices, as in EpiEstim; the others describe the
posterior of R, ``NA`` where EpiEstim gives NA (windows ending before the mean serial
interval). ``--output -`` writes to standard output. EpiEstim's warnings go to standard
error. Bad input gives a message and exit code 2, never a traceback. No Django, no database.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vungxanh.domain import rt
from vungxanh.lib.spreadsheet import safe_cell

BAD_INPUT = 2
MAX_SHOWN_ERRORS = 20
MAX_CELLS = 200_000_000  # areas × days: about 1.6 GB per matrix
MAX_NAMED_AREAS = 5
INPUT_COLUMNS = ("area", "t", "local", "imported")
REQUIRED_COLUMNS = ("area", "t", "local")
OUTPUT_COLUMNS = (
    "area",
    "t_start",
    "t_end",
    "mean",
    "std",
    "q025",
    "q05",
    "q25",
    "median",
    "q75",
    "q95",
    "q975",
)
DAY_INDEX = re.compile(r"^[+-]?\d+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CliError(Exception):
    """A problem with what the user gave: printed as is, exit code 2."""


@dataclass
class Incidence:
    """The input as matrices: one row per area (file order), one column per day."""

    areas: list[str]
    local: np.ndarray
    imported: np.ndarray | None
    first_day: dt.date | int


# -- reading ---------------------------------------------------------------------------


def _open_text(path: str):
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None


def _read_rows(path: str) -> tuple[list[str], list[list[str]]]:
    """Return the header (stripped) and the rows of a CSV file."""
    handle = _open_text(path)
    try:
        rows = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise CliError(f"{path}: not a CSV file ({exc})") from None
    finally:
        if handle is not sys.stdin:
            handle.close()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CliError(f"{path}: empty file; the first line must name the columns")
    return [cell.strip() for cell in rows[0]], rows[1:]


def _count(text: str) -> float | None:
    """Return a non-negative finite number, or None if ``text`` is not one."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _raise_if_any(path: str, errors: list[str]) -> None:
    if errors:
        shown = errors[:MAX_SHOWN_ERRORS]
        more = len(errors) - len(shown)
        tail = f"\n… and {more} more" if more else ""
        raise CliError(f"{path}: {len(errors)} problem(s):\n" + "\n".join(shown) + tail)


def _parse_day(text: str) -> tuple[str, int] | tuple[None, str]:
    """Return ("index", t) or ("date", ordinal), or (None, what is wrong)."""
    if DAY_INDEX.match(text):
        return "index", int(text)
    if ISO_DATE.match(text):
        try:
            return "date", dt.date.fromisoformat(text).toordinal()
        except ValueError:
            return None, f"{text!r} is not a date"
    return None, f"{text!r} is neither a day index nor a date (YYYY-MM-DD)"


def read_incidence(path: str) -> Incidence:
    """Return the incidence of ``path``; raise CliError listing every bad cell."""
    header, rows = _read_rows(path)
    unknown = [name for name in header if name not in INPUT_COLUMNS]
    if unknown:
        raise CliError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the columns are {', '.join(REQUIRED_COLUMNS)} and optionally imported"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CliError(f"{path}: no column {', '.join(map(repr, missing))}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CliError(f"{path}: column {', '.join(map(repr, duplicated))} appears twice")
    width = len(header)
    at_area, at_t, at_local = (header.index(name) for name in REQUIRED_COLUMNS)
    at_imported = header.index("imported") if "imported" in header else None
    count_columns = [("local", at_local)]
    if at_imported is not None:
        count_columns.append(("imported", at_imported))

    errors: list[str] = []
    area_of: dict[str, int] = {}
    # A national file repeats the same few hundred days and counts: parse each text once.
    days_seen: dict[str, tuple[str, int] | tuple[None, str]] = {}
    counts_seen: dict[str, float | None] = {}
    kind: str | None = None
    kind_text = ""
    numbers: list[int] = []
    area_column: list[int] = []
    day_column: list[int] = []
    count_lists: list[list[float]] = [[] for _ in count_columns]
    for number, row in enumerate(rows, start=2):
        if len(row) != width or not row[at_area].strip():
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) != width:
                errors.append(f"row {number}: {len(row)} cells, the header has {width}")
                continue
            errors.append(f"row {number}, column area: empty")
        good = True
        text = row[at_t].strip()
        parsed = days_seen.get(text)
        if parsed is None:
            parsed = days_seen[text] = _parse_day(text)
        this_kind, day = parsed
        if this_kind is None:
            errors.append(f"row {number}, column t: {day}")
            good = False
        elif kind is None:
            kind, kind_text = this_kind, text
        elif this_kind != kind:
            errors.append(
                f"row {number}, column t: {text!r} mixes dates and day indices in one file "
                f"(first t: {kind_text!r})"
            )
            good = False
        values = []
        for column, at in count_columns:
            cell = row[at]
            value = counts_seen.get(cell, -1.0)
            if value == -1.0:
                value = counts_seen[cell] = _count(cell.strip())
            if value is None:
                errors.append(
                    f"row {number}, column {column}: {cell.strip()!r} is not a number of cases ≥ 0"
                )
                good = False
            values.append(value)
        area = row[at_area].strip()
        if good and area:
            area_column.append(area_of.setdefault(area, len(area_of)))
            day_column.append(day)
            numbers.append(number)
            for target, value in zip(count_lists, values, strict=True):
                target.append(value)
    if not numbers:
        _raise_if_any(path, errors)
        raise CliError(f"{path}: no data row")
    days = np.array(day_column, dtype=np.int64)
    first = int(days.min())
    n_days, n_areas = int(days.max()) - first + 1, len(area_of)
    cell = np.array(area_column, dtype=np.int64) * n_days + (days - first)
    repeated = _repeated_rows(cell, numbers, list(area_of), n_days, first, kind)
    if repeated:
        # Report them among the cell errors, in row order.
        merged = sorted([*_numbered(errors), *repeated], key=lambda item: item[0])
        errors = [message for _, message in merged]
    _raise_if_any(path, errors)
    if n_days * n_areas > MAX_CELLS:
        raise CliError(
            f"{path}: {n_areas} areas × {n_days} days is too large (at most {MAX_CELLS:,} cells)"
        )
    matrices = []
    for values in count_lists:
        matrix = np.zeros(n_areas * n_days)
        matrix[cell] = values
        matrices.append(matrix.reshape(n_areas, n_days))
    first_day: dt.date | int = dt.date.fromordinal(first) if kind == "date" else first
    imported = matrices[1] if len(matrices) > 1 else None
    return Incidence(list(area_of), matrices[0], imported, first_day)


def _numbered(errors: list[str]) -> list[tuple[int, str]]:
    """Return (row number, message) of messages that start with "row N"."""
    return [(int(message.split()[1].rstrip(",:")), message) for message in errors]


def _repeated_rows(cell, numbers, areas, n_days, first, kind) -> list[tuple[int, str]]:
    """Return (row, message) for every row repeating the area and day of an earlier row."""
    order = np.argsort(cell, kind="stable")
    ordered = cell[order]
    repeats = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    if not repeats.size:
        return []
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    run_start = starts[np.searchsorted(starts, repeats, side="right") - 1]
    found = []
    for position, begin in zip(repeats.tolist(), run_start.tolist(), strict=True):
        area, offset = divmod(int(ordered[position]), n_days)
        day = first + offset
        when = dt.date.fromordinal(day).isoformat() if kind == "date" else str(day)
        row = numbers[order[position]]
        found.append(
            (
                row,
                f"row {row}: area {areas[area]!r} and t {when!r} "
                f"already on row {numbers[order[begin]]}",
            )
        )
    return found


def read_si(path: str) -> np.ndarray:
    """Return the serial interval of ``path`` (one column ``si``, from day 0)."""
    header, rows = _read_rows(path)
    if header != ["si"]:
        raise CliError(f"{path}: the file must have one column, 'si'; it has {', '.join(header)}")
    values, errors = [], []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = _count(row[0].strip()) if len(row) == 1 else None
        if value is None:
            errors.append(f"row {number}, column si: {','.join(row)!r} is not a probability ≥ 0")
        values.append(value)
    _raise_if_any(path, errors)
    if not values:
        raise CliError(f"{path}: no value of si")
    try:
        return rt.check_si(values)
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from None


# -- writing ---------------------------------------------------------------------------


def _output(output: str):
    if output == "-":
        return contextlib.nullcontext(sys.stdout)
    return open(output, "w", encoding="utf-8", newline="")


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_estimate(output: str, areas: list[str], estimate: rt.RtEstimate) -> int:
    """Write OUT (one row per area and window); return the number of rows."""
    columns = [
        estimate.mean,
        estimate.std,
        *(estimate.quantiles[p] for p in rt.QUANTILES),
    ]
    estimated = "%s,%d,%d" + ",%r" * len(columns) + "\n"
    missing = "%s,%d,%d" + ",NA" * len(columns) + "\n"
    windows = list(
        zip(
            estimate.t_start.tolist(),
            estimate.t_end.tolist(),
            estimate.estimable.tolist(),
            strict=True,
        )
    )
    try:
        with _output(output) as handle:
            handle.write(",".join(OUTPUT_COLUMNS) + "\n")
            for i, area in enumerate(areas):
                name = _csv_cell(safe_cell(area))
                # NaN only on windows EpiEstim does not estimate, for every area alike.
                rows = zip(*(column[i].tolist() for column in columns), strict=True)
                handle.write(
                    "".join(
                        estimated % (name, start, end, *row) if ok else missing % (name, start, end)
                        for (start, end, ok), row in zip(windows, rows, strict=True)
                    )
                )
    except BrokenPipeError:
        # The reader of standard output stopped early (| head): not an error of the input.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        raise CliError(f"{output}: cannot write ({exc.strerror})") from None
    return len(areas) * len(windows)


def _report_warnings(areas: list[str], estimate: rt.RtEstimate) -> None:
    for warning in estimate.warnings:
        if warning.areas.size:
            names = [areas[i] for i in warning.areas[:MAX_NAMED_AREAS]]
            more = warning.areas.size - len(names)
            which = ", ".join(names) + (f" and {more} more" if more else "")
            print(
                f"warning: {warning.areas.size} area(s) ({which}): {warning.message}",
                file=sys.stderr,
            )
        else:
            print(f"warning: {warning.message}", file=sys.stderr)


# -- the command -----------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="vungxanh rt",
        description="Estimate the reproduction number of every area as EpiEstim's estimate_R.",
        epilog="Columns and conventions: see the module docstring of vungxanh.rtcli.",
    )
    command.add_argument("--input", required=True, help="IN.csv: area,t,local[,imported]")
    command.add_argument("--output", required=True, help="OUT.csv, or - for standard output")
    command.add_argument("--si-mean", type=float, help="mean of the parametric serial interval")
    command.add_argument("--si-sd", type=float, help="sd of the parametric serial interval")
    command.add_argument("--si-distr", help="SI.csv: one column si, from day 0")
    command.add_argument("--window", type=int, default=7, help="window length in days (7)")
    command.add_argument("--prior-mean", type=float, default=rt.DEFAULT_PRIOR_MEAN)
    command.add_argument("--prior-sd", type=float, default=rt.DEFAULT_PRIOR_SD)
    return command


def run(args: argparse.Namespace) -> int:
    parametric = args.si_mean is not None or args.si_sd is not None
    if parametric and args.si_distr:
        raise CliError("give either --si-mean and --si-sd, or --si-distr, not both")
    if not parametric and not args.si_distr:
        raise CliError("a serial interval is needed: --si-mean M --si-sd S, or --si-distr SI.csv")
    if parametric and (args.si_mean is None or args.si_sd is None):
        raise CliError("--si-mean and --si-sd go together")
    numbers = (args.si_mean, args.si_sd, args.prior_mean, args.prior_sd)
    if not all(value is None or math.isfinite(value) for value in numbers):
        raise CliError("--si-mean, --si-sd, --prior-mean and --prior-sd must be finite numbers")
    if parametric and not args.si_mean > 1:
        raise CliError("--si-mean must be > 1 (day)")
    if parametric and not args.si_sd > 0:
        raise CliError("--si-sd must be > 0")
    if args.window < 1:
        raise CliError("--window must be at least 1 day")
    if not (args.prior_mean > 0 and args.prior_sd > 0):
        raise CliError("--prior-mean and --prior-sd must be > 0")
    si = None if parametric else read_si(args.si_distr)
    incidence = read_incidence(args.input)
    n_days = incidence.local.shape[1]
    if n_days < args.window + 1:
        raise CliError(
            f"{args.input}: {n_days} day(s) from first to last; {args.window}-day windows "
            f"need at least {args.window + 1} (estimation starts on day 2)"
        )
    t_start, t_end = rt.sliding_windows(n_days, args.window)
    try:
        if parametric:
            estimate = rt.estimate_r_parametric(
                incidence.local,
                incidence.imported,
                args.si_mean,
                args.si_sd,
                t_start,
                t_end,
                args.prior_mean,
                args.prior_sd,
            )
        else:
            estimate = rt.estimate_r(
                incidence.local,
                incidence.imported,
                si,
                t_start,
                t_end,
                args.prior_mean,
                args.prior_sd,
            )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _report_warnings(incidence.areas, estimate)
    rows = write_estimate(args.output, incidence.areas, estimate)
    day_one = (
        incidence.first_day.isoformat()
        if isinstance(incidence.first_day, dt.date)
        else f"t = {incidence.first_day}"
    )
    print(
        f"{rows} rows: {len(incidence.areas)} area(s) × {len(t_start)} window(s) "
        f"of {args.window} days; day 1 is {day_one}, day {n_days} the last; "
        f"serial interval mean {estimate.si_mean:.3f}, sd {estimate.si_std:.3f}",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vungxanh rt`` with ``argv`` (the arguments after ``rt``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the problem
        return int(exc.code or 0)
    try:
        return run(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
