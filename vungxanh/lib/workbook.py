"""Every XLSX workbook the system writes: each cell through ``safe_cell``, none a formula.

openpyxl stores a text starting with "=" as a formula and one like "#N/A" as an error
value; here every text is neutralised first (so it cannot start with "="), error-like
texts are stored as text, and characters XML cannot hold are replaced instead of failing
the whole export. Dates are written as dates shown dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

from vungxanh.lib.spreadsheet import is_number, safe_cell

DATE_FORMAT = "DD/MM/YYYY"
SHEET_TITLE_MAX = 31  # Excel's limit
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KEPT_AS_THEY_ARE = (bool, dt.datetime, dt.time, dt.timedelta)


def _text_cell(worksheet, value: Any) -> Any:
    text = safe_cell(ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))
    if text in ERROR_CODES:
        cell = WriteOnlyCell(worksheet, text)
        cell.data_type = "s"  # text, not Excel's error value
        return cell
    return text


def xlsx_value(worksheet, value: Any) -> Any:
    """What openpyxl is handed for one cell of ``worksheet``: a value or a ``Cell``."""
    if value is None or is_number(value) or isinstance(value, _KEPT_AS_THEY_ARE):
        return value
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return _text_cell(worksheet, value)  # text, and anything else as its text


class Sheet:
    """One sheet of a ``Book``: rows and cells are written only through ``xlsx_value``.

    ``worksheet`` is openpyxl's sheet, for styling (fonts, widths, frozen panes); write
    values through ``append`` and ``put``, never through it.
    """

    def __init__(self, worksheet):
        self.worksheet = worksheet

    def append(self, values) -> None:
        self.worksheet.append([xlsx_value(self.worksheet, v) for v in values])

    def put(self, row: int, column: int, value: Any) -> Cell:
        """Write one cell (not in a streaming book) and return it, to style it."""
        cell = self.worksheet.cell(row=row, column=column)
        written = xlsx_value(self.worksheet, value)
        if isinstance(written, Cell):
            cell.value = written.value
            cell.data_type = written.data_type
            cell.number_format = written.number_format
        else:
            cell.value = written
        return cell


class Book:
    """An XLSX workbook of ``Sheet``s.

    ``streaming`` (openpyxl's write-only mode) keeps memory flat however many rows are
    written, but cells cannot be styled or put after they are appended.
    """

    def __init__(self, *, streaming: bool = False):
        self._book = Workbook(write_only=streaming)
        if not streaming:
            self._book.remove(self._book.active)

    def sheet(self, title: str) -> Sheet:
        worksheet = self._book.create_sheet(str(title)[:SHEET_TITLE_MAX])
        return Sheet(worksheet)

    def save(self, out) -> None:
        self._book.save(out)

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()
