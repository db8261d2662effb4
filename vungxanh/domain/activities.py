"""Activity matrices as data: what may operate at each level, by VSIC code.

An activity matrix (kind ``activities``) is a TOML file in ``vungxanh/economy/activities/``
(format: ``docs/activities-format.md``). It pairs with a level rule set (its ``levels`` are
that rule set's level keys: Cấp 1–4 of ``vn-4800-2021``, or ``green`` / ``not_green`` of
``vn-green-zone-14d``), names activity groups by VSIC 2018 codes at any level (a section
letter or 2–5 digits) and gives, for every group and every level, a cell: ``allowed``,
``limited`` (capacity, maximum people, closing hour, takeaway only, conditions) or
``suspended``. Every cell the sources do not confirm says ``verified = false`` with a note.
A province derives its own file with ``derives_from`` and the cells it overrides.

``lookup`` answers one establishment (the most specific code of a group wins: 56101 before
5610 before 561 before 56 before section I). ``status_codes`` answers many at once: each
distinct VSIC code is matched once, then statuses are read from a group × level table by
index, so a level change for a million establishments is array indexing, not a Python loop.
Free of Django.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from vungxanh.domain import vsic
from vungxanh.domain.rules import RuleSetError, _Reader, merge

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ACTIVITIES_DIR = PACKAGE_DIR / "economy" / "activities"

ALLOWED, LIMITED, SUSPENDED = "allowed", "limited", "suspended"
STATUSES = (ALLOWED, LIMITED, SUSPENDED)
# Status codes of the vectorised form; NO_STATUS where the code or the level is unknown.
STATUS_CODE = {status: code for code, status in enumerate(STATUSES)}
NO_STATUS = -1
STATUS_VI = {ALLOWED: "được hoạt động", LIMITED: "hạn chế", SUSPENDED: "tạm dừng"}

TOP_LEVEL_KEYS = {
    "id",
    "version",
    "title",
    "title_vi",
    "effective_from",
    "effective_to",
    "verified",
    "example",
    "notes",
    "notes_vi",
    "source",
    "level_rules",
    "levels",
    "groups",
    "cells",
    "derives_from",
}
GROUP_KEYS = {"title", "title_vi", "vsic", "note", "note_vi"}
# The terms of a limited cell: only a "limited" cell may carry them.
LIMIT_KEYS = {"capacity_percent", "max_people", "closing_hour", "takeaway_only"}
CELL_KEYS = {"status", "verified", "note", "note_vi", "conditions_vi", "conditions_en", *LIMIT_KEYS}
GROUP_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
CLOCK = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


class ActivitiesError(RuleSetError):
    """An activity file that cannot be used: ``file:line: key: message``."""


class ActivityLookupError(ValueError):
    """A lookup that has no answer; ``argument`` names what was wrong (``vsic`` or ``level``)."""

    def __init__(self, argument: str, message: str):
        self.argument = argument
        super().__init__(message)


@dataclass(frozen=True)
class Source:
    document: str
    date: dt.date | None = None
    url: str = ""


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    title_vi: str
    vsic: tuple[str, ...]
    note: str = ""
    note_vi: str = ""


@dataclass(frozen=True)
class Cell:
    """One group at one level; ``lookup`` fills ``matched_code`` (the code of the group hit)."""

    group: Group
    level: str
    status: str
    verified: bool
    note: str
    source: Source  # the file that writes this cell: a province's own decision for its overrides
    written_in: str  # id of that file
    conditions_vi: str = ""
    conditions_en: str = ""
    capacity_percent: int | None = None
    max_people: int | None = None
    closing_hour: str = ""
    takeaway_only: bool = False
    note_vi: str = ""
    matched_code: str = ""

    @property
    def status_code(self) -> int:
        return STATUS_CODE[self.status]

    def note_for(self, language: str) -> str:
        """The note in ``language``: the Vietnamese when written, else the English."""
        return self.note_vi if language == "vi" and self.note_vi else self.note


@dataclass(frozen=True)
class ActivityMatrix:
    id: str
    version: str
    title: str
    title_vi: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    source: Source
    verified: bool
    example: bool
    notes: str
    notes_vi: str
    level_rules: str
    levels: tuple[str, ...]
    groups: dict[str, Group]
    cells: dict[tuple[str, str], Cell]
    derives_from: str = ""
    # VSIC code written in a group -> that group's key (codes are unique across groups)
    index: dict[str, str] = field(default_factory=dict, repr=False)

    def unverified_cells(self) -> list[Cell]:
        return [cell for cell in self.cells.values() if not cell.verified]

    def status_table(self) -> np.ndarray:
        """Return the status code of every group (rows, file order) at every level (columns)."""
        return np.array(
            [[self.cells[g, lv].status_code for lv in self.levels] for g in self.groups],
            dtype=np.int8,
        ).reshape(len(self.groups), len(self.levels))


# -- reading ------------------------------------------------------------------------------


def load_activities(path: Path, search: Sequence[Path] | None = None) -> ActivityMatrix:
    """Read and validate the activity file at ``path``, merged over what it derives from.

    ``search`` lists the folders a ``derives_from`` id is looked up in (default: the file's).
    """
    chain = _load_chain(Path(path), list(search or [Path(path).parent]), ())
    matrix = parse_activities(chain)
    if matrix.id != Path(path).stem:
        reader = _Reader([(name, text) for name, text, _doc in chain])
        raise _fail(reader, "id", f"{matrix.id!r} differs from the file name {Path(path).name}")
    return matrix


def _load_chain(path: Path, folders: list[Path], seen: tuple[str, ...]):
    """Return [(file name, text, document)] of ``path`` and its ancestors, the file first."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ActivitiesError(
            path.name, "(file)", str(exc), int(line[1]) if line else None
        ) from exc
    chain = [(path.name, text, doc)]
    parent = doc.get("derives_from")
    if parent is None:
        return chain
    reader = _Reader([(path.name, text)])
    if not isinstance(parent, str) or not parent:
        raise _fail(reader, "derives_from", "must be the id of another activity file")
    own = str(doc.get("id", path.stem))
    if parent == own or parent in seen:
        raise _fail(reader, "derives_from", f"derivation loop: {' → '.join((*seen, own, parent))}")
    found = next((f / f"{parent}.toml" for f in folders if (f / f"{parent}.toml").is_file()), None)
    if found is None:
        where = ", ".join(str(f) for f in folders)
        raise _fail(reader, "derives_from", f"no activity file {parent!r} (looked in {where})")
    return chain + _load_chain(found, folders, (*seen, own))


