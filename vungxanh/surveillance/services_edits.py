"""Services that create or correct one surveillance fact (a form or an API call).

A service like ``services``: the only code besides it that writes surveillance facts,
taking the acting user explicitly and recording an audit entry for each edit.

A single edit is a tiny import: its values are checked by the import template's rules
(``vungxanh.domain.tabular``), written by ``services.import_records`` as a batch named
"form" or "api" (so a correction is a new version, the old one is kept, and undo and
history work as for files, and the batch's outbox row, written in the same transaction, has
the loop recompute indicators, Rt and levels), and recorded in the audit trail with the values before and
after. Personal identifiers of a case are kept apart, in ``CasePerson``, versioned with
the case in the same batch (so undo brings the previous identity back), and never copied
into the trail.

An edit is scoped like a read: a case is matched only in the areas the actor may change,
it cannot be moved into or out of an area the actor may not change, and a case code of
another area is refused without saying where it is or what its id is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import area_lookup, can
from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.audit.context import current as audit_context
from vungxanh.domain.areas import fold, fold_name
from vungxanh.domain.tabular import AreaLookup, CellError, parse_date, validate_table
from vungxanh.imports.problems import describe
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CasePerson, CaseRecord, Reported
from vungxanh.surveillance.specs import SPECS

KINDS = tuple(SPECS)
KIND_OF = {model: kind for kind, model in services.MODELS.items()}
PERSONAL_FIELDS = services.PERSONAL_FIELDS


def _batch_label() -> str:
    """Name the batch after where the edit came from: "api" or "form"."""
    return "api" if audit_context().source == "api" else "form"


def _message(code: str, params: dict) -> str:
    if code in {"required", "missing_column"}:
        return _("This field is required.")
    if code == "unknown_column":
        return _("Unknown field.")
    return describe(CellError(2, "", code, params))


def _lookup(actor, model_label: str, action: str, raw_area: Any) -> AreaLookup:
    """Return the areas the value may name: the one with that code, or all the actor's."""
    text = str(raw_area or "").strip()
    area = Area.objects.current().filter(code=text).first() if text else None
    if area is not None:
        allowed = actor is None or can(actor, model_label, action, area)
        return AreaLookup([(area.pk, area.code, area.name, area.population)] if allowed else [])
    lookup, _areas = area_lookup(actor, model_label)
    return lookup


