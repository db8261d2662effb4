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


def parse_value(value, kind: str = "number") -> float:
    """Return one cell as a float (NaN when blank), or raise ValueError saying why.

    Numbers take a decimal point or a Vietnamese decimal comma; yes/no inputs also take
    words (có/không, yes/no, đạt/không đạt); see ``prepare``.
    """
    return _number(value, kind)


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
        return float(_decimal_text(text))
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _decimal_text(text: str) -> str:
    """Return ``text`` with a decimal point: "155,6" and "1.234,5" and "1,234.5" all work.

    With both a comma and a point, the last one is the decimal separator and the other
    groups thousands; a lone comma is a decimal comma (Vietnamese).
    """
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        thousands = "." if text.rindex(",") > text.rindex(".") else ","
        text = text.replace(thousands, "")
    return text.replace(",", ".")


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
    scale: str = ""

    def rules_used(self) -> tuple:
        """Return the rules this assessment was decided by: the scale's own, or the top-level."""
        scale_rule = self.ruleset.scale_rules.get(self.scale)
        if scale_rule is not None and scale_rule.method == "children":
            return scale_rule.rules
        return self.ruleset.rules if self.ruleset.method == "rules" else ()

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
    return Assessed(ruleset, final, base, decided, adjusted, values, bands, child_levels, scale)


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
    final = np.where(adjustable, index_of_rank(ruleset, rank), base)
    return final.astype(np.int64), adjusted


def index_of_rank(ruleset: RuleSet, ranks: np.ndarray) -> np.ndarray:
    """Return the level index of each rank (NO_RULE where no ranked level has it), vectorised."""
    by_rank = {lv.rank: i for i, lv in enumerate(ruleset.levels) if lv.state == "level"}
    lookup = np.full(max(by_rank) + 1, NO_RULE, dtype=np.int64)
    for rank, index in by_rank.items():
        lookup[rank] = index
    whole = np.nan_to_num(np.asarray(ranks, dtype=np.float64), nan=-1.0).astype(np.int64)
    inside = (whole >= 0) & (whole < len(lookup))
    return np.where(inside, lookup[np.clip(whole, 0, len(lookup) - 1)], NO_RULE)


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


WORDS = {
    "vi": {
        "yes": "có",
        "no": "không",
        "missing": "thiếu số liệu",
        "or": " hoặc ",
        "or_above": " trở lên",
        "share": "{value} đơn vị cấp dưới ở mức {levels} ({symbol} {threshold})",
        "count": "{value} đơn vị cấp dưới ở mức {levels} ({symbol} {threshold})",
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "missing": "no data",
        "or": " or ",
        "or_above": " or above",
        "share": "{value} of sub-areas at {levels} ({symbol} {threshold})",
        "count": "{value} sub-area{plural} at {levels} ({symbol} {threshold})",
    },
}


def _fact_text(ruleset: RuleSet, fact: Fact, language: str) -> str:
    words = WORDS[language]
    if ":" in fact.name:
        return _level_fact_text(ruleset, fact, language)
    spec = ruleset.describe(fact.name)
    decimals = spec.decimals if spec else 1
    label = (spec.label_vi if language == "vi" else spec.label_en) if spec else fact.name
    unit = (spec.unit_vi if language == "vi" else spec.unit_en) if spec else ""
    if fact.symbol == "missing":
        # English labels of percentages read "of adults …" after a number; not here.
        return f"{label.removeprefix('of ')}: {words['missing']}"
    value = format_number(fact.value, decimals, language)
    threshold = format_number(fact.threshold, max(decimals, 0), language)
    if spec and spec.kind == "bool":
        return f"{label}: {words['yes'] if fact.value else words['no']}"
    return f"{value}{unit} {label} ({fact.symbol} {threshold}{unit})".replace("  ", " ")


