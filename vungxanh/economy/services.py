"""The only code that writes establishments; every write is audited in its transaction.

``create_establishment`` and ``update_establishment`` take one establishment from a form
or the API; ``check_import`` and ``import_file`` take a file (the "establishments" kind
of the shared import machinery). A file is imported all of it or nothing (unless the
importer asks for the valid rows only), deduplicated by tax code, set-based: one
``bulk_create`` for the new, one ``bulk_update`` for the changed. Importing the same
file again finds every row unchanged and writes nothing, not even an audit entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import area_lookup, can
from vungxanh.areas.models import Area
from vungxanh.audit.services import record, snapshot
from vungxanh.domain.tabular import CellError, Problems, match_header, validate_table
from vungxanh.economy import validation
from vungxanh.economy.models import ESTABLISHMENT, Establishment, EstablishmentImport
from vungxanh.economy.specs import KIND, SPEC
from vungxanh.imports.readers import read_table
from vungxanh.imports.results import ImportCheck, ImportResult
from vungxanh.jobs.services import record_change
from vungxanh.lib.bulk import CHUNK, chunks

Progress = Callable[[float, str], None]
# Stored fields a person's values set (the section follows the VSIC code).
STORED = (*validation.FIELDS, "section")
# Problems the table reader already reports at the cell (tabular.validate_table): the
# establishment's rules are not asked to report them a second time.
REPORTED_BY_TABLE = frozenset(
    {
        "name_required",
        "not_a_kind",
        "too_long",
        "not_a_whole_number",
        "workers_out_of_range",
        "not_a_phone",
        "tax_code_empty",
        "vsic_empty",
    }
)


def _no_progress(fraction: float, phase: str) -> None:
    return None


def _require(actor, action: str, area: Area) -> None:
    if actor is not None and not can(actor, ESTABLISHMENT, action, area):
        raise PermissionDenied(_("You may not register establishments in this ward."))


def _raise(problems: list[validation.Problem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise ValidationError(errors)


def _clean(values: dict[str, Any], ward: Area | None) -> dict[str, Any]:
    cleaned, problems = validation.clean(values)
    ward_problem = validation.ward_problem(ward)
    _raise(problems + ([ward_problem] if ward_problem else []))
    return cleaned


def _taken(tax_code: str, exclude_pk: int | None = None) -> bool:
    others = Establishment.objects.filter(tax_code=tax_code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


@transaction.atomic
def create_establishment(
    *,
    actor,
    ward: Area,
    representative=None,
    simulated: bool = False,
    **values: Any,
) -> Establishment:
    """Register one establishment in ``ward`` (a ward or commune the actor may add in)."""
    _require(actor, "add", ward)
    cleaned = _clean(values, ward)
    if _taken(cleaned["tax_code"]):
        _raise([validation.Problem("tax_code", "tax_code_taken", {"value": cleaned["tax_code"]})])
    establishment = Establishment.objects.create(
        ward=ward, representative=representative, simulated=simulated, **cleaned
    )
    record(actor, "create", establishment, area=ward, after=snapshot(establishment))
    # What the establishment may do follows from its ward's level: the loop works it out.
    record_change("establishments", area_path=ward.path)
    return establishment


@transaction.atomic
def update_establishment(
    establishment: Establishment,
    *,
    actor,
    ward: Area | None = None,
    reason: str = "",
    **values: Any,
) -> Establishment:
    """Change an establishment's values (all of ``validation.FIELDS``), perhaps its ward.

    The actor must be allowed to change establishments both in its current ward and in
    the new one. Saving the same values again changes nothing and records nothing.
    """
    current = Establishment.objects.select_for_update().get(pk=establishment.pk)
    ward = ward or current.ward
    _require(actor, "change", current.ward)
    _require(actor, "change", ward)
    cleaned = _clean(values, ward)
    if _taken(cleaned["tax_code"], exclude_pk=current.pk):
        _raise([validation.Problem("tax_code", "tax_code_taken", {"value": cleaned["tax_code"]})])
    before = snapshot(current)
    cleaned["ward_id"] = ward.pk
    if all(getattr(current, name) == value for name, value in cleaned.items()):
        return current
    for name, value in cleaned.items():
        setattr(current, name, value)
    current.save()
    record(
        actor, "update", current, area=ward, before=before, after=snapshot(current), reason=reason
    )
    record_change("establishments", area_path=ward.path)
    if ward.pk != establishment.ward_id:  # moved: its old ward's list changes too
        record_change("establishments", area_path=establishment.ward.path)
    return current


@transaction.atomic
def set_representative(establishment: Establishment, user, *, actor, reason: str = ""):
    """Let ``user`` (a business account, or None to stop) represent the establishment.

    The representative sees the establishment, its notices and its applications; the actor
    must be allowed to change establishments in its ward.
    """
    current = Establishment.objects.select_for_update().get(pk=establishment.pk)
    _require(actor, "change", current.ward)
    if current.representative_id == (user.pk if user else None):
        return current
    before = {"representative": current.representative_id}
    current.representative = user
    current.save(update_fields=["representative", "updated_at"])
    record(
        actor,
        "update",
        current,
        area=current.ward,
        before=before,
        after={"representative": current.representative_id},
        reason=reason,
    )
    return current


# -- import ------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # stored form, ward_id included


def _row_values(validated, index: int) -> dict[str, Any]:
    return {column.name: validated.columns[column.name][index] for column in SPEC.columns}


def _rows(header, validated, areas: dict[int, Area], problems: Problems) -> tuple[list[_Row], dict]:
    """Check each row by the establishment's rules; return the rows without problems."""
    positions, _errors = match_header(header, SPEC)
    labels = {
        c.name: (str(header[positions[c.name]]).strip() if c.name in positions else c.label_vi)
        for c in SPEC.columns
    }
    labels["section"] = labels["vsic_code"]
    rows: list[_Row] = []
    for index, number in enumerate(validated.row_numbers):
        raw = _row_values(validated, index)
        cleaned, found = validation.clean(raw)
        ward = areas.get(raw["ward"]) if raw["ward"] is not None else None
        ward_problem = validation.ward_problem(ward) if ward is not None else None
        found = [p for p in found if p.code not in REPORTED_BY_TABLE] + (
            [ward_problem] if ward_problem else []
        )
        for problem in found:
            problems.add(CellError(number, labels[problem.field], problem.code, problem.params))
        # A row without its ward has its problem at the cell, or the missing column's.
        if found or number in validated.bad_rows or ward is None:
            continue
        cleaned["ward_id"] = ward.pk
        rows.append(_Row(number, cleaned))
    return rows, labels


