"""The only code that writes areas. Every write records an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import CHILD_KIND, Area, AreaKind, AreaSuccession, SubunitType
from vungxanh.audit.services import record, snapshot
from vungxanh.domain.areas import NATION_CODE, fold_name, path_for
from vungxanh.domain.boundaries import BoundaryCheck, UnitRef, check_boundaries, parse_document
from vungxanh.jobs.services import record_change

AREA_LABEL = "areas.area"
# Fields compared when a reference load meets an existing row.
REFERENCE_FIELDS = ("name", "kind", "unit_type", "population", "population_basis")


@dataclass(frozen=True)
class UnitRow:
    """One row of a reference list of units (parents listed before children)."""

    code: str
    name: str
    kind: str
    unit_type: str
    parent_code: str
    population: int | None
    population_basis: str


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int
    boundaries: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.boundaries)


def _require(actor, action: str, area: Area | None) -> None:
    """Refuse unless ``actor`` may act on ``area``; None is the system (a CLI operator)."""
    if actor is not None and not can(actor, AREA_LABEL, action, area):
        raise PermissionDenied(_("You may not change this area."))


def ensure_nation(population: int | None = None) -> Area:
    nation = Area.objects.filter(code=NATION_CODE, parent__isnull=True).first()
    if nation is None:
        nation = Area.objects.create(
            code=NATION_CODE,
            name="Việt Nam",
            kind=AreaKind.NATION,
            unit_type="Quốc gia",
            path=path_for("", NATION_CODE),
            folded_name=fold_name("Việt Nam"),
            population=population,
        )
    return nation


def _checksum(rows: list[UnitRow], boundaries: dict[str, tuple[str, str, bool]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    for code in sorted(boundaries):
        digest.update(code.encode() + boundaries[code][0].encode())
    return digest.hexdigest()


@transaction.atomic
def load_reference_units(
    rows: Iterable[UnitRow],
    *,
    actor=None,
    boundaries: dict[str, tuple[str, str, bool]] | None = None,
    source_note: str = "",
) -> LoadResult:
    """Create or update the reference units in bulk; running it twice changes nothing.

    ``boundaries`` maps a code to (GeoJSON geometry text, source, approximate).
    The load is one transaction: it either completes or leaves the table as it was.
    """
    rows = list(rows)
    boundaries = boundaries or {}
    national_total = sum(r.population or 0 for r in rows if r.kind == AreaKind.PROVINCE)
    nation = ensure_nation(national_total or None)
    existing = {a.code: a for a in Area.objects.current().exclude(pk=nation.pk)}
    paths = {NATION_CODE: nation.path}
    ids = {NATION_CODE: nation.pk}
    created = unchanged = 0
    to_update: list[Area] = []
    # Parents come before children in each kind, so create kind by kind.
    for kind in (AreaKind.PROVINCE, AreaKind.DISTRICT, AreaKind.COMMUNE):
        new_rows: list[Area] = []
        for row in (r for r in rows if r.kind == kind):
            parent_code = row.parent_code or NATION_CODE
            path = path_for(paths[parent_code], row.code)
            paths[row.code] = path
            current = existing.get(row.code)
            if current is None:
                new_rows.append(
                    Area(
                        code=row.code,
                        name=row.name,
                        kind=row.kind,
                        unit_type=row.unit_type,
                        parent_id=ids[parent_code],
                        path=path,
                        folded_name=fold_name(row.name),
                        population=row.population,
                        population_basis=row.population_basis,
                    )
                )
                continue
            ids[row.code] = current.pk
            if all(getattr(current, f) == getattr(row, f) for f in REFERENCE_FIELDS):
                unchanged += 1
                continue
            for f in REFERENCE_FIELDS:
                setattr(current, f, getattr(row, f))
            current.folded_name = fold_name(row.name)
            to_update.append(current)
        Area.objects.bulk_create(new_rows, batch_size=2000)
        created += len(new_rows)
        ids.update(
            Area.objects.current()
            .filter(kind=kind, code__in=[a.code for a in new_rows])
            .values_list("code", "pk")
        )
    Area.objects.bulk_update(to_update, [*REFERENCE_FIELDS, "folded_name"], batch_size=2000)
    boundary_count = _load_boundaries(boundaries)
    result = LoadResult(created, len(to_update), unchanged, boundary_count)
    if result.changed_anything:
        record(
            actor,
            "bulk_load",
            object_type=AREA_LABEL,
            object_repr=source_note[:200] or "reference units",
            area=nation,
            after={
                "created": created,
                "updated": len(to_update),
                "boundaries": boundary_count,
                "checksum": _checksum(rows, boundaries),
            },
        )
    return result


def _load_boundaries(boundaries: dict[str, tuple[str, str, bool]]) -> int:
    """Set the boundaries that differ from what is stored; return how many changed."""
    areas = Area.objects.current().filter(code__in=list(boundaries))
    changed = []
    for area in areas:
        geometry, source, approximate = boundaries[area.code]
        if (area.boundary, area.boundary_source, area.boundary_approximate) == (
            geometry,
            source,
            approximate,
        ):
            continue
        area.boundary, area.boundary_source, area.boundary_approximate = (
            geometry,
            source,
            approximate,
        )
        changed.append(area)
    Area.objects.bulk_update(changed, ["boundary", "boundary_source", "boundary_approximate"])
    return len(changed)


def next_subunit_code(parent: Area) -> str:
    taken = set(Area.objects.filter(parent=parent).values_list("code", flat=True))
    number = len(taken) + 1
    while f"{parent.code}.{number:02d}" in taken:
        number += 1
    return f"{parent.code}.{number:02d}"


@transaction.atomic
def create_subunit(
    parent: Area,
    *,
    actor,
    name: str,
    unit_type: str,
    code: str = "",
    population: int | None = None,
    reason: str = "",
) -> Area:
    """Create a unit smaller than a commune (khu vực, tổ dân phố, ấp, hẻm, building)."""
    _require(actor, "add", parent)
    if CHILD_KIND[AreaKind(parent.kind)] != AreaKind.SUBUNIT:
        raise ValidationError(
            {
                "parent": _(
                    "Smaller units can only be created under a commune or another smaller unit."
                )
            }
        )
    if unit_type not in SubunitType.values:
        raise ValidationError({"unit_type": _("Choose one of the listed unit types.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the unit a name.")})
    if Area.objects.filter(parent=parent, folded_name=fold_name(name)).exists():
        raise ValidationError({"name": _("This commune already has a unit with this name.")})
    code = code.strip() or next_subunit_code(parent)
    if "/" in code or Area.objects.current().filter(code=code).exists():
        raise ValidationError({"code": _("This code is already used or contains “/”.")})
    area = Area.objects.create(
        code=code,
        name=name,
        kind=AreaKind.SUBUNIT,
        unit_type=unit_type,
        parent=parent,
        path=path_for(parent.path, code),
        folded_name=fold_name(name),
        population=population,
        population_basis="reported" if population is not None else "",
    )
    record(actor, "create", area, area=area, after=snapshot(area), reason=reason)
    return area


@transaction.atomic
def set_boundary(
    area: Area,
    *,
    actor,
    geometry: dict,
    source: str,
    approximate: bool = False,
    reason: str = "",
) -> Area:
    _require(actor, "change", area)
    fields = ["boundary", "boundary_source", "boundary_approximate"]
    before = snapshot(area, fields=fields)
    area.boundary = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    area.boundary_source = source[:200]
    area.boundary_approximate = approximate
    area.save(update_fields=fields)
    record(
        actor,
        "update",
        area,
        area=area,
        before=before,
        after=snapshot(area, fields=fields),
        reason=reason,
    )
    return area


def check_boundary_upload(text: str | bytes, parent: Area, user) -> BoundaryCheck:
    """Validate an uploaded GeoJSON against the units under ``parent`` the user may change."""
    features, problems = parse_document(text)
    if problems:
        return BoundaryCheck(matched=[], problems=problems)
    candidates = Area.objects.filter(parent=parent).current()
    if user is not None:
        candidates = candidates.for_user(user, "change")
    units = [UnitRef(a.pk, a.code, a.name) for a in candidates]
    return check_boundaries(features, units, parent.boundary_geometry())


@transaction.atomic
def apply_boundary_upload(
    text: str | bytes,
    parent: Area,
    *,
    actor,
    source: str,
    approximate: bool = False,
    valid_only: bool = False,
) -> BoundaryCheck:
    """Store every matched boundary, or nothing if any feature has a problem.

    With ``valid_only`` the user has chosen to store the valid features and skip the rest.
    """
    _require(actor, "change", parent)
    check = check_boundary_upload(text, parent, actor)
    if check.problems and not valid_only:
        return check
    areas = {a.pk: a for a in Area.objects.filter(pk__in=[m.unit.key for m in check.matched])}
    for match in check.matched:
        set_boundary(
            areas[match.unit.key],
            actor=actor,
            geometry=match.geometry,
            source=source,
            approximate=approximate,
            reason=_("Boundary upload, feature %(n)d") % {"n": match.feature},
        )
    return check


@dataclass(frozen=True)
class MergeResult:
    successor: Area
    closed: list[Area]


@transaction.atomic
def merge_units(
    predecessors: list[Area],
    *,
    actor,
    code: str,
    name: str,
    effective_on: dt.date,
    legal_basis: str,
    unit_type: str = "",
) -> MergeResult:
    """Close ``predecessors`` on ``effective_on`` and open the unit that takes them over.

    The successor may reuse a predecessor's code (as Thới Bình did in 2024); its path then
    carries the date, so both organisations coexist and old data stays readable. Smaller
    units under the predecessors move under the successor.
    """
    if not predecessors:
        raise ValidationError({"predecessors": _("Name at least one unit to merge.")})
    parents = {p.parent_id for p in predecessors}
    if len(parents) != 1:
        raise ValidationError({"predecessors": _("Only units of the same parent can be merged.")})
    for unit in predecessors:
        _require(actor, "change", unit.parent)
        if unit.valid_to is not None:
            raise ValidationError(
                {"predecessors": _("%(name)s is already closed.") % {"name": unit.name}}
            )
    parent = predecessors[0].parent
    befores = {p.pk: snapshot(p, fields=["valid_to"]) for p in predecessors}
    Area.objects.filter(pk__in=[p.pk for p in predecessors]).update(valid_to=effective_on)
    key = f"{code}@{effective_on:%Y%m%d}"
    successor = Area.objects.create(
        code=code,
        name=name,
        kind=predecessors[0].kind,
        unit_type=unit_type or predecessors[0].unit_type,
        parent=parent,
        path=path_for(parent.path, key),
        folded_name=fold_name(name),
        population=_sum_or_none(p.population for p in predecessors),
        population_basis="sum-of-predecessors",
        valid_from=effective_on,
    )
    record(
        actor,
        "create",
        successor,
        area=successor,
        after=snapshot(successor),
        legal_basis=legal_basis,
    )
    for unit in predecessors:
        AreaSuccession.objects.create(
            predecessor=unit,
            successor=successor,
            effective_on=effective_on,
            legal_basis=legal_basis,
        )
        unit.refresh_from_db()
        record(
            actor,
            "update",
            unit,
            area=unit,
            before=befores[unit.pk],
            after=snapshot(unit, fields=["valid_to"]),
            legal_basis=legal_basis,
            reason=_("Merged into %(name)s") % {"name": name},
        )
    _move_subunits(predecessors, successor)
    # The successor's indicators, Rt and levels are computed from its predecessors' data.
    record_change("merge", area_path=parent.path, date_from=effective_on)
    return MergeResult(successor=successor, closed=predecessors)


def _sum_or_none(values: Iterable[int | None]) -> int | None:
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _move_subunits(predecessors: list[Area], successor: Area) -> None:
    """Re-root the smaller units of the predecessors under the successor (set-based)."""
    moved = []
    for unit in predecessors:
        for sub in Area.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk):
            sub.path = successor.path + sub.path[len(unit.path) :]
            if sub.parent_id == unit.pk:
                sub.parent = successor
            moved.append(sub)
    Area.objects.bulk_update(moved, ["path", "parent"])


def successors_on(area: Area, day: dt.date) -> list[Area]:
    """Return the units that hold ``area``'s territory on ``day`` (itself if still valid)."""
    if area.valid_to is None or area.valid_to > day:
        return [area]
    found: list[Area] = []
    for link in area.succeeded_by.select_related("successor").filter(effective_on__lte=day):
        found.extend(successors_on(link.successor, day))
    return found
