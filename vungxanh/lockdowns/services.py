"""The only code that writes lockdown zones and what belongs to them; every write is audited.

Each service takes the acting user explicitly (None is the system: a command or the demo),
checks the user's right in the zone's commune, and records one audit entry in the same
transaction, with the zone's decision as the legal basis where there is one.

Two officials editing one zone at once never lose each other's change: a zone carries a
``version``; ``update_zone`` and ``transition`` refuse a save that names an older version
and raise ``ZoneConflict`` with the other official's changes (read from the audit trail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area, AreaKind
from vungxanh.audit.models import AuditEntry
from vungxanh.audit.services import record, snapshot
from vungxanh.domain import lockdown as rules
from vungxanh.domain.lockdown import Part, ZoneStatus
from vungxanh.jobs.services import record_change
from vungxanh.lockdowns import queries
from vungxanh.lockdowns.models import (
    GuardPost,
    Inspection,
    InspectionPhoto,
    LiftRuleRecord,
    LockdownZone,
    Need,
    Scope,
    Shift,
    ShiftAssignment,
    Status,
    TestingRound,
    Violation,
    ZoneCase,
    ZoneHousehold,
    ZoneNotice,
    ZoneTransition,
)
from vungxanh.surveillance.models import CaseRecord, Detection

RULES_DIR = queries.RULES_DIR
ZONE = "lockdowns.lockdownzone"
# Fields an edit may change; status, commune, parent and code move only through services.
EDITABLE = (
    "name",
    "unit",
    "risk",
    "scope_type",
    "scope_description",
    "geometry",
    "geometry_approximate",
    "households",
    "residents",
    "reason",
    "decision_number",
    "decided_on",
    "start_date",
    "start_time",
    "planned_end",
    "rule",
    "source_url",
    "notes",
)
# Bookkeeping fields left out of "what the other official changed".
NOT_SHOWN = {"version", "updated_at", "created_at"}
AUDIT_ACTION = {
    Status.ACTIVE: "activate",
    Status.PARTLY_LIFTED: "partly_lift",
    Status.LIFTED: "lift",
}
PHOTO_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6


# -- helpers -------------------------------------------------------------------------------
def _require(actor, label: str, action: str, area: Area) -> None:
    """Refuse unless ``actor`` may ``action`` ``label`` objects in ``area`` (None: system)."""
    if actor is not None and not can(actor, f"lockdowns.{label}", action, area):
        raise PermissionDenied(_("You may not change lockdowns in this area."))


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None else "system"


def _today() -> dt.date:
    return timezone.localdate()


def _geometry_text(geometry, area: Area) -> str:
    """Validate a drawn zone and return it as compact GeoJSON text ("" for none)."""
    if geometry in (None, "", {}):
        return ""
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except json.JSONDecodeError as exc:
            raise ValidationError({"geometry": _("The drawn zone is not valid GeoJSON.")}) from exc
    problems = rules.check_geometry(geometry, area.boundary_geometry())
    messages = {
        "type": _("Draw a polygon: at least three points."),
        "invalid": _("The polygon crosses itself: redraw it."),
        "outside_vietnam": _("The polygon lies outside Vietnam."),
        "too_large": _("The polygon is larger than %(km2)d km²: draw the zone itself.")
        % {"km2": rules.MAX_ZONE_KM2},
        "outside_commune": _("The polygon lies outside %(name)s.") % {"name": area.name},
    }
    if problems:
        raise ValidationError({"geometry": [messages[p] for p in problems]})
    return json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))


def _next_code(area: Area, day: dt.date | None) -> str:
    stem = f"PT-{area.code}-{(day or _today()):%Y%m%d}"
    taken = set(LockdownZone.objects.filter(code__startswith=stem).values_list("code", flat=True))
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def _check_unit(area: Area, unit: Area | None) -> None:
    if unit is not None and (unit.kind != AreaKind.SUBUNIT or not unit.path.startswith(area.path)):
        raise ValidationError({"unit": _("Choose a smaller unit of this commune.")})


# -- rules ---------------------------------------------------------------------------------
def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def sync_lift_rules(*, actor=None, folder: Path = RULES_DIR) -> list[LiftRuleRecord]:
    """Load every lift rule file; a changed file becomes the current version, the old stays."""
    loaded, changed = [], []
    for path in sorted(folder.glob("*.toml")):
        rule = rules.load_lift_rule(path, [folder, RULES_DIR])
        found = LiftRuleRecord.objects.filter(code=rule.id, checksum=rule.checksum).first()
        if found is None or not found.current:
            LiftRuleRecord.objects.filter(code=rule.id, current=True).update(current=False)
        if found is None:
            found = LiftRuleRecord.objects.create(
                code=rule.id,
                version=rule.version,
                checksum=rule.checksum,
                title=rule.title[:300],
                title_vi=rule.title_vi[:300],
                source_document=rule.source_document[:400],
                source_url=rule.source_url[:500],
                document=_jsonable(rule.raw),
            )
            changed.append(found.code)
        elif not found.current:
            LiftRuleRecord.objects.filter(pk=found.pk).update(current=True)
            changed.append(found.code)
        loaded.append(found)
    if changed:
        record(
            actor,
            "bulk_load",
            object_type="lockdowns.liftrulerecord",
            object_repr=_("lift rules"),
            after={"loaded": changed},
        )
    return loaded


def _default_rule() -> LiftRuleRecord:
    code = queries.default_rule_code()
    found = LiftRuleRecord.objects.filter(code=code, current=True).first()
    if found is None:
        sync_lift_rules()
        found = LiftRuleRecord.objects.get(code=code, current=True)
    return found


# -- zones -----------------------------------------------------------------------------------
@transaction.atomic
def create_zone(
    area: Area,
    *,
    actor,
    name: str,
    scope_type: str,
    code: str = "",
    unit: Area | None = None,
    scope_description: str = "",
    geometry="",
    geometry_approximate: bool = False,
    households: int | None = None,
    residents: int | None = None,
    reason: str = "",
    decision_number: str = "",
    decided_on: dt.date | None = None,
    start_date: dt.date | None = None,
    start_time: dt.time | None = None,
    planned_end: dt.date | None = None,
    rule: LiftRuleRecord | None = None,
    source_url: str = "",
    simulated: bool = False,
    notes: str = "",
    index_cases: Sequence[str] = (),
) -> LockdownZone:
    """Propose a zone in ``area`` (a commune); it is locked down by ``transition``."""
    _require(actor, "lockdownzone", "add", area)
    if area.kind != AreaKind.COMMUNE:
        raise ValidationError({"area": _("A zone lies in a commune: choose a ward or commune.")})
    _check_unit(area, unit)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the zone a name.")})
    if scope_type not in Scope.values:
        raise ValidationError({"scope_type": _("Choose one of the listed scopes.")})
    code = code.strip() or _next_code(area, start_date or decided_on)
    if LockdownZone.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Another zone already has this code.")})
    if planned_end and start_date and planned_end < start_date:
        raise ValidationError({"planned_end": _("The planned end is before the start.")})
    zone = LockdownZone.objects.create(
        code=code,
        name=name,
        area=area,
        unit=unit,
        scope_type=scope_type,
        scope_description=scope_description.strip(),
        geometry=_geometry_text(geometry, area),
        geometry_approximate=geometry_approximate,
        households=households,
        residents=residents,
        reason=reason.strip(),
        decision_number=decision_number.strip(),
        decided_on=decided_on,
        start_date=start_date,
        start_time=start_time,
        planned_end=planned_end,
        rule=rule or _default_rule(),
        source_url=source_url,
        simulated=simulated,
        notes=notes,
    )
    record(actor, "create", zone, area=area, after=snapshot(zone), legal_basis=decision_number)
    for case_code in index_cases:
        link_case(zone, actor=actor, case_code=case_code, relation=ZoneCase.Relation.INDEX)
    return zone


class ZoneConflict(Exception):
    """A save naming an older version of the zone: someone else saved in between."""

    def __init__(self, zone: LockdownZone, expected: int, changes: list[dict]):
        self.zone = zone
        self.expected = expected
        self.changes = changes
        names = sorted({c["by"] for c in changes}) or ["?"]
        super().__init__(
            _(
                "%(who)s saved this zone while you were editing it (version %(theirs)d, you "
                "started from version %(yours)d). Your changes were not saved: read theirs, "
                "then save again."
            )
            % {"who": ", ".join(names), "theirs": zone.version, "yours": expected}
        )


def _their_changes(zone: LockdownZone, since_version: int) -> list[dict]:
    """The field changes made to ``zone`` after ``since_version``, from the audit trail."""
    entries = AuditEntry.objects.filter(
        object_type=ZONE, object_id=str(zone.pk), after__version__gt=since_version
    ).order_by("time", "id")
    changes = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        for name, value in after.items():
            if name in NOT_SHOWN or before.get(name) == value or name not in before:
                continue
            changes.append(
                {
                    "field": name.removesuffix("_id"),
                    "before": before.get(name),
                    "after": value,
                    "by": entry.actor_name,
                    "at": entry.time,
                }
            )
    return changes


def _lock(zone: LockdownZone, version: int | None) -> LockdownZone:
    """Return the zone's current row, locked for the transaction; refuse an old version."""
    current = LockdownZone.objects.select_for_update().get(pk=zone.pk)
    if version is not None and current.version != version:
        raise ZoneConflict(current, version, _their_changes(current, version))
    return current


