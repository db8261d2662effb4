"""The Vietnamese classification of economic activities, VSIC 2018 (QĐ 27/2018/QĐ-TTg).

Free of Django. The classification ships with the package
(``vungxanh/economy/data/vsic_2018/``, see its PROVENANCE.md) and is read once.

Levels: 1 a section (one letter A–U), 2 a division (2 digits), 3 a group (3 digits),
4 a class (4 digits), 5 a sub-class (5 digits). Codes are strings: leading zeros count.

The data is complete at every level except level 4: the decision states 486 classes, the
sources hold 464 (PROVENANCE.md, "Level-4 discrepancy"). A class missing from the data, or
a sub-class under it, therefore cannot be told from a typo by the data alone; ``check``
accepts such a code when its group (level 3) exists and marks it ``class_missing`` so the
caller can say the code was not verified. A code under a class that *is* in the data must
itself be in the data: level 5 is complete (734 of 734).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "economy" / "data" / "vsic_2018"
DATA_FILE = DATA_DIR / "vsic2018.csv"

SECTION_LEVEL = 1
DIVISION_LEVEL = 2
GROUP_LEVEL = 3
CLASS_LEVEL = 4
SUBCLASS_LEVEL = 5

_CODE_SHAPE = re.compile(r"^(?:[A-Z]|[0-9]{2,5})$")
# Spaces and the dots some registers write inside codes ("47.11") carry no meaning.
_NOISE = re.compile(r"[\s.]+")

# Problems ``check`` reports; the app layer turns each into a sentence.
PROBLEM_EMPTY = "vsic_empty"
PROBLEM_SHAPE = "vsic_shape"
PROBLEM_TOO_COARSE = "vsic_too_coarse"
PROBLEM_UNKNOWN = "vsic_unknown"


@dataclass(frozen=True)
class VsicEntry:
    """One code of the classification.

    ``parents`` lists the codes above this one, the section first, the direct parent
    last (empty for a section).
    """

    code: str
    level: int
    name_vi: str
    section: str
    parents: tuple[str, ...] = ()
    name_en: str | None = None

    @property
    def parent(self) -> str | None:
        return self.parents[-1] if self.parents else None

    @property
    def division(self) -> str | None:
        """The 2-digit division this code belongs to (None for a section)."""
        return None if self.level == SECTION_LEVEL else self.code[:DIVISION_LEVEL]


@dataclass(frozen=True)
class VsicCheck:
    """The outcome of checking a typed code.

    ``problem`` is "" when the code is accepted, else one of the ``PROBLEM_*`` keys with
    ``params`` for its message. ``entry`` is the code's entry when the data has it;
    an accepted code under a class missing from the data has no entry, ``class_missing``
    is set and ``group`` is its nearest known ancestor (the level-3 group).
    """

    code: str
    problem: str = ""
    params: dict = field(default_factory=dict)
    entry: VsicEntry | None = None
    group: VsicEntry | None = None
    section: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def class_missing(self) -> bool:
        return self.ok and self.entry is None


def normalise(code: object) -> str:
    """Return ``code`` as the classification writes it: no spaces or dots, upper case."""
    if code is None:
        return ""
    return _NOISE.sub("", str(code)).upper()


def level_of(code: str) -> int | None:
    """Return the level a code's shape implies (1 for a letter, else its digit count)."""
    if not _CODE_SHAPE.match(code):
        return None
    return SECTION_LEVEL if code.isalpha() else len(code)


def prefixes(code: str) -> tuple[str, ...]:
    """Return the digit codes above a digit code, the division first ("4711" -> 47, 471)."""
    return tuple(code[:n] for n in range(DIVISION_LEVEL, len(code)))