def _level_fact_text(ruleset: RuleSet, fact: Fact, language: str) -> str:
    """Say "35% of sub-areas at High or above (≥ 30%)" for a share()/count() comparison."""
    words = WORDS[language]
    function, joined = fact.name.split(":", 1)
    keys = joined.split("+")
    levels = [lv for lv in ruleset.levels if lv.key in keys]
    label = (lambda lv: lv.label_vi) if language == "vi" else (lambda lv: lv.label_en)
    ranked = ruleset.ranked_levels()
    lowest = min(levels, key=lambda lv: lv.rank) if levels else None
    above = [lv for lv in ranked if lowest is not None and lv.rank >= lowest.rank]
    if len(levels) > 1 and lowest is not None and {lv.key for lv in above} == set(keys):
        text = label(lowest) + words["or_above"]
    else:
        text = words["or"].join(label(lv) for lv in levels)
    if function == "share":
        value = format_number(fact.value * 100, 0, language) + "%"
        threshold = format_number(fact.threshold * 100, 0, language) + "%"
    else:
        value = format_number(fact.value, 0, language)
        threshold = format_number(fact.threshold, 0, language)
    plural = "s" if language == "en" and function == "count" and fact.value != 1 else ""
    return words[function].format(
        value=value, levels=text, symbol=fact.symbol, threshold=threshold, plural=plural
    )


def _band_facts(ruleset: RuleSet, band_name: str, values, index: int) -> list[Fact]:
    """Return the bounds of the band the value falls in: ``≥ 50`` and ``< 150``."""
    band = ruleset.bands[band_name]
    value = float(values[band.input][index])
    if math.isnan(value):
        return []
    number = int(band_of(band, np.array([value]))[0])
    edges = band.edges
    lower, upper = ("≥", "<") if band.closed == "left" else (">", "≤")
    facts = []
    if number > 1:
        facts.append(Fact(band.input, value, lower, edges[number - 2]))
    if number <= len(edges):
        facts.append(Fact(band.input, value, upper, edges[number - 1]))
    return facts


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
    """Return " because A (≥ 25, ≤ 150) and B (< 4%)": one phrase per input, in order."""
    if not facts:
        return ""
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.name, []).append(fact)
    because = {"vi": " vì ", "en": " because "}[language]
    joiner = {"vi": " và ", "en": " and "}[language]
    return because + joiner.join(_group_text(ruleset, group, language) for group in groups.values())