def _deduplicated(rows: list[_Row], label: str, problems: Problems) -> list[_Row]:
    """Keep one row per tax code: a repeat with the same values is dropped, one with
    other values is a problem of its row (two establishments cannot share a code)."""
    first: dict[str, _Row] = {}
    for row in rows:
        seen = first.get(row.values["tax_code"])
        if seen is None:
            first[row.values["tax_code"]] = row
        elif seen.values != row.values:
            params = {"first_row": seen.number}
            problems.add(CellError(row.number, label, "conflicting_duplicate", params))
    bad = problems.rows
    return [row for row in first.values() if row.number not in bad]


def _changes(stored: Establishment, values: dict[str, Any], present: set[str]) -> dict[str, Any]:
    """The values of the file that differ from the stored ones (columns of the file only)."""
    return {
        name: value
        for name, value in values.items()
        if (name in present or name == "section") and getattr(stored, name) != value
    }


def _smallest_area(wards: list[Area]) -> Area | None:
    if not wards:
        return None
    prefix = wards[0].path
    for ward in wards[1:]:
        while not ward.path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return Area.objects.filter(path=prefix).first()


def check_import(
    kind: str,
    data: bytes,
    file_name: str,
    *,
    actor,
    valid_only: bool = False,
    progress: Progress = _no_progress,
    **_options: Any,
) -> ImportCheck:
    """Validate a file of establishments and say what importing it would change; write nothing.

    ``records`` holds the new establishments' values, ``to_write`` the changed ones as
    (pk, changes); a tax code stored in a ward the actor may not change is a problem of
    its row that says nothing of where it is.
    """
    if kind != KIND:
        raise ValidationError({"kind": _("Unknown import kind.")})
    progress(0.05, "read")
    table = read_table(data, file_name)
    lookup, areas = area_lookup(actor, ESTABLISHMENT)
    progress(0.2, "validate")
    per_column = settings.VX_IMPORT_PROBLEMS_PER_COLUMN
    validated = validate_table(
        table.header, table.rows, SPEC, lookup, problems_per_column=per_column
    )
    problems = Problems(per_column)
    rows, labels = _rows(table.header, validated, areas, problems)
    rows = _deduplicated(rows, labels["tax_code"], problems)
    check = ImportCheck(
        kind, file_name, hashlib.sha256(data).hexdigest(), len(validated.row_numbers), []
    )
    progress(0.4, "compare")
    present = set(match_header(table.header, SPEC)[0]) if table.header else set()
    _compare(check, rows, present, actor, labels["tax_code"], problems)
    check.errors = table.errors + validated.errors + problems.report()
    check.bad_rows = validated.bad_rows | problems.rows
    if check.errors and not valid_only:
        check.new = check.corrected = check.unchanged = 0
        check.records, check.to_write = [], []
        return check
    # The batch's area covers the wards written to and the wards establishments leave.
    ward_ids = {r["ward_id"] for r in check.records} | check.replaced_area_ids
    ward_ids |= {changes["ward_id"] for _pk, changes in check.to_write if "ward_id" in changes}
    wards = [areas[pk] for pk in ward_ids if pk in areas]
    wards += list(Area.objects.filter(pk__in=list(ward_ids - areas.keys())))
    check.area = _smallest_area(wards)
    return check