def _fail(reader: _Reader, key: str, message: str) -> ActivitiesError:
    error = reader.fail(key, message)
    return ActivitiesError(error.file, error.key, error.message, error.line)


def _merged(chain) -> tuple[dict, dict[tuple[str, str], int]]:
    """Return the document merged from the oldest ancestor down, and who wrote each cell.

    Tables merge key by key (a province restates a group's ``vsic`` list to move codes);
    a cell is replaced whole, so an override never inherits its parent's flag or note.
    """
    merged: dict = {}
    cells: dict[str, dict[str, Any]] = {}
    origin: dict[tuple[str, str], int] = {}
    for position in range(len(chain) - 1, -1, -1):
        doc = chain[position][2]
        own = {k: v for k, v in doc.items() if k != "cells"}
        base = {k: v for k, v in merged.items() if k not in {"id", "derives_from"}}
        merged = merge(base, own)
        for group, row in (doc.get("cells") or {}).items():
            if isinstance(row, dict) and isinstance(cells.get(group, {}), dict):
                cells.setdefault(group, {}).update(row)
                origin.update({(group, str(level)): position for level in row})
            else:
                cells[group] = row
    if cells:
        merged["cells"] = cells
    return merged, origin


def parse_activities(chain: list[tuple[str, str, dict]]) -> ActivityMatrix:
    """Validate an activity document (with its ancestors) and return it, or raise.

    ``chain`` is [(file name, text, document)], the file first, then what it derives from;
    errors name the file and line where the offending key is written.
    """
    r = _Reader([(name, text) for name, text, _doc in chain])
    for name, text, own in chain:  # an unknown key is reported in the file that writes it
        _only(_Reader([(name, text)]), own, "", TOP_LEVEL_KEYS)
    doc, origin = _merged(chain)
    sources = [_source(_Reader([(name, text)]), own) for name, text, own in chain]
    levels = _levels(r, doc)
    groups = _groups(r, doc)
    cells = _cells(r, doc, groups, levels, origin, sources, [d.get("id", "") for *_x, d in chain])
    effective_from = _get(r, doc, "effective_from", dt.date, None)
    effective_to = _get(r, doc, "effective_to", dt.date, None)
    if effective_from and effective_to and effective_to < effective_from:
        raise _fail(r, "effective_to", "is before effective_from")
    verified = _get(r, doc, "verified", bool)
    unverified = [c for c in cells.values() if not c.verified]
    if verified and unverified:
        raise _fail(r, "verified", f"is true but {len(unverified)} cell(s) say verified = false")
    return ActivityMatrix(
        id=_get(r, doc, "id", str),
        version=str(_get(r, doc, "version", (str, int), "1")),
        title=_get(r, doc, "title", str),
        title_vi=_get(r, doc, "title_vi", str),
        effective_from=effective_from,
        effective_to=effective_to,
        source=sources[0],
        verified=verified,
        example=_get(r, doc, "example", bool, False),
        notes=_get(r, doc, "notes", str, ""),
        notes_vi=_get(r, doc, "notes_vi", str, ""),
        level_rules=_get(r, doc, "level_rules", str),
        levels=levels,
        groups=groups,
        cells=cells,
        derives_from=str(doc.get("derives_from") or ""),
        index={code: g.key for g in groups.values() for code in g.vsic},
    )


