"""The stages of the loop, in the order the data flows (../DESIGN.md §2).

indicators → Rt → levels under every computable rule set (Rt before levels: a rule set may
read the stored Rt as an input, see ``vungxanh/risk/feeds/``); the next issues add
establishment statuses, support eligibility and notices after the levels. Each stage is
a function of (series, provinces) that recomputes only that part, is idempotent and may
run again after a crash: it deletes and rewrites the rows it owns for that part.
``provinces=None`` means the whole country.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vungxanh.areas.models import Area
from vungxanh.reopening import services as reopening
from vungxanh.risk import services as risk
from vungxanh.surveillance.indicators import recompute as recompute_indicators
from vungxanh.surveillance.models import Series
from vungxanh.surveillance.rt import recompute_rt


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Series, list[Area] | None], int]
    needs_data: bool = True  # runs after a change of surveillance data
    needs_rules: bool = True  # runs after a change of rule sets
    # runs after a change that moves statuses only (establishments, lockdown zones)
    needs_statuses: bool = False


def _indicators(series: Series, provinces: list[Area] | None) -> int:
    return recompute_indicators(series, provinces=provinces)


def _rt(series: Series, provinces: list[Area] | None) -> int:
    return recompute_rt(series, provinces=provinces)


def _levels(series: Series, provinces: list[Area] | None) -> int:
    # Every rule set at once: the indicators are read once, not once per rule set.
    return risk.compute_all_levels(risk.computable_rulesets(), series, provinces=provinces)


def _establishments(series: Series, provinces: list[Area] | None) -> int:
    # Every establishment's status periods and notices, from the levels just computed.
    return reopening.recompute(series, provinces)


STAGES: tuple[Stage, ...] = (
    Stage("indicators", _indicators, needs_rules=False),
    Stage("rt", _rt, needs_rules=False),
    Stage("levels", _levels),
    Stage("establishments", _establishments, needs_statuses=True),
)
