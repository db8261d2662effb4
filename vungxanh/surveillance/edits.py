"""Create or correct one surveillance fact: a form or an API call, versioned like an import.

A single edit is a tiny import: its values are checked by the import template's rules
(``vungxanh.domain.tabular``), written by ``services.import_records`` as a batch named
"form" or "api" (so a correction is a new version, the old one is kept, and undo and
history work as for files), and recorded in the audit trail with the values before and
after. Personal identifiers of a case are kept apart, in ``CasePerson``, and never copied
into the trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import can
from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.audit.context import current as audit_context
from vungxanh.domain.areas import fold, fold_name
from vungxanh.domain.tabular import AreaLookup, CellError, parse_date, validate_table
from vungxanh.surveillance import services
from vungxanh.surveillance.models import CasePerson, CaseRecord, Reported
from vungxanh.surveillance.problems import describe
from vungxanh.surveillance.specs import SPECS

KINDS = tuple(SPECS)
KIND_OF = {model: kind for kind, model in services.MODELS.items()}
PERSONAL_FIELDS = services.PERSONAL_FIELDS
# Cross-field rules a single row can break: (part, whole) — the part may not exceed the whole.
NOT_MORE_THAN = {
    "tests": [("positive", "performed")],
    "vaccination": [
        ("adults_one_dose", "adults"),
        ("adults_full", "adults_one_dose"),
        ("aged_50_plus_full", "aged_50_plus"),
        ("aged_65_plus_full", "aged_65_plus"),
    ],
}


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
        return AreaLookup([(area.pk, area.code, area.name)] if allowed else [])
    lookup, _areas = services.area_lookup(actor, model_label)
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
    parsed = {name: validated.columns[name][0] for name in names}
    for part, whole in NOT_MORE_THAN.get(kind, []):
        if parsed[part] is not None and parsed[whole] is not None and parsed[part] > parsed[whole]:
            errors[part] = [
                _("Cannot be more than “%(whole)s” (%(value)s).")
                % {"whole": whole, "value": parsed[whole]}
            ]
    if errors:
        raise ValidationError(errors)
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


def _store_person(
    case_code: str, area_id: int, personal: dict[str, str], batch, *, actor
) -> list[str]:
    """Write the personal values given (others kept); return the names of changed fields."""
    person = CasePerson.objects.filter(case_code=case_code).first()
    if person is None:
        if not any(personal.values()):
            return []
        person = CasePerson(case_code=case_code, area_id=area_id, batch=batch)
    changed = [f for f, v in personal.items() if getattr(person, f) != v]
    if person.area_id != area_id:
        person.area_id = area_id
        changed.append("area")
    if not changed and person.pk:
        return []
    for field, value in personal.items():
        setattr(person, field, value)
    person.save()
    # The names of the fields only: personal values never enter the audit trail.
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


def _written(kind: str, result) -> Reported:
    return services.MODELS[kind].objects.get(batch=result.batch)


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
        message = _("This fact exists already (number %(id)s): correct it instead.")
        raise ValidationError({field: message % {"id": existing.pk}})
    result = services.import_records(
        kind, [record], actor=actor, series_code=series.code, label=_batch_label()
    )
    row = _written(kind, result)
    if kind == "cases" and personal:
        _store_person(row.case_code, row.area_id, personal, result.batch, actor=actor)
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
    result = services.import_records(
        kind, [record], actor=actor, series_code=row.series.code, label=_batch_label()
    )
    new = _written(kind, result) if result.batch is not None else row
    changed_people = []
    # The identity follows its case: who may read it is decided by its area.
    if kind == "cases" and (personal or new.area_id != row.area_id):
        changed_people = _store_person(
            new.case_code, new.area_id, personal, result.batch, actor=actor
        )
    if result.batch is None and not changed_people:
        return row
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
