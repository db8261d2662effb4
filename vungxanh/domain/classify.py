"""Turn inputs into levels with a RuleSet, for every area at once, and explain each result.

``assess`` evaluates arrays (one value per area); ``explain`` writes the sentence for one
area; ``what_lowers`` finds, input by input, the value that would lower the level;
``apply_timing`` turns daily computed levels into decided levels with the rule set's
hysteresis, delays and minimum dwell time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from vungxanh.domain.expressions import Context, Fact, evaluate, true_facts
from vungxanh.domain.rules import Band, RuleSet

NO_RULE = -1
YES_WORDS = {"yes", "y", "true", "1", "co", "có", "dat", "đạt", "met"}
NO_WORDS = {"no", "n", "false", "0", "khong", "không", "khong dat", "không đạt", "not met"}


def prepare(ruleset: RuleSet, columns: Mapping[str, Sequence]) -> dict[str, np.ndarray]:
    """Return float arrays of the declared inputs: sentinels and blanks become NaN."""
    size = len(next(iter(columns.values()))) if columns else 0
    values: dict[str, np.ndarray] = {}
    for name, spec in ruleset.inputs.items():
        raw = columns.get(name, [None] * size)
        values[name] = np.array([_number(v, spec.kind) for v in raw], dtype=np.float64)
        for sentinel in spec.missing:
            values[name][values[name] == sentinel] = np.nan
    return values


def _number(value, kind: str) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip().lower()
    if not text:
        return math.nan
    if kind == "bool":
        if text in YES_WORDS:
            return 1.0
        if text in NO_WORDS:
            return 0.0
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def band_of(band: Band, values: np.ndarray) -> np.ndarray:
    """Return 1-based band numbers (0 where the value is missing)."""
    edges = np.asarray(band.edges)
    # "left" closed [a, b): a value equal to an edge belongs to the band above it.
    side = "right" if band.closed == "left" else "left"
    bands = np.searchsorted(edges, np.nan_to_num(values, nan=0.0), side=side) + 1
    return np.where(np.isnan(values), 0, bands)


@dataclass
class Assessed:
    """Levels of many areas: indexes into ``ruleset.levels`` and how each was reached."""

    ruleset: RuleSet
    level_index: np.ndarray  # final level
    base_index: np.ndarray  # before adjustments
    decided_by: np.ndarray  # rule index, flattened matrix cell, or max_of entry
    adjusted: np.ndarray  # bool (adjustments × areas)
    values: dict[str, np.ndarray]
    bands: dict[str, np.ndarray]
    child_levels: Mapping | None = None

    def ranks(self) -> np.ndarray:
        ranks = np.array([lv.rank for lv in self.ruleset.levels] + [0])
        return ranks[self.level_index]

    def keys(self) -> list[str]:
        return [self.ruleset.levels[i].key if i >= 0 else "" for i in self.level_index]

    def context(self) -> Context:
        size = len(self.level_index)
        return Context(self.values, size, self.bands, self.child_levels)


def assess(
    ruleset: RuleSet,
    values: Mapping[str, np.ndarray],
    *,
    scale: str = "",
    child_levels: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Assessed:
    """Assess every area; ``values`` come from ``prepare`` (one array per input)."""
    size = len(next(iter(values.values()))) if values else 0
    values = dict(values)
    context = Context(values, size, {}, child_levels)
    for name, expression in ruleset.derived.items():
        values[name] = np.asarray(evaluate(expression, context), dtype=np.float64)
    bands = {name: band_of(band, values[band.input]) for name, band in ruleset.bands.items()}
    context = Context(values, size, bands, child_levels)
    scale_rule = ruleset.scale_rules.get(scale)
    if scale_rule is not None and scale_rule.method == "children":
        base, decided = _by_rules(ruleset, scale_rule.rules, context)
    elif ruleset.method == "rules":
        base, decided = _by_rules(ruleset, ruleset.rules, context)
    elif ruleset.method == "matrix":
        base, decided = _by_matrix(ruleset, bands)
    else:
        base, decided = _by_max_of(ruleset, bands)
    final, adjusted = _adjust(ruleset, base, context)
    return Assessed(ruleset, final, base, decided, adjusted, values, bands, child_levels)


def _index_of(ruleset: RuleSet, key: str) -> int:
    return next(i for i, lv in enumerate(ruleset.levels) if lv.key == key)


def _by_rules(ruleset: RuleSet, rules, context: Context) -> tuple[np.ndarray, np.ndarray]:
    conditions = [np.asarray(evaluate(rule.when, context), dtype=bool) for rule in rules]
    decided = np.select(conditions, np.arange(len(rules)), default=NO_RULE)
    level_of_rule = np.array([_index_of(ruleset, r.level) for r in rules] + [NO_RULE])
    return level_of_rule[decided], decided


def _missing_index(ruleset: RuleSet) -> int:
    return _index_of(ruleset, ruleset.all_missing_level) if ruleset.all_missing_level else NO_RULE


def _by_matrix(ruleset: RuleSet, bands) -> tuple[np.ndarray, np.ndarray]:
    matrix = ruleset.matrix
    rows, cols = bands[matrix.rows], bands[matrix.cols]
    table = np.array([[_index_of(ruleset, key) for key in row] for row in matrix.cells])
    known = (rows > 0) & (cols > 0)
    r, c = np.maximum(rows - 1, 0), np.maximum(cols - 1, 0)
    base = np.where(known, table[r, c], _missing_index(ruleset))
    decided = np.where(known, r * table.shape[1] + c, NO_RULE)
    return base, decided


def _by_max_of(ruleset: RuleSet, bands) -> tuple[np.ndarray, np.ndarray]:
    size = len(next(iter(bands.values())))
    best_rank = np.full(size, -np.inf)
    base = np.full(size, _missing_index(ruleset))
    decided = np.full(size, NO_RULE)
    for number, entry in enumerate(ruleset.max_of):
        band = bands[entry.band]
        indexes = np.array([NO_RULE] + [_index_of(ruleset, k) for k in entry.levels])
        ranks = np.array([-np.inf] + [ruleset.level(k).rank for k in entry.levels])
        better = ranks[band] > best_rank
        best_rank = np.where(better, ranks[band], best_rank)
        base = np.where(better, indexes[band], base)
        decided = np.where(better, number, decided)
    return base, decided


def _adjust(ruleset: RuleSet, base: np.ndarray, context: Context):
    """Apply +N-level rules and no-downgrade guards to ranked levels (not grey states)."""
    levels = ruleset.levels
    rank_of = np.array([lv.rank for lv in levels] + [0], dtype=np.float64)
    ranked = np.array([lv.state == "level" for lv in levels] + [False])
    index_by_rank = {lv.rank: i for i, lv in enumerate(levels) if lv.state == "level"}
    top = max(index_by_rank)
    rank = rank_of[base]
    adjustable = ranked[base]
    adjusted = np.zeros((len(ruleset.adjustments), len(base)), dtype=bool)
    for number, adjustment in enumerate(ruleset.adjustments):
        applies = np.asarray(evaluate(adjustment.when, context), dtype=bool) & adjustable
        new_rank = rank
        if adjustment.raise_by:
            cap = adjustment.cap if adjustment.cap is not None else top
            new_rank = np.where(applies, np.minimum(rank + adjustment.raise_by, cap), new_rank)
        if adjustment.floor:
            floor = context.value(adjustment.floor)
            raise_to_floor = applies & ~np.isnan(floor) & (floor > new_rank)
            new_rank = np.where(raise_to_floor, np.clip(floor, min(index_by_rank), top), new_rank)
        adjusted[number] = new_rank != rank
        rank = new_rank
    lookup = np.vectorize(lambda r: index_by_rank.get(int(r), NO_RULE))
    final = np.where(adjustable, lookup(rank) if len(rank) else rank, base)
    return final.astype(np.int64), adjusted


# -- explanations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    level_key: str
    level_label: str
    sentence_vi: str
    sentence_en: str
    decided_by: str
    facts: tuple[Fact, ...]
    adjustments: tuple[str, ...]


def format_number(value: float, decimals: int, language: str) -> str:
    """Return ``value`` the way each language writes it (155,6 in Vietnamese, 155.6 in English)."""
    if value is None or math.isnan(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    if decimals and text.endswith("0" * decimals):
        text = text[: -(decimals + 1)]
    if language == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _fact_text(ruleset: RuleSet, fact: Fact, language: str) -> str:
    spec = ruleset.inputs.get(fact.name)
    decimals = spec.decimals if spec else 1
    label = (spec.label_vi if language == "vi" else spec.label_en) if spec else fact.name
    unit = (spec.unit_vi if language == "vi" else spec.unit_en) if spec else ""
    value = format_number(fact.value, decimals, language)
    threshold = format_number(fact.threshold, max(decimals, 0), language)
    if spec and spec.kind == "bool":
        yes = (
            {"vi": "có", "en": "yes"}[language]
            if fact.value
            else {"vi": "không", "en": "no"}[language]
        )
        return f"{label}: {yes}"
    return f"{value}{unit} {label} ({fact.symbol} {threshold}{unit})".replace("  ", " ")


def _band_fact(ruleset: RuleSet, band_name: str, values, index: int) -> Fact | None:
    band = ruleset.bands[band_name]
    value = float(values[band.input][index])
    if math.isnan(value):
        return None
    number = int(band_of(band, np.array([value]))[0])
    edges = band.edges
    if number > len(edges):
        symbol = "≥" if band.closed == "left" else ">"
        return Fact(band.input, value, symbol, edges[-1])
    symbol = "<" if band.closed == "left" else "≤"
    return Fact(band.input, value, symbol, edges[number - 1])


def explain(assessed: Assessed, index: int) -> Explanation:
    """Return why area ``index`` has its level, in Vietnamese and English."""
    ruleset = assessed.ruleset
    level_index = int(assessed.level_index[index])
    level = ruleset.levels[level_index] if level_index >= 0 else None
    facts, decided_by = _base_facts(assessed, index)
    applied = [a for n, a in enumerate(ruleset.adjustments) if assessed.adjusted[n, index]]
    adjustment_facts = [f for a in applied for f in true_facts(a.when, assessed.context(), index)]
    sentences = {}
    for language in ("vi", "en"):
        label = (level.label_vi if language == "vi" else level.label_en) if level else "?"
        sentence = label + _because(ruleset, facts, language)
        for adjustment in applied:
            sentence += "; " + _adjustment_text(adjustment, language)
        if adjustment_facts:
            sentence += _because(ruleset, _new_facts(adjustment_facts, facts), language)
        sentences[language] = sentence
    return Explanation(
        level.key if level else "",
        level.label if level else "",
        sentences["vi"],
        sentences["en"],
        decided_by,
        tuple(facts + adjustment_facts),
        tuple(a.name for a in applied),
    )


def _because(ruleset: RuleSet, facts: list[Fact], language: str) -> str:
    if not facts:
        return ""
    because = {"vi": " vì ", "en": " because "}[language]
    joiner = {"vi": " và ", "en": " and "}[language]
    return because + joiner.join(_fact_text(ruleset, f, language) for f in facts)


def _new_facts(facts: list[Fact], already: list[Fact]) -> list[Fact]:
    """Drop facts about inputs the sentence has already given."""
    seen = {f.name for f in already}
    return [f for f in facts if f.name not in seen and not seen.add(f.name)]


def _adjustment_text(adjustment, language: str) -> str:
    if adjustment.raise_by:
        n = adjustment.raise_by
        return {"vi": f"nâng {n} cấp", "en": f"raised {n} level" + ("s" if n > 1 else "")}[language]
    return {"vi": "không được hạ cấp", "en": "may not be lowered"}[language]


def _base_facts(assessed: Assessed, index: int) -> tuple[list[Fact], str]:
    ruleset = assessed.ruleset
    decided = int(assessed.decided_by[index])
    if decided == NO_RULE:
        return [], "no rule matched" if ruleset.method == "rules" else "missing inputs"
    if ruleset.method == "matrix" and ruleset.matrix is not None:
        matrix = ruleset.matrix
        row, col = divmod(decided, len(matrix.cells[0]))
        # The column band first: in the Vietnamese rules it is the case rate, the main criterion.
        facts = [
            _band_fact(ruleset, matrix.cols, assessed.values, index),
            _band_fact(ruleset, matrix.rows, assessed.values, index),
        ]
        return [f for f in facts if f], f"matrix[{row + 1}][{col + 1}]"
    if ruleset.method == "max_of_bands":
        entry = ruleset.max_of[decided]
        fact = _band_fact(ruleset, entry.band, assessed.values, index)
        return ([fact] if fact else []), f"band {entry.band}"
    rule = ruleset.rules[decided]
    return true_facts(rule.when, assessed.context(), index), rule.name


# -- what it takes to lower the level ---------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    input: str
    symbol: str  # "<", "≤", ">" or "≥": the input must be … threshold
    value: float
    level_key: str  # the level the area would then have


def _rank_with(ruleset: RuleSet, inputs: dict[str, float], name: str, value: float) -> float:
    trial = {k: np.array([v]) for k, v in inputs.items()}
    trial[name] = np.array([value])
    return float(assess(ruleset, trial).ranks()[0])


def _constants(ruleset: RuleSet) -> list[float]:
    numbers = {e for band in ruleset.bands.values() for e in band.edges}
    for text in [r.when.text for r in ruleset.rules] + [a.when.text for a in ruleset.adjustments]:
        for token in text.replace("(", " ").replace(")", " ").split():
            try:
                numbers.add(float(token))
            except ValueError:
                continue
    return sorted(numbers)


def what_lowers(ruleset: RuleSet, inputs: dict[str, float]) -> list[Threshold]:
    """For each input with a direction, the value (others unchanged) that lowers the level."""
    current = _rank_with(ruleset, inputs, next(iter(inputs)), next(iter(inputs.values())))
    results = []
    for name, spec in ruleset.inputs.items():
        value = inputs.get(name, math.nan)
        if not spec.direction or math.isnan(value):
            continue
        found = _search(ruleset, inputs, name, value, current, spec.direction)
        if found:
            results.append(found)
    return results


def _search(ruleset, inputs, name, value, current, direction) -> Threshold | None:
    """Bisect between the current value and the far end for the boundary of a lower level."""
    far = 0.0 if direction == "up" else max(100.0, value * 2 + 1)
    if _rank_with(ruleset, inputs, name, far) >= current:
        return None
    lowers, stays = far, value
    for _step in range(80):
        middle = (lowers + stays) / 2
        if _rank_with(ruleset, inputs, name, middle) < current:
            lowers = middle
        else:
            stays = middle
    edge = min(_constants(ruleset) or [lowers], key=lambda c: abs(c - lowers))
    if abs(edge - lowers) > 1e-6 * max(1.0, abs(edge)):
        edge = lowers
    inclusive = _rank_with(ruleset, inputs, name, edge) < current
    symbol = ("≤" if inclusive else "<") if direction == "up" else ("≥" if inclusive else ">")
    new_rank = _rank_with(ruleset, inputs, name, lowers)
    level = next((lv for lv in ruleset.ranked_levels() if lv.rank == new_rank), None)
    return Threshold(name, symbol, edge, level.key if level else "")


# -- timing: hysteresis, delays, minimum dwell -----------------------------------------------


def apply_timing(
    ruleset: RuleSet,
    computed: np.ndarray,
    dates: Sequence[dt.date],
    holidays: frozenset[dt.date] = frozenset(),
) -> np.ndarray:
    """Return decided ranks (areas × days) from computed ranks under ``ruleset.timing``.

    A raise needs ``raise_after_days`` days in a row above the decided level and takes
    effect ``raise_delay_days`` later; a lowering needs ``lower_after_days`` days (working
    days if so configured: Sundays and holidays neither count nor break the run) and
    takes effect ``lower_delay_days`` later. No change happens within ``min_dwell_days``
    of the previous one. The first day starts at its computed level.
    """
    timing = ruleset.timing
    computed = np.asarray(computed, dtype=np.float64)
    areas, days = computed.shape
    decided = np.empty_like(computed)
    level = computed[:, 0].copy()
    up_run = np.zeros(areas)
    down_run = np.zeros(areas)
    up_floor = np.full(areas, np.inf)  # lowest computed level during the upward run
    down_ceiling = np.full(areas, -np.inf)  # highest computed level during the downward run
    pending_level = np.full(areas, np.nan)
    pending_day = np.full(areas, -1)
    since_change = np.full(areas, np.inf)
    for t in range(days):
        due = pending_day == t
        level = np.where(due, pending_level, level)
        since_change = np.where(due, 0, since_change)
        pending_day = np.where(due, -1, pending_day)
        today = computed[:, t]
        counts_down = timing.lower_counts == "days" or (
            dates[t].weekday() != 6 and dates[t] not in holidays
        )
        above, below = today > level, today < level
        up_run = np.where(above, up_run + 1, 0)
        up_floor = np.where(above, np.fmin(up_floor, today), np.inf)
        if counts_down:
            down_run = np.where(below, down_run + 1, 0)
            down_ceiling = np.where(below, np.fmax(down_ceiling, today), -np.inf)
        free = (pending_day < 0) & (since_change >= timing.min_dwell_days)
        raise_now = free & (up_run >= timing.raise_after_days)
        lower_now = free & ~raise_now & (down_run >= timing.lower_after_days)
        for decide, target, delay in (
            (raise_now, up_floor, timing.raise_delay_days),
            (lower_now, down_ceiling, timing.lower_delay_days),
        ):
            if delay == 0:
                level = np.where(decide, target, level)
                since_change = np.where(decide, 0, since_change)
            else:
                pending_level = np.where(decide, target, pending_level)
                pending_day = np.where(decide, t + delay, pending_day)
        reset = raise_now | lower_now
        up_run = np.where(reset, 0, up_run)
        down_run = np.where(reset, 0, down_run)
        decided[:, t] = level
        since_change = since_change + 1
    return decided
