"""Sentences for import problems (``CellError``) found by the readers and the validator.

``where`` says which cell, ``describe`` what is wrong and how to fix it, both in the
active language. The page, the API and the command line all report through these two.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vungxanh.domain.areas import fold
from vungxanh.domain.tabular import MORE_PROBLEMS, MORE_THAN_WHOLE, CellError
from vungxanh.imports.registry import choice_words as registered_choice_words
from vungxanh.lib import bounds


def _display_word(value: str, variants: list[str]) -> str:
    """Return the word a Vietnamese template shows for a stored choice ``value``."""
    for word in variants[1:]:
        if fold(word).replace(" ", "") == fold(value):
            return value  # "18 - 49" is only "18-49" spaced out
        if not word.isascii() or " " in word or word[0].isalpha():
            return word[:1].upper() + word[1:]
    return value.upper() if len(value) <= 2 else value


def choice_words(values: Iterable[str]) -> list[tuple[str, str]]:
    """Return (stored value, word to write) for each accepted value, in template order."""
    wanted = set(values)
    # The accepted words of each choice column, with accents, as the template shows them.
    for mapping in registered_choice_words():
        if set(mapping) == wanted:
            return [(value, _display_word(value, variants)) for value, variants in mapping.items()]
    return [(value, value) for value in sorted(wanted)]


def _choices_text(values: Iterable[str]) -> str:
    vietnamese = (get_language() or "vi").startswith("vi")
    words = []
    for value, word in choice_words(values):
        if vietnamese or word == value:
            words.append(word)
        else:
            words.append(f"{word} ({value})")
    return ", ".join(words)


def _unknown_area(p: dict) -> str:
    text = _("“%(value)s” is not the code or name of an area you may report for.") % p
    if p.get("suggestions"):
        text += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(p["suggestions"])}
    return text


def _grouped(p: dict) -> dict:
    """The params with their numbers written with the active language's digit grouping."""
    return {
        k: number_format(v, force_grouping=True) if isinstance(v, int) else v for k, v in p.items()
    }