def _save_versioned(current: LockdownZone, expected: int, fields: dict) -> LockdownZone:
    """Write ``fields`` only if nobody saved since ``expected``; return the fresh row."""
    written = LockdownZone.objects.filter(pk=current.pk, version=expected).update(
        **fields, version=expected + 1, updated_at=timezone.now()
    )
    if not written:  # lost a race the row lock could not prevent (SQLite)
        fresh = LockdownZone.objects.get(pk=current.pk)
        raise ZoneConflict(fresh, expected, _their_changes(fresh, expected))
    return LockdownZone.objects.select_related("area", "rule", "parent").get(pk=current.pk)


@transaction.atomic
def update_zone(
    zone: LockdownZone, *, actor, version: int, reason: str = "", legal_basis: str = "", **changes
) -> LockdownZone:
    """Change a zone's facts, if nobody saved it since ``version``; else ``ZoneConflict``."""
    _require(actor, "lockdownzone", "change", zone.area)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            {"__all__": _("These fields cannot be edited: %(f)s") % {"f": unknown}}
        )
    current = _lock(zone, version)
    if "geometry" in changes:
        changes["geometry"] = _geometry_text(changes["geometry"], current.area)
    if "unit" in changes:
        _check_unit(current.area, changes["unit"])
    if "scope_type" in changes and changes["scope_type"] not in Scope.values:
        raise ValidationError({"scope_type": _("Choose one of the listed scopes.")})
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationError({"name": _("Give the zone a name.")})
    differing = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if not differing:
        return current
    before = snapshot(current)
    saved = _save_versioned(current, version, differing)
    record(
        actor,
        "update",
        saved,
        area=saved.area,
        before=before,
        after=snapshot(saved),
        reason=reason,
        legal_basis=legal_basis or saved.decision_number,
    )
    record_change("lockdown", area_path=saved.area.path)
    return saved