def _get(r: _Reader, table: dict, key: str, kind, default: Any = ..., path: str = ""):
    try:
        return r.get(table, key, path, kind, default)
    except RuleSetError as exc:
        raise ActivitiesError(exc.file, exc.key, exc.message, exc.line) from None


def _only(r: _Reader, table: dict, path: str, allowed: set[str]) -> None:
    try:
        r.only(table, path, allowed)
    except RuleSetError as exc:
        raise ActivitiesError(exc.file, exc.key, exc.message, exc.line) from None


def _table(r: _Reader, value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(r, path, "must be a table")
    return value


def _source(r: _Reader, doc: dict) -> Source:
    """Return the source a file states; a derived file must state its own document."""
    table = doc.get("source")
    if table is None:
        raise _fail(r, "source", "is required: [source] with the document's number, date, title")
    table = _table(r, table, "source")
    _only(r, table, "source.", {"document", "date", "url"})
    return Source(
        document=_get(r, table, "document", str, path="source."),
        date=_get(r, table, "date", dt.date, None, path="source."),
        url=_get(r, table, "url", str, "", path="source."),
    )


def _levels(r: _Reader, doc: dict) -> tuple[str, ...]:
    raw = _get(r, doc, "levels", list)
    if not raw or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in raw):
        raise _fail(r, "levels", 'must list the level keys it applies to, e.g. ["1", "2"]')
    levels = tuple(str(v) for v in raw)
    if len(set(levels)) != len(levels):
        raise _fail(r, "levels", "lists a level twice")
    return levels


def _groups(r: _Reader, doc: dict) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    owner: dict[str, str] = {}  # code -> group: the same code in two groups is ambiguous
    for key, item in _table(r, _get(r, doc, "groups", dict), "groups").items():
        path = f"groups.{key}"
        if not GROUP_KEY.match(key):
            raise _fail(r, path, "a group key is lower case letters, digits and _")
        item = _table(r, item, path)
        _only(r, item, f"{path}.", GROUP_KEYS)
        codes = _get(r, item, "vsic", list, path=f"{path}.")
        if not codes or not all(isinstance(c, str) for c in codes):
            raise _fail(r, f"{path}.vsic", 'must list VSIC codes as text, e.g. ["56", "4711"]')
        for code in codes:
            _check_code(r, f"{path}.vsic", code)
            if code in owner:
                other = owner[code]
                where = "twice in this group" if other == key else f"also in group {other!r}"
                raise _fail(r, f"{path}.vsic", f"VSIC code {code!r} is {where}")
            owner[code] = key
        groups[key] = Group(
            key=key,
            title=_get(r, item, "title", str, path=f"{path}."),
            title_vi=_get(r, item, "title_vi", str, path=f"{path}."),
            vsic=tuple(codes),
            note=_get(r, item, "note", str, "", path=f"{path}."),
            note_vi=_get(r, item, "note_vi", str, "", path=f"{path}."),
        )
    if not groups:
        raise _fail(r, "groups", "needs at least one [groups.NAME]")
    return groups


def _check_code(r: _Reader, key: str, code: str) -> None:
    if code != vsic.normalise(code) or vsic.level_of(code) is None:
        raise _fail(r, key, f"{code!r} is not a VSIC code (a section letter or 2 to 5 digits)")
    if not vsic.check(code).ok:
        raise _fail(r, key, f"{code!r} is not a VSIC 2018 code")