def _megabytes(p: dict) -> dict:
    return {**p, "max": number_format(p["max"] // (1024 * 1024), force_grouping=True)}


def _not_a_date(p: dict) -> str:
    return _("“%(value)s” is not a date: write the day as dd/mm/yyyy, for example 23/09/2021.") % p


TEXTS = {
    "required": lambda p: _("This cell is required and is empty."),
    "too_long": lambda p: _("The text is longer than %(max)d characters.") % p,
    "not_a_whole_number": lambda p: (
        _("“%(value)s” is not a whole number: write digits only, such as 12.") % p
    ),
    "below_minimum": lambda p: _("%(value)s is below the smallest accepted value, %(min)s.") % p,
    "above_maximum": lambda p: _("%(value)s is above the largest accepted value, %(max)s.") % p,
    "not_a_date": _not_a_date,
    # The plausible ranges of vungxanh/domain/bounds.py, worded once for files, forms, API.
    "date_out_of_range": bounds.out_of_range_message,
    "no_such_day": bounds.no_such_day_message,
    "no_such_month": bounds.no_such_month_message,
    "not_a_phone": bounds.not_a_phone_message,
    "not_a_id_number": bounds.not_an_id_number_message,
    "above_population": lambda p: bounds.above_population_message(_grouped(p)),
    # A rule of the spec across two columns (tabular.NotMoreThan): files and forms alike.
    MORE_THAN_WHOLE: lambda p: (
        _("“%(part)s” (%(value)s) cannot be more than “%(whole)s” (%(whole_value)s).") % _grouped(p)
    ),
    "not_a_choice": lambda p: (
        _("“%(value)s” is not an accepted value. Write one of: %(choices)s.")
        % {"value": p.get("value", ""), "choices": _choices_text(p.get("choices", []))}
    ),
    "not_yes_no": lambda p: _("“%(value)s” is neither yes nor no: write Có or Không.") % p,
    "unknown_area": _unknown_area,
    "ambiguous_area": lambda p: (
        _("“%(value)s” names more than one area: write the area's code instead, e.g. 31120.") % p
    ),
    "unknown_column": lambda p: _(
        "This column is not in the template: remove it, or give it a header of the template."
    ),
    "repeated_column": lambda p: _("This column appears twice: keep only one of them."),
    "missing_column": lambda p: _(
        "This column is required and missing: add it as in the template."
    ),
    # A key stored in an area the actor may not change. Deliberately says nothing about
    # where or what it is: see ``services._refuse_unwritable``.
    "case_code_unavailable": lambda p: _(
        "This case code cannot be used: check it. If it is right, ask the district health "
        "centre to enter or correct this case."
    ),
    "figures_unavailable": lambda p: _(
        "These figures cannot be changed by you: ask the district health centre."
    ),
    "duplicate_in_file": lambda p: (
        _("This row repeats row %(first_row)d of the same file: keep only one of them.") % p
    ),
    "old_excel": lambda p: _(
        "This is an old Excel file (.xls): open it in Excel and save it as "
        "“Excel Workbook (.xlsx)” or as “CSV UTF-8”."
    ),
    "not_utf8": lambda p: _(
        "The CSV file is not in UTF-8: in Excel choose Save As, then “CSV UTF-8 (Comma delimited)”."
    ),
    "empty_file": lambda p: _("The file is empty: its first row must hold the column headers."),
    "not_xlsx": lambda p: _(
        "The file cannot be read as an Excel workbook (.xlsx): it may be damaged or of another "
        "type."
    ),
    "extra_sheet": lambda p: (
        _(
            "The sheet “%(sheet)s” holds data, but only the sheet “Dữ liệu” is imported: move "
            "its rows there or delete the sheet."
        )
        % p
    ),
    "merged_cells": lambda p: (
        _("The cells %(range)s are merged: unmerge them and write a value in each cell.") % p
    ),
    # The readers' bounds (readers.Limits) and the report's truncation (tabular.Problems).
    "too_large": lambda p: (
        _("The file is larger than %(max)s MB: split it into smaller files.") % _megabytes(p)
    ),
    "too_large_unpacked": lambda p: (
        _(
            "Unpacked, the workbook holds more than %(max)s MB: split it into smaller files, "
            "or save it as CSV UTF-8."
        )
        % _megabytes(p)
    ),
    "too_many_rows": lambda p: (
        _(
            "The sheet has a value in cell %(cell)s, beyond the %(max)s rows a file may hold: "
            "delete the stray cells below the table, or split the file."
        )
        % _grouped(p)
    ),
    "too_many_columns": lambda p: (
        _(
            "The sheet has a value in cell %(cell)s, beyond the %(max)s columns a file may "
            "hold: delete the stray cells right of the table."
        )
        % _grouped(p)
    ),
    "too_many_cells": lambda p: (
        _("The file has more than %(max)s cells: split it into smaller files.") % _grouped(p)
    ),
    "unreadable_csv": lambda p: (
        _(
            "The CSV file cannot be read near line %(line)s (a quote left open, or a cell "
            "too long): save it again from Excel as “CSV UTF-8”."
        )
        % p
    ),
    MORE_PROBLEMS: lambda p: (
        ngettext(
            "%(count)s more problem in this column is not listed: correct the ones above, "
            "then check the file again.",
            "%(count)s more problems in this column are not listed: correct the ones above, "
            "then check the file again.",
            p["count"],
        )
        % _grouped(p)
    ),
}


def describe(error: CellError) -> str:
    """Return a sentence, in the active language, saying what is wrong and how to fix it."""
    text = TEXTS.get(error.code)
    if text is None:
        return _("Problem “%(code)s”.") % {"code": error.code}
    return text(error.params)


def where(error: CellError) -> str:
    """Return where the problem is: "row 12, column ‘Ngày xác nhận’", "whole file", ..."""
    if error.code == MORE_PROBLEMS:
        return _("column ‘%(column)s’") % {"column": error.column}
    if error.row is None:
        return _("whole file")
    if error.code == "merged_cells":
        return _("row %(row)d, cells %(range)s") % {"row": error.row, "range": error.column}
    if not error.column:
        return _("row %(row)d") % {"row": error.row}
    if error.row == 1:
        return _("header row, column ‘%(column)s’") % {"column": error.column}
    return _("row %(row)d, column ‘%(column)s’") % {"row": error.row, "column": error.column}


def as_rows(errors: Iterable[CellError]) -> list[dict]:
    """Return each problem as {row, column, code, where, message}, for pages and the API."""
    return [
        {
            "row": e.row,
            "column": e.column,
            "code": e.code,
            "where": where(e),
            "message": describe(e),
        }
        for e in errors
    ]
