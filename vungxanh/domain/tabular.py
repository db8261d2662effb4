"""Validate a table of imported rows, column by column, and report every bad cell.

The web, CLI and API imports read a file into a header and rows of raw cell values
(strings from CSV, typed values from XLSX) and hand them here. Nothing is written here:
``validate_table`` returns the parsed columns and a list of ``CellError`` naming the
spreadsheet row and column of each problem. Repeated values (dates, area codes, choices)
are parsed once and cached, so a million rows validate in seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vungxanh.domain import bounds, formulas
from vungxanh.domain.areas import fold, fold_name

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_PATTERNS = (
    re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"),  # dd/mm/yyyy
    re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"),  # dd-mm-yyyy
    re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"),  # dd.mm.yyyy
)
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")
TRUE_WORDS = {"co", "có", "yes", "true", "1", "x", "dat", "đạt"}
FALSE_WORDS = {"khong", "không", "no", "false", "0", "chua", "chưa", "khong dat", "không đạt"}


@dataclass(frozen=True)
class Column:
    """One column of an import: how to read it and how to explain it to a user."""

    name: str  # the stored field, also accepted as a header
    kind: str  # text | int | date | area | choice | bool
    label_vi: str  # the header of the template
    note_vi: str  # what to write, shown in the template
    example: str
    required: bool = True
    min_value: int | None = 0
    max_value: int | None = bounds.COUNT_MAX
    max_length: int = 300
    choices: dict[str, str] | None = None  # folded accepted word -> stored value
    personal: bool = False  # a personal identifier: stored apart, never logged
    text_format: str = ""  # "phone" | "id_number": a text of that Vietnamese format
    within_population: bool = False  # an int at most what the row's area's population allows

    def headers(self) -> set[str]:
        return {fold(self.name), fold(self.label_vi)}


@dataclass(frozen=True)
class NotMoreThan:
    """A rule across two columns of a row: the ``part`` may not exceed the ``whole``.

    Positive tests out of those performed, people fully vaccinated out of those with one
    dose: checked the same way for a file's row and a form's fields (``validate_table``),
    so a value the database would refuse is reported at its cell, never at commit.
    """

    part: str
    whole: str


@dataclass(frozen=True)
class Spec:
    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns naming one fact: a repeat within a file is an error
    title_vi: str
    rules: tuple[NotMoreThan, ...] = ()  # rules across the columns of one row

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class CellError:
    row: int | None  # spreadsheet row number (header is row 1); None = file
    column: str  # header as the user wrote it, or the expected header
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


MORE_PROBLEMS = "more_problems"  # stands for the problems of a column beyond those listed


def count_problems(errors: Iterable[CellError]) -> int:
    """Return how many problems ``errors`` stands for, the unlisted ones included."""
    return sum(e.params["count"] if e.code == MORE_PROBLEMS else 1 for e in errors)


class Problems:
    """The problems of a table: the first ``per_column`` of each column, the rest counted.

    A file of 200,000 bad rows is reported in a page, not a 230 MB list; every row with a
    problem is still remembered, so that importing only the valid rows leaves them all out.
    """

    def __init__(self, per_column: int | None = None):
        self.per_column = per_column
        self.listed: list[CellError] = []
        self.counts: dict[str, int] = {}
        self.rows: set[int] = set()

    def add(self, error: CellError) -> None:
        if error.row is not None:
            self.rows.add(error.row)
        count = self.counts[error.column] = self.counts.get(error.column, 0) + 1
        if self.per_column is None or count <= self.per_column:
            self.listed.append(error)

    def extend(self, errors: Iterable[CellError]) -> None:
        for error in errors:
            self.add(error)

    def report(self) -> list[CellError]:
        """The listed problems by row and column, then one summary per truncated column."""
        listed = sorted(self.listed, key=lambda e: (e.row or 0, e.column))
        more = [
            CellError(None, column, MORE_PROBLEMS, {"count": count - self.per_column})
            for column, count in self.counts.items()
            if self.per_column is not None and count > self.per_column
        ]
        return listed + more


@dataclass
class Validated:
    columns: dict[str, list[Any]]  # parsed values; None where the cell was empty or bad
    row_numbers: list[int]
    errors: list[CellError]  # as reported: the first problems of each column, then counts
    bad_rows: set[int] = dataclasses.field(default_factory=set)  # every row with a problem

    def __post_init__(self) -> None:
        self.bad_rows |= {e.row for e in self.errors if e.row is not None}

    def valid_indexes(self) -> list[int]:
        bad = self.bad_rows
        return [i for i, n in enumerate(self.row_numbers) if n not in bad]


class AreaLookup:
    """Resolve an area written as a code or a name (accents and case ignored).

    Each area is (key, code, name) or (key, code, name, population); the population, where
    known, bounds the counts of the ``within_population`` columns.
    """

    def __init__(self, areas: Iterable[tuple]):
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.names: dict[int, str] = {}
        self.population: dict[int, int] = {}
        for key, code, name, *population in areas:
            if population and population[0] is not None:
                self.population[key] = population[0]
            self.by_code[code] = key
            self.by_name.setdefault(fold_name(name), []).append(key)
            self.by_name.setdefault(fold(name), []).append(key)
            self.names[key] = name

    def resolve(self, text: str) -> tuple[int | None, str, dict[str, Any]]:
        """Return (area key, error code, params); the key is None when not found."""
        if text in self.by_code:
            return self.by_code[text], "", {}
        folded = fold(text)
        hits = set(self.by_name.get(folded, []) or self.by_name.get(fold_name(text), []))
        if len(hits) == 1:
            return hits.pop(), "", {}
        if len(hits) > 1:
            return None, "ambiguous_area", {"value": text}
        near = difflib.get_close_matches(fold_name(text), list(self.by_name), n=3, cutoff=0.75)
        suggestions = sorted({self.names[k] for n in near for k in self.by_name[n]})
        return None, "unknown_area", {"value": text, "suggestions": suggestions[:3]}


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    # An export quotes "=…" as "'=…" (formulas.neutralise); reading it back drops the quote.
    return formulas.restore(str(raw).strip())


def read_date(raw: Any) -> tuple[dt.date | None, str, dict[str, Any]]:
    """Return (date, "", {}) from dd/mm/yyyy, ISO yyyy-mm-dd, an Excel date or serial.

    Otherwise (None, code, params): "no_such_day" or "no_such_month" for a day written
    well that does not exist (31/09/2021: September has 30 days), "not_a_date" for
    anything else.
    """
    if isinstance(raw, dt.datetime):
        return raw.date(), "", {}
    if isinstance(raw, dt.date):
        return raw, "", {}
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 20000 < raw < 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(raw)), "", {}
    text = _text(raw)
    match = ISO_DATE.match(text)
    if match:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        match = next(filter(None, (p.match(text) for p in DATE_PATTERNS)), None)
        if match is None:
            return None, "not_a_date", {"value": text}
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    code, params = bounds.impossible_day(day, month, year)
    if code:
        return None, code, params
    return dt.date(year, month, day), "", {}


def parse_date(raw: Any) -> dt.date | None:
    """Return a date from dd/mm/yyyy, ISO yyyy-mm-dd, an Excel date or serial; else None."""
    return read_date(raw)[0]


def parse_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    text = _text(raw).replace(" ", "")
    # Vietnamese spreadsheets group thousands with "." and English ones with ",".
    if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    try:
        return int(text)
    except ValueError:
        return None


def _cached(parse: Callable[[Any], tuple[Any, str, dict]]) -> Callable[[Any], tuple]:
    cache: dict[Any, tuple] = {}

    def run(raw: Any) -> tuple:
        key = raw if not isinstance(raw, list | dict) else repr(raw)
        try:
            return cache[key]
        except KeyError:
            cache[key] = result = parse(raw)
            return result
        except TypeError:
            return parse(raw)

    return run


def _cell_parser(column: Column, areas: AreaLookup | None) -> Callable[[Any], tuple]:
    """Return a function raw -> (value, error code, params) for ``column``."""

    formats = {"phone": bounds.national_phone, "id_number": bounds.is_id_number}
    dates = bounds.data_dates()  # one window per table: "today" does not move mid-file

    def parse_text(raw):
        text = _text(raw)
        if len(text) > column.max_length:
            return None, "too_long", {"max": column.max_length}
        if text and column.text_format and not formats[column.text_format](text):
            return None, f"not_a_{column.text_format}", {"value": text}
        return text, "", {}

    def parse_integer(raw):
        value = parse_int(raw)
        if value is None:
            return None, "not_a_whole_number", {"value": _text(raw)}
        if column.min_value is not None and value < column.min_value:
            return None, "below_minimum", {"value": value, "min": column.min_value}
        if column.max_value is not None and value > column.max_value:
            return None, "above_maximum", {"value": value, "max": column.max_value}
        return value, "", {}

    def parse_day(raw):
        value, code, params = read_date(raw)
        if value is None:
            return None, code, params
        code, params = dates.problem(value)
        return (None, code, params) if code else (value, "", {})

    def parse_choice(raw):
        text = fold(_text(raw))
        if text in column.choices:
            return column.choices[text], "", {}
        return (
            None,
            "not_a_choice",
            {"value": _text(raw), "choices": sorted(set(column.choices.values()))},
        )

    def parse_flag(raw):
        if isinstance(raw, bool):
            return raw, "", {}
        text = fold(_text(raw))
        if text in {fold(w) for w in TRUE_WORDS}:
            return True, "", {}
        if text in {fold(w) for w in FALSE_WORDS}:
            return False, "", {}
        return None, "not_yes_no", {"value": _text(raw)}

    def parse_area(raw):
        return areas.resolve(_text(raw))

    parsers = {
        "text": parse_text,
        "int": parse_integer,
        "date": parse_day,
        "choice": parse_choice,
        "bool": parse_flag,
        "area": parse_area,
    }
    parser = parsers[column.kind]
    return parser if column.kind == "text" else _cached(parser)


def match_header(header: Sequence[Any], spec: Spec) -> tuple[dict[str, int], list[CellError]]:
    """Return column name -> position, and the header problems (missing, unknown, repeated)."""
    positions: dict[str, int] = {}
    errors: list[CellError] = []
    wanted = {h: c for c in spec.columns for h in c.headers()}
    for index, raw in enumerate(header):
        title = _text(raw)
        if not title:
            continue
        column = wanted.get(fold(title))
        if column is None:
            errors.append(CellError(1, title, "unknown_column"))
        elif column.name in positions:
            errors.append(CellError(1, title, "repeated_column"))
        else:
            positions[column.name] = index
    for column in spec.columns:
        if column.required and column.name not in positions:
            errors.append(CellError(1, column.label_vi, "missing_column"))
    return positions, errors


def validate_table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    spec: Spec,
    areas: AreaLookup | None = None,
    *,
    first_row: int = 2,
    problems_per_column: int | None = None,
) -> Validated:
    """Parse every cell of ``rows`` by ``spec``; collect every problem by row and column.

    With ``problems_per_column``, only the first problems of each column are listed and
    the others counted (see ``Problems``).
    """
    positions, header_errors = match_header(header, spec)
    problems = Problems(problems_per_column)
    problems.extend(header_errors)
    labels = {
        c.name: (_text(header[positions[c.name]]) if c.name in positions else c.label_vi)
        for c in spec.columns
    }
    raw_rows = [
        (n, row) for n, row in enumerate(rows, start=first_row) if any(_text(v) for v in row)
    ]
    row_numbers = [n for n, _row in raw_rows]
    columns: dict[str, list[Any]] = {}
    for column in spec.columns:
        position = positions.get(column.name)
        if position is None:
            columns[column.name] = [None] * len(raw_rows)
            continue
        parse = _cell_parser(column, areas)
        values: list[Any] = []
        label = labels[column.name]
        for number, row in raw_rows:
            raw = row[position] if position < len(row) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                values.append(None)
                if column.required:
                    problems.add(CellError(number, label, "required"))
                continue
            value, code, params = parse(raw)
            values.append(value)
            if code:
                problems.add(CellError(number, label, code, params))
        columns[column.name] = values
    problems.extend(_duplicate_keys(spec, columns, row_numbers, labels))
    problems.extend(_beyond_population(spec, columns, row_numbers, labels, areas))
    problems.extend(_across_columns(spec, columns, row_numbers, labels))
    return Validated(columns, row_numbers, problems.report(), problems.rows)


def _beyond_population(
    spec: Spec, columns, row_numbers, labels, areas: AreaLookup | None
) -> list[CellError]:
    """Return a problem for each count above what its row's area's population allows.

    The populations come with the areas (no query per row); an area of unknown
    population is bounded by the columns' absolute maximum only.
    """
    if areas is None or not areas.population or "area" not in columns:
        return []
    limits = {key: bounds.count_limit(people) for key, people in areas.population.items()}
    row_limits = [limits.get(key) for key in columns["area"]]
    errors = []
    for column in spec.columns:
        if not column.within_population:
            continue
        for index, (value, limit) in enumerate(zip(columns[column.name], row_limits, strict=True)):
            if value is not None and limit is not None and value > limit:
                area = columns["area"][index]
                params = {"value": value, "max": limit, "area": areas.names[area]}
                params["population"] = areas.population[area]
                errors.append(
                    CellError(row_numbers[index], labels[column.name], "above_population", params)
                )
    return errors


MORE_THAN_WHOLE = "more_than_whole"


def _across_columns(spec: Spec, columns, row_numbers, labels) -> list[CellError]:
    """Return a problem, at the part's cell, for each row whose part exceeds its whole.

    The message names both columns by the template's headers (``label_vi``), so a file's
    report and a form's field say the same words whatever the file's own headers.
    """
    errors = []
    for rule in spec.rules:
        part, whole = spec.column(rule.part), spec.column(rule.whole)
        pairs = zip(columns[part.name], columns[whole.name], strict=True)
        for index, (value, limit) in enumerate(pairs):
            if value is not None and limit is not None and value > limit:
                params = {
                    "part": part.label_vi,
                    "value": value,
                    "whole": whole.label_vi,
                    "whole_value": limit,
                }
                errors.append(
                    CellError(row_numbers[index], labels[part.name], MORE_THAN_WHOLE, params)
                )
    return errors


def _duplicate_keys(spec: Spec, columns, row_numbers, labels) -> Iterator[CellError]:
    seen: dict[tuple, int] = {}
    key_columns = [columns[name] for name in spec.key]
    for index, key in enumerate(zip(*key_columns, strict=True)):
        if any(part is None for part in key):
            continue
        if key in seen:
            yield CellError(
                row_numbers[index],
                labels[spec.key[0]],
                "duplicate_in_file",
                {"first_row": seen[key]},
            )
        else:
            seen[key] = row_numbers[index]