class Vsic:
    """The classification: entries by code, with lookups that never raise."""

    def __init__(self, entries: dict[str, VsicEntry]):
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries.values())

    def lookup(self, code: object) -> VsicEntry | None:
        """Return the entry of ``code`` (any level), or None when the data lacks it."""
        return self._entries.get(normalise(code))

    def count(self, level: int) -> int:
        return sum(1 for entry in self._entries.values() if entry.level == level)

    def children(self, code: object) -> list[VsicEntry]:
        parent = normalise(code)
        return [entry for entry in self._entries.values() if entry.parent == parent]

    def ancestors(self, code: object) -> list[VsicEntry]:
        """Return the known entries above ``code``, the section first."""
        entry = self.lookup(code)
        if entry is not None:
            return [self._entries[c] for c in entry.parents]
        normal = normalise(code)
        if level_of(normal) in (None, SECTION_LEVEL):
            return []
        known = [self._entries[c] for c in prefixes(normal) if c in self._entries]
        if not known:
            return []
        division = self._entries.get(normal[:DIVISION_LEVEL])
        head = [self._entries[division.section]] if division is not None else []
        return head + known

    def section_of(self, code: object) -> str | None:
        """Return the section letter of a code, found through its division.

        Works for a code under a class missing from the data too ("47901" -> G), since
        every division is in the data; None for a malformed code or an unknown division.
        """
        normal = normalise(code)
        level = level_of(normal)
        if level is None:
            return None
        if level == SECTION_LEVEL:
            return normal if normal in self._entries else None
        division = self._entries.get(normal[:DIVISION_LEVEL])
        return division.section if division is not None else None

    def check(self, code: object, min_level: int = SECTION_LEVEL) -> VsicCheck:
        """Check a typed code: its shape, its level, and that it exists (module docstring)."""
        normal = normalise(code)
        if not normal:
            return VsicCheck(normal, PROBLEM_EMPTY)
        level = level_of(normal)
        if level is None:
            return VsicCheck(normal, PROBLEM_SHAPE, {"value": str(code).strip()})
        if level < min_level:
            params = {"code": normal, "level": level, "suggestion": ""}
            if level + 1 >= min_level:
                params["suggestion"] = self._unknown_params(normal)["suggestion"]
            return VsicCheck(normal, PROBLEM_TOO_COARSE, params)
        entry = self._entries.get(normal)
        if entry is not None:
            return VsicCheck(normal, entry=entry, section=entry.section)
        group = self._group_of_missing_class(normal)
        if group is not None:
            return VsicCheck(normal, group=group, section=group.section)
        return VsicCheck(normal, PROBLEM_UNKNOWN, self._unknown_params(normal))

    def _group_of_missing_class(self, code: str) -> VsicEntry | None:
        """Return the group of a class (or sub-class) whose class is absent from the data."""
        if (level_of(code) or 0) < CLASS_LEVEL:
            return None
        if code[:CLASS_LEVEL] in self._entries:
            return None  # the class is known, so its sub-classes are complete
        return self._entries.get(code[:GROUP_LEVEL])

    def _unknown_params(self, code: str) -> dict:
        # A spreadsheet that stores codes as numbers drops the leading zero of divisions
        # 01–09 ("01110" arrives as "1110"); name the code the person probably meant.
        params = {"code": code, "suggestion": ""}
        padded = "0" + code
        if code.isdigit() and (padded in self._entries or self._group_of_missing_class(padded)):
            params["suggestion"] = padded
        return params


def read_entries(path: Path) -> dict[str, VsicEntry]:
    """Read the CSV (``level,code,name_vi,parent_code[,name_en]``) into entries by code."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    parents = {row["code"]: row["parent_code"] or None for row in rows}
    entries: dict[str, VsicEntry] = {}
    for row in rows:
        chain = _chain(row["code"], parents)
        entries[row["code"]] = VsicEntry(
            code=row["code"],
            level=int(row["level"]),
            name_vi=row["name_vi"].strip(),
            name_en=(row.get("name_en") or "").strip() or None,
            section=chain[0] if chain else row["code"],
            parents=chain,
        )
    return entries


def _chain(code: str, parents: dict[str, str | None]) -> tuple[str, ...]:
    chain: list[str] = []
    parent = parents[code]
    while parent is not None:
        if parent not in parents:
            raise ValueError(f"VSIC code {code!r}: parent {parent!r} is not in the data")
        chain.append(parent)
        parent = parents[parent]
    return tuple(reversed(chain))


@functools.lru_cache(maxsize=4)
def load_vsic(path: Path = DATA_FILE) -> Vsic:
    """Return the classification read from ``path`` (the shipped file by default), cached."""
    return Vsic(read_entries(Path(path)))


def lookup(code: object) -> VsicEntry | None:
    """``load_vsic().lookup(code)``."""
    return load_vsic().lookup(code)


def section_of(code: object) -> str | None:
    """``load_vsic().section_of(code)``."""
    return load_vsic().section_of(code)


def check(code: object, min_level: int = SECTION_LEVEL) -> VsicCheck:
    """``load_vsic().check(code, min_level)``."""
    return load_vsic().check(code, min_level)