def _check_lift(zone: LockdownZone, effective_on: dt.date, override_reason: str) -> None:
    """Refuse a lift the rule does not allow yet, or out of risk order, unless overridden."""
    if override_reason.strip():
        return
    if zone.parent_id:
        rule = queries.rule_of(zone.rule)
        siblings = [
            Part(str(p.pk), p.risk or 0, ZoneStatus(p.status)) for p in zone.parent.parts.all()
        ]
        blockers = rules.lift_order_blockers(siblings, str(zone.pk), rule)
        if blockers:
            names = ", ".join(LockdownZone.objects.get(pk=int(b.key)).name for b in blockers)
            raise ValidationError(
                {
                    "to_status": _(
                        "Parts of lower risk are still locked down (%(names)s): lift them "
                        "first, or give the reason for lifting this part before them."
                    )
                    % {"names": names}
                }
            )
    lift = queries.lift_date(zone, effective_on)
    if lift is not None and not lift.eligible:
        missing = "; ".join(queries.describe_missing(lift)) or "—"
        raise ValidationError(
            {
                "to_status": _(
                    "The lift rule %(rule)s does not allow lifting on %(day)s: %(sentence)s; "
                    "missing: %(missing)s. Give the reason for lifting anyway."
                )
                % {
                    "rule": zone.rule.code,
                    "day": queries.fmt(effective_on),
                    "sentence": queries.lift_sentence(lift),
                    "missing": missing,
                }
            }
        )