def validate(
    kind: str, values: dict[str, Any], *, actor, action: str = "add"
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check ``values`` (field name -> raw value) by the import rules of ``kind``.

    Return the record (model field names, ``area_id`` resolved among the areas the actor
    may ``action``) and the personal values given; raise ``ValidationError({field: ...})``.
    """
    if kind not in SPECS:
        raise ValidationError({"kind": _("Unknown kind of fact.")})
    spec = SPECS[kind]
    names = [c.name for c in spec.columns]
    unknown = [name for name in values if name not in names]
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    model_label = services.MODELS[kind]._meta.label_lower
    header = [name for name in names if name in values]
    validated = validate_table(
        header,
        [[values[name] for name in header]],
        spec,
        _lookup(actor, model_label, action, values.get("area")),
    )
    by_label = {c.label_vi: c.name for c in spec.columns}
    errors: dict[str, list[str]] = {}
    for error in validated.errors:
        field = by_label.get(error.column, error.column) or "__all__"
        errors.setdefault(field, []).append(_message(error.code, error.params))
    if errors:
        raise ValidationError(errors)
    # The rules across fields (positives ≤ tests, …) are the spec's, checked with the
    # cells above (tabular.NotMoreThan): the same words as in a file's report.
    parsed = {name: validated.columns[name][0] for name in names}
    personal = {f: parsed.pop(f) or "" for f in PERSONAL_FIELDS if f in values}
    record = {("area_id" if name == "area" else name): v for name, v in parsed.items()}
    for field in PERSONAL_FIELDS:
        record.pop(field, None)
    return record, personal


def _current_version(kind: str, series, record: dict[str, Any]) -> Reported | None:
    model = services.MODELS[kind]
    if model is CaseRecord:
        # A case code names one case whatever the series.
        return model.objects.current().filter(case_code=record["case_code"]).first()
    key = {f: record[f] for f in model.NATURAL_KEY if f != "series_id"}
    return model.objects.current().filter(series=series, **key).first()


def _current_identity(case_code: str) -> CasePerson | None:
    return CasePerson.objects.current().filter(case_code=case_code).first()


def _identity_values(current: CasePerson | None, personal: dict[str, str]) -> dict[str, str]:
    """Return the whole identity an edit states: the values given, the others kept."""
    if not personal:
        return {}
    kept = {f: getattr(current, f) for f in PERSONAL_FIELDS} if current is not None else {}
    return {**kept, **personal}


def _audit_identity(case_code: str, before: CasePerson | None, *, actor) -> list[str]:
    """Record which personal fields the edit changed; return their names.

    The names of the fields only: personal values never enter the audit trail.
    """
    person = _current_identity(case_code)
    if person is None or (before is not None and before.pk == person.pk):
        return []
    changed = [f for f in PERSONAL_FIELDS if getattr(person, f) != getattr(before, f, "")]
    if before is not None and before.area_id != person.area_id:
        changed.append("area")
    audit.record(
        actor,
        "update",
        object_type="surveillance.caseperson",
        object_id=str(person.pk),
        object_repr=case_code,
        area=person.area,
        after={"changed": changed},
    )
    return changed


def _written(kind: str, result, unchanged: Reported | None = None) -> Reported:
    """Return the version the edit wrote, or ``unchanged`` if it changed the identity only."""
    row = services.MODELS[kind].objects.filter(batch=result.batch).first()
    return row if row is not None else unchanged


def _exists_message(existing: Reported, *, actor) -> str:
    """Say that the fact exists, naming it only to someone who may correct it."""
    if can(actor, existing._meta.label_lower, "change", existing.area):
        message = _("This fact exists already (number %(id)s): correct it instead.")
        return message % {"id": existing.pk}
    # Another area's case code: neither its id nor its area (services._refuse_unwritable).
    return _message(services.UNAVAILABLE.get(type(existing), services.FIGURES_UNAVAILABLE), {})


@transaction.atomic
def create_fact(
    kind: str, values: dict[str, Any], *, actor, series_code: str = services.REPORTED_SERIES
) -> Reported:
    """Store one new fact of ``kind`` and return it.

    Refuses a fact that exists already (the same case code, or the same area, day and
    series): that one is corrected, not created twice.
    """
    record, personal = validate(kind, values, actor=actor, action="add")
    model = services.MODELS[kind]
    area = Area.objects.get(pk=record["area_id"])
    if not can(actor, model._meta.label_lower, "add", area):
        raise PermissionDenied(_("You may not add figures for this area."))
    series = services.get_series(series_code)
    existing = _current_version(kind, series, record)
    if existing is not None:
        field = model.NATURAL_KEY[0].removesuffix("_id")
        raise ValidationError({field: _exists_message(existing, actor=actor)})
    result = services.import_records(
        kind,
        [{**record, **personal}],
        actor=actor,
        series_code=series.code,
        label=_batch_label(),
        scoped=True,
    )
    row = _written(kind, result)
    if kind == "cases":
        _audit_identity(row.case_code, None, actor=actor)
    audit.record(actor, "create", row, area=area, after=audit.snapshot(row))
    return row


def _raw_values(kind: str, row: Reported) -> dict[str, Any]:
    """Return the stored values of ``row`` as the raw values a form would send."""
    values: dict[str, Any] = {}
    for column in SPECS[kind].columns:
        if column.personal:
            continue
        values[column.name] = row.area.code if column.name == "area" else getattr(row, column.name)
    return values


@transaction.atomic
def correct_fact(row: Reported, values: dict[str, Any], *, actor, reason: str = "") -> Reported:
    """Store a corrected version of ``row`` (the fields given change, the rest stay).

    The fields naming the fact (a case's code; the area, day and sample group of a count)
    cannot change: a fact about another day is a new fact. Return the new current version,
    or ``row`` itself if nothing changed.
    """
    model = type(row)
    kind = KIND_OF[model]
    label = model._meta.label_lower
    if not can(actor, label, "change", row.area):
        raise PermissionDenied(_("You may not correct figures of this area."))
    if row.superseded_at is not None:
        raise ValidationError(
            {"id": _("This version has been corrected since: correct the current version.")}
        )
    merged = _raw_values(kind, row)
    key_fields = {f.removesuffix("_id") for f in model.NATURAL_KEY} - {"series"}
    errors = {
        name: [_("This field names the fact and cannot be corrected: add a new fact instead.")]
        for name, value in values.items()
        if name in key_fields and _differs(kind, name, value, merged[name])
    }
    if errors:
        raise ValidationError(errors)
    merged.update(values)
    record, personal = validate(kind, merged, actor=actor, action="change")
    identity = _current_identity(row.case_code) if kind == "cases" else None
    # The identity is versioned in the same batch as the case, and follows it if the case
    # moves to another area (who may read it is decided by its area).
    record.update(_identity_values(identity, personal))
    result = services.import_records(
        kind,
        [record],
        actor=actor,
        series_code=row.series.code,
        label=_batch_label(),
        scoped=True,
    )
    if result.batch is None:
        return row
    new = _written(kind, result, unchanged=row)
    if kind == "cases":
        _audit_identity(new.case_code, identity, actor=actor)
    audit.record(
        actor,
        "correct",
        new,
        area=new.area,
        before=audit.snapshot(row),
        after=audit.snapshot(new),
        reason=reason,
    )
    return new


def _differs(kind: str, name: str, value: Any, stored: Any) -> bool:
    """Whether ``value`` (raw) names something else than the stored key value."""
    column = SPECS[kind].column(name)
    if isinstance(stored, dt.date):
        return parse_date(value) != stored
    if column.choices:
        return column.choices.get(fold(str(value).strip())) != stored
    if name == "area":
        text = str(value).strip()
        area = Area.objects.current().filter(code=stored).first()
        return text != stored and (area is None or fold_name(text) != area.folded_name)
    return str(value).strip() != str(stored)
