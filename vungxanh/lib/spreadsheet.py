"""Every cell the system writes to a spreadsheet goes through ``safe_cell`` (issue 9).

A text that a spreadsheet would run as a formula (OWASP's rule, in
``vungxanh.domain.formulas``: it starts with =, +, -, @, a tab or a carriage return) is
written with a leading single quote, so "=1+1" stays readable as "'=1+1" and never runs.
Numbers are never quoted: only text can carry a formula.

This module writes CSV; ``vungxanh.lib.workbook`` writes XLSX on the same rule and
``vungxanh.lib.downloads`` serves both. No other module writes spreadsheets
(vungxanh/tests/test_export_neutralising.py checks it), so a new export cannot forget the
rule. Only the standard library here: the offline ``rt`` and ``assess`` commands use it
without Django.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from vungxanh.domain.formulas import FORMULA_PREFIXES, neutralise, restore

__all__ = [
    "BOM",
    "FORMULA_PREFIXES",
    "CsvWriter",
    "csv_lines",
    "csv_text",
    "restore",
    "safe_cell",
    "write_csv",
]

BOM = "\ufeff"  # so Excel opens a UTF-8 CSV with its Vietnamese letters intact
# How a caller shows a value that is not text (a date as dd/mm/yyyy, a flag as "có").
Show = Callable[[Any], str]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def safe_cell(value: Any) -> Any:
    """Return ``value`` as a spreadsheet may hold it: text that would start a formula gets
    a leading quote; numbers and every other value are returned unchanged."""
    return neutralise(value) if isinstance(value, str) else value


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def csv_text(value: Any, show: Show | None = None) -> str:
    """The text of one CSV cell: a number as ``show`` (or ``str``) writes it; anything
    else as text, neutralised, however it was shown."""
    if is_number(value):
        return (show or str)(value)
    if isinstance(value, str):
        return neutralise(value)
    return neutralise((show or _plain)(value))


class CsvWriter:
    """A ``csv.writer`` on ``out`` whose every cell goes through ``csv_text``."""

    def __init__(self, out, *, show: Show | None = None, **options: Any):
        self._writer = csv.writer(out, **options)
        self._show = show

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([csv_text(value, self._show) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _Echo:
    """A file that hands back what is written to it, to stream CSV line by line."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, show: Show | None = None
) -> Iterator[str]:
    """Yield a CSV line by line (for a streamed download), starting with a BOM."""
    writer = CsvWriter(_Echo(), show=show)
    yield BOM
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def write_csv(
    out,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    show: Show | None = None,
    lineterminator: str = "\n",
) -> int:
    """Write a CSV to the text stream ``out``; return the number of data rows."""
    writer = CsvWriter(out, show=show, lineterminator=lineterminator)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
