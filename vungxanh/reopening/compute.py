"""Every establishment's status on every day, as arrays, then as periods (no Django writes).

The status of an establishment depends on its ward (the level in force, the lockdowns) and
its VSIC code (its group in the matrix), and on nothing else but a permit. So the work is
done per distinct (ward, kind) pair — a "combo" — never per establishment, a kind being
the codes that fall in the same group of every matrix (a few dozen, not thousands):

1. per ward and day, the matrix that answers (``matrices.choose`` per rule set and day) and
   the matrix column of the level in force;
2. per matrix, each distinct VSIC code's group, matched once (``activities.group_indices``);
3. per combo and day, a *cell id*: an index into a catalogue of what can be said (unknown,
   suspended by a lockdown, suspended/limited/allowed by a matrix cell, a permit's terms);
4. run-length encoding along the days gives each combo's periods; each establishment takes
   its combo's periods (a repeat by index, not a loop).

A permit (``permit_overrides``) gives one establishment its own combo for the days it covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vungxanh.domain import activities
from vungxanh.domain.activities import ActivityMatrix, Cell, describe_terms
from vungxanh.reopening import matrices as matrix_choice
from vungxanh.reopening.models import Reason, Status
from vungxanh.risk import services as risk_services
from vungxanh.risk.levels_in_force import LevelGrid

UNKNOWN_CELL, LOCKDOWN_CELL = 0, 1


@dataclass(frozen=True)
class Entry:
    """What a period says: status, reason, the cell it comes from and its terms."""

    status: str
    reason: str
    level_rules: str = ""
    level_key: str = ""
    matrix: str = ""
    group: str = ""
    verified: bool = False
    capacity_percent: int | None = None
    max_people: int | None = None
    closing_hour: str = ""
    takeaway_only: bool = False
    conditions_vi: str = ""
    conditions_en: str = ""

    @property
    def terms_vi(self) -> str:
        """The terms as one Vietnamese text (the notice, the CSV)."""
        cell = Cell(
            group=None, level="", status=self.status, verified=self.verified, note="",
            source=None, written_in="", capacity_percent=self.capacity_percent,
            max_people=self.max_people, closing_hour=self.closing_hour,
            takeaway_only=self.takeaway_only,
        )  # fmt: skip
        parts = describe_terms(cell)
        if self.conditions_vi:
            parts.append(self.conditions_vi)
        return "; ".join(parts)


UNKNOWN_ENTRY = Entry(Status.UNKNOWN, Reason.NO_LEVEL)
LOCKDOWN_ENTRY = Entry(Status.SUSPENDED, Reason.LOCKDOWN, verified=True)


def entry_of(matrix: ActivityMatrix, cell: Cell) -> Entry:
    return Entry(
        status=cell.status,
        reason=Reason.LEVEL,
        level_rules=matrix.level_rules,
        level_key=cell.level,
        matrix=matrix.id,
        group=cell.group.key,
        verified=cell.verified,
        capacity_percent=cell.capacity_percent,
        max_people=cell.max_people,
        closing_hour=cell.closing_hour,
        takeaway_only=cell.takeaway_only,
        conditions_vi=cell.conditions_vi,
        conditions_en=cell.conditions_en,
    )


@dataclass(frozen=True)
class PermitOverride:
    """A permit that sets one establishment's status for some days (``end`` None: open)."""

    establishment_id: int
    start: dt.date
    end: dt.date | None
    entry: Entry


@dataclass
class Periods:
    """One row per period: which establishment (index), first and last day offsets
    (``end`` -1: open), the catalogue entry, and the entry of the period before (-1: none)."""

    catalogue: list[Entry]
    establishment: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cell: np.ndarray
    previous: np.ndarray

    def since(self) -> np.ndarray:
        """Per period, the start offset of its status's run (the row where it began)."""
        statuses = np.array([e.status for e in self.catalogue])
        index = np.arange(len(self.cell))
        has_previous = self.previous >= 0
        begins = ~has_previous | (
            statuses[np.where(has_previous, self.previous, 0)] != statuses[self.cell]
        )
        # Rows run by establishment then day, and each establishment's first row begins.
        return self.start[np.maximum.accumulate(np.where(begins, index, 0))]

    def __len__(self) -> int:
        return len(self.establishment)