def _compare(check: ImportCheck, rows: list[_Row], present, actor, label, problems) -> None:
    """Sort the rows into new, changed and unchanged, against every stored tax code."""
    codes = [row.values["tax_code"] for row in rows]
    stored: dict[str, Establishment] = {}
    writable: set[int] = set()
    may_change = Establishment.objects.for_user(actor, "change") if actor is not None else None
    # In chunks: a file of 100,000 codes would pass the database's limit of parameters.
    for part in chunks(codes):
        found = {e.tax_code: e for e in Establishment.objects.filter(tax_code__in=part)}
        stored |= found
        if may_change is None:
            writable |= {e.pk for e in found.values()}
        elif found:
            writable |= set(
                may_change.filter(pk__in=[e.pk for e in found.values()]).values_list(
                    "pk", flat=True
                )
            )
    present = present | {"ward_id"} if "ward" in present else present
    for row in rows:
        existing = stored.get(row.values["tax_code"])
        if existing is None:
            check.records.append(row.values)
            check.row_numbers.append(row.number)
            check.new += 1
        elif existing.pk not in writable:
            problems.add(CellError(row.number, label, "tax_code_unavailable"))
        else:
            changes = _changes(existing, row.values, present)
            if changes:
                check.to_write.append((existing.pk, changes))
                check.replaced_area_ids.add(existing.ward_id)
                check.corrected += 1
            else:
                check.unchanged += 1


@transaction.atomic
def import_file(
    kind: str,
    data: bytes,
    file_name: str,
    *,
    actor,
    valid_only: bool = False,
    progress: Progress = _no_progress,
    simulated: bool = False,
    **options: Any,
) -> ImportResult:
    """Import the file: every row or, if any is wrong, none (unless ``valid_only``).

    ``simulated`` marks the new establishments as simulated (the demo's register): the
    pages label them so.
    """
    check = check_import(
        kind, data, file_name, actor=actor, valid_only=valid_only, progress=progress, **options
    )
    if (check.errors and not valid_only) or not (check.new or check.corrected):
        return ImportResult(check, None)
    progress(0.6, "write")
    created = Establishment.objects.bulk_create(
        [Establishment(**values, simulated=simulated) for values in check.records],
        batch_size=CHUNK,
    )
    before = _write_changes(check.to_write)
    batch = EstablishmentImport.objects.create(
        file_name=file_name[:255],
        sha256=check.sha256,
        area=check.area,
        actor=actor if actor is not None and actor.pk else None,
        rows=check.rows,
        created=check.new,
        changed=check.corrected,
        unchanged=check.unchanged,
    )
    record(
        actor,
        "import",
        batch,
        area=check.area,
        before=before or None,
        after={
            "file": file_name,
            "new": [e.tax_code for e in created],
            "changed": {str(pk): changes for pk, changes in check.to_write},
        },
    )
    if check.area is not None:
        record_change("establishments", area_path=check.area.path)
    progress(1.0, "done")
    return ImportResult(check, batch)


def _write_changes(to_write: list[tuple[int, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Apply the changes set-based; return the changed fields' previous values by pk."""
    if not to_write:
        return {}
    changes = dict(to_write)
    stored = Establishment.objects.select_for_update().in_bulk(list(changes))
    before: dict[str, dict[str, Any]] = {}
    fields: set[str] = {"updated_at"}
    now = timezone.now()
    for pk, change in changes.items():
        establishment = stored[pk]
        before[str(pk)] = {name: getattr(establishment, name) for name in change}
        for name, value in change.items():
            setattr(establishment, name, value)
        establishment.updated_at = now
        fields |= set(change)
    Establishment.objects.bulk_update(list(stored.values()), sorted(fields), batch_size=CHUNK)
    return before
