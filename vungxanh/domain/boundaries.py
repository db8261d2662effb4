"""Validate uploaded GeoJSON boundaries and match each feature to a known unit.

Every problem is collected, never only the first, so a user can fix a file in one go.
Problems carry a code and parameters; the web layer turns them into sentences.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from vungxanh.domain.areas import fold, fold_name

POLYGON_TYPES = {"Polygon", "MultiPolygon"}
# Boundaries from different sources rarely agree to the metre: a child may stick out of
# its parent by this share of its own area before it is reported as outside.
OUTSIDE_TOLERANCE = 0.02
# Plausible longitude/latitude box around Vietnam and its islands.
VIETNAM_BOX = (100.0, 6.0, 118.0, 24.0)


@dataclass(frozen=True)
class UnitRef:
    """A unit a feature may be matched to."""

    key: int
    code: str
    name: str


@dataclass(frozen=True)
class Problem:
    code: str
    feature: int | None = None  # 1-based feature number, None for the whole file
    field: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class MatchedBoundary:
    feature: int
    unit: UnitRef
    geometry: dict[str, Any]


@dataclass
class BoundaryCheck:
    matched: list[MatchedBoundary]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_document(text: str | bytes) -> tuple[list[dict], list[Problem]]:
    """Return the features of a GeoJSON text (a FeatureCollection, Feature or geometry)."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        return [], [Problem("not_json", params={"detail": str(exc)})]
    if not isinstance(doc, dict):
        return [], [Problem("not_geojson")]
    kind = doc.get("type")
    if kind == "FeatureCollection" and isinstance(doc.get("features"), list):
        return doc["features"], []
    if kind == "Feature":
        return [doc], []
    if kind in POLYGON_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": doc}], []
    return [], [Problem("not_geojson")]


def _match(props: dict, units: list[UnitRef]) -> tuple[UnitRef | None, list[str]]:
    """Return the unit a feature's properties name, or None with near-miss suggestions."""
    by_code = {u.code: u for u in units}
    code = str(props.get("code") or props.get("ma") or "").strip()
    if code and code in by_code:
        return by_code[code], []
    name = str(props.get("name") or props.get("ten") or "").strip()
    if name:
        folded = fold_name(name)
        hits = [u for u in units if fold_name(u.name) == folded]
        if len(hits) == 1:
            return hits[0], []
        near = [u.name for u in units if folded and folded in fold(u.name)]
        return None, near[:3]
    return None, []


def _geometry_problems(number: int, geometry: Any) -> tuple[Any, list[Problem]]:
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGON_TYPES:
        found = geometry.get("type") if isinstance(geometry, dict) else None
        return None, [Problem("not_polygon", number, "geometry", {"type": str(found)})]
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        return None, [Problem("bad_coordinates", number, "geometry")]
    problems = []
    if geom.is_empty:
        problems.append(Problem("empty_geometry", number, "geometry"))
    elif not geom.is_valid:
        problems.append(
            Problem("invalid_geometry", number, "geometry", {"detail": explain_validity(geom)})
        )
    else:
        minx, miny, maxx, maxy = geom.bounds
        bx0, by0, bx1, by1 = VIETNAM_BOX
        if minx < bx0 or miny < by0 or maxx > bx1 or maxy > by1:
            problems.append(Problem("outside_vietnam", number, "geometry"))
    return geom, problems


def check_boundaries(
    features: list[dict], units: list[UnitRef], parent_geometry: dict | None
) -> BoundaryCheck:
    """Check every feature: a polygon, valid, inside the parent, naming exactly one unit."""
    parent = shape(parent_geometry) if parent_geometry else None
    matched: list[MatchedBoundary] = []
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    if not features:
        problems.append(Problem("no_features"))
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.append(Problem("not_a_feature", number))
            continue
        props = feature.get("properties") or {}
        unit, suggestions = _match(props, units)
        if unit is None:
            label = str(props.get("code") or props.get("name") or "")
            problems.append(
                Problem(
                    "unknown_unit",
                    number,
                    "properties",
                    {"label": label, "suggestions": suggestions},
                )
            )
        elif unit.key in seen:
            problems.append(
                Problem(
                    "duplicate_unit",
                    number,
                    "properties",
                    {"unit": unit.name, "first": seen[unit.key]},
                )
            )
            unit = None
        geom, geometry_problems = _geometry_problems(number, feature.get("geometry"))
        problems.extend(geometry_problems)
        if geom is not None and not geometry_problems and parent is not None:
            outside = geom.difference(parent).area
            if geom.area > 0 and outside / geom.area > OUTSIDE_TOLERANCE:
                problems.append(
                    Problem(
                        "outside_parent",
                        number,
                        "geometry",
                        {"share": round(100 * outside / geom.area, 1)},
                    )
                )
                geometry_problems = [problems[-1]]
        if unit is not None:
            seen[unit.key] = number
            if geom is not None and not geometry_problems:
                matched.append(MatchedBoundary(number, unit, mapping(geom)))
    return BoundaryCheck(matched=matched, problems=problems)
