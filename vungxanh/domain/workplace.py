"""Workplace infection-risk self-assessments as data (rule files of kind ``workplace``).

A file in ``vungxanh/permits/workplace/`` describes one scheme: how answers become a score
(``[scoring]``: ``method = "total"``, the total and maximum of a paper form, as QĐ 2194's
criteria are not in the sources; or ``method = "components"``, points per component, as
Hồ Chí Minh City's ten-component index), and the bands of the score as a percentage of the
maximum, each up to ``upto`` (included or not) with a decision: ``operate``,
``operate_with_checks``, ``reduce_first`` (risk-reduction measures before operating) or
``not_allowed``. A band may add ``component_limit``: with any component scoring that many
points or more, the decision is ``over_limit`` instead (HCMC's medium band). Every cell
not read in a source says ``verified = false`` with a note; errors name ``file:line: key``
(the reader of ``domain.rules``). ``assess`` is the pure scoring function. No Django.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from vungxanh.domain.rules import RuleSetError, _Reader

PACKAGE_DIR = Path(__file__).resolve().parent.parent
WORKPLACE_DIR = PACKAGE_DIR / "permits" / "workplace"

OPERATE = "operate"
OPERATE_WITH_CHECKS = "operate_with_checks"
REDUCE_FIRST = "reduce_first"
NOT_ALLOWED = "not_allowed"
DECISIONS = (OPERATE, OPERATE_WITH_CHECKS, REDUCE_FIRST, NOT_ALLOWED)
TOTAL, COMPONENTS = "total", "components"
# The answers of a "total" scheme.
SCORE, MAXIMUM = "score", "maximum"
# A paper form's maximum: bounded so a typo (10000000) is refused, not stored.
MAXIMUM_LIMIT = 10_000

TOP_LEVEL_KEYS = {
    "id",
    "version",
    "title",
    "title_vi",
    "verified",
    "notes",
    "notes_vi",
    "source",
    "scoring",
    "components",
    "bands",
}
SOURCE_KEYS = {"document", "date", "url"}
SCORING_KEYS = {"method", "points_min", "points_max", "verified", "note", "note_vi"}
COMPONENT_KEYS = {"key", "name", "name_vi", "note", "note_vi", "verified"}
BAND_KEYS = {
    "key",
    "upto",
    "inclusive",
    "name",
    "name_vi",
    "decision",
    "component_limit",
    "over_limit",
    "verified",
    "note",
    "note_vi",
}


class WorkplaceError(RuleSetError):
    """A workplace rule file that cannot be used: ``file:line: key: message``."""


class AnswerError(ValueError):
    """Answers that cannot be scored; ``field`` names the answer (a component key, score…)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Component:
    key: str
    name: str
    name_vi: str
    note: str = ""
    note_vi: str = ""
    verified: bool = True


@dataclass(frozen=True)
class Band:
    key: str
    upto: float
    inclusive: bool
    name: str
    name_vi: str
    decision: str
    component_limit: int | None = None
    over_limit: str = ""
    verified: bool = True
    note: str = ""
    note_vi: str = ""

    def holds(self, percent: Fraction) -> bool:
        return percent <= self.upto if self.inclusive else percent < self.upto


@dataclass(frozen=True)
class Scheme:
    id: str
    version: str
    title: str
    title_vi: str
    verified: bool
    notes: str
    source_document: str
    method: str
    points_min: int
    points_max: int
    scoring_verified: bool
    scoring_note: str
    components: tuple[Component, ...]
    bands: tuple[Band, ...]

    def unverified_cells(self) -> list[str]:
        cells = [] if self.scoring_verified else ["scoring"]
        cells += [f"components.{c.key}" for c in self.components if not c.verified]
        return cells + [f"bands.{b.key}" for b in self.bands if not b.verified]

    def band(self, key: str) -> Band:
        return next(b for b in self.bands if b.key == key)


@dataclass(frozen=True)
class Assessment:
    """What answers come to: the score, its share of the maximum, the band and decision."""

    score: int
    maximum: int
    percent: Fraction
    band: Band
    decision: str
    # Components at or above the band's limit (HCMC's medium band), in the file's order.
    over_limit: tuple[str, ...] = ()

    @property
    def percent_value(self) -> float:
        return float(self.percent)


# -- reading ---------------------------------------------------------------------------


