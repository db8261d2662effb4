"""The only code that writes surveillance data. Imports are all-or-nothing and versioned.

``check_import`` validates a file and says what it would change; ``import_file`` writes
it in one transaction (or nothing); ``undo_import`` removes a batch and brings back the
versions it replaced. Importing the same file twice changes nothing the second time.

Writes are scoped like reads: a row of a file is matched against the stored rows of the
areas the actor may change, never elsewhere (see ``_existing_versions``). A case's
identity (``CasePerson``) is versioned with the case: a correction supersedes it, an undo
brings it back, nothing deletes it but the undo of the import that created it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import (
    UNRESTRICTED,
    Unrestricted,
    allowed_paths,
    area_lookup,
    can,
)
from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.audit.context import current as audit_context
from vungxanh.domain.tabular import CellError, Validated, validate_table
from vungxanh.imports.problems import describe
from vungxanh.imports.readers import Table, read_table
from vungxanh.imports.results import ImportCheck, ImportResult
from vungxanh.jobs.services import record_change
from vungxanh.lib.bulk import chunks, insert_rows
from vungxanh.surveillance.models import (
    CareCapacity,
    CasePerson,
    CaseRecord,
    DailyCount,
    ImportBatch,
    Reported,
    Series,
    TestCount,
    VaccinationCoverage,
)
from vungxanh.surveillance.specs import SPECS

REPORTED_SERIES = "reported"
MODELS: dict[str, type[Reported]] = {
    "cases": CaseRecord,
    "daily": DailyCount,
    "tests": TestCount,
    "vaccination": VaccinationCoverage,
    "capacity": CareCapacity,
}
PERSONAL_FIELDS = CasePerson.FIELDS
Progress = Callable[[float, str], None]
# The problem reported for a row whose key is stored in an area the actor may not change.
UNAVAILABLE = {CaseRecord: "case_code_unavailable"}
FIGURES_UNAVAILABLE = "figures_unavailable"


def _no_progress(fraction: float, phase: str) -> None:
    return None


def get_series(code: str = REPORTED_SERIES) -> Series:
    """Return a series; the standard ones are created by a migration (0002_standard_series)."""
    try:
        return Series.objects.get(code=code)
    except Series.DoesNotExist as exc:
        raise ValidationError({"series": _("Unknown series “%(code)s”.") % {"code": code}}) from exc


def _common_ancestor(areas: list[Area]) -> Area | None:
    if not areas:
        return None
    prefix = areas[0].path
    for area in areas[1:]:
        while not area.path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return Area.objects.current().filter(path=prefix).first() or Area.objects.get(path=prefix)


def _defaults(kind: str) -> dict[str, Any]:
    """The value each field is stored with when the file leaves it empty."""
    model = MODELS[kind]
    defaults: dict[str, Any] = {"zone_ref": "", "source": ""}
    for name in model.VALUE_FIELDS:
        if name == "area_id":
            continue
        default = model._meta.get_field(name).default
        if default is not models.NOT_PROVIDED:
            defaults[name] = default
    return defaults


def _records(kind: str, validated: Validated, indexes: Sequence[int]) -> list[dict[str, Any]]:
    """Return one dict per valid row (model field names; area -> area_id), defaults filled.

    Built column by column: filling defaults per column and zipping the columns costs a
    fraction of a per-row loop on a million rows.
    """
    spec = SPECS[kind]
    defaults = _defaults(kind)
    fields, columns = [], []
    every_row = len(indexes) == len(validated.row_numbers)
    for column in spec.columns:
        values = validated.columns[column.name]
        if not every_row:
            values = [values[i] for i in indexes]
        if column.name in defaults:
            fallback = defaults[column.name]
            values = [fallback if v is None else v for v in values]
        fields.append("area_id" if column.name == "area" else column.name)
        columns.append(values)
    return [dict(zip(fields, row, strict=True)) for row in zip(*columns, strict=True)]


def _normalise(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults in a record a loader built itself (see ``_records`` for files)."""
    for name, default in _defaults(kind).items():
        if record.get(name) is None and (name in record or name in MODELS[kind].VALUE_FIELDS):
            record[name] = default
    return record


def _key(model: type[Reported], record: dict[str, Any], series_id: int) -> tuple:
    return tuple(series_id if f == "series_id" else record[f] for f in model.NATURAL_KEY)


class _Stored(NamedTuple):
    """The current version a record may replace."""

    pk: int
    area_id: int
    values: tuple