def _move(
    zone: LockdownZone,
    to: str,
    *,
    actor,
    decision_number: str,
    decided_on: dt.date | None,
    effective_on: dt.date,
    reason: str,
    override_reason: str,
    simulated: bool,
    version: int | None,
) -> LockdownZone:
    """Record one status change of one zone (no checks of order or rule) and audit it."""
    current = _lock(zone, version)
    before = snapshot(current)
    fields: dict = {"status": to}
    if to == Status.ACTIVE:
        fields["start_date"] = current.start_date or effective_on
        fields["decision_number"] = current.decision_number or decision_number
        fields["decided_on"] = current.decided_on or decided_on
    if to == Status.LIFTED:
        fields["lifted_on"] = effective_on
    saved = _save_versioned(current, current.version, fields)
    ZoneTransition.objects.create(
        zone=saved,
        from_status=current.status,
        to_status=to,
        decision_number=decision_number,
        decided_on=decided_on,
        effective_on=effective_on,
        reason=reason,
        override_reason=override_reason,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=_actor_name(actor),
        simulated=simulated,
    )
    record(
        actor,
        AUDIT_ACTION[Status(to)],
        saved,
        area=saved.area,
        before=before,
        after=snapshot(saved),
        reason="\n".join(r for r in (reason, override_reason) if r),
        legal_basis=decision_number,
    )
    return saved


@transaction.atomic
def transition(
    zone: LockdownZone,
    *,
    actor,
    to: str,
    decision_number: str,
    effective_on: dt.date,
    decided_on: dt.date | None = None,
    reason: str = "",
    override_reason: str = "",
    version: int | None = None,
    simulated: bool = False,
) -> LockdownZone:
    """Move a zone to ``to`` by a decision: activate, lift part of it, or lift it.

    Lifting follows the zone's lift rule and, for a part, the order from lower to higher
    risk; ``override_reason`` records why a decision departs from them. Lifting a zone
    lifts its remaining parts; lifting a part moves its zone to partly lifted or lifted.
    """
    _require(actor, "lockdownzone", "change", zone.area)
    decision_number = decision_number.strip()
    if not decision_number:
        raise ValidationError({"decision_number": _("Name the decision (number and date).")})
    if to not in Status.values:
        raise ValidationError({"to_status": _("Choose active, partly lifted or lifted.")})
    current = _lock(zone, version)
    allowed = rules.TRANSITIONS[ZoneStatus(current.status)]
    if to not in allowed:
        raise ValidationError(
            {
                "to_status": _("A zone that is %(now)s cannot become %(to)s.")
                % {"now": current.get_status_display(), "to": Status(to).label}
            }
        )
    last = current.transitions.aggregate(last=Max("effective_on"))["last"]
    if last and effective_on < last:
        raise ValidationError(
            {
                "effective_on": _("The zone's last change was in force from %(day)s.")
                % {"day": queries.fmt(last)}
            }
        )
    if to == Status.LIFTED:
        _check_lift(current, effective_on, override_reason)
    moves = {
        "actor": actor,
        "decision_number": decision_number,
        "decided_on": decided_on,
        "effective_on": effective_on,
        "simulated": simulated,
    }
    saved = _move(
        current, to, reason=reason, override_reason=override_reason, version=version, **moves
    )
    # The parts follow the whole: activated with it, lifted with it.
    for part in saved.parts.exclude(status=Status.LIFTED):
        if to in rules.TRANSITIONS[ZoneStatus(part.status)] and to != Status.PARTLY_LIFTED:
            _move(
                part,
                to,
                reason=_("With the whole zone."),
                override_reason="",
                version=None,
                **moves,
            )
    if saved.parent_id:
        _follow_parts(
            saved.parent, reason=_("Part “%(name)s” changed.") % {"name": saved.name}, **moves
        )
    # What may open inside the zone's ward follows the zone (the establishments stage).
    record_change("lockdown", area_path=saved.area.path, date_from=effective_on)
    return saved


def _follow_parts(parent: LockdownZone, *, reason: str, **moves) -> None:
    """Give the whole zone the status its parts imply (partly lifted, lifted)."""
    parent = LockdownZone.objects.get(pk=parent.pk)
    implied = rules.status_from_parts(ZoneStatus(p.status) for p in parent.parts.all())
    if implied is None or implied == parent.status:
        return
    if implied in rules.TRANSITIONS[ZoneStatus(parent.status)]:
        _move(parent, implied, reason=reason, override_reason="", version=None, **moves)