def load_scheme(path: Path) -> Scheme:
    """Read and validate the workplace rule file at ``path``."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkplaceError(path.name, "(file)", str(exc), getattr(exc, "lineno", None)) from exc
    scheme = parse_scheme(doc, path.name, text)
    if scheme.id != path.stem:
        raise _fail(_Reader([(path.name, text)]), "id", f"{scheme.id!r} differs from the file name")
    return scheme


def load_schemes(folder: Path = WORKPLACE_DIR) -> dict[str, Scheme]:
    """Return every scheme of ``folder`` by id."""
    return {p.stem: load_scheme(p) for p in sorted(Path(folder).glob("*.toml"))}


def _fail(r: _Reader, key: str, message: str) -> WorkplaceError:
    error = r.fail(key, message)
    return WorkplaceError(error.file, error.key, error.message, error.line)


def _call(r: _Reader, method, *args):
    """Run a reader method, turning its RuleSetError into a WorkplaceError."""
    try:
        return method(*args)
    except WorkplaceError:
        raise
    except RuleSetError as exc:
        raise WorkplaceError(exc.file, exc.key, exc.message, exc.line) from None


def parse_scheme(doc: dict, file: str = "(workplace)", text: str = "") -> Scheme:
    r = _Reader([(file, text)])
    _call(r, r.only, doc, "", TOP_LEVEL_KEYS)
    source = _call(r, r.table, doc.get("source", {}), "source")
    _call(r, r.only, source, "source.", SOURCE_KEYS)
    scoring = _call(r, r.table, doc.get("scoring"), "scoring") if "scoring" in doc else None
    if scoring is None:
        raise _fail(r, "scoring", "is required")
    _call(r, r.only, scoring, "scoring.", SCORING_KEYS)
    method = _call(r, r.get, scoring, "method", "scoring.", str)
    if method not in (TOTAL, COMPONENTS):
        raise _fail(r, "scoring.method", f"must be {TOTAL!r} or {COMPONENTS!r}")
    points_min = _call(r, r.get, scoring, "points_min", "scoring.", int, 0)
    points_max = _call(r, r.get, scoring, "points_max", "scoring.", int, 0)
    components = _components(r, doc, method)
    if method == COMPONENTS and not 0 <= points_min < points_max:
        raise _fail(r, "scoring.points_max", "must be above points_min (and points_min ≥ 0)")
    return Scheme(
        id=_call(r, r.get, doc, "id", "", str),
        version=str(_call(r, r.get, doc, "version", "", (str, int))),
        title=_call(r, r.get, doc, "title", "", str),
        title_vi=_call(r, r.get, doc, "title_vi", "", str, ""),
        verified=_call(r, r.get, doc, "verified", "", bool, True),
        notes=_call(r, r.get, doc, "notes", "", str, ""),
        source_document=_call(r, r.get, source, "document", "source.", str, ""),
        method=method,
        points_min=points_min,
        points_max=points_max,
        scoring_verified=_call(r, r.get, scoring, "verified", "scoring.", bool, True),
        scoring_note=_call(r, r.get, scoring, "note", "scoring.", str, ""),
        components=components,
        bands=_bands(r, doc, points_max),
    )


def _flagged(r: _Reader, item: dict, path: str) -> tuple[bool, str, str]:
    """Return (verified, note, note_vi); an unverified cell must say why in its note."""
    verified = _call(r, r.get, item, "verified", path, bool, True)
    note = _call(r, r.get, item, "note", path, str, "")
    if not verified and not note:
        raise _fail(r, f"{path}note", "an unverified cell needs a note saying why")
    return verified, note, _call(r, r.get, item, "note_vi", path, str, "")


def _components(r: _Reader, doc: dict, method: str) -> tuple[Component, ...]:
    items = doc.get("components", [])
    if method == TOTAL:
        if items:
            raise _fail(r, "components", "a 'total' scheme has no components")
        return ()
    if not isinstance(items, list) or not items:
        raise _fail(r, "components", "a 'components' scheme lists its [[components]]")
    found, seen = [], set()
    for i, item in enumerate(items):
        path = f"components[{i}]."
        item = _call(r, r.table, item, path[:-1])
        _call(r, r.only, item, path, COMPONENT_KEYS)
        key = _call(r, r.get, item, "key", path, str)
        if key in seen:
            raise _fail(r, f"{path}key", f"{key!r} is listed twice")
        seen.add(key)
        verified, note, note_vi = _flagged(r, item, path)
        name = _call(r, r.get, item, "name", path, str)
        name_vi = _call(r, r.get, item, "name_vi", path, str)
        found.append(Component(key, name, name_vi, note, note_vi, verified))
    return tuple(found)


def _bands(r: _Reader, doc: dict, points_max: int) -> tuple[Band, ...]:
    items = doc.get("bands")
    if not isinstance(items, list) or not items:
        raise _fail(r, "bands", "list the [[bands]] from the lowest")
    found: list[Band] = []
    for i, item in enumerate(items):
        path = f"bands[{i}]."
        item = _call(r, r.table, item, path[:-1])
        _call(r, r.only, item, path, BAND_KEYS)
        upto = float(_call(r, r.get, item, "upto", path, (int, float)))
        if found and upto <= found[-1].upto:
            raise _fail(r, f"{path}upto", "bands must rise: each upto above the previous")
        decision = _call(r, r.get, item, "decision", path, str)
        if decision not in DECISIONS:
            raise _fail(r, f"{path}decision", f"must be one of {list(DECISIONS)}")
        limit = _call(r, r.get, item, "component_limit", path, int, None)
        over = _call(r, r.get, item, "over_limit", path, str, "")
        if (limit is None) != (over == ""):
            raise _fail(r, f"{path}over_limit", "component_limit and over_limit go together")
        if over and over not in DECISIONS:
            raise _fail(r, f"{path}over_limit", f"must be one of {list(DECISIONS)}")
        if limit is not None and not 0 < limit <= points_max:
            raise _fail(r, f"{path}component_limit", f"must be 1..{points_max} points")
        verified, note, note_vi = _flagged(r, item, path)
        found.append(
            Band(
                key=_call(r, r.get, item, "key", path, str),
                upto=upto,
                inclusive=_call(r, r.get, item, "inclusive", path, bool),
                name=_call(r, r.get, item, "name", path, str),
                name_vi=_call(r, r.get, item, "name_vi", path, str),
                decision=decision,
                component_limit=limit,
                over_limit=over,
                verified=verified,
                note=note,
                note_vi=note_vi,
            )
        )
    last = found[-1]
    if last.upto != 100 or not last.inclusive:
        raise _fail(r, f"bands[{len(found) - 1}].upto", "the last band must reach 100 included")
    return tuple(found)


# -- scoring ---------------------------------------------------------------------------


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(field, f"{field}: a whole number of points is expected")
    if not low <= value <= high:
        raise AnswerError(field, f"{field}: {value} is outside {low}..{high}")
    return value


def score(scheme: Scheme, answers: Mapping[str, Any]) -> tuple[int, int]:
    """Return (score, maximum) of ``answers``; AnswerError names the first bad answer."""
    if scheme.method == TOTAL:
        maximum = _whole(answers.get(MAXIMUM), MAXIMUM, 1, MAXIMUM_LIMIT)
        return _whole(answers.get(SCORE), SCORE, 0, maximum), maximum
    unknown = sorted(set(answers) - {c.key for c in scheme.components})
    if unknown:
        raise AnswerError(unknown[0], f"{unknown[0]}: not a component of {scheme.id}")
    points = [
        _whole(answers.get(c.key), c.key, scheme.points_min, scheme.points_max)
        for c in scheme.components
    ]
    return sum(points), scheme.points_max * len(points)


def band_of(scheme: Scheme, percent: Fraction) -> Band:
    """Return the band holding ``percent`` (0..100)."""
    return next(b for b in scheme.bands if b.holds(percent))


def assess(scheme: Scheme, answers: Mapping[str, Any]) -> Assessment:
    """Score ``answers`` and return the band and the decision (pure; raises AnswerError)."""
    total, maximum = score(scheme, answers)
    percent = Fraction(total * 100, maximum)
    band = band_of(scheme, percent)
    decision, over = band.decision, ()
    if band.component_limit is not None:
        over = tuple(
            c.key for c in scheme.components if answers.get(c.key, 0) >= band.component_limit
        )
        if over:
            decision = band.over_limit
    return Assessment(total, maximum, percent, band, decision, over)


def answer_fields(scheme: Scheme) -> Sequence[tuple[str, str, str]]:
    """Return (key, English name, Vietnamese name) of every answer a form asks for."""
    if scheme.method == TOTAL:
        return (
            (SCORE, "Total score of the form", "Tổng điểm của phiếu"),
            (MAXIMUM, "Maximum score of the form", "Điểm tối đa của phiếu"),
        )
    return tuple((c.key, c.name, c.name_vi) for c in scheme.components)
