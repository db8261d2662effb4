"""The permits' data (``permits.toml``): departments by sector, deadlines by kind, signature.

Read once and validated: a wrong file fails at start-up with ``permits.toml: key: message``
rather than routing an application nowhere. No Django models here.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vungxanh.accounts.roles import Role
from vungxanh.domain import workplace

CONFIG_FILE = Path(__file__).resolve().parent / "permits.toml"
SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")  # VSIC 2018 sections
KINDS = ("reopen", "construction_site", "beyond_default")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Department:
    role: str
    sections: tuple[str, ...]
    name_vi: str  # in capitals, as on the document's header
    title_vi: str  # as in a sentence
    abbreviation: str
    verified: bool
    note: str


@dataclass(frozen=True)
class KindRule:
    kind: str
    deadline_days: int
    due_soon_days: int
    department: str  # "" = by the establishment's sector
    verified: bool
    note: str

    def due_on(self, submitted: dt.date) -> dt.date:
        return submitted + dt.timedelta(days=self.deadline_days)


@dataclass(frozen=True)
class Config:
    departments: dict[str, Department]
    kinds: dict[str, KindRule]
    authority_vi: str
    signer_title_vi: str

    def department_for(self, kind: str, section: str) -> str:
        """Return the role of the department that reviews ``kind`` for a ``section`` business."""
        override = self.kinds[kind].department
        if override:
            return override
        return next(d.role for d in self.departments.values() if section in d.sections)

    def sections_of(self, role: str) -> tuple[str, ...]:
        department = self.departments.get(role)
        return department.sections if department else ()


def _fail(key: str, message: str) -> ConfigError:
    return ConfigError(f"{CONFIG_FILE.name}: {key}: {message}")


def parse(doc: dict) -> Config:
    departments = {}
    roles = {r.value for r in Role}
    claimed: dict[str, str] = {}
    for role, item in doc.get("departments", {}).items():
        if role not in roles:
            raise _fail(f"departments.{role}", "not a role of accounts/roles.py")
        for section in item.get("sections", []):
            if section not in SECTIONS or section in claimed:
                raise _fail(f"departments.{role}.sections", f"{section!r} unknown or claimed twice")
            claimed[section] = role
        departments[role] = Department(
            role,
            tuple(item["sections"]),
            item["name_vi"],
            item["title_vi"],
            item["abbreviation"],
            item.get("verified", True),
            item.get("note", ""),
        )
    missing = [s for s in SECTIONS if s not in claimed]
    if missing:
        raise _fail("departments", f"sections without a department: {', '.join(missing)}")
    kinds = {}
    for kind in KINDS:
        item = doc.get("kinds", {}).get(kind)
        if item is None:
            raise _fail(f"kinds.{kind}", "is required")
        deadline, soon = item.get("deadline_days"), item.get("due_soon_days", 1)
        if not isinstance(deadline, int) or not 0 < deadline <= 90:
            raise _fail(f"kinds.{kind}.deadline_days", "must be a whole number of days, 1..90")
        if not isinstance(soon, int) or not 0 <= soon < deadline:
            raise _fail(f"kinds.{kind}.due_soon_days", "must be 0..deadline_days - 1")
        department = item.get("department", "")
        if department and department not in departments:
            raise _fail(f"kinds.{kind}.department", f"{department!r} is not a department above")
        kinds[kind] = KindRule(
            kind, deadline, soon, department, item.get("verified", True), item.get("note", "")
        )
    signature = doc.get("signature", {})
    return Config(departments, kinds, signature["authority_vi"], signature["title_vi"])


@cache
def load() -> Config:
    return parse(tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8")))


@cache
def schemes() -> dict[str, workplace.Scheme]:
    """The shipped self-assessment schemes (``permits/workplace/*.toml``), read once."""
    return workplace.load_schemes()