def _may_change(actor, model: type[models.Model]) -> Callable[[str], bool]:
    """Return whether ``actor`` may change stored rows of ``model`` in the area at a path."""
    paths = (
        allowed_paths(actor, model._meta.label_lower, "change")
        if actor is not None
        else UNRESTRICTED
    )
    if isinstance(paths, Unrestricted):
        return lambda path: True
    prefixes = tuple(paths)
    return lambda path: path.startswith(prefixes)


def _existing_versions(
    model: type[Reported],
    series: Series,
    records: list[dict[str, Any]],
    may_change: Callable[[str], bool],
) -> tuple[dict[tuple, _Stored], set[tuple]]:
    """Return the current versions the records may replace, and the keys stored elsewhere.

    A stored row is matched only in the areas the actor may change; the natural keys found
    in other areas are returned apart, to be refused (a case code is unique across areas).
    """
    values = ["id", "area__path", "area_id", *model.NATURAL_KEY, *model.VALUE_FIELDS]
    current = model.objects.current()
    if model is CaseRecord and current.count() <= 2 * len(records):
        # Fewer stored cases than twice the file: one scan beats a thousand IN lists.
        codes = {r["case_code"] for r in records}
        stored = current.values_list(*values).iterator(chunk_size=20000)
        row_sets = [(row for row in stored if row[3] in codes)]
    elif model is CaseRecord:
        codes = [r["case_code"] for r in records]
        row_sets = (current.filter(case_code__in=c).values_list(*values) for c in chunks(codes))
    else:
        area_ids = sorted({r["area_id"] for r in records})
        dates = [r["date"] for r in records]
        base = current.filter(series=series, date__gte=min(dates), date__lte=max(dates))
        row_sets = (base.filter(area_id__in=c).values_list(*values) for c in chunks(area_ids, 900))
    n_key = len(model.NATURAL_KEY)
    found: dict[tuple, _Stored] = {}
    elsewhere: set[tuple] = set()
    for rows in row_sets:
        for row in rows:
            key = tuple(row[3 : 3 + n_key])
            if may_change(row[1]):
                found[key] = _Stored(row[0], row[2], tuple(row[3 + n_key :]))
            else:
                elsewhere.add(key)
    return found, elsewhere


def _current_identities(
    records: list[dict[str, Any]], stored: dict[tuple, _Stored]
) -> dict[str, CasePerson]:
    """Return the current identities a record may replace: of stored cases, or given ones."""
    codes = [
        r["case_code"]
        for r in records
        if (r["case_code"],) in stored or any(r.get(f) for f in PERSONAL_FIELDS)
    ]
    found: dict[str, CasePerson] = {}
    for chunk in chunks(codes):
        rows = CasePerson.objects.current().filter(case_code__in=chunk).select_related("area")
        found.update(
            (p.case_code, p) for p in rows.only("area__path", *PERSONAL_FIELDS, "case_code")
        )
    return found


def _unwritable_keys(
    model: type[Reported],
    elsewhere: set[tuple],
    stored: dict[tuple, _Stored],
    identities: dict[str, CasePerson],
    may_change: Callable[[str], bool],
) -> set[tuple]:
    """Return the keys a record may not use: stored in an area the actor may not change.

    An identity left without its case (kept by an older version of this system) counts
    as the case: its code is another area's.
    """
    if model is not CaseRecord:
        return elsewhere
    orphans = {
        (code,)
        for code, person in identities.items()
        if (code,) not in stored and not may_change(person.area.path)
    }
    return elsewhere | orphans


def _refuse_unwritable(
    check: ImportCheck, model: type[Reported], series: Series, keys: set[tuple]
) -> None:
    """Report each record whose key is another area's, and leave it out of ``check``.

    Why this answer: a case code names one case in the whole country, so a code stored in
    an area the actor may not change can neither be corrected (that would take the case
    over, and its identity with it) nor created again (two current cases with one code).
    The row is refused with a message that says only that this code cannot be used: not
    where the case is, not its internal id, not its dates, not whether it is current. The
    refusal is the same whatever area holds the code, and a dry run gives the same answer
    as the import, so a preview reveals no more than an import attempt would.
    """
    if not keys:
        return
    spec = SPECS[check.kind]
    column = spec.column(spec.key[0]).label_vi
    problem = UNAVAILABLE.get(model, FIGURES_UNAVAILABLE)
    kept, kept_rows = [], []
    for record, row in zip(check.records, check.row_numbers, strict=True):
        if _key(model, record, series.pk) in keys:
            check.errors.append(CellError(row, column, problem))
        else:
            kept.append(record)
            kept_rows.append(row)
    check.records, check.row_numbers = kept, kept_rows


