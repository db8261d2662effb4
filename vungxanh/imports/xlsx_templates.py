"""Blank import templates: an XLSX workbook a ward official fills in Excel, or a CSV header.

The workbook has the sheet "Dữ liệu", which the importer reads (see readers.py), and the
sheet "Hướng dẫn", which it ignores. The template is a Vietnamese form like the specs it
is built from (``Column.label_vi``, ``Column.note_vi``): its headers are what the importer
matches, whatever language the page that offered it was in.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from vungxanh.domain import bounds
from vungxanh.domain.tabular import EXCEL_EPOCH, Column, Spec
from vungxanh.imports import registry
from vungxanh.imports.problems import choice_words
from vungxanh.lib.spreadsheet import BOM, write_csv
from vungxanh.lib.workbook import Book, Sheet

DATA_SHEET = "Dữ liệu"
GUIDE_SHEET = "Hướng dẫn"
LAST_ROW = 1_048_576  # Excel's last row: validations and formats cover the whole column
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"  # keeps leading zeros of codes and phone numbers
BOLD = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="D9EAD3")
OPTIONAL_FILL = PatternFill("solid", fgColor="EFEFEF")
YES, NO = "Có", "Không"


def _spec(kind: str) -> Spec:
    try:
        return registry.kind(kind).spec
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}") from None


def _comment(column: Column) -> Comment:
    lines = [column.note_vi or column.label_vi]
    if column.example:
        lines.append(f"Ví dụ: {column.example}")
    lines.append("Bắt buộc" if column.required else "Không bắt buộc")
    comment = Comment("\n".join(lines), "Vùng Xanh")
    comment.width, comment.height = 320, 140
    return comment


def _width(column: Column) -> float:
    return min(max(len(column.label_vi) + 4, len(column.example) + 2, 12), 40)


def accepted_words(column: Column) -> list[str]:
    """Return the words the template offers for a choice or yes/no column."""
    if column.kind == "bool":
        return [YES, NO]
    if column.kind == "choice" and column.choices:
        return [word for _value, word in choice_words(column.choices.values())]
    return []


def _serial(day: dt.date) -> str:
    return str((day - EXCEL_EPOCH).days)


def _validation(column: Column) -> DataValidation | None:
    """Return an Excel check for the column; it warns but lets any value through."""
    kwargs = {"allow_blank": True, "showErrorMessage": True, "errorStyle": "warning"}
    words = accepted_words(column)
    if words:
        formula = '"' + ",".join(words) + '"'
        if len(formula) > 255:  # Excel's limit for an inline list
            return None
        return DataValidation(type="list", formula1=formula, error="Chọn trong danh sách", **kwargs)
    if column.kind == "int" and column.min_value is not None:
        return DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1=str(column.min_value),
            error=f"Số nguyên ≥ {column.min_value}",
            **kwargs,
        )
    if column.kind == "date":
        dates = bounds.data_dates()  # the importer's window (vungxanh/domain/bounds.py)
        return DataValidation(
            type="date",
            operator="between",
            formula1=_serial(dates.first),
            formula2=_serial(dates.last),
            error="Ngày dạng dd/mm/yyyy",
            **kwargs,
        )
    return None


def _data_sheet(sheet: Sheet, spec: Spec) -> None:
    worksheet = sheet.worksheet
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.put(1, index, column.label_vi)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = _comment(column)
        dimension = worksheet.column_dimensions[letter]
        dimension.width = _width(column)
        if column.kind == "date":
            dimension.number_format = DATE_FORMAT
        elif column.kind in ("text", "area"):
            dimension.number_format = TEXT_FORMAT
        validation = _validation(column)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            worksheet.add_data_validation(validation)
    worksheet.freeze_panes = "A2"


def _guide_rows(spec: Spec) -> list[list[str]]:
    rows = []
    for column in spec.columns:
        note = column.note_vi
        words = accepted_words(column)
        if words and column.kind == "choice":
            note = f"{note} Giá trị: {', '.join(words)}."
        rows.append([column.label_vi, YES if column.required else NO, note, column.example])
    return rows


def _write_block(sheet: Sheet, start: int, header: list[str], rows: list[list]) -> int:
    """Write a bold header and rows from row ``start``; return the next free row."""
    for offset, values in enumerate([header, *rows]):
        for index, value in enumerate(values, start=1):
            cell = sheet.put(start + offset, index, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if offset == 0:
                cell.font = BOLD
    return start + len(rows) + 2


def _guide_sheet(sheet: Sheet, spec: Spec, areas: list[tuple[str, str]]) -> None:
    worksheet = sheet.worksheet
    sheet.put(1, 1, spec.title_vi).font = Font(bold=True, size=14)
    intro = sheet.put(
        2,
        1,
        f"Nhập mỗi dòng một bản ghi vào trang “{DATA_SHEET}”, giữ nguyên dòng tiêu đề. "
        "Ngày viết dạng dd/mm/yyyy. Cột tô xanh là bắt buộc. Trang hướng dẫn này không "
        "được nhập. Nếu một ô sai, cả tệp không được nhập và hệ thống chỉ rõ dòng, cột bị sai.",
    )
    intro.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.merge_cells("A2:D2")
    worksheet.row_dimensions[2].height = 60
    columns = _guide_rows(spec)
    next_row = _write_block(sheet, 4, ["Cột", "Bắt buộc", "Giải thích", "Ví dụ"], columns)
    sheet.put(next_row, 1, "Dòng mẫu").font = BOLD
    example = [c.example for c in spec.columns]
    next_row = _write_block(sheet, next_row + 1, [c.label_vi for c in spec.columns], [example])
    if areas:
        # The names of the user's areas: user data, neutralised like every cell.
        sheet.put(next_row, 1, "Địa bàn bạn được nhập số liệu").font = BOLD
        _write_block(sheet, next_row + 1, ["Mã", "Tên"], [list(a) for a in areas])
    for letter, width in zip("ABCD", (28, 10, 70, 24), strict=True):
        worksheet.column_dimensions[letter].width = width


def template_workbook(kind: str, areas: Iterable[tuple[str, str]] = ()) -> bytes:
    """Return the XLSX template of ``kind``; ``areas`` (code, name) are listed in the guide."""
    spec = _spec(kind)
    book = Book()
    _data_sheet(book.sheet(DATA_SHEET), spec)
    _guide_sheet(book.sheet(GUIDE_SHEET), spec, list(areas))
    return book.content()


def template_csv(kind: str) -> bytes:
    """Return the CSV template of ``kind``: the header row, in UTF-8 that Excel opens."""
    buffer = io.StringIO()
    write_csv(buffer, [c.label_vi for c in _spec(kind).columns], [], lineterminator="\r\n")
    return (BOM + buffer.getvalue()).encode("utf-8")


def template_filename(kind: str, extension: str) -> str:
    return f"vungxanh-mau-{_spec(kind).kind}.{extension}"
