"""Properties of every shipped rule set, checked on random inputs (hypothesis, no Django).

An input marked ``direction = "up"`` (cases, admissions, positivity) may never lower the
level when it grows and the other inputs stay the same; one marked ``"down"`` (vaccine
coverage, days since the last case) may never raise it. Only ranked levels are compared:
a grey or unknown state is not "lower" than a level.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vungxanh.domain.classify import assess
from vungxanh.domain.rules import RuleSet, load_ruleset

RULES_DIR = Path(__file__).resolve().parents[2] / "risk" / "rulesets"
SHIPPED = sorted(path.stem for path in RULES_DIR.glob("*.toml"))


@functools.cache
def ruleset(rules_id: str) -> RuleSet:
    return load_ruleset(RULES_DIR / f"{rules_id}.toml", [RULES_DIR])


def directed_inputs() -> list[tuple[str, str]]:
    return [
        (rules_id, name)
        for rules_id in SHIPPED
        for name, spec in ruleset(rules_id).inputs.items()
        if spec.direction
    ]


def test_every_rule_set_has_a_directed_input():
    covered = {rules_id for rules_id, _name in directed_inputs()}
    assert covered == set(SHIPPED)


@functools.cache
def constants(rules_id: str) -> tuple[float, ...]:
    """Return every number the rule set compares with, and its neighbours: the edges."""
    rs = ruleset(rules_id)
    texts = [r.when.text for r in rs.rules] + [a.when.text for a in rs.adjustments]
    texts += [r.when.text for s in rs.scale_rules.values() for r in s.rules]
    numbers = {e for band in rs.bands.values() for e in band.edges}
    numbers |= {float(n) for text in texts for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text)}
    near = {n + d for n in numbers for d in (-0.01, 0.0, 0.01)}
    return tuple(sorted(n for n in near if n >= 0))


def value_of(rules_id: str, name: str, *, allow_missing: bool):
    """Return a strategy for one input of the rule set."""
    rs = ruleset(rules_id)
    spec = rs.inputs[name]
    if spec.kind == "bool":
        values = st.sampled_from([0.0, 1.0])
    elif spec.kind == "level":
        values = st.sampled_from([float(lv.rank) for lv in rs.ranked_levels()])
    else:
        top = 100.0 if spec.unit_en == "%" else 2000.0
        edges = [c for c in constants(rules_id) if c <= top]
        values = st.one_of(st.floats(0, top, allow_nan=False), st.sampled_from(edges))
    return st.one_of(values, st.just(math.nan)) if allow_missing else values


def rank_of(rs: RuleSet, inputs: dict[str, list[float]]) -> list[int | None]:
    """Return the rank of each area, None for a grey or unknown state."""
    result = assess(rs, {k: np.array(v, dtype=np.float64) for k, v in inputs.items()})
    ranked = [lv.state == "level" for lv in rs.levels]
    return [
        rs.levels[i].rank if i >= 0 and ranked[i] else None for i in result.level_index.tolist()
    ]


@pytest.mark.parametrize(("rules_id", "name"), directed_inputs())
@settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_a_directed_input_moves_the_level_only_its_way(rules_id, name, data):
    rs = ruleset(rules_id)
    inputs = {
        other: [data.draw(value_of(rules_id, other, allow_missing=True), label=other)] * 2
        for other in rs.inputs
        if other != name
    }
    pair = sorted(
        data.draw(st.lists(value_of(rules_id, name, allow_missing=False), min_size=2, max_size=2))
    )
    inputs[name] = pair
    less, more = rank_of(rs, inputs)
    if less is None or more is None:
        return
    if rs.inputs[name].direction == "up":
        assert more >= less, f"{name}: {pair[0]} → rank {less}, {pair[1]} → rank {more}"
    else:
        assert more <= less, f"{name}: {pair[0]} → rank {less}, {pair[1]} → rank {more}"


CHILDREN_SCALES = [
    (rules_id, scale)
    for rules_id in SHIPPED
    for scale, rule in ruleset(rules_id).scale_rules.items()
    if rule.method == "children"
]


def test_the_2686_district_and_province_are_assessed_from_children():
    assert CHILDREN_SCALES == [("vn-2686-2021", "district"), ("vn-2686-2021", "province")]


@pytest.mark.parametrize(("rules_id", "scale"), CHILDREN_SCALES)
@settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_a_child_going_up_never_lowers_its_parent(rules_id, scale, data):
    rs = ruleset(rules_id)
    keys = [lv.key for lv in rs.ranked_levels()]
    counts = {k: data.draw(st.integers(0, 8), label=k) for k in keys}
    unknown = data.draw(st.integers(0, 2), label="unknown children")
    source = data.draw(st.sampled_from([k for k in keys[:-1] if counts[k] > 0] or [None]))
    if source is None:
        return
    target = data.draw(st.sampled_from(keys[keys.index(source) + 1 :]))
    after = dict(counts)
    after[source] -= 1
    after[target] += 1
    total = np.array([float(sum(counts.values()) + unknown)] * 2)
    child_levels = {k: (np.array([float(counts[k]), float(after[k])]), total) for k in keys}
    child_levels["unknown"] = (np.array([float(unknown)] * 2), total)
    judgements = {
        name: np.array([data.draw(value_of(rules_id, name, allow_missing=True), label=name)] * 2)
        for name, spec in rs.inputs.items()
        if spec.kind == "bool"
    }
    result = assess(rs, judgements, scale=scale, child_levels=child_levels)
    ranked = [lv.state == "level" for lv in rs.levels]
    before_index, after_index = result.level_index.tolist()
    if ranked[before_index] and ranked[after_index]:
        before_rank, after_rank = rs.levels[before_index].rank, rs.levels[after_index].rank
        assert after_rank >= before_rank, f"{source} → {target}: {counts}"