def _group_text(ruleset: RuleSet, group: list[Fact], language: str) -> str:
    """Return one input's facts as one phrase: "100 cases per 100,000 (≥ 25, ≤ 150)"."""
    first = _fact_text(ruleset, group[0], language)
    if len(group) == 1 or not first.endswith(")"):
        return first
    bounds = [_fact_text(ruleset, fact, language) for fact in group[1:]]
    if not all(b.endswith(")") and "(" in b for b in bounds):
        return first
    extra = [b[b.rindex("(") + 1 : -1] for b in bounds]
    return first[:-1] + ", " + ", ".join(extra) + ")"


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
    rules = assessed.rules_used()
    if decided == NO_RULE:
        return [], "no rule matched" if rules else "missing inputs"
    if rules:
        rule = rules[decided]
        return true_facts(rule.when, assessed.context(), index), rule.name
    if ruleset.method == "matrix" and ruleset.matrix is not None:
        matrix = ruleset.matrix
        row, col = divmod(decided, len(matrix.cells[0]))
        # The column band first: in the Vietnamese rules it is the case rate, the main criterion.
        facts = _band_facts(ruleset, matrix.cols, assessed.values, index)
        facts += _band_facts(ruleset, matrix.rows, assessed.values, index)
        return facts, f"matrix[{row + 1}][{col + 1}]"
    if ruleset.method == "max_of_bands":
        entry = ruleset.max_of[decided]
        return _band_facts(ruleset, entry.band, assessed.values, index), f"band {entry.band}"
    return [], ""


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

    Every threshold between ranked levels ("at least level k") is switched on and off
    by itself, as where a law gives each threshold its own trigger (§28b IfSG: 100, 150
    and 165 each need 3 days above). A threshold switches on after ``raise_after_days``
    days in a row at or above it, effective ``raise_delay_days`` later, and off after
    ``lower_after_days`` days in a row below it, effective ``lower_delay_days`` later.
    With ``lower_counts = "working_days"`` Sundays and ``holidays`` neither count nor
    break the downward run. Days count only once the last change of that threshold has
    taken effect, from the next day ("ab dem Tag nach dem Eintreten der Maßnahmen"): a
    decided change is never undone before it applies. No change is decided within
    ``min_dwell_days`` of the last change of the decided level. The decided level is the
    highest threshold switched on.

    A day whose computed rank is not a ranked level (NaN, or 0 for a grey or unknown
    state) neither counts nor breaks a run. An area starts at its first known computed
    level and is NaN before it. A 1-D ``computed`` is one area; the result has its shape.
    """
    timing = ruleset.timing
    computed = np.asarray(computed, dtype=np.float64)
    one_area = computed.ndim == 1
    if one_area:
        computed = computed[np.newaxis, :]
    areas, days = computed.shape
    ranks = np.array(sorted(lv.rank for lv in ruleset.ranked_levels()), dtype=np.float64)
    lowest, thresholds = ranks[0], ranks[1:]
    size = (areas, len(thresholds))
    known = np.isin(computed, ranks)
    on = np.zeros(size, dtype=bool)  # the threshold's measures are in force
    target = np.zeros(size, dtype=bool)  # in force once the pending change takes effect
    pending_day = np.full(size, -1)
    up_run = np.zeros(size)
    down_run = np.zeros(size)
    started = np.zeros(areas, dtype=bool)
    since_change = np.full(areas, np.inf)
    level = np.full(areas, np.nan)
    decided = np.full((areas, days), np.nan)

    def level_of(state: np.ndarray) -> np.ndarray:
        if not len(thresholds):
            return np.where(started, lowest, np.nan)
        highest = len(thresholds) - 1 - np.argmax(state[:, ::-1], axis=1)
        value = np.where(state.any(axis=1), thresholds[highest], lowest)
        return np.where(started, value, np.nan)

    def note_change(new_level: np.ndarray) -> None:
        nonlocal level, since_change
        changed = ~np.isnan(level) & (new_level != level)
        since_change = np.where(changed, 0, since_change)
        level = new_level

    for t in range(days):
        due = pending_day == t
        on = np.where(due, target, on)
        pending_day = np.where(due, -1, pending_day)
        today = computed[:, t]
        at_least = today[:, np.newaxis] >= thresholds[np.newaxis, :]
        start = known[:, t] & ~started
        on = np.where(start[:, np.newaxis], at_least, on)
        target = np.where(start[:, np.newaxis], at_least, target)
        started |= start
        note_change(level_of(on))
        # A run counts from the day after the last change took effect, never while one waits.
        counts = (known[:, t] & ~start)[:, np.newaxis] & ~due & (pending_day < 0)
        up_run = np.where(counts & ~target, np.where(at_least, up_run + 1, 0), up_run)
        working = timing.lower_counts == "days" or (
            dates[t].weekday() != 6 and dates[t] not in holidays
        )
        if working:
            down_run = np.where(counts & target, np.where(at_least, 0, down_run + 1), down_run)
        free = (since_change >= timing.min_dwell_days)[:, np.newaxis] & (pending_day < 0)
        raise_now = free & ~target & (up_run >= timing.raise_after_days)
        lower_now = free & target & (down_run >= timing.lower_after_days)
        for decide, state, delay in (
            (raise_now, True, timing.raise_delay_days),
            (lower_now, False, timing.lower_delay_days),
        ):
            target = np.where(decide, state, target)
            if delay == 0:
                on = np.where(decide, state, on)
            else:
                pending_day = np.where(decide, t + delay, pending_day)
        decision = raise_now | lower_now
        up_run = np.where(decision, 0, up_run)
        down_run = np.where(decision, 0, down_run)
        note_change(level_of(on))
        decided[:, t] = level
        since_change = since_change + 1
    return decided[0] if one_area else decided
