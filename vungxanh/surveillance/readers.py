"""Read an uploaded CSV or XLSX file into a header and rows of raw cell values."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from vungxanh.domain.areas import fold
from vungxanh.domain.tabular import CellError

DATA_SHEET_NAMES = {"du lieu", "data"}
GUIDE_SHEET_NAMES = {"huong dan", "guide"}
MERGE_REF = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


@dataclass
class Table:
    header: list[Any]
    rows: list[tuple]
    errors: list[CellError] = field(default_factory=list)
    sheet: str = ""


def read_table(data: bytes, file_name: str) -> Table:
    """Return the table of ``data``; file-level problems are in ``errors``."""
    name = file_name.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data)
    if name.endswith(".xls"):
        return Table([], [], [CellError(None, "", "old_excel")])
    return read_csv(data)


def read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Table([], [], [CellError(None, "", "not_utf8")])
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    if not any(h.strip() for h in header):
        return Table([], [], [CellError(None, "", "empty_file")])
    return Table(header, [tuple(row) for row in reader])


def _merged_ranges(data: bytes, sheet_index: int) -> list[str]:
    """Return the merged ranges of a sheet, read from its XML (read-only mode hides them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        path = f"xl/worksheets/sheet{sheet_index + 1}.xml"
        if path not in archive.namelist():
            return []
        return [m.decode() for m in MERGE_REF.findall(archive.read(path))]


def read_xlsx(data: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return Table([], [], [CellError(None, "", "not_xlsx")])
    sheets = book.worksheets
    data_index = next((i for i, s in enumerate(sheets) if fold(s.title) in DATA_SHEET_NAMES), 0)
    errors = []
    for index, sheet in enumerate(sheets):
        if index == data_index or fold(sheet.title) in GUIDE_SHEET_NAMES:
            continue
        if any(any(v not in (None, "") for v in row) for row in sheet.iter_rows(values_only=True)):
            errors.append(CellError(None, "", "extra_sheet", {"sheet": sheet.title}))
    for ref in _merged_ranges(data, data_index):
        errors.append(
            CellError(int(re.search(r"\d+", ref)[0]), ref, "merged_cells", {"range": ref})
        )
    rows = sheets[data_index].iter_rows(values_only=True)
    header = list(next(rows, ()))
    body = [tuple(row) for row in rows]
    book.close()
    if not any(v not in (None, "") for v in header):
        errors.append(CellError(None, "", "empty_file"))
    return Table(header, body, errors, sheets[data_index].title)