@transaction.atomic
def create_part(
    zone: LockdownZone,
    *,
    actor,
    name: str,
    risk: int,
    scope_type: str = "",
    scope_description: str = "",
    geometry="",
    geometry_approximate: bool = False,
    households: int | None = None,
    residents: int | None = None,
    code: str = "",
    simulated: bool = False,
) -> LockdownZone:
    """Split off a part of ``zone`` with its risk; it shares the zone's status and decision."""
    _require(actor, "lockdownzone", "add", zone.area)
    if zone.parent_id:
        raise ValidationError({"parent": _("A part cannot be split again: split the zone.")})
    if zone.status in (Status.LIFTED, Status.PARTLY_LIFTED):
        raise ValidationError({"parent": _("Split a zone before any of it is lifted.")})
    if risk not in {r.value for r in rules.Risk}:
        raise ValidationError({"risk": _("Rate the part's risk.")})
    part = LockdownZone.objects.create(
        code=code.strip() or f"{zone.code}.{zone.parts.count() + 1}",
        name=name.strip() or f"{zone.name} ({zone.parts.count() + 1})",
        area=zone.area,
        unit=zone.unit,
        parent=zone,
        risk=risk,
        scope_type=scope_type or zone.scope_type,
        scope_description=scope_description.strip(),
        geometry=_geometry_text(geometry, zone.area),
        geometry_approximate=geometry_approximate,
        households=households,
        residents=residents,
        decision_number=zone.decision_number,
        decided_on=zone.decided_on,
        start_date=zone.start_date,
        start_time=zone.start_time,
        planned_end=zone.planned_end,
        rule=zone.rule,
        source_url=zone.source_url,
        simulated=simulated or zone.simulated,
        status=zone.status,
    )
    if zone.status == Status.ACTIVE:
        ZoneTransition.objects.create(
            zone=part,
            from_status="",
            to_status=Status.ACTIVE,
            decision_number=zone.decision_number,
            decided_on=zone.decided_on,
            effective_on=zone.start_date,
            reason=_("Part of “%(name)s”.") % {"name": zone.name},
            actor=actor if actor is not None and actor.pk else None,
            actor_name=_actor_name(actor),
            simulated=part.simulated,
        )
    record(
        actor,
        "create",
        part,
        area=zone.area,
        after=snapshot(part),
        reason=_("Part of “%(name)s”.") % {"name": zone.name},
        legal_basis=zone.decision_number,
    )
    return part


# -- cases -----------------------------------------------------------------------------------
def _case_date(actor, case_code: str) -> dt.date | None:
    """The confirmation day of a case the actor may read (None if not found)."""
    cases = CaseRecord.objects.current().filter(case_code=case_code)
    if actor is not None:
        cases = cases.for_user(actor, "view")
    case = cases.first()
    return case.confirmed_date if case else None


@transaction.atomic
def link_case(
    zone: LockdownZone,
    *,
    actor,
    case_code: str,
    relation: str,
    isolated_on: dt.date | None = None,
    found_round: TestingRound | None = None,
    note: str = "",
) -> ZoneCase:
    """Link a case to a zone; a new case inside moves the lift date, one outside is a
    spill-over: either leaves a notice on the zone."""
    _require(actor, "zonecase", "add", zone.area)
    case_code = case_code.strip()
    if not case_code:
        raise ValidationError({"case_code": _("Give the case code.")})
    if relation not in ZoneCase.Relation.values:
        raise ValidationError({"relation": _("Choose how the case is linked.")})
    if ZoneCase.objects.filter(zone=zone, case_code=case_code).exists():
        raise ValidationError({"case_code": _("This case is already linked to the zone.")})
    isolated_on = isolated_on or _case_date(actor, case_code)
    if isolated_on is None:
        raise ValidationError(
            {
                "isolated_on": _(
                    "Case %(code)s is not in your line list: give the day it was isolated."
                )
                % {"code": case_code}
            }
        )
    watched = zone.parent if zone.parent_id else zone
    after_start = zone.start_date is not None and isolated_on >= zone.start_date
    before = None
    if relation == ZoneCase.Relation.INSIDE and after_start and zone.locked:
        before = queries.lift_date(zone, isolated_on)
    link = ZoneCase.objects.create(
        zone=zone,
        case_code=case_code,
        relation=relation,
        isolated_on=isolated_on,
        found_round=found_round,
        note=note[:300],
    )
    notice = None
    if before is not None:
        after = queries.lift_date(zone, isolated_on)
        if rules.moved(before, after):
            notice = ZoneNotice.objects.create(
                zone=zone,
                kind=ZoneNotice.Kind.LIFT_MOVED,
                day=isolated_on,
                case_code=case_code,
                old_date=before.shown,
                new_date=after.shown,
            )
    if relation == ZoneCase.Relation.OUTSIDE and after_start:
        notice = ZoneNotice.objects.create(
            zone=watched, kind=ZoneNotice.Kind.SPILLOVER, day=isolated_on, case_code=case_code
        )
    after_values = snapshot(link)
    if notice is not None:
        after_values["notice"] = {
            "kind": notice.kind,
            "old_date": queries.fmt(notice.old_date),
            "new_date": queries.fmt(notice.new_date),
        }
    record(
        actor,
        "link_case",
        link,
        area=zone.area,
        after=after_values,
        legal_basis=zone.decision_number,
    )
    return link