def _identity_version(record: dict[str, Any], current: CasePerson | None) -> dict | None:
    """Return the identity version ``record`` makes, or None if it changes nothing.

    A row that gives any personal value states the whole identity (an empty cell empties
    that field); a row that gives none keeps the identity, which follows its case if the
    case moves to another area (who may read it is decided by its area).
    """
    if any(record.get(f) for f in PERSONAL_FIELDS):
        values = {f: record.get(f) or "" for f in PERSONAL_FIELDS}
    elif current is not None:
        values = {f: getattr(current, f) for f in PERSONAL_FIELDS}
    else:
        return None
    same_area = current is not None and current.area_id == record["area_id"]
    if same_area and all(getattr(current, f) == v for f, v in values.items()):
        return None
    return {"case_code": record["case_code"], "area_id": record["area_id"], **values}


def _classify(
    check: ImportCheck,
    model: type[Reported],
    series: Series,
    existing: dict[tuple, _Stored],
    identities: dict[str, CasePerson],
) -> None:
    """Sort the records into new facts, corrections of a stored fact, and repeats.

    A case whose facts are unchanged but whose identity changes is a correction too: its
    new identity version is written (and undoable) in the batch, the facts are not.
    """
    for record in check.records:
        stored = existing.get(_key(model, record, series.pk))
        current = identities.get(record["case_code"]) if model is CaseRecord else None
        identity = _identity_version(record, current) if model is CaseRecord else None
        if stored is None:
            check.new += 1
            check.to_write.append(record)
        elif stored.values != tuple(record[f] for f in model.VALUE_FIELDS):
            check.corrected += 1
            check.to_supersede.append(stored.pk)
            check.replaced_area_ids.add(stored.area_id)
            check.to_write.append(record)
        elif identity is not None:
            check.corrected += 1
        else:
            check.unchanged += 1
        if identity is not None:
            check.identities.append(identity)
            if current is not None:
                check.identities_to_supersede.append(current.pk)
                check.replaced_area_ids.add(current.area_id)


class _Match(NamedTuple):
    """What the records of a file meet among the stored rows."""

    existing: dict[tuple, _Stored]  # the current versions the actor may replace
    identities: dict[str, CasePerson]  # the current identities of those cases
    unusable: set[tuple]  # keys stored in areas the actor may not change


def _match(records: list[dict[str, Any]], model: type[Reported], series: Series, actor) -> _Match:
    if not records:
        return _Match({}, {}, set())
    may_change = _may_change(actor, model)
    existing, elsewhere = _existing_versions(model, series, records, may_change)
    identities = _current_identities(records, existing) if model is CaseRecord else {}
    unusable = _unwritable_keys(model, elsewhere, existing, identities, may_change)
    return _Match(existing, identities, unusable)


def _smallest_area(area_ids: set[int], known: dict[int, Area]) -> Area | None:
    """Return the smallest area containing every area of ``area_ids``."""
    areas = [known[pk] for pk in area_ids if pk in known]
    missing = area_ids - known.keys()
    if missing:
        areas += list(Area.objects.filter(pk__in=missing).only("id", "path"))
    return _common_ancestor(areas)


def check_import(
    kind: str,
    data: bytes,
    file_name: str,
    *,
    actor,
    series_code: str = REPORTED_SERIES,
    valid_only: bool = False,
    progress: Progress = _no_progress,
) -> ImportCheck:
    """Validate ``data`` and say what importing it would change; write nothing."""
    if kind not in SPECS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    model = MODELS[kind]
    sha256 = hashlib.sha256(data).hexdigest()
    progress(0.05, "read")
    table: Table = read_table(data, file_name)
    lookup, areas = area_lookup(actor, model._meta.label_lower)
    progress(0.2, "validate")
    validated = validate_table(
        table.header,
        table.rows,
        SPECS[kind],
        lookup,
        problems_per_column=settings.VX_IMPORT_PROBLEMS_PER_COLUMN,
    )
    errors = table.errors + validated.errors
    check = ImportCheck(kind, file_name, sha256, len(validated.row_numbers), errors)
    check.bad_rows = validated.bad_rows
    if errors and not valid_only:
        return check
    indexes = validated.valid_indexes()
    check.records = _records(kind, validated, indexes)
    check.row_numbers = [validated.row_numbers[i] for i in indexes]
    progress(0.4, "compare")
    series = get_series(series_code)
    match = _match(check.records, model, series, actor)
    _refuse_unwritable(check, model, series, match.unusable)
    if check.errors and not valid_only:
        return check
    _classify(check, model, series, match.existing, match.identities)
    check.area = _smallest_area(
        {r["area_id"] for r in check.records} | check.replaced_area_ids, areas
    )
    return check


