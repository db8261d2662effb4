"""The reference data shipped inside the package: the 2021 units and known boundaries.

See vungxanh/areas/data/PROVENANCE.md for where each file comes from.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from vungxanh.areas.services import UnitRow

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_2021 = DATA_DIR / "units_2021.csv"
CANTHO_BOUNDARIES = DATA_DIR / "cantho_boundaries.geojson"
NINHKIEU_WARDS_APPROX = DATA_DIR / "ninhkieu_wards_approx.geojson"


def units_2021() -> list[UnitRow]:
    with UNITS_2021.open(encoding="utf-8", newline="") as handle:
        return [
            UnitRow(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                unit_type=row["unit_type"],
                parent_code=row["parent_code"],
                population=int(row["population"]) if row["population"] else None,
                population_basis=row["population_basis"],
            )
            for row in csv.DictReader(handle)
        ]


def _boundaries(path: Path, default_source: str) -> dict[str, tuple[str, str, bool]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    result = {}
    for feature in doc["features"]:
        props = feature["properties"]
        geometry = json.dumps(feature["geometry"], ensure_ascii=False, separators=(",", ":"))
        source = props.get("source") or default_source
        result[str(props["code"])] = (geometry, source, bool(props.get("approximate")))
    return result


def cantho_boundaries() -> dict[str, tuple[str, str, bool]]:
    """Return the real outlines of Cần Thơ and its 9 districts."""
    return _boundaries(CANTHO_BOUNDARIES, "dvhcvn / gis.chinhphu.vn")


def ninhkieu_ward_layout() -> dict[str, tuple[str, str, bool]]:
    """Return the approximate (Voronoi) layout of Ninh Kiều's 11 wards, for the demo map."""
    return _boundaries(NINHKIEU_WARDS_APPROX, "Voronoi approximation (vungxanh demo)")