@transaction.atomic
def link_cases_by_zone_ref(zone: LockdownZone, *, actor) -> list[ZoneCase]:
    """Link the line list's cases whose lockdown zone names this zone's code.

    A case found in a lockdown zone is linked as found inside, any other as found outside.
    """
    _require(actor, "zonecase", "add", zone.area)
    cases = CaseRecord.objects.current().filter(zone_ref=zone.code)
    if actor is not None:
        cases = cases.for_user(actor, "view")
    known = set(ZoneCase.objects.filter(zone=zone).values_list("case_code", flat=True))
    linked = []
    for case in cases.order_by("confirmed_date", "case_code"):
        if case.case_code in known:
            continue
        inside = case.detection == Detection.LOCKDOWN
        relation = ZoneCase.Relation.INSIDE if inside else ZoneCase.Relation.OUTSIDE
        linked.append(
            link_case(
                zone,
                actor=actor,
                case_code=case.case_code,
                relation=relation,
                isolated_on=case.confirmed_date,
                note=_("From the line list's lockdown zone field."),
            )
        )
    return linked


# -- testing rounds --------------------------------------------------------------------------
@transaction.atomic
def plan_round(
    zone: LockdownZone,
    *,
    actor,
    day: dt.date,
    whole_zone: bool = True,
    method: str = TestingRound.Method.PCR,
    note: str = "",
) -> TestingRound:
    """Plan a testing round of the zone (or of part of it when not ``whole_zone``)."""
    _require(actor, "testinground", "add", zone.area)
    if zone.status == Status.LIFTED:
        raise ValidationError({"day": _("The zone is lifted.")})
    if method not in TestingRound.Method.values:
        raise ValidationError({"method": _("Choose a testing method.")})
    number = (zone.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = TestingRound.objects.create(
        zone=zone, number=number, day=day, whole_zone=whole_zone, method=method, note=note
    )
    record(actor, "create", round_, area=zone.area, after=snapshot(round_))
    return round_


@transaction.atomic
def record_round(
    round_: TestingRound,
    *,
    actor,
    status: str,
    samples: int | None = None,
    positives: int = 0,
    positive_cases: Iterable[str] = (),
    day: dt.date | None = None,
    note: str | None = None,
) -> TestingRound:
    """Record a round as sampled (results pending) or done, with its positive cases.

    Each positive case code is linked to the zone as found inside by this round, isolated
    on the round's day; the lift date moves and a notice says so.
    """
    zone = round_.zone
    _require(actor, "testinground", "change", zone.area)
    codes = [c.strip() for c in positive_cases if c.strip()]
    if status not in (TestingRound.RoundState.SAMPLED, TestingRound.RoundState.DONE):
        raise ValidationError({"status": _("A round is recorded as sampled or done.")})
    if status == TestingRound.RoundState.DONE and samples is None:
        raise ValidationError({"samples": _("Give the number of samples taken.")})
    if samples is not None and positives > samples:
        raise ValidationError({"positives": _("More positives than samples.")})
    if len(codes) > positives:
        raise ValidationError(
            {"positive_cases": _("More case codes than positive samples: raise the count.")}
        )
    if status == TestingRound.RoundState.SAMPLED and (positives or codes):
        raise ValidationError({"positives": _("Positives are recorded with the results.")})
    before = snapshot(round_)
    round_.status = status
    round_.samples = samples
    round_.positives = positives
    round_.day = day or round_.day
    if note is not None:
        round_.note = note
    round_.save()
    record(actor, "update", round_, area=zone.area, before=before, after=snapshot(round_))
    for code in codes:
        if not ZoneCase.objects.filter(zone=zone, case_code=code).exists():
            link_case(
                zone,
                actor=actor,
                case_code=code,
                relation=ZoneCase.Relation.INSIDE,
                isolated_on=round_.day,
                found_round=round_,
            )
    return round_


# -- guard posts and duty --------------------------------------------------------------------
@transaction.atomic
def add_post(
    zone: LockdownZone,
    *,
    actor,
    name: str,
    location: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> GuardPost:
    """Set up a checkpoint (chốt) of the zone."""
    _require(actor, "guardpost", "add", zone.area)
    if not name.strip():
        raise ValidationError({"name": _("Name the post.")})
    post = GuardPost.objects.create(
        zone=zone, name=name.strip(), location=location, latitude=latitude, longitude=longitude
    )
    record(actor, "create", post, area=zone.area, after=snapshot(post))
    return post


@transaction.atomic
def add_shift(
    post: GuardPost, *, actor, starts_at: dt.datetime, ends_at: dt.datetime, required_staff: int = 2
) -> Shift:
    """Add a duty shift at a post."""
    _require(actor, "shift", "add", post.zone.area)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift ends after it starts.")})
    if required_staff < 1:
        raise ValidationError({"required_staff": _("A shift needs at least one official.")})
    shift = Shift.objects.create(
        post=post, starts_at=starts_at, ends_at=ends_at, required_staff=required_staff
    )
    record(actor, "create", shift, area=post.zone.area, after=snapshot(shift))
    return shift


@transaction.atomic
def assign_official(shift: Shift, *, actor, user=None, roster_name: str = "") -> ShiftAssignment:
    """Put an official on a shift: a user over the zone's commune, or a roster name."""
    zone = shift.post.zone
    _require(actor, "shiftassignment", "add", zone.area)
    roster_name = roster_name.strip()
    if user is None and not roster_name:
        raise ValidationError({"user": _("Choose a user or write a name from the roster.")})
    if user is not None and not queries.roster(zone.area).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("Not on the roster of officials of the zone's commune.")})
    if user is not None and shift.assignments.filter(user=user).exists():
        raise ValidationError({"user": _("Already on this shift.")})
    assignment = ShiftAssignment.objects.create(shift=shift, user=user, roster_name=roster_name)
    record(actor, "create", assignment, area=zone.area, after=snapshot(assignment))
    return assignment


