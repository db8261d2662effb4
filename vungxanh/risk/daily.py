"""The assessment of one day for every area, read straight from the stored indicators.

``compute_levels`` works out a whole year and stores it; a map or an overview of one day
needs only that day. ``levels_for_day`` reads from each IndicatorSeries row the values of
the day alone (the database returns the 4 bytes of each needed float32, ``Substr`` on the
matrix, so no matrix is transferred or built), and evaluates each scale — communes, districts, provinces, the
nation — with one vectorised ``assess`` call, children before their parents.

The previous level is not known from one day alone, so ``previous_level`` is NaN: an
adjustment that keeps an area "no lower than its previous level" (vn-4800-2021 when
treatment capacity is not met) does not apply, where ``compute_levels`` carries the level
of the day before. Without that case both give the same computed level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import BinaryField, Q
from django.db.models.functions import Substr

from vungxanh.areas.models import Area
from vungxanh.risk import inputs as input_map
from vungxanh.risk.engine import Province, evaluate_day, fill_rt, plan_scales
from vungxanh.risk.models import RuleSetRecord
from vungxanh.risk.services import parents, ruleset_of
from vungxanh.surveillance.models import IndicatorSeries, Series


@dataclass(frozen=True)
class _Unit:
    """What the plan needs of an area (no model instance per area)."""

    pk: int
    kind: str
    parent_id: int | None


def levels_for_day(
    record: RuleSetRecord,
    series: Series,
    day: dt.date,
    provinces: list[Area] | None = None,
) -> dict[int, int]:
    """Return area id → level index (into the rule set's levels, -1: none) on ``day``.

    Every area with stored indicators is assessed; ``provinces`` limits it to their
    subtrees (the nation is then left out). An area whose stored range does not cover
    ``day`` is assessed on missing inputs, as ``compute_levels`` does.
    """
    ruleset = ruleset_of(record)
    mapping = input_map.mapping_for(ruleset, parents())
    names = sorted(input_map.needed_indicators(mapping))
    rows = IndicatorSeries.objects.filter(series=series)
    if provinces is not None:
        subtree = Q(pk__in=[])
        for province in provinces:
            subtree |= Q(area__path__startswith=province.path)
        rows = rows.filter(subtree)
    units: list[_Unit] = []
    columns: list[np.ndarray] = []
    # One query per layout (start, days, indicator names; one in practice) that asks the
    # database for the 4 bytes of each needed value, not the whole matrix.
    for start, days, layout in rows.values_list("start", "days", "names").distinct():
        offset = (day - start).days
        position = [layout.index(n) if n in layout else -1 for n in names]
        pieces = {
            f"v{i}": Substr("data", 4 * (p * days + offset) + 1, 4, output_field=BinaryField())
            for i, p in enumerate(position)
            if p >= 0 and 0 <= offset < days
        }
        found = rows.filter(start=start, days=days).annotate(**pieces)
        for area_id, kind, parent_id, stored, *raw in found.values_list(
            "area_id", "area__kind", "area__parent_id", "names", *pieces
        ):
            if stored != layout:  # another layout with the same range: its own query
                continue
            units.append(_Unit(area_id, kind, parent_id))
            column = np.full(len(names), np.nan, dtype=np.float32)
            if raw:
                where = [i for i, p in enumerate(position) if p >= 0]
                column[where] = np.frombuffer(b"".join(bytes(r) for r in raw), np.float32)
            columns.append(column)
    if not units:
        return {}
    stacked = np.array(columns, dtype=np.float64).reshape(len(units), len(names))
    indicators = {name: stacked[:, [i]] for i, name in enumerate(names)}
    statistics = input_map.rt_statistics(set(names))
    if statistics:  # the stored Rt of the day (few areas' rows: read whole)
        fill_rt(indicators, series, [u.pk for u in units], day, 1, statistics)
    province = Province(units, day, 1, indicators)
    plan = plan_scales(ruleset, units)
    previous = np.full(len(units), np.nan)
    level_index, _ranks = evaluate_day(ruleset, mapping, province, plan, 0, day, previous)
    return {unit.pk: int(level) for unit, level in zip(units, level_index, strict=True)}
