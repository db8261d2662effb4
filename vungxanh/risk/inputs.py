"""Which stored indicator feeds each input of the Vietnamese rule sets.

The international rule sets (EU, CDC, …) are for the offline ``vungxanh assess`` command
and have no mapping: their inputs are not measured by this system. A derived rule set
(``parent = …``) uses its parent's mapping unless it has its own (vn-4800-2021-cantho
inherits vn-4800-2021's; vn-4800-2021-2w replaces the case rate by the two-week average).

Not mapped, so not computable from the stored indicators:

- vn-2686-2021: a commune's level rests on yes/no facts its steering committee establishes
  (a cluster of unknown source, F1 in the community, next to a red commune, …) that no
  indicator holds; ``known_source_f0_14d_per_100k`` would need the source of each case.
- vn-218-2022: full-dose coverage of the whole population and deaths per 100,000 are not
  stored indicators (coverage is stored for adults and the elderly only), and the file
  itself leaves most levels "not determined".
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from vungxanh.domain.rules import RuleSet

# From 1/11/2021 the elderly criterion of QĐ 4800 counts people aged 50 and over; in October
# it counted people aged 65 and over (shared/RULES-VN.md §2.1, S10).
ELDERLY_50_FROM = dt.date(2021, 11, 1)
ELDERLY = "elderly-full-dose"
PREVIOUS_LEVEL = "previous_level"

INDICATOR_FOR_INPUT: dict[str, dict[str, str]] = {
    "vn-4800-2021": {
        "cases_per_100k_week": "community_incidence_7d",
        "vacc_1dose_18plus_pct": "vacc_1dose_18plus_pct",
        "vacc_full_elderly_pct": ELDERLY,
        # Criterion 3 at commune level: oxygen at the health station (QĐ 4800, S10, S13).
        "capacity_met": "station_oxygen",
        "previous_level": PREVIOUS_LEVEL,
    },
    "vn-4800-2021-2w": {"cases_per_100k_week": "community_weekly_avg_2w"},
    "vn-green-zone-14d": {"days_since_community_case": "days_since_community_case"},
    # The Ministry's series has no place of detection: every reported case counts.
    "vn-4800-2021-moh": {"cases_per_100k_week": "incidence_7d"},
}


def mapping_for(ruleset: RuleSet, parents: dict[str, str]) -> dict[str, str]:
    """Return input -> indicator for ``ruleset``, following its parent chain."""
    chain = [ruleset.id]
    while chain[-1] in parents and parents[chain[-1]]:
        chain.append(parents[chain[-1]])
    mapping: dict[str, str] = {}
    for code in reversed(chain):
        mapping.update(INDICATOR_FOR_INPUT.get(code, {}))
    return {name: mapping[name] for name in ruleset.inputs if name in mapping}


def computable(ruleset: RuleSet, parents: dict[str, str]) -> bool:
    """A rule set can run on surveillance data when every input it needs has a source."""
    mapping = mapping_for(ruleset, parents)
    return bool(mapping) and all(name in mapping for name in ruleset.inputs)


def day_values(
    mapping: dict[str, str],
    indicators: dict[str, np.ndarray],
    day: dt.date,
    column: int,
    previous: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return each input's values (one per area) on ``day`` from indicator matrices."""
    values = {}
    for name, indicator in mapping.items():
        if indicator == PREVIOUS_LEVEL:
            values[name] = previous
        elif indicator == ELDERLY:
            source = "vacc_full_50plus_pct" if day >= ELDERLY_50_FROM else "vacc_full_65plus_pct"
            values[name] = indicators[source][:, column]
        else:
            values[name] = indicators[indicator][:, column]
    return values


def needed_indicators(mapping: dict[str, str]) -> set[str]:
    needed = {i for i in mapping.values() if i not in {PREVIOUS_LEVEL, ELDERLY}}
    if ELDERLY in mapping.values():
        needed |= {"vacc_full_50plus_pct", "vacc_full_65plus_pct"}
    return needed