@transaction.atomic
def check_in(
    assignment: ShiftAssignment, *, actor, at: dt.datetime | None = None
) -> ShiftAssignment:
    """Record that the official arrived: the official, or someone managing the zone."""
    zone = assignment.shift.post.zone
    own = actor is not None and assignment.user_id == actor.pk
    if not own:
        _require(actor, "shiftassignment", "change", zone.area)
    if assignment.checked_in_at is not None:
        raise ValidationError({"checked_in_at": _("Already checked in.")})
    before = snapshot(assignment)
    assignment.checked_in_at = at or timezone.now()
    assignment.save(update_fields=["checked_in_at"])
    record(actor, "check_in", assignment, area=zone.area, before=before, after=snapshot(assignment))
    return assignment


# -- inspections -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str
    sha256: str


def _check_photo(name: str, content: bytes) -> Photo:
    """Accept a JPEG or PNG of at most 5 MB, judged by its bytes, not its name."""
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": _("%(name)s is larger than 5 MB.") % {"name": name}})
    for magic, content_type in PHOTO_TYPES.items():
        if content.startswith(magic):
            return Photo(content, content_type, hashlib.sha256(content).hexdigest())
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return Photo(content, "image/webp", hashlib.sha256(content).hexdigest())
    raise ValidationError(
        {"photos": _("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": name}}
    )


