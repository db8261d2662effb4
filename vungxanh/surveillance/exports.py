"""CSV and XLSX exports of surveillance facts and indicators, for the web and the CLI.

A fact export has the import template's field names as its header and dd/mm/yyyy dates,
so a file exported here can be imported again unchanged (a round trip). Personal columns
(name, phone, ID number, address) are left out unless the caller asks for them and may
read them; such an export is recorded in the audit trail. Rows are streamed: a CSV of a
million cases never sits in memory, and XLSX is written with openpyxl's write-only mode.
Every cell is written through vungxanh.lib, which neutralises formulas (issue 9).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.domain.indicators import INDICATORS
from vungxanh.lib import downloads, spreadsheet
from vungxanh.lib.workbook import Book
from vungxanh.surveillance.models import CasePerson, IndicatorSeries
from vungxanh.surveillance.queries import DATE_FIELD
from vungxanh.surveillance.specs import SPECS

FACT_KINDS = tuple(SPECS)
EXPORT_KINDS = (*FACT_KINDS, "indicators")
PERSONAL_COLUMNS = tuple(c.name for c in SPECS["cases"].columns if c.personal)
INDICATOR_HEADER = ["area", "date", *INDICATORS]
# The data sheet's name is one the importer looks for (vungxanh/imports/readers.py).
SHEET_TITLE = "Dữ liệu"
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header
CHUNK = 2000


# -- headers and rows ----------------------------------------------------------------------
def fact_header(kind: str, *, include_personal: bool = False) -> list[str]:
    """Return the import spec's field names of ``kind``, personal ones only if asked."""
    return [c.name for c in SPECS[kind].columns if include_personal or not c.personal]


People = Callable[[list[str]], dict[str, CasePerson]]


def fact_rows(
    kind: str, rows, header: Sequence[str], *, people: People | None = None
) -> Iterator[list[Any]]:
    """Yield the values of ``rows`` (a queryset of one kind) in the order of ``header``.

    Areas are written as their codes. Personal columns in ``header`` are filled, chunk by
    chunk, from ``people`` (case codes -> the records the reader may see); without it
    they stay empty.
    """
    fields = ["area__code" if name == "area" else name for name in header]
    stored = [f for f in fields if f not in PERSONAL_COLUMNS]
    values = rows.order_by(DATE_FIELD[kind], "id").values_list(*stored)
    wanted = people is not None and any(f in PERSONAL_COLUMNS for f in fields)
    code_at = stored.index("case_code") if wanted else None
    chunk: list[tuple] = []
    for row in values.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _with_people(chunk, fields, stored, people, code_at)
            chunk = []
    yield from _with_people(chunk, fields, stored, people, code_at)


def _with_people(chunk, fields, stored, people, code_at) -> Iterator[list[Any]]:
    found = people([row[code_at] for row in chunk]) if code_at is not None else {}
    positions = {name: i for i, name in enumerate(stored)}
    for row in chunk:
        person = found.get(row[code_at]) if code_at is not None else None
        yield [
            (getattr(person, f, "") if person else "")
            if f in PERSONAL_COLUMNS
            else row[positions[f]]
            for f in fields
        ]


def indicator_rows(
    series_rows: Iterable[IndicatorSeries],
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Iterator[list[Any]]:
    """Yield one row per area and day: area code, date, then every indicator (or None)."""
    for ind in series_rows:
        if not ind.days:
            continue
        matrix = ind.matrix()
        index = [ind.names.index(n) if n in ind.names else None for n in INDICATORS]
        end = ind.start + dt.timedelta(days=ind.days - 1)
        day = max(first, ind.start) if first else ind.start
        stop = min(last, end) if last else end
        code = ind.area.code
        while day <= stop:
            column = matrix[:, (day - ind.start).days]
            yield [
                code,
                day,
                *(None if i is None or np.isnan(column[i]) else float(column[i]) for i in index),
            ]
            day += dt.timedelta(days=1)


# -- cells ---------------------------------------------------------------------------------
def csv_cell(value: Any) -> str:
    """How a CSV shows a value that is not text (the import reads it back the same)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        return "có" if value else "không"
    return value


# -- writers (every cell neutralised by vungxanh.lib) ----------------------------------------
def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield the CSV text line by line, starting with a BOM so Excel reads UTF-8."""
    return spreadsheet.csv_lines(header, rows, show=csv_cell)


def write_csv(out, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV to the text stream ``out``; return the number of data rows."""
    return spreadsheet.write_csv(out, header, rows, show=csv_cell)


class TooManyRows(ValueError):
    """The rows do not fit in one Excel sheet."""


def xlsx_book(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[Book, int]:
    """Return a streaming workbook of one data sheet, and its number of data rows."""
    book = Book(streaming=True)
    sheet = book.sheet(SHEET_TITLE)
    sheet.append(header)
    n = 0
    for row in rows:
        n += 1
        if n > XLSX_MAX_ROWS:
            raise TooManyRows(n)
        sheet.append([_xlsx_cell(v) for v in row])
    return book, n


def write_xlsx(out, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write an XLSX workbook (one data sheet) to the binary stream ``out``."""
    book, n = xlsx_book(header, rows)
    book.save(out)
    return n


def csv_response(file_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]):
    return downloads.csv_download(f"{file_name}.csv", header, rows, show=csv_cell)


def xlsx_response(file_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]):
    """Return the workbook as a download, spooled through a temporary file."""
    book, _n = xlsx_book(header, rows)
    return downloads.xlsx_download(f"{file_name}.xlsx", book, spool=True)


# -- audit ---------------------------------------------------------------------------------
def record_personal_export(actor, area: Area | None, *, kind: str, details: dict) -> None:
    """Record that ``actor`` exported personal identifiers (which rows, not their values)."""
    audit.record(
        actor,
        "export_personal",
        object_type="surveillance.caseperson",
        object_repr=f"{kind} export",
        area=area,
        after=details,
    )