def matrix_grid(
    grid: LevelGrid, candidates: Sequence[ActivityMatrix], province: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per ward and day: the matrix (index into ``candidates``, -1 none) and the level's
    column in that matrix (-1 when the matrix does not list the level)."""
    records = grid.records
    n_days = grid.days
    chosen = np.full((max(len(records), 1), n_days), -1, dtype=np.int16)
    position = {m.id: i for i, m in enumerate(candidates)}
    for r, record in enumerate(records):
        for d in range(n_days):
            found = matrix_choice.choose(candidates, record.code, grid.day(d), province)
            chosen[r, d] = position[found.id] if found is not None else -1
    by_ward = np.full(grid.ruleset.shape, -1, dtype=np.int16)
    known = grid.ruleset >= 0
    day_index = np.broadcast_to(np.arange(n_days), grid.ruleset.shape)
    by_ward[known] = chosen[grid.ruleset[known], day_index[known]]

    # column[m, r, level index] -> the matrix column of that rule set's level key
    widest = max((len(risk_services.ruleset_of(r).levels) for r in records), default=1)
    column = np.full((max(len(candidates), 1), max(len(records), 1), widest), -1, dtype=np.int16)
    for m, matrix in enumerate(candidates):
        for r, record in enumerate(records):
            for j, level in enumerate(risk_services.ruleset_of(record).levels):
                if level.key in matrix.levels:
                    column[m, r, j] = matrix.levels.index(level.key)
    columns = np.full(grid.ruleset.shape, -1, dtype=np.int16)
    ok = (by_ward >= 0) & (grid.level >= 0)
    columns[ok] = column[by_ward[ok], grid.ruleset[ok], grid.level[ok]]
    return by_ward, columns


def catalogue_of(candidates: Sequence[ActivityMatrix]) -> tuple[list[Entry], np.ndarray]:
    """The catalogue (unknown, lockdown, then every matrix's cells group by group) and
    each matrix's first entry."""
    entries = [UNKNOWN_ENTRY, LOCKDOWN_ENTRY]
    base = np.zeros(max(len(candidates), 1), dtype=np.int32)
    for m, matrix in enumerate(candidates):
        base[m] = len(entries)
        entries += [
            entry_of(matrix, matrix.cells[g, lv]) for g in matrix.groups for lv in matrix.levels
        ]
    return entries, base


def compute(
    grid: LevelGrid,
    candidates: Sequence[ActivityMatrix],
    province: str,
    establishment_wards: np.ndarray,
    establishment_codes: np.ndarray,
    locked: np.ndarray,
    overrides: Sequence[tuple[int, PermitOverride]] = (),
) -> Periods:
    """The periods of every establishment.

    ``establishment_wards``: each establishment's row in ``grid.wards``; ``establishment_codes``
    its VSIC code; ``locked``: ward × day, inside a whole-ward lockdown zone in force;
    ``overrides``: (establishment index, permit) pairs.
    """
    n_days = grid.days
    by_ward, columns = matrix_grid(grid, candidates, province)
    catalogue, base = catalogue_of(candidates)
    widths = np.array([len(m.levels) for m in candidates] or [1], dtype=np.int32)

    codes, code_index = np.unique(np.asarray(establishment_codes, dtype=str), return_inverse=True)
    code_index = code_index.reshape(-1)
    groups = np.full((max(len(candidates), 1), len(codes)), -1, dtype=np.int32)
    for m, matrix in enumerate(candidates):  # each distinct code matched once per matrix
        groups[m] = activities.group_indices(matrix, codes)
    # Codes in the same group of every matrix behave alike: a few dozen "kinds", not
    # thousands of codes, so a combo is (ward, kind).
    kinds, kind_of_code = np.unique(groups.T, axis=0, return_inverse=True)
    groups = kinds.T
    code_index = kind_of_code.reshape(-1)[code_index]

    pairs = np.stack([np.asarray(establishment_wards, dtype=np.int64), code_index], axis=1)
    combos, combo_of = np.unique(pairs.reshape(-1, 2), axis=0, return_inverse=True)
    combo_of = combo_of.reshape(-1)
    ward_k, code_k = combos[:, 0], combos[:, 1]

    matrix_kd = by_ward[ward_k]  # combos × days
    column_kd = columns[ward_k]
    safe_m = np.where(matrix_kd >= 0, matrix_kd, 0)
    group_kd = np.where(matrix_kd >= 0, groups[safe_m, code_k[:, None]], -1)
    valid = (matrix_kd >= 0) & (group_kd >= 0) & (column_kd >= 0)
    cell = np.full(matrix_kd.shape, UNKNOWN_CELL, dtype=np.int32)
    cell[valid] = base[safe_m[valid]] + group_kd[valid] * widths[safe_m[valid]] + column_kd[valid]
    cell[locked[ward_k]] = LOCKDOWN_CELL

    cell, combo_of = _apply_overrides(cell, combo_of, overrides, grid, catalogue)
    return _periods(cell, combo_of, catalogue, n_days)


def _apply_overrides(cell, combo_of, overrides, grid: LevelGrid, catalogue: list[Entry]):
    """Give each establishment with a permit its own combo row, with the permit's days set.

    Only the (few) establishments holding a permit are visited."""
    if not overrides:
        return cell, combo_of
    extra = []
    combo_of = combo_of.copy()
    for index, permit in overrides:
        row = cell[combo_of[index]].copy()
        lo = max((permit.start - grid.first_day).days, 0)
        hi = grid.days if permit.end is None else (permit.end - grid.first_day).days + 1
        catalogue.append(permit.entry)
        row[lo : max(lo, hi)] = len(catalogue) - 1
        combo_of[index] = len(cell) + len(extra)
        extra.append(row)
    return np.vstack([cell, np.array(extra, dtype=cell.dtype)]), combo_of


def _periods(cell: np.ndarray, combo_of: np.ndarray, catalogue, n_days: int) -> Periods:
    """Run-length encode each combo's days, then hand each establishment its combo's runs."""
    n_combos = cell.shape[0]
    starts_mask = np.ones(cell.shape, dtype=bool)
    starts_mask[:, 1:] = cell[:, 1:] != cell[:, :-1]
    run_combo, run_start = np.nonzero(starts_mask)  # row-major: by combo, then by day
    run_cell = cell[run_combo, run_start]
    # A run ends the day before the next run of the same combo; the last run is open.
    last_of_combo = np.ones(len(run_combo), dtype=bool)
    last_of_combo[:-1] = run_combo[1:] != run_combo[:-1]
    run_end = np.full(len(run_combo), -1, dtype=np.int64)
    run_end[~last_of_combo] = run_start[1:][~last_of_combo[:-1]] - 1
    run_previous = np.full(len(run_combo), -1, dtype=np.int64)
    first_of_combo = np.ones(len(run_combo), dtype=bool)
    first_of_combo[1:] = run_combo[1:] != run_combo[:-1]
    run_previous[1:][~first_of_combo[1:]] = run_cell[:-1][~first_of_combo[1:]]

    counts = np.bincount(run_combo, minlength=n_combos)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_establishment = counts[combo_of]
    establishment = np.repeat(np.arange(len(combo_of)), per_establishment)
    # Position of each output row within its establishment's runs: 0, 1, … per establishment.
    first_row = np.concatenate([[0], np.cumsum(per_establishment)[:-1]])
    within = np.arange(len(establishment)) - np.repeat(first_row, per_establishment)
    run = np.repeat(offsets[combo_of], per_establishment) + within
    return Periods(
        catalogue=catalogue,
        establishment=establishment,
        start=run_start[run],
        end=run_end[run],
        cell=run_cell[run],
        previous=run_previous[run],
    )