def _cells(r, doc, groups, levels, origin, sources, ids) -> dict[tuple[str, str], Cell]:
    table = _table(r, _get(r, doc, "cells", dict), "cells")
    for group in table:
        if group not in groups:
            raise _fail(
                r, f"cells.{group}", f"unknown group {group!r}; groups: {', '.join(groups)}"
            )
    cells = {}
    for group in groups.values():
        row = _table(r, table.get(group.key, {}), f"cells.{group.key}")
        for level in row:
            if level not in levels:
                raise _fail(
                    r,
                    f"cells.{group.key}.{level}",
                    f"unknown level {level!r}; the levels are {', '.join(levels)}",
                )
        for level in levels:
            if level not in row:
                where = f"cells.{group.key}" if group.key in table else f"groups.{group.key}"
                raise _fail(r, where, f"no cell for level {level!r} of group {group.key!r}")
            position = origin.get((group.key, level), 0)
            cells[group.key, level] = _cell(
                r, row[level], f"cells.{group.key}.{level}", group, level,
                sources[position], ids[position],
            )  # fmt: skip
    return cells


def _cell(r, item, path: str, group: Group, level: str, source: Source, written_in: str) -> Cell:
    item = _table(r, item, path)
    _only(r, item, f"{path}.", CELL_KEYS)
    status = _get(r, item, "status", str, path=f"{path}.")
    if status not in STATUSES:
        raise _fail(r, f"{path}.status", f"must be one of {', '.join(STATUSES)}")
    verified = _get(r, item, "verified", bool, path=f"{path}.")
    note = _get(r, item, "note", str, "", path=f"{path}.")
    note_vi = _get(r, item, "note_vi", str, "", path=f"{path}.")
    if not verified and not (note.strip() or note_vi.strip()):
        raise _fail(r, f"{path}.note", "an unverified cell needs a note saying what is unknown")
    terms = sorted(LIMIT_KEYS & set(item))
    if terms and status != LIMITED:
        raise _fail(r, f"{path}.{terms[0]}", f"only a limited cell takes it, not {status}")
    conditions_vi = _get(r, item, "conditions_vi", str, "", path=f"{path}.")
    if status == LIMITED and not terms and not conditions_vi.strip():
        raise _fail(r, path, "a limited cell needs its terms or conditions_vi")
    capacity = _get(r, item, "capacity_percent", int, None, path=f"{path}.")
    if capacity is not None and not 0 < capacity <= 100:
        raise _fail(r, f"{path}.capacity_percent", "must be from 1 to 100")
    people = _get(r, item, "max_people", int, None, path=f"{path}.")
    if people is not None and people < 1:
        raise _fail(r, f"{path}.max_people", "must be 1 or more")
    closing = _get(r, item, "closing_hour", str, "", path=f"{path}.")
    if closing and not CLOCK.match(closing):
        raise _fail(r, f"{path}.closing_hour", f"{closing!r} is not a time HH:MM")
    return Cell(
        group=group,
        level=level,
        status=status,
        verified=verified,
        note=note,
        source=source,
        written_in=written_in,
        conditions_vi=conditions_vi,
        conditions_en=_get(r, item, "conditions_en", str, "", path=f"{path}."),
        capacity_percent=capacity,
        max_people=people,
        closing_hour=closing,
        takeaway_only=_get(r, item, "takeaway_only", bool, False, path=f"{path}."),
        note_vi=note_vi,
    )


def load_all(folder: Path = ACTIVITIES_DIR) -> dict[str, ActivityMatrix]:
    """Return every activity file of ``folder`` by id."""
    return {p.stem: load_activities(p, [folder]) for p in sorted(Path(folder).glob("*.toml"))}


# -- lookups ------------------------------------------------------------------------------


def match(matrix: ActivityMatrix, code: str) -> tuple[str, str] | None:
    """Return (group key, the group's code that matched) for a valid code, most specific first.

    ``code`` must already be a normalised VSIC code: 56101 tries 56101, 5610, 561, 56,
    then its section.
    """
    if code.isdigit():
        for length in range(len(code), 1, -1):
            group = matrix.index.get(code[:length])
            if group is not None:
                return group, code[:length]
    section = vsic.section_of(code)
    if section is not None and section in matrix.index:
        return matrix.index[section], section
    return None


