"""Read an uploaded CSV or XLSX file into a header and rows of raw cell values.

Reading is bounded: the file's size, its unpacked size (XLSX), its rows, columns and
filled cells are limited (``VX_IMPORT_MAX_*``), and a file beyond a limit is refused
with one file-level problem instead of being read. An XLSX sheet is read cell by cell
from its XML: only the cells the file holds are visited, whatever extent its
``<dimension>`` declares (a stray cell at XFD1048576 costs one cell, not 17 billion; a
dimension smaller than the data loses no row).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser

from vungxanh.domain.areas import fold
from vungxanh.domain.tabular import CellError

DATA_SHEET_NAMES = {"du lieu", "data"}
GUIDE_SHEET_NAMES = {"huong dan", "guide"}
XLSX_ERRORS = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError)


@dataclass(frozen=True)
class Limits:
    """How much of a file is read at most (defaults: the ``VX_IMPORT_MAX_*`` settings)."""

    bytes: int
    unpacked_bytes: int
    rows: int  # data rows, the header not counted
    columns: int
    cells: int  # cells up to each row's last value, the header's included

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            bytes=settings.VX_IMPORT_MAX_BYTES,
            unpacked_bytes=settings.VX_IMPORT_MAX_UNPACKED_BYTES,
            rows=settings.VX_IMPORT_MAX_ROWS,
            columns=settings.VX_IMPORT_MAX_COLUMNS,
            cells=settings.VX_IMPORT_MAX_CELLS,
        )


@dataclass
class Table:
    header: list[Any]
    rows: list[tuple]
    errors: list[CellError] = field(default_factory=list)
    sheet: str = ""


class LimitExceeded(Exception):
    def __init__(self, error: CellError):
        super().__init__(error.code)
        self.error = error


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Rows:
    """Collect the non-empty rows of a sheet by row number, refusing any beyond the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.last_row = limits.rows + 1  # the header is row 1
        self.by_number: dict[int, tuple] = {}
        self.cells = 0

    def _fits(self, number: int, width: int) -> bool:
        self.cells += width
        limits = self.limits
        return number <= self.last_row and width <= limits.columns and self.cells <= limits.cells

    def _refuse(self, number: int, width: int) -> None:
        limits = self.limits
        cell = f"{get_column_letter(min(width, 18278))}{number}"
        if number > self.last_row:
            error = CellError(None, "", "too_many_rows", {"max": limits.rows, "cell": cell})
        elif width > limits.columns:
            error = CellError(None, "", "too_many_columns", {"max": limits.columns, "cell": cell})
        else:
            error = CellError(None, "", "too_many_cells", {"max": limits.cells})
        raise LimitExceeded(error)

    def add(self, number: int, values: Sequence[Any]) -> None:
        """Keep row ``number`` (its values by position), unless blank; trailing blanks dropped."""
        # Inlined checks: this runs once per row of files of a million rows.
        width = len(values)
        while width:
            last = values[width - 1]
            if last is not None and (last.__class__ is not str or last.strip()):
                break
            width -= 1
        if not width:
            return
        self.cells += width
        limits = self.limits
        if number > self.last_row or width > limits.columns or self.cells > limits.cells:
            self._refuse(number, width)
        self.by_number[number] = tuple(values if width == len(values) else values[:width])

    def add_cells(self, number: int, cells: Sequence[tuple[int, Any]]) -> None:
        """Keep row ``number`` given as its (column number, value) pairs (an XLSX row)."""
        filled = [(column, value) for column, value in cells if not _is_blank(value)]
        if not filled:
            return
        known = self.by_number.pop(number, ())  # a row written twice is merged
        width = max(len(known), *(column for column, _value in filled))
        # Checked before a row of that width is built: a lone cell at XFD costs nothing.
        if not self._fits(number, width):
            self._refuse(number, width)
        values = [*known, *[None] * (width - len(known))]
        for column, value in filled:
            values[column - 1] = value
        self.by_number[number] = tuple(values)

    def header(self) -> list[Any]:
        return list(self.by_number.get(1, ()))

    def body(self) -> list[tuple]:
        """Rows 2 to the last non-empty one; the empty rows between them as ``()``."""
        last = max(self.by_number, default=1)
        return [self.by_number.get(number, ()) for number in range(2, last + 1)]


def read_table(data: bytes, file_name: str, limits: Limits | None = None) -> Table:
    """Return the table of ``data``; file-level problems are in ``errors``."""
    limits = limits or Limits.from_settings()
    if len(data) > limits.bytes:
        return Table([], [], [CellError(None, "", "too_large", {"max": limits.bytes})])
    name = file_name.lower()
    if is_xlsx(data, file_name):
        return read_xlsx(data, limits)
    if name.endswith(".xls"):
        return Table([], [], [CellError(None, "", "old_excel")])
    return read_csv(data, limits)