@transaction.atomic
def record_inspection(
    zone: LockdownZone,
    *,
    actor,
    visited_at: dt.datetime,
    findings: str,
    violations: Sequence[dict] = (),
    photos: Sequence[tuple[str, bytes]] = (),
    inspector_name: str = "",
) -> Inspection:
    """Record a visit inside the zone with its violations and photos (all or nothing)."""
    _require(actor, "inspection", "add", zone.area)
    if not findings.strip():
        raise ValidationError({"findings": _("Write what the inspection found.")})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    checked = [_check_photo(name, content) for name, content in photos]
    for item in violations:
        if item.get("kind") not in Violation.Kind.values:
            raise ValidationError({"violations": _("Choose the kind of each violation.")})
    inspection = Inspection.objects.create(
        zone=zone,
        visited_at=visited_at,
        inspector=actor if actor is not None and actor.pk else None,
        inspector_name=(inspector_name.strip() or _actor_name(actor))[:150],
        findings=findings.strip(),
    )
    for item in violations:
        Violation.objects.create(
            inspection=inspection,
            kind=item["kind"],
            description=item.get("description", "")[:500],
            action_taken=item.get("action_taken", "")[:300],
        )
    for photo in checked:
        row = InspectionPhoto(
            inspection=inspection,
            content_type=photo.content_type,
            size=len(photo.content),
            sha256=photo.sha256,
        )
        row.file.save("photo", ContentFile(photo.content), save=False)
        row.save()
    after = snapshot(inspection)
    after["violations"] = [v["kind"] for v in violations]
    after["photos"] = [p.sha256 for p in checked]
    record(actor, "create", inspection, area=zone.area, after=after)
    return inspection


# -- households and needs ----------------------------------------------------------------------
@transaction.atomic
def add_household(
    zone: LockdownZone, *, actor, address: str, residents: int | None = None, note: str = ""
) -> ZoneHousehold:
    """Add a household (address, number of residents; no names) to the zone's list."""
    _require(actor, "zonehousehold", "add", zone.area)
    if not address.strip():
        raise ValidationError({"address": _("Give the address.")})
    household = ZoneHousehold.objects.create(
        zone=zone, address=address.strip(), residents=residents, note=note
    )
    record(actor, "create", household, area=zone.area, after=snapshot(household))
    return household


@transaction.atomic
def record_need(
    zone: LockdownZone,
    *,
    actor,
    kind: str,
    description: str,
    requested_on: dt.date,
    household: ZoneHousehold | None = None,
    people: int | None = None,
) -> Need:
    """Record what people inside need (food, medicine, other), per household or zone."""
    _require(actor, "need", "add", zone.area)
    if kind not in Need.Kind.values:
        raise ValidationError({"kind": _("Choose food, medicine or other.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the need.")})
    if household is not None and household.zone_id != zone.pk:
        raise ValidationError({"household": _("This household is not in the zone.")})
    need = Need.objects.create(
        zone=zone,
        household=household,
        kind=kind,
        description=description.strip(),
        people=people,
        requested_on=requested_on,
    )
    record(actor, "create", need, area=zone.area, after=snapshot(need))
    return need


@transaction.atomic
def meet_need(need: Need, *, actor, met_on: dt.date, handed_to: str = "") -> Need:
    """Mark a need as met, or handed over to a support programme."""
    _require(actor, "need", "change", need.zone.area)
    if need.met_on is not None:
        raise ValidationError({"met_on": _("Already met.")})
    if met_on < need.requested_on:
        raise ValidationError({"met_on": _("Met before it was requested?")})
    before = snapshot(need)
    need.met_on = met_on
    need.handed_to = handed_to.strip()[:200]
    need.save(update_fields=["met_on", "handed_to"])
    record(actor, "update", need, area=need.zone.area, before=before, after=snapshot(need))
    return need


@transaction.atomic
def acknowledge_notice(notice: ZoneNotice, *, actor) -> ZoneNotice:
    """Mark a notice as read by someone managing the zone."""
    _require(actor, "zonenotice", "change", notice.zone.area)
    if notice.acknowledged_at is not None:
        return notice
    before = snapshot(notice)
    notice.acknowledged_at = timezone.now()
    notice.acknowledged_by = _actor_name(actor)
    notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record(
        actor, "acknowledge", notice, area=notice.zone.area, before=before, after=snapshot(notice)
    )
    return notice