def lookup(matrix: ActivityMatrix, vsic_code: object, level: object) -> Cell:
    """Return the cell for an establishment with ``vsic_code`` at ``level``, or raise.

    The cell names its group, the code that matched, its status and terms, whether it is
    verified and the source that states it. ActivityLookupError names the argument.
    """
    level_key = str(level).strip()
    if level_key not in matrix.levels:
        raise ActivityLookupError(
            "level", f"{level_key!r} is not a level of {matrix.id} ({', '.join(matrix.levels)})"
        )
    code = vsic.normalise(vsic_code)
    checked = vsic.check(code)
    if not checked.ok:
        raise ActivityLookupError("vsic", _code_problem(str(vsic_code).strip(), checked))
    found = match(matrix, code)
    if found is None:
        raise ActivityLookupError(
            "vsic", f"VSIC code {code} is in no activity group of {matrix.id}"
        )
    group, matched = found
    cell = matrix.cells[group, level_key]
    return replace(cell, matched_code=matched)


def _code_problem(typed: str, checked: vsic.VsicCheck) -> str:
    if checked.problem == vsic.PROBLEM_UNKNOWN:
        suggestion = checked.params.get("suggestion")
        hint = (
            f" (did you mean {suggestion}? a leading zero may have been lost)" if suggestion else ""
        )
        return f"{typed!r} is not a VSIC 2018 code{hint}"
    return f"{typed!r} is not a VSIC code: a section letter A–U or 2 to 5 digits"


def group_indices(matrix: ActivityMatrix, codes: Sequence | np.ndarray) -> np.ndarray:
    """Return each code's group (its row in ``status_table``), -1 for a bad or uncovered code.

    Each distinct code is matched once; the result is spread back by index. Keep it while
    codes do not change: a level change is then ``status_table()[groups, levels]``.
    """
    distinct, inverse = np.unique(np.asarray(codes, dtype=str), return_inverse=True)
    rows = {key: i for i, key in enumerate(matrix.groups)}
    mapped = np.full(len(distinct), -1, dtype=np.int32)
    for i, raw in enumerate(distinct):  # a few thousand distinct codes at most
        code = vsic.normalise(raw)
        found = match(matrix, code) if vsic.check(code).ok else None
        if found is not None:
            mapped[i] = rows[found[0]]
    return mapped[inverse.reshape(-1)]


def level_indices(matrix: ActivityMatrix, levels: Sequence | np.ndarray) -> np.ndarray:
    """Return each level's column in ``status_table``, -1 for a level the matrix lacks."""
    columns = {key: i for i, key in enumerate(matrix.levels)}
    array = np.asarray(levels)
    if array.dtype.kind in "iu" and array.size and int(array.max()) - int(array.min()) < 1024:
        # Ranks (Cấp 1–4): a table from the lowest to the highest value, read by offset.
        low, high = int(array.min()), int(array.max())
        table = np.array([columns.get(str(v), -1) for v in range(low, high + 1)], dtype=np.int32)
        return table[(array - low).reshape(-1)]
    # Unique first: a million level keys hold a handful of values, each converted once.
    distinct, inverse = np.unique(array, return_inverse=True)
    mapped = np.array([columns.get(str(v).strip(), -1) for v in distinct], dtype=np.int32)
    return mapped[inverse.reshape(-1)]


def statuses_at(matrix: ActivityMatrix, groups: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Return status codes from group rows and level columns (-1 in either gives NO_STATUS)."""
    table = matrix.status_table()
    known = (groups >= 0) & (levels >= 0)
    result = np.full(groups.shape, NO_STATUS, dtype=np.int8)
    result[known] = table[groups[known], levels[known]]
    return result


def status_codes(matrix: ActivityMatrix, codes, levels) -> np.ndarray:
    """Return the status code (STATUS_CODE, or NO_STATUS) of every establishment at once.

    ``codes`` and ``levels`` are equally long arrays (VSIC codes, level keys); NO_STATUS
    where ``lookup`` would raise.
    """
    groups = group_indices(matrix, codes)
    columns = level_indices(matrix, levels)
    if groups.shape != columns.shape:
        raise ValueError(f"{len(groups)} codes but {len(columns)} levels")
    return statuses_at(matrix, groups, columns)


def describe_terms(cell: Cell) -> list[str]:
    """Return the terms of a cell as short Vietnamese phrases, in a fixed order."""
    terms = []
    if cell.capacity_percent is not None:
        terms.append(f"tối đa {cell.capacity_percent}% công suất")
    if cell.max_people is not None:
        terms.append(f"tối đa {cell.max_people} người cùng lúc")
    if cell.closing_hour:
        terms.append(f"đóng cửa trước {cell.closing_hour}")
    if cell.takeaway_only:
        terms.append("chỉ bán mang về")
    return terms