def _db_datetime(moment: dt.datetime) -> Any:
    return models.DateTimeField().get_db_prep_value(moment, connection)


@transaction.atomic
def import_file(
    kind: str,
    data: bytes,
    file_name: str,
    *,
    actor,
    series_code: str = REPORTED_SERIES,
    valid_only: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Import the file: every row or, if any is wrong, none (unless ``valid_only``)."""
    check = check_import(
        kind,
        data,
        file_name,
        actor=actor,
        series_code=series_code,
        valid_only=valid_only,
        progress=progress,
    )
    if (check.errors and not valid_only) or not (check.new or check.corrected):
        return ImportResult(check, None)
    series = get_series(series_code)
    batch = store_versions(MODELS[kind], series, check, actor=actor, progress=progress)
    _recompute(check, batch)
    progress(1.0, "done")
    return ImportResult(check, batch)


# Batches written by one edit or correction (``services_edits``), not by a file.
EDIT_LABELS = {"form", "api"}


def _recompute(check: ImportCheck, batch: ImportBatch) -> None:
    """Tell the loop what the batch changed (nothing if it corrected identities only)."""
    if not check.to_write:
        return
    _announce(batch, "edit" if batch.file_name in EDIT_LABELS else "import")


def _announce(batch: ImportBatch, what: str) -> None:
    """Write the outbox rows of a batch's change, in its transaction (see vungxanh.loop).

    The loop recomputes indicators, Rt and levels of the provinces the batch touched: the
    batch's own area and, for cases, the areas of the versions it replaced (a correction
    may move a case to another province).
    """
    paths = {batch.area.path}
    if batch.kind == "cases":
        moved = CaseRecord.objects.filter(superseded_by=batch).values_list("area__path", flat=True)
        paths |= set(moved.distinct())
    for path in sorted(paths):
        record_change(what, area_path=path, series_code=batch.series.code)


@transaction.atomic
def import_records(
    kind: str,
    records: list[dict[str, Any]],
    *,
    actor,
    series_code: str,
    label: str,
    source: str = "",
    progress: Progress = _no_progress,
    scoped: bool = False,
) -> ImportResult:
    """Import records a loader built itself (model field names, ``area_id`` resolved).

    For trusted loaders such as ``vungxanh import ncsc``: the records are not read from a
    user's file, but they are versioned, batched and audited exactly like a file import,
    and loading the same records again changes nothing. A case record may carry the
    personal fields of its identity.

    With ``scoped`` (a user's edit), stored rows are matched only in the areas ``actor``
    may change, and a key stored elsewhere is refused, as in a file import.
    """
    model = MODELS[kind]
    digest = hashlib.sha256(repr(sorted(map(sorted, (r.items() for r in records)))).encode())
    check = ImportCheck(kind, label, digest.hexdigest(), len(records), [])
    check.records = [_normalise(kind, dict(r)) for r in records]
    series = get_series(series_code)
    match = _match(check.records, model, series, actor if scoped else None)
    if match.unusable:
        spec = SPECS[kind]
        problem = UNAVAILABLE.get(model, FIGURES_UNAVAILABLE)
        raise ValidationError({spec.key[0]: describe(CellError(None, "", problem))})
    _classify(check, model, series, match.existing, match.identities)
    check.area = _smallest_area({r["area_id"] for r in check.records} | check.replaced_area_ids, {})
    if not (check.new or check.corrected):
        return ImportResult(check, None)
    batch = store_versions(model, series, check, actor=actor, progress=progress, source=source)
    _recompute(check, batch)
    return ImportResult(check, batch)


def store_versions(
    model: type[Reported],
    series: Series,
    check: ImportCheck,
    *,
    actor,
    progress: Progress = _no_progress,
    source: str = "",
) -> ImportBatch:
    """Write the new and corrected records of ``check`` as versions of one batch.

    Every record's area was resolved among the areas the actor may add data to (see
    ``area_lookup``), so the rows need no further permission check here.
    """
    now = timezone.now()
    batch = ImportBatch.objects.create(
        kind=check.kind,
        file_name=check.file_name[:255],
        file_sha256=check.sha256,
        area=check.area,
        series=series,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        source=audit_context().source,
        rows_total=check.rows,
        rows_created=check.new,
        rows_corrected=check.corrected,
        rows_unchanged=check.unchanged,
        rows_rejected=check.rejected_rows,
    )
    for chunk in chunks(check.to_supersede):
        model.objects.filter(pk__in=chunk).update(superseded_at=now, superseded_by=batch)
    progress(0.6, "write")
    facts = [
        f for f in dict.fromkeys((*model.NATURAL_KEY, *model.VALUE_FIELDS)) if f != "series_id"
    ]
    stamp = now if connection.vendor == "postgresql" else _db_datetime(now)
    fixed = (series.pk, batch.pk, stamp)
    rows = (
        (*fixed, record.get("source") or source, *(record[f] for f in facts))
        for record in check.to_write
    )
    insert_rows(model, ["series_id", "batch_id", "recorded_at", "source", *facts], rows)
    summary = {
        "kind": check.kind,
        "file": check.file_name,
        "sha256": check.sha256,
        "new": check.new,
        "corrected": check.corrected,
        "unchanged": check.unchanged,
        "rejected_rows": check.rejected_rows,
        "series": series.code,
    }
    if model is CaseRecord:
        _store_identities(check, batch, now)
        # How many identity versions, never their values.
        summary["identities"] = len(check.identities)
    audit.record(actor, "import", batch, area=check.area, after=summary)
    return batch


def _store_identities(check: ImportCheck, batch: ImportBatch, now: dt.datetime) -> None:
    """Supersede the identities ``check`` replaces and add its new versions (set-based)."""
    for chunk in chunks(check.identities_to_supersede):
        CasePerson.objects.filter(pk__in=chunk).update(superseded_at=now, superseded_by=batch)
    CasePerson.objects.bulk_create(
        [CasePerson(batch=batch, recorded_at=now, **identity) for identity in check.identities],
        batch_size=2000,
    )


def _may_undo(actor, model: type[Reported], batch: ImportBatch) -> bool:
    """Whether ``actor`` may undo ``batch``: in its area and every area it restores.

    The batch's area covers the versions it replaced (see ``check_import``), but batches
    stored before that rule may not: the areas brought back are checked one by one.
    """
    label = model._meta.label_lower
    if actor is None:
        return True
    if not can(actor, label, "delete", batch.area):
        return False
    restored = set(
        model.objects.filter(superseded_by=batch).values_list("area_id", flat=True).distinct()
    )
    if model is CaseRecord:
        restored |= set(
            CasePerson.objects.filter(superseded_by=batch)
            .values_list("area_id", flat=True)
            .distinct()
        )
    restored.discard(batch.area_id)
    return all(can(actor, label, "delete", area) for area in Area.objects.filter(pk__in=restored))


@transaction.atomic
def undo_import(batch: ImportBatch, *, actor, reason: str = "") -> ImportBatch:
    """Remove every row the batch added and bring back the versions it replaced.

    A case's identity too: the versions of the batch are removed and the ones they
    replaced become current again, so undoing a correction never loses an identity.
    """
    model = MODELS.get(batch.kind, DailyCount)
    if not _may_undo(actor, model, batch):
        raise PermissionDenied(_("You may not undo this import."))
    if batch.status == ImportBatch.Status.UNDONE:
        return batch
    before = audit.snapshot(batch, fields=["status", "undone_at"])
    later = ImportBatch.objects.filter(
        kind=batch.kind, status=ImportBatch.Status.COMMITTED, pk__gt=batch.pk
    )
    if model is not CaseRecord:
        # A case code names one case whatever the series: any later case batch may count.
        later = later.filter(series=batch.series)
    versioned = [model, CasePerson] if model is CaseRecord else [model]
    if any(m.objects.filter(batch=batch, superseded_by__in=later).exists() for m in versioned):
        raise ValidationError(
            {"batch": _("A later import corrected rows of this one: undo that import first.")}
        )
    for versions in versioned:
        versions.objects.filter(batch=batch).delete()
        versions.objects.filter(superseded_by=batch).update(superseded_at=None, superseded_by=None)
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_at = timezone.now()
    batch.save(update_fields=["status", "undone_at"])
    audit.record(
        actor,
        "undo",
        batch,
        area=batch.area,
        before=before,
        after=audit.snapshot(batch, fields=["status", "undone_at"]),
        reason=reason,
    )
    _announce(batch, "undo")
    return batch
