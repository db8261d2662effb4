"""Narrow lockdowns: lift rules as data, and the day a zone may be lifted.

A lift rule is a TOML file (``vungxanh/lockdowns/rules/vn-lockdown-14d.toml``):

- ``days_after_last_case`` (N): the zone may be lifted N days after the last positive case
  found inside it was isolated (the zone's start when no case is known);
- ``negative_rounds`` (K): K rounds of whole-zone testing, all negative, taken after that
  case was isolated, at least ``min_days_between_rounds`` apart;
- ``last_round_within_days`` (D): the last of those rounds taken at most D days before
  the lift;
- ``same_day_round_counts``: whether a round sampled on the day the last case was isolated
  counts (it may have sampled the zone before the case was found: by default it does not);
- ``[partial] order``: sub-zones are lifted from lower to higher risk ("risk_ascending").

Each parameter may be written plainly (``days_after_last_case = 14``) or as a table with
its provenance (``value``, ``verified``, ``note``), the way the level rule sets flag what
was reconstructed rather than read in a legal text. A derived file names its ``parent``
and the keys it changes.

``evaluate`` is a pure function of the facts known on a day (the cases isolated and the
rounds taken up to then) and returns the earliest lift date with what is still missing,
so any past day can be replayed. No Django here (see test_boundaries.py).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from vungxanh.domain.boundaries import VIETNAM_BOX
from vungxanh.domain.rules import merge

TOP_LEVEL_KEYS = {
    "id",
    "version",
    "title",
    "title_vi",
    "verified",
    "notes",
    "notes_vi",
    "parent",
    "source",
    "lift",
    "partial",
    "default",
}
LIFT_KEYS = {
    "days_after_last_case",
    "negative_rounds",
    "last_round_within_days",
    "min_days_between_rounds",
    "same_day_round_counts",
}
PARTIAL_ORDERS = {"risk_ascending", "any"}


class ZoneStatus(enum.StrEnum):
    """Where a zone is in its life: proposed, active, partly lifted, lifted."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    PARTLY_LIFTED = "partly_lifted"
    LIFTED = "lifted"


# The moves a decision may make; anything else is refused.
TRANSITIONS: dict[ZoneStatus, frozenset[ZoneStatus]] = {
    ZoneStatus.PROPOSED: frozenset({ZoneStatus.ACTIVE}),
    ZoneStatus.ACTIVE: frozenset({ZoneStatus.PARTLY_LIFTED, ZoneStatus.LIFTED}),
    ZoneStatus.PARTLY_LIFTED: frozenset({ZoneStatus.LIFTED}),
    ZoneStatus.LIFTED: frozenset(),
}
LOCKED = frozenset({ZoneStatus.ACTIVE, ZoneStatus.PARTLY_LIFTED})


class ScopeType(enum.StrEnum):
    """The unit a narrow lockdown closes, smallest first (RULES-VN §5)."""

    HOUSEHOLD = "household"
    BUILDING = "building"  # a building or one floor of it
    ALLEY = "alley"  # hẻm, ngõ
    STREET_SEGMENT = "street_segment"
    RESIDENTIAL_GROUP = "residential_group"  # tổ dân phố, khu vực, ấp
    WHOLE_WARD = "whole_ward"
    WORKPLACE = "workplace"  # a workplace, workshop or production line (QĐ 2787)


