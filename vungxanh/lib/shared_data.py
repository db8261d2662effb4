"""Where the project's public source data (../shared/data) lies, for tests that compare.

The product never reads it at run time; it ships its own copies with their provenance.
"""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """Return ../shared/data beside the repository, or VX_SHARED_DATA, or /work/shared/data."""
    candidates = [
        REPOSITORY.parent / "shared" / "data",
        Path(os.environ.get("VX_SHARED_DATA", "/nonexistent")),
        Path("/work/shared/data"),
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]
