"""What checking or importing a file found and did: the same for every kind of import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vungxanh.domain.tabular import CellError


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
    area: Any = None  # the smallest area covering the rows
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)
    # The spreadsheet row of each record (empty for records a loader built).
    row_numbers: list[int] = field(default_factory=list, repr=False)
    to_write: list[dict[str, Any]] = field(default_factory=list, repr=False)
    to_supersede: list[int] = field(default_factory=list, repr=False)
    # New identity versions of cases, and the current ones they supersede.
    identities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    identities_to_supersede: list[int] = field(default_factory=list, repr=False)
    # The areas of the versions replaced: the batch's area must cover them too, so that
    # whoever may undo it may write every area the undo brings a version back to.
    replaced_area_ids: set[int] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    # Every row with a problem, also those beyond the problems listed (see tabular.Problems).
    bad_rows: set[int] = field(default_factory=set, repr=False)

    @property
    def rejected_rows(self) -> int:
        listed = {e.row for e in self.errors if e.row is not None}
        return len({row for row in listed | self.bad_rows if row > 1})


@dataclass(frozen=True)
class ImportResult:
    check: ImportCheck
    batch: Any  # the stored batch, or None if nothing was written

    @property
    def written(self) -> bool:
        return self.batch is not None
