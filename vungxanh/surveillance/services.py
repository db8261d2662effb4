"""The only code that writes surveillance data. Imports are all-or-nothing and versioned.

``check_import`` validates a file and says what it would change; ``import_file`` writes
it in one transaction (or nothing); ``undo_import`` removes a batch and brings back the
versions it replaced. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.scoping import UNRESTRICTED, Unrestricted, allowed_paths, can
from vungxanh.areas.models import Area
from vungxanh.audit import services as audit
from vungxanh.audit.context import current as audit_context
from vungxanh.domain.tabular import AreaLookup, CellError, Validated, validate_table
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
from vungxanh.surveillance.readers import Table, read_table
from vungxanh.surveillance.specs import SPECS

REPORTED_SERIES = "reported"
MODELS: dict[str, type[Reported]] = {
    "cases": CaseRecord,
    "daily": DailyCount,
    "tests": TestCount,
    "vaccination": VaccinationCoverage,
    "capacity": CareCapacity,
}
PERSONAL_FIELDS = ("full_name", "phone", "id_number", "address")
Progress = Callable[[float, str], None]


def _no_progress(fraction: float, phase: str) -> None:
    return None


@dataclass
class ImportCheck:
    """What a file holds and what importing it would do."""

    kind: str
    file_name: str
    sha256: str
    rows: int
    errors: list[CellError]
    new: int = 0
    corrected: int = 0
    unchanged: int = 0
    area: Area | None = None
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)
    to_write: list[dict[str, Any]] = field(default_factory=list, repr=False)
    to_supersede: list[int] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None and e.row > 1})


@dataclass(frozen=True)
class ImportResult:
    check: ImportCheck
    batch: ImportBatch | None

    @property
    def written(self) -> bool:
        return self.batch is not None


def get_series(code: str = REPORTED_SERIES) -> Series:
    """Return a series; the standard ones are created by a migration (0002_standard_series)."""
    try:
        return Series.objects.get(code=code)
    except Series.DoesNotExist as exc:
        raise ValidationError({"series": _("Unknown series “%(code)s”.") % {"code": code}}) from exc


def area_lookup(actor, model_label: str) -> tuple[AreaLookup, dict[int, Area]]:
    """Return the areas ``actor`` may add data to, as a lookup by code or name."""
    paths = allowed_paths(actor, model_label, "add") if actor is not None else UNRESTRICTED
    areas = Area.objects.current()
    if not isinstance(paths, Unrestricted):
        if not paths:
            return AreaLookup([]), {}
        areas = areas.filter(
            models.Q(*[models.Q(path__startswith=p) for p in paths], _connector=models.Q.OR)
        )
    rows = list(areas.only("id", "code", "name", "path", "parent_id", "kind"))
    return AreaLookup((a.pk, a.code, a.name) for a in rows), {a.pk: a for a in rows}


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


def _existing_versions(
    model: type[Reported], series: Series, records: list[dict[str, Any]]
) -> dict[tuple, tuple[int, tuple]]:
    """Return natural key -> (id, values) of the current versions the records may replace."""
    values = ["id", *model.NATURAL_KEY, *model.VALUE_FIELDS]
    current = model.objects.current()
    if model is CaseRecord and current.count() <= 2 * len(records):
        # Fewer stored cases than twice the file: one scan beats a thousand IN lists.
        codes = {r["case_code"] for r in records}
        stored = current.values_list(*values).iterator(chunk_size=20000)
        row_sets = [(row for row in stored if row[1] in codes)]
    elif model is CaseRecord:
        codes = [r["case_code"] for r in records]
        row_sets = (current.filter(case_code__in=c).values_list(*values) for c in chunks(codes))
    else:
        area_ids = sorted({r["area_id"] for r in records})
        dates = [r["date"] for r in records]
        base = current.filter(series=series, date__gte=min(dates), date__lte=max(dates))
        row_sets = (base.filter(area_id__in=c).values_list(*values) for c in chunks(area_ids, 900))
    n_key = len(model.NATURAL_KEY)
    found: dict[tuple, tuple[int, tuple]] = {}
    for rows in row_sets:
        for row in rows:
            found[tuple(row[1 : 1 + n_key])] = (row[0], tuple(row[1 + n_key :]))
    return found


def _classify(check: ImportCheck, model: type[Reported], series: Series) -> None:
    """Sort the records into new facts, corrections of a stored fact, and repeats."""
    existing = _existing_versions(model, series, check.records) if check.records else {}
    for record in check.records:
        stored = existing.get(_key(model, record, series.pk))
        if stored is None:
            check.new += 1
        elif stored[1] == tuple(record[f] for f in model.VALUE_FIELDS):
            check.unchanged += 1
            continue
        else:
            check.corrected += 1
            check.to_supersede.append(stored[0])
        check.to_write.append(record)


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
    validated = validate_table(table.header, table.rows, SPECS[kind], lookup)
    errors = table.errors + validated.errors
    check = ImportCheck(kind, file_name, sha256, len(validated.row_numbers), errors)
    if errors and not valid_only:
        return check
    check.records = _records(kind, validated, validated.valid_indexes())
    check.area = _common_ancestor(
        list({areas[r["area_id"]].pk: areas[r["area_id"]] for r in check.records}.values())
    )
    progress(0.4, "compare")
    _classify(check, model, get_series(series_code))
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
    if kind == "cases":
        _store_personal(check.records, batch)
    from vungxanh.surveillance.indicators import recompute_after  # local: no import cycle

    recompute_after(batch)
    progress(1.0, "done")
    return ImportResult(check, batch)


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
) -> ImportResult:
    """Import records a loader built itself (model field names, ``area_id`` resolved).

    For trusted loaders such as ``vungxanh import ncsc``: the records are not read from a
    user's file, but they are versioned, batched and audited exactly like a file import,
    and loading the same records again changes nothing.
    """
    model = MODELS[kind]
    digest = hashlib.sha256(repr(sorted(map(sorted, (r.items() for r in records)))).encode())
    check = ImportCheck(kind, label, digest.hexdigest(), len(records), [])
    check.records = [_normalise(kind, dict(r)) for r in records]
    area_ids = {r["area_id"] for r in check.records}
    check.area = _common_ancestor(list(Area.objects.filter(pk__in=area_ids)))
    series = get_series(series_code)
    _classify(check, model, series)
    if not (check.new or check.corrected):
        return ImportResult(check, None)
    batch = store_versions(model, series, check, actor=actor, progress=progress, source=source)
    from vungxanh.surveillance.indicators import recompute_after  # local: no import cycle

    recompute_after(batch)
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
    audit.record(
        actor,
        "import",
        batch,
        area=check.area,
        after={
            "kind": check.kind,
            "file": check.file_name,
            "sha256": check.sha256,
            "new": check.new,
            "corrected": check.corrected,
            "unchanged": check.unchanged,
            "rejected_rows": check.rejected_rows,
            "series": series.code,
        },
    )
    return batch


def _store_personal(records: list[dict[str, Any]], batch: ImportBatch) -> None:
    """Keep personal identifiers apart from the analytic record (set-based)."""
    people = [r for r in records if any(r.get(f) for f in PERSONAL_FIELDS)]
    if not people:
        return
    codes = [r["case_code"] for r in people]
    for chunk in chunks(codes):
        CasePerson.objects.filter(case_code__in=chunk).delete()
    CasePerson.objects.bulk_create(
        [
            CasePerson(
                case_code=r["case_code"],
                area_id=r["area_id"],
                batch=batch,
                **{f: r.get(f) or "" for f in PERSONAL_FIELDS},
            )
            for r in people
        ],
        batch_size=2000,
    )


@transaction.atomic
def undo_import(batch: ImportBatch, *, actor, reason: str = "") -> ImportBatch:
    """Remove every row the batch added and bring back the versions it replaced."""
    model = MODELS.get(batch.kind, DailyCount)
    if actor is not None and not can(actor, model._meta.label_lower, "delete", batch.area):
        raise PermissionDenied(_("You may not undo this import."))
    if batch.status == ImportBatch.Status.UNDONE:
        return batch
    before = audit.snapshot(batch, fields=["status", "undone_at"])
    later = ImportBatch.objects.filter(
        kind=batch.kind, series=batch.series, status=ImportBatch.Status.COMMITTED, pk__gt=batch.pk
    )
    if model.objects.filter(batch=batch, superseded_by__in=later).exists():
        raise ValidationError(
            {"batch": _("A later import corrected rows of this one: undo that import first.")}
        )
    if batch.kind == "cases":
        CasePerson.objects.filter(batch=batch).delete()
    model.objects.filter(batch=batch).delete()
    model.objects.filter(superseded_by=batch).update(superseded_at=None, superseded_by=None)
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
    from vungxanh.surveillance.indicators import recompute_after  # local: no import cycle

    recompute_after(batch)
    return batch
