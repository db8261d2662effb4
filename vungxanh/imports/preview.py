"""What checking a file found, as its preview page shows it, and what an import did.

Plain values only: a check run as a job keeps its preview in the job's outcome (JSON), and
the preview page is rendered from there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

from vungxanh.domain.tabular import MORE_PROBLEMS, CellError, count_problems

SHOWN_PROBLEMS = 2_000  # listed on a preview page; the command line and the API list more


def plain_problems(errors: list[CellError]) -> list[list]:
    """Return the problems as JSON values: [row, column, code, params] each."""
    values = [[e.row, e.column, e.code, e.params] for e in errors]
    return json.loads(json.dumps(values, default=str))


def problems_of(values: list[list]) -> list[CellError]:
    return [CellError(*value) for value in values]


@dataclass
class Preview:
    """What checking a file found, as its preview page shows it."""

    kind: str
    file_name: str
    sha256: str
    valid_only: bool
    rows: int
    new: int
    corrected: int
    unchanged: int
    area_name: str
    problem_count: int  # every problem, also those not listed
    rejected_rows: int
    problems: list[CellError]  # the first SHOWN_PROBLEMS listed, then the columns' counts
    hidden_problems: int  # listed by the check but beyond SHOWN_PROBLEMS

    @classmethod
    def of(cls, check, valid_only: bool) -> Preview:
        listed = [e for e in check.errors if e.code != MORE_PROBLEMS]
        counted = [e for e in check.errors if e.code == MORE_PROBLEMS]
        return cls(
            kind=check.kind,
            file_name=check.file_name,
            sha256=check.sha256,
            valid_only=valid_only,
            rows=check.rows,
            new=check.new,
            corrected=check.corrected,
            unchanged=check.unchanged,
            area_name=check.area.name if check.area is not None else "",
            problem_count=count_problems(check.errors),
            rejected_rows=check.rejected_rows,
            problems=listed[:SHOWN_PROBLEMS] + counted,
            hidden_problems=max(len(listed) - SHOWN_PROBLEMS, 0),
        )

    @property
    def importable(self) -> bool:
        return (self.problem_count == 0 or self.valid_only) and bool(self.new or self.corrected)

    def as_state(self) -> dict[str, Any]:
        """Return the preview as JSON values (``from_state`` reads them back)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["problems"] = plain_problems(self.problems)
        return values

    @classmethod
    def from_state(cls, values: dict[str, Any]) -> Preview:
        return cls(**{**values, "problems": problems_of(values["problems"])})


def outcome(result) -> dict[str, Any]:
    """Return what an ``ImportResult`` did, as JSON values (a job's outcome).

    ``problems`` counts every problem; ``report`` lists them as the check did (the first
    of each column, then how many more), for the command line to print.
    """
    check = result.check
    return {
        "kind": check.kind,
        "file_name": check.file_name,
        "batch_id": result.batch.pk if result.batch is not None else None,
        "rows": check.rows,
        "new": check.new,
        "corrected": check.corrected,
        "unchanged": check.unchanged,
        "rejected": check.rejected_rows,
        "problems": count_problems(check.errors),
        "report": plain_problems(check.errors),
    }
