"""GeoJSON output of areas."""

from __future__ import annotations

import json
from collections.abc import Iterable

from vungxanh.areas.models import Area


def feature(area: Area) -> dict:
    return {
        "type": "Feature",
        "id": area.code,
        "geometry": json.loads(area.boundary) if area.boundary else None,
        "properties": {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "unit_type": area.unit_type,
            "parent_code": area.parent.code if area.parent_id else None,
            "population": area.population,
            "approximate": area.boundary_approximate,
            "boundary_source": area.boundary_source,
        },
    }


def feature_collection(areas: Iterable[Area]) -> dict:
    return {"type": "FeatureCollection", "features": [feature(a) for a in areas]}