def is_xlsx(data: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx") or data[:2] == b"PK"


def parse_size(source: bytes | Path, file_name: str) -> int:
    """Return how many bytes reading ``source`` parses: an XLSX's unpacked size, else its size.

    Cheap (the zip directory only): it decides whether a file is read inside a request.
    """
    if isinstance(source, Path):
        with source.open("rb") as file:
            start, size = file.read(2), source.stat().st_size
    else:
        start, size = source[:2], len(source)
    if not is_xlsx(start, file_name):
        return size
    try:
        return _unpacked_size(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return size


# -- CSV ---------------------------------------------------------------------------------
def read_csv(data: bytes, limits: Limits | None = None) -> Table:
    limits = limits or Limits.from_settings()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Table([], [], [CellError(None, "", "not_utf8")])
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = _Rows(limits)
    try:
        for number, row in enumerate(reader, start=1):
            rows.add(number, row)
    except LimitExceeded as exc:
        return Table(rows.header(), [], [exc.error])
    except csv.Error:
        return Table([], [], [CellError(None, "", "unreadable_csv", {"line": reader.line_num})])
    header = rows.header()
    if not any(str(h).strip() for h in header):
        return Table([], [], [CellError(None, "", "empty_file")])
    return Table(header, rows.body())


# -- XLSX --------------------------------------------------------------------------------
def _parse_sheet(sheet, source) -> WorkSheetParser:
    """Return the parser openpyxl's read-only sheets use, on ``source`` (the sheet's XML).

    Iterating its ``parse()`` yields (row number, cells) for each row element present,
    without the padding ``ReadOnlyWorksheet._cells_by_row`` adds up to the declared
    dimension; ``merged_cells`` is known once the parse is complete.
    """
    book = sheet.parent
    return WorkSheetParser(
        source,
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )


def _holds_data(sheet) -> bool:
    with sheet._get_source() as source:
        for _number, cells in _parse_sheet(sheet, source).parse():
            if any(not _is_blank(cell["value"]) for cell in cells):
                return True
    return False


def _read_rows(sheet, rows: _Rows) -> list[str]:
    """Collect the rows of ``sheet`` into ``rows``; return its merged ranges."""
    with sheet._get_source() as source:
        parser = _parse_sheet(sheet, source)
        for number, cells in parser.parse():
            rows.add_cells(number, [(cell["column"], cell["value"]) for cell in cells])
    merged = parser.merged_cells.mergeCell if parser.merged_cells else []
    return [str(m.coord) for m in merged]


def _unpacked_size(source: bytes | Path) -> int:
    """Return the sum of the sizes the zip's directory declares (zipfile stops at them)."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        return sum(info.file_size for info in archive.infolist())


def read_xlsx(data: bytes, limits: Limits | None = None) -> Table:
    limits = limits or Limits.from_settings()
    try:
        if _unpacked_size(data) > limits.unpacked_bytes:
            error = CellError(None, "", "too_large_unpacked", {"max": limits.unpacked_bytes})
            return Table([], [], [error])
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except XLSX_ERRORS:
        return Table([], [], [CellError(None, "", "not_xlsx")])
    try:
        return _read_book(book, limits)
    except XLSX_ERRORS:
        return Table([], [], [CellError(None, "", "not_xlsx")])
    finally:
        book.close()


def _read_book(book, limits: Limits) -> Table:
    sheets = book.worksheets
    data_index = next((i for i, s in enumerate(sheets) if fold(s.title) in DATA_SHEET_NAMES), 0)
    data_sheet = sheets[data_index]
    errors = [
        CellError(None, "", "extra_sheet", {"sheet": sheet.title})
        for index, sheet in enumerate(sheets)
        if index != data_index and fold(sheet.title) not in GUIDE_SHEET_NAMES and _holds_data(sheet)
    ]
    rows = _Rows(limits)
    try:
        merged = _read_rows(data_sheet, rows)
    except LimitExceeded as exc:
        return Table(rows.header(), [], [*errors, exc.error], data_sheet.title)
    for ref in merged:
        errors.append(
            CellError(int(re.search(r"\d+", ref)[0]), ref, "merged_cells", {"range": ref})
        )
    header = rows.header()
    if not header:
        errors.append(CellError(None, "", "empty_file"))
    return Table(header, rows.body(), errors, data_sheet.title)