class Risk(enum.IntEnum):
    """Risk of a part of a zone; parts are lifted from LOW to VERY_HIGH (HCMC DOH, S42)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    VERY_HIGH = 4


class RoundStatus(enum.StrEnum):
    PLANNED = "planned"
    SAMPLED = "sampled"  # samples taken, results pending
    DONE = "done"  # results known


class LiftRuleError(ValueError):
    """A lift rule that cannot be used, naming the file and the key."""

    def __init__(self, file: str, key: str, message: str):
        self.file, self.key, self.message = file, key, message
        super().__init__(f"{file}: {key}: {message}")


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    verified: bool = True
    note: str = ""
    note_vi: str = ""  # the note as a Vietnamese reader is shown it

    def note_for(self, language: str) -> str:
        """The note in ``language`` ("vi" or "en"), the English when no Vietnamese is written."""
        return self.note_vi if language == "vi" and self.note_vi else self.note


@dataclass(frozen=True)
class LiftRule:
    id: str
    version: str
    title: str
    title_vi: str
    source_document: str
    source_date: dt.date | None
    source_url: str
    verified: bool
    notes: str
    parameters: dict[str, Parameter]
    partial_order: str
    checksum: str
    parent: str = ""
    default: bool = False  # the rule a new zone gets unless another is chosen
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    notes_vi: str = ""

    def notes_for(self, language: str) -> str:
        """The notes in ``language``, the English when no Vietnamese is written."""
        return self.notes_vi if language == "vi" and self.notes_vi else self.notes

    @property
    def days_after_last_case(self) -> int:
        return int(self.parameters["days_after_last_case"].value)

    @property
    def negative_rounds(self) -> int:
        return int(self.parameters["negative_rounds"].value)

    @property
    def last_round_within_days(self) -> int:
        return int(self.parameters["last_round_within_days"].value)

    @property
    def min_days_between_rounds(self) -> int:
        return int(self.parameters["min_days_between_rounds"].value)

    @property
    def same_day_round_counts(self) -> bool:
        return bool(self.parameters["same_day_round_counts"].value)

    def unverified(self) -> list[Parameter]:
        """Return the parameters the file flags as not read in a legal text."""
        return [p for p in self.parameters.values() if not p.verified]


# -- parsing -------------------------------------------------------------------------------


def _get(doc: dict, key: str, kind: type | tuple, file: str, path: str = "", default: Any = ...):
    if key not in doc:
        if default is ...:
            raise LiftRuleError(file, f"{path}{key}", "is required")
        return default
    value = doc[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise LiftRuleError(file, f"{path}{key}", f"must be {names}, not {type(value).__name__}")
    return value


def _only(table: dict, allowed: set[str], file: str, path: str) -> None:
    for key in table:
        if key not in allowed:
            raise LiftRuleError(
                file, f"{path}{key}", f"unknown key; expected one of {sorted(allowed)}"
            )


def _parameter(lift: dict, name: str, file: str) -> Parameter:
    if name not in lift:
        raise LiftRuleError(file, f"lift.{name}", "is required")
    raw = lift[name]
    if isinstance(raw, dict):
        _only(raw, {"value", "verified", "note", "note_vi"}, file, f"lift.{name}.")
        value = raw.get("value")
        verified = _get(raw, "verified", bool, file, f"lift.{name}.", True)
        note = _get(raw, "note", str, file, f"lift.{name}.", "")
        note_vi = _get(raw, "note_vi", str, file, f"lift.{name}.", "")
    else:
        value, verified, note, note_vi = raw, True, "", ""
    key = f"lift.{name}"
    if name == "same_day_round_counts":
        if not isinstance(value, bool):
            raise LiftRuleError(file, key, "must be true or false")
    else:
        if isinstance(value, bool) or not isinstance(value, int):
            raise LiftRuleError(file, key, "must be a whole number")
        least = 1 if name in {"days_after_last_case", "min_days_between_rounds"} else 0
        if value < least:
            raise LiftRuleError(file, key, f"must be {least} or more")
    return Parameter(name, value, verified, note, note_vi)


def parse_lift_rule(doc: dict, *, file: str = "(rule)", text: str = "") -> LiftRule:
    """Validate a lift-rule document and return it, or raise LiftRuleError."""
    _only(doc, TOP_LEVEL_KEYS, file, "")
    source = _get(doc, "source", dict, file, "", {})
    _only(source, {"document", "date", "url"}, file, "source.")
    lift = _get(doc, "lift", dict, file)
    _only(lift, LIFT_KEYS, file, "lift.")
    parameters = {name: _parameter(lift, name, file) for name in sorted(LIFT_KEYS)}
    partial = _get(doc, "partial", dict, file, "", {})
    _only(partial, {"order"}, file, "partial.")
    order = _get(partial, "order", str, file, "partial.", "risk_ascending")
    if order not in PARTIAL_ORDERS:
        raise LiftRuleError(file, "partial.order", f"must be one of {sorted(PARTIAL_ORDERS)}")
    checksum = hashlib.sha256((text or repr(sorted(doc.items()))).encode()).hexdigest()
    return LiftRule(
        id=_get(doc, "id", str, file),
        version=str(_get(doc, "version", (str, int), file, "", "1")),
        title=_get(doc, "title", str, file),
        title_vi=_get(doc, "title_vi", str, file, "", ""),
        source_document=_get(source, "document", str, file, "source."),
        source_date=_get(source, "date", dt.date, file, "source.", None),
        source_url=_get(source, "url", str, file, "source.", ""),
        verified=_get(doc, "verified", bool, file, "", True),
        notes=_get(doc, "notes", str, file, "", ""),
        notes_vi=_get(doc, "notes_vi", str, file, "", ""),
        parameters=parameters,
        partial_order=order,
        checksum=checksum,
        parent=str(doc.get("parent", "")),
        default=_get(doc, "default", bool, file, "", False),
        raw=doc,
    )


def load_lift_rule(path: Path, search: Sequence[Path] = ()) -> LiftRule:
    """Read the rule at ``path``, merged over its ``parent`` (looked up in ``search``)."""
    doc, texts = _load(path, [*search, path.parent], ())
    return parse_lift_rule(doc, file=path.name, text="\n".join(reversed(texts)))


def default_rule_id(folder: Path) -> str:
    """Return the id of the one rule of ``folder`` marked ``default = true``."""
    found = []
    for path in sorted(folder.glob("*.toml")):
        rule = load_lift_rule(path, [folder])
        if rule.default:
            found.append(rule.id)
    if len(found) != 1:
        raise LiftRuleError(
            folder.name, "default", f"exactly one rule must be the default; found {found or 'none'}"
        )
    return found[0]


def _load(path: Path, folders: list[Path], chain: tuple[str, ...]) -> tuple[dict, list[str]]:
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LiftRuleError(path.name, "(file)", str(exc)) from exc
    parent_id = doc.get("parent")
    if not parent_id:
        return doc, [text]
    own_id = doc.get("id", path.stem)
    if not isinstance(parent_id, str):
        raise LiftRuleError(path.name, "parent", "must be text")
    if parent_id in chain or parent_id == own_id:
        raise LiftRuleError(path.name, "parent", "derivation loop")
    parent_path = next(
        (f / f"{parent_id}.toml" for f in folders if (f / f"{parent_id}.toml").exists()), None
    )
    if parent_path is None:
        raise LiftRuleError(path.name, "parent", f"no lift rule {parent_id!r} to derive from")
    parent_doc, parent_texts = _load(parent_path, folders, (*chain, own_id))
    # A derived rule is not the default because its parent is.
    inherited = {k: v for k, v in parent_doc.items() if k not in {"id", "parent", "default"}}
    merged = merge(inherited, doc)
    return merged, [text, *parent_texts]


# -- facts and the lift date ---------------------------------------------------------------


@dataclass(frozen=True)
class CaseEvent:
    """A positive case found inside the zone, and the day it was isolated."""

    code: str
    isolated_on: dt.date


@dataclass(frozen=True)
class TestRound:
    """One round of testing in the zone."""

    __test__ = False  # not a pytest test class

    key: str
    day: dt.date  # the day samples were (or will be) taken
    status: RoundStatus = RoundStatus.DONE
    positives: int = 0
    whole_zone: bool = True


@dataclass(frozen=True)
class ZoneFacts:
    start: dt.date
    cases: tuple[CaseEvent, ...] = ()
    rounds: tuple[TestRound, ...] = ()


@dataclass(frozen=True)
class Missing:
    """One thing still needed before the zone may be lifted (``code`` + parameters)."""

    code: str  # "wait", "rounds", "stale", "results", "overdue"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LiftDate:
    """When a zone may be lifted under a rule, as known on ``as_of``, and why."""

    rule_id: str
    rule_version: str
    as_of: dt.date
    anchor: dt.date  # counting starts here: the last case isolated, or the zone's start
    anchor_case: str  # the case (or positive round) that set the anchor; "" = the start
    not_before: dt.date  # anchor + N days
    earliest: dt.date | None  # met by the facts: negative rounds done
    projected: dt.date | None  # if the planned and pending rounds turn out negative
    target: dt.date  # ``earliest``, else ``projected``, else not before today nor the N days
    rounds_counted: tuple[str, ...]  # the rounds that make ``earliest`` (or ``projected``)
    missing: tuple[Missing, ...]

    @property
    def shown(self) -> dt.date:
        """The date to show as "may be lifted from", with ``missing`` beside it."""
        return self.target

    @property
    def eligible(self) -> bool:
        """Whether the zone may be lifted on ``as_of``."""
        return self.earliest is not None and self.earliest <= self.as_of

    @property
    def confirmed(self) -> bool:
        return self.earliest is not None

    @property
    def expected(self) -> bool:
        """Whether the date shown depends on rounds not yet taken or not yet known."""
        return self.earliest is None


def _anchor(facts: ZoneFacts, as_of: dt.date) -> tuple[dt.date, str]:
    """The day the count starts: the last positive (case or round) known on ``as_of``."""
    events = [(c.isolated_on, c.code) for c in facts.cases if c.isolated_on <= as_of]
    events += [
        (r.day, f"round:{r.key}")
        for r in facts.rounds
        if r.status == RoundStatus.DONE and r.positives > 0 and r.day <= as_of
    ]
    if not events:
        return facts.start, ""
    day, code = max(events)
    return max(day, facts.start), code if day >= facts.start else ""


def _counts_after(rule: LiftRule, anchor: dt.date, anchor_case: str, day: dt.date) -> bool:
    if day > anchor:
        return True
    # A round on the day the last case was isolated may have sampled before it was found.
    return day == anchor and (rule.same_day_round_counts or not anchor_case)


def chain(days: Iterable[dt.date], lift_on: dt.date, rule: LiftRule) -> list[dt.date]:
    """Return the rounds (days, latest first) that allow lifting on ``lift_on``.

    The latest round must lie within D days before ``lift_on``; earlier ones are picked
    going back at least ``min_days_between_rounds`` apart. Picking the latest possible
    round at each step gives the longest chain.
    """
    usable = sorted({d for d in days if d <= lift_on}, reverse=True)
    latest = [d for d in usable if (lift_on - d).days <= rule.last_round_within_days]
    if not latest:
        return []
    picked = [latest[0]]
    for day in usable:
        if len(picked) >= rule.negative_rounds:
            break
        if (picked[-1] - day).days >= rule.min_days_between_rounds:
            picked.append(day)
    return picked


def _first_lift_day(
    days: list[dt.date], not_before: dt.date, rule: LiftRule
) -> tuple[dt.date | None, list[dt.date]]:
    """The first day from ``not_before`` on whose chain has K rounds, and that chain."""
    if rule.negative_rounds == 0:
        return not_before, []
    # Lifting becomes possible only at not_before or on the day of a round.
    for day in sorted({not_before, *(d for d in days if d >= not_before)}):
        picked = chain(days, day, rule)
        if len(picked) >= rule.negative_rounds:
            return day, picked[: rule.negative_rounds]
    return None, []


def _loose_chain(days: Iterable[dt.date], rule: LiftRule) -> list[dt.date]:
    """The rounds (latest first) that count towards K, however old the latest one is."""
    picked: list[dt.date] = []
    for day in sorted(set(days), reverse=True):
        if len(picked) >= rule.negative_rounds:
            break
        if not picked or (picked[-1] - day).days >= rule.min_days_between_rounds:
            picked.append(day)
    return picked


def evaluate(facts: ZoneFacts, rule: LiftRule, as_of: dt.date) -> LiftDate:
    """Return when the zone may be lifted, as known on ``as_of``, and what is missing.

    The rounds already done count towards the K rounds even when the lift is still far
    off; a zone that could be lifted once but whose last round is now more than D days
    old may not be lifted any more until a fresh round (the stale round is named).
    """
    anchor, anchor_case = _anchor(facts, as_of)
    not_before = anchor + dt.timedelta(days=rule.days_after_last_case)
    rounds = [r for r in facts.rounds if r.whole_zone]
    done = [
        r
        for r in rounds
        if r.status == RoundStatus.DONE
        and r.positives == 0
        and r.day <= as_of
        and _counts_after(rule, anchor, anchor_case, r.day)
    ]
    pending = [
        r
        for r in rounds
        if (r.status == RoundStatus.SAMPLED and r.day <= as_of)
        or (r.status == RoundStatus.DONE and r.day > as_of)
    ]
    planned = [r for r in rounds if r.status == RoundStatus.PLANNED]
    key_of = {}
    for r in sorted(rounds, key=lambda r: (r.day, r.key)):
        key_of.setdefault(r.day, r.key)
    done_days = [r.day for r in done]
    earliest, picked = _first_lift_day(done_days, not_before, rule)
    stale: dt.date | None = None
    if (
        earliest is not None
        and earliest < as_of
        and rule.negative_rounds
        and len(chain(done_days, as_of, rule)) < rule.negative_rounds
    ):
        # Liftable once, but the last round is now too old to describe the zone.
        stale = max(done_days)
        earliest, picked = None, []
    projected = None
    if earliest is None:
        hoped = [
            r.day
            for r in (*pending, *(p for p in planned if p.day >= as_of))
            if _counts_after(rule, anchor, anchor_case, r.day)
        ]
        projected, picked = _first_lift_day(done_days + hoped, max(not_before, as_of), rule)
    missing: list[Missing] = []
    target = earliest or projected or max(not_before, as_of)
    if as_of < target:
        missing.append(
            Missing("wait", {"until": target, "days": (target - as_of).days, "anchor": anchor})
        )
    if stale is not None:
        missing.append(
            Missing(
                "stale",
                {
                    "round": key_of.get(stale, ""),
                    "day": stale,
                    "within": rule.last_round_within_days,
                },
            )
        )
    if earliest is None and rule.negative_rounds:
        fresh = len(chain(done_days, max(target, as_of), rule)[: rule.negative_rounds])
        have = max(fresh, len(_loose_chain(done_days, rule)))
        needed = rule.negative_rounds - have if have < rule.negative_rounds else 1
        if fresh >= rule.negative_rounds:
            needed = 0
        if needed:
            missing.append(
                Missing(
                    "rounds",
                    {
                        "needed": needed,
                        "required": rule.negative_rounds,
                        "have": have,
                        "after": anchor,
                        "within": rule.last_round_within_days,
                        "by": target,
                    },
                )
            )
    for r in sorted(pending, key=lambda r: r.day):
        if r.day <= as_of:
            missing.append(Missing("results", {"round": r.key, "day": r.day}))
    for r in sorted(planned, key=lambda r: r.day):
        if r.day < as_of:
            missing.append(Missing("overdue", {"round": r.key, "day": r.day}))
    return LiftDate(
        rule_id=rule.id,
        rule_version=rule.version,
        as_of=as_of,
        anchor=anchor,
        anchor_case=anchor_case,
        not_before=not_before,
        earliest=earliest,
        projected=projected,
        target=target,
        rounds_counted=tuple(key_of.get(d, "") for d in sorted(picked)),
        missing=tuple(missing),
    )


def moved(before: LiftDate, after: LiftDate) -> bool:
    """Whether a new fact moved the day the zone may be lifted."""
    return before.shown != after.shown or before.anchor != after.anchor


# -- parts of a zone -----------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    key: str
    risk: int  # Risk value; 0 = not rated
    status: ZoneStatus


def lift_order_blockers(parts: Sequence[Part], key: str, rule: LiftRule) -> list[Part]:
    """Return the unlifted parts of lower risk that must be lifted before part ``key``."""
    if rule.partial_order == "any":
        return []
    target = next(p for p in parts if p.key == key)
    return [
        p
        for p in parts
        if p.key != key and p.status != ZoneStatus.LIFTED and 0 < p.risk < target.risk
    ]


def status_from_parts(statuses: Iterable[ZoneStatus]) -> ZoneStatus | None:
    """The status a zone takes from its parts: None while none of them is lifted."""
    statuses = list(statuses)
    lifted = [s for s in statuses if s == ZoneStatus.LIFTED]
    if not statuses or not lifted:
        return None
    return ZoneStatus.LIFTED if len(lifted) == len(statuses) else ZoneStatus.PARTLY_LIFTED


def status_on(changes: Iterable[tuple[dt.date, ZoneStatus]], day: dt.date) -> ZoneStatus | None:
    """The status in force on ``day`` from dated changes (None: the zone did not exist yet)."""
    current = None
    for effective_on, status in sorted(changes, key=lambda c: c[0]):
        if effective_on > day:
            break
        current = status
    return current


# -- geometry ------------------------------------------------------------------------------

# The largest zone worth drawing by hand: a whole rural commune (Trường Xuân: ~28 km²) fits.
MAX_ZONE_KM2 = 100.0
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.320


def area_m2(geometry: dict) -> float:
    """Return the approximate area of a WGS84 polygon in square metres (local projection)."""
    geom = shape(geometry)
    latitude = geom.centroid.y
    scale = KM_PER_DEGREE_LAT * KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(latitude))
    return geom.area * scale * 1_000_000


def check_geometry(geometry: Any, commune: dict | None = None) -> list[str]:
    """Return the problems of a drawn zone (codes), empty when it can be stored.

    ``commune`` is the boundary of the commune the zone lies in, when known: a zone
    must overlap it (boundaries are often approximate, so only overlap is required).
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        return ["type"]
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError):
        return ["type"]
    if geom.is_empty:
        return ["type"]
    if not geom.is_valid:
        return ["invalid"]
    x0, y0, x1, y1 = VIETNAM_BOX
    minx, miny, maxx, maxy = geom.bounds
    if minx < x0 or maxx > x1 or miny < y0 or maxy > y1:
        return ["outside_vietnam"]
    if area_m2(geometry) > MAX_ZONE_KM2 * 1_000_000:
        return ["too_large"]
    if commune:
        try:
            boundary = shape(commune)
        except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError):
            return []
        if boundary.is_valid and not boundary.intersects(geom):
            return ["outside_commune"]
    return []
