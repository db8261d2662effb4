"""The shipped rule sets reproduce every verified anchor and worked example of the research.

Each case cites its source in ../shared/RULES-VN.md ([V] S#, §8 examples) or
../shared/RULES-INTL.md (✅). Boundary values are tested on both sides. No Django.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest

from vungxanh.domain.classify import assess, band_of, prepare
from vungxanh.domain.rules import RuleSet, load_ruleset

RULES_DIR = Path(__file__).resolve().parents[2] / "risk" / "rulesets"
SHIPPED = sorted(path.stem for path in RULES_DIR.glob("*.toml"))
NAN = math.nan


@functools.cache
def ruleset(rules_id: str) -> RuleSet:
    return load_ruleset(RULES_DIR / f"{rules_id}.toml", [RULES_DIR])


def level(rules_id: str, scale: str = "", children: dict | None = None, **inputs) -> str:
    """Return the level key of one area with these inputs (blank inputs are missing)."""
    rs = ruleset(rules_id)
    values = prepare(rs, {name: [value] for name, value in inputs.items()})
    child_levels = None
    if children is not None:
        total = np.array([float(sum(children.values()))])
        child_levels = {key: (np.array([float(n)]), total) for key, n in children.items()}
    result = assess(rs, values, scale=scale, child_levels=child_levels)
    index = int(result.level_index[0])
    return rs.levels[index].key if index >= 0 else ""


# -- every shipped file ---------------------------------------------------------------------


def test_the_shipped_rule_sets_are_the_ones_announced():
    assert SHIPPED == [
        "de-ifsg-28b-2021",
        "eu-2020-1475",
        "eu-2021-119",
        "eu-2021-961",
        "eu-2022-107",
        "harvard-ghi-2020",
        "id-ppkm-mikro-2021",
        "id-ppkm-mikro-2021-04",
        "us-cdc-community-2022",
        "us-cdc-transmission-2021",
        "vn-218-2022",
        "vn-2686-2021",
        "vn-4800-2021",
        "vn-4800-2021-2w",
        "vn-4800-2021-cantho",
        "vn-4800-2021-moh",
        "vn-green-zone-14d",
    ]


@pytest.mark.parametrize("rules_id", SHIPPED)
def test_every_file_states_its_source_dates_and_flags(rules_id):
    rs = ruleset(rules_id)
    assert rs.id == rules_id
    assert rs.source_document and rs.effective_from is not None
    assert rs.notes.strip()
    # The file-level flag says whether every cell is verified.
    assert rs.verified == (not rs.unverified_cells())
    cells = [(b.name, b.note) for b in rs.bands.values()]
    cells += [(r.name, r.note) for r in rs.rules]
    cells += [(a.name, a.note) for a in rs.adjustments]
    cells += [(r.name, r.note) for s in rs.scale_rules.values() for r in s.rules]
    if rs.matrix:
        cells += [("matrix", note) for row in rs.matrix.notes for note in row]
    assert cells and all(note.strip() for _name, note in cells), rules_id


@pytest.mark.parametrize(
    ("rules_id", "inputs"),
    [
        (
            "us-cdc-community-2022",
            ["cases_per_100k_7d", "admissions_per_100k_7d", "beds_covid_pct"],
        ),
        ("us-cdc-transmission-2021", ["cases_per_100k_7d", "positivity_pct"]),
        ("eu-2022-107", ["notification_rate_14d", "vaccine_uptake_pct", "testing_rate_7d"]),
        ("eu-2020-1475", ["notification_rate_14d", "positivity_pct", "testing_rate_7d"]),
        ("eu-2021-119", ["notification_rate_14d", "positivity_pct", "testing_rate_7d"]),
        ("eu-2021-961", ["notification_rate_14d", "positivity_pct", "testing_rate_7d"]),
        (
            "vn-4800-2021",
            [
                "cases_per_100k_week",
                "vacc_1dose_18plus_pct",
                "vacc_full_elderly_pct",
                "capacity_met",
                "previous_level",
            ],
        ),
    ],
)
def test_input_names_are_the_ones_the_cli_documents(rules_id, inputs):
    assert list(ruleset(rules_id).inputs) == inputs


@pytest.mark.parametrize(
    ("rules_id", "labels"),
    [
        ("us-cdc-community-2022", ["Low", "Medium", "High", "N/A"]),
        ("us-cdc-transmission-2021", ["Low", "Moderate", "Substantial", "High", "N/A"]),
        ("eu-2020-1475", ["Green", "Orange", "Red", "Grey"]),
        ("eu-2021-119", ["Green", "Orange", "Red", "Dark Red", "Grey"]),
        ("eu-2022-107", ["Green", "Orange", "Red", "Dark Red", "Grey", "Dark Grey"]),
        ("vn-4800-2021", ["Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4", "Chưa đủ số liệu"]),
        ("vn-218-2022", ["Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4", "Chưa xác định", "Chưa đủ số liệu"]),
        (
            "vn-2686-2021",
            ["Bình thường mới", "Nguy cơ", "Nguy cơ cao", "Nguy cơ rất cao", "Chưa đủ số liệu"],
        ),
    ],
)
def test_level_labels_are_the_ones_the_source_publishes(rules_id, labels):
    assert [lv.label for lv in ruleset(rules_id).levels] == labels


@pytest.mark.parametrize(
    "rules_id", [r for r in SHIPPED if r.startswith("vn-") and "green" not in r and "2686" not in r]
)
def test_vietnamese_ranks_are_the_cap_numbers(rules_id):
    ranked = ruleset(rules_id).ranked_levels()
    assert [(lv.rank, lv.label) for lv in ranked] == [(n, f"Cấp {n}") for n in (1, 2, 3, 4)]
    # NQ 128 §1.1 [V] S1, S2: nguy cơ thấp (bình thường mới) / trung bình / cao / rất cao
    names = [
        "nguy cơ thấp (bình thường mới)",
        "nguy cơ trung bình",
        "nguy cơ cao",
        "nguy cơ rất cao",
    ]
    assert [lv.label_vi for lv in ranked] == [
        f"Cấp {n} – {name}" for n, name in enumerate(names, 1)
    ]


# -- QĐ 4800/QĐ-BYT (RULES-VN §2) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "band"),
    # "Mức 2 từ 20 đến dưới 50" [V] S10: 20.0 belongs to Mức 2 and 150.0 to Mức 4.
    [(0, 1), (19.99, 1), (20, 2), (49.99, 2), (50, 3), (149.99, 3), (150, 4), (1000, 4)],
)
def test_4800_tc1_bands_are_from_x_to_below_y(rate, band):
    assert band_of(ruleset("vn-4800-2021").bands["tc1"], np.array([rate]))[0] == band


@pytest.mark.parametrize(("coverage", "band"), [(69.99, 1), (70, 2), (100, 2)])
def test_4800_tc2_is_met_from_70_percent(coverage, band):
    assert band_of(ruleset("vn-4800-2021").bands["tc2"], np.array([coverage]))[0] == band


@pytest.mark.parametrize(
    ("rules_id", "rate", "first_dose", "expected", "anchor"),
    [
        ("vn-4800-2021", 150.0, 98, "3", "HCMC 15/10/2021, ≈150 one week, >98 % [V] S17"),
        ("vn-4800-2021-2w", 104.5, 99, "2", "HCMC 19/10/2021, two-week average [V] S18"),
        ("vn-4800-2021-2w", 73.5, 99, "2", "HCMC 24/10/2021 [P] §2.2"),
        ("vn-4800-2021", 10.0, 95, "1", "Hải Phòng October 2021, Mức 1 and TC2 met [V] S11"),
        ("vn-4800-2021-2w", 177.0, 95, "3", "Hà Nội districts at 177 (14-day based) [P] §2.2"),
        ("vn-4800-2021-2w", 273.0, 95, "3", "Hà Nội districts at 273 [P] §2.2"),
        ("vn-4800-2021", 27.0, 99, "1", "HCMC 22/01/2022 at 27 [P] §2.2"),
    ],
)
def test_4800_published_anchors(rules_id, rate, first_dose, expected, anchor):
    got = level(rules_id, cases_per_100k_week=rate, vacc_1dose_18plus_pct=first_dose)
    assert got == expected, anchor


def test_hcmc_two_week_average_of_19_october_is_104_5():
    # (7,039 + 11,652) / 2 ÷ ≈ 8.94 million × 100,000 [V] S18
    rate = (7039 + 11652) / 2 / 8_940_000 * 100_000
    assert round(rate, 1) == 104.5
    assert level("vn-4800-2021-2w", cases_per_100k_week=rate, vacc_1dose_18plus_pct=99) == "2"


def per_100k(cases: float, population: float) -> float:
    return cases / population * 100_000


@pytest.mark.parametrize(
    ("rules_id", "rate", "first_dose", "elderly", "capacity", "previous", "expected", "example"),
    [
        # §8 #1: Phường X, 1 case / 12,000 = 8.3; inside-lockdown cases excluded.
        ("vn-4800-2021", per_100k(1, 12_000), 96, 85, "có", "", "1", "#1"),
        # §8 #2: Xã Y, 14 / 9,000 = 155.6, ≥1 dose 98 %, ≥50 full 84 % → Cấp 3.
        ("vn-4800-2021", per_100k(14, 9_000), 98, 84, "", "", "3", "#2"),
        # #2 variant: ≥50 full-dose 75 % (< 80 %) → +1 → Cấp 4.
        ("vn-4800-2021", per_100k(14, 9_000), 98, 75, "", "", "4", "#2 elderly"),
        # #2 variant: ≥1 dose 65 % → Cấp 4.
        ("vn-4800-2021", per_100k(14, 9_000), 65, 84, "", "", "4", "#2 first dose"),
        # §8 #3: Phường Z, (30 + 18) / 2 / 25,000 = 96.0 → Mức 3 → Cấp 2.
        ("vn-4800-2021-2w", per_100k((30 + 18) / 2, 25_000), 97, "", "có", "", "2", "#3"),
        # #3 single-week method: 18 / 25,000 = 72.0, same band.
        ("vn-4800-2021", per_100k(18, 25_000), 97, "", "có", "", "2", "#3 one week"),
        # §8 #4: Xã W, 1 / 5,000 = 20.0 → Mức 2 (inclusive); TC3 not met, previous Cấp 2 stays.
        ("vn-4800-2021", per_100k(1, 5_000), 90, "", "không", 2, "2", "#4"),
        # #4 with TC3 met: the matrix alone gives Cấp 1, so the guard is what kept Cấp 2.
        ("vn-4800-2021", per_100k(1, 5_000), 90, "", "có", 2, "1", "#4 TC3 met"),
    ],
)
def test_4800_worked_examples(
    rules_id, rate, first_dose, elderly, capacity, previous, expected, example
):
    got = level(
        rules_id,
        cases_per_100k_week=rate,
        vacc_1dose_18plus_pct=first_dose,
        vacc_full_elderly_pct=elderly,
        capacity_met=capacity,
        previous_level=previous,
    )
    assert got == expected, example


@pytest.mark.parametrize(
    ("rate", "first_dose", "elderly", "expected", "why"),
    [
        (200.0, 60, 50, "4", "already Cấp 4: no raise above 4"),
        (0.0, 60, 50, "1", "no cases: no raise"),
        (10.0, 60, 79.99, "2", "cases and elderly < 80 %: raise one level"),
        (10.0, 60, 80, "1", "elderly exactly 80 %: no raise"),
    ],
)
def test_4800_elderly_raise_exceptions(rate, first_dose, elderly, expected, why):
    got = level(
        "vn-4800-2021",
        cases_per_100k_week=rate,
        vacc_1dose_18plus_pct=first_dose,
        vacc_full_elderly_pct=elderly,
    )
    assert got == expected, why


def test_4800_scales_are_assessed_on_their_own_totals():
    """Vĩnh Phúc 18/11/2021: Vĩnh Tường Cấp 3 although two communes were Cấp 4 [V] S20."""
    rs = ruleset("vn-4800-2021")
    assert all(rule.method == "own_totals" for rule in rs.scale_rules.values())
    communes_at_4 = {"4": 2, "1": 10}
    got = level(
        "vn-4800-2021",
        scale="district",
        children=communes_at_4,
        cases_per_100k_week=160,
        vacc_1dose_18plus_pct=95,
    )
    assert got == "3"


def test_4800_raise_takes_effect_48_hours_later():
    assert ruleset("vn-4800-2021").timing.raise_delay_days == 2  # NQ 128 [V] S4


def test_cantho_example_changes_only_what_it_says():
    parent, child = ruleset("vn-4800-2021"), ruleset("vn-4800-2021-cantho")
    assert child.parent == "vn-4800-2021" and "EXAMPLE" in child.title
    assert child.bands["tc2"].edges == (80.0,) and not child.bands["tc2"].verified
    assert child.bands["tc1"] == parent.bands["tc1"]
    assert child.adjustments == parent.adjustments
    assert level("vn-4800-2021-cantho", cases_per_100k_week=30, vacc_1dose_18plus_pct=85) == "2"
    assert level("vn-4800-2021", cases_per_100k_week=30, vacc_1dose_18plus_pct=85) == "1"
    assert level("vn-4800-2021-cantho", cases_per_100k_week=60, vacc_1dose_18plus_pct=75) == "3"


# -- QĐ 218/QĐ-BYT (RULES-VN §3) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "full", "high_risk", "deaths", "expected", "why"),
    [
        (600.01, 90, 95, 0, "4", "over 600 → very high [V] S22"),
        (600, 90, 95, 0, "undetermined", "600 is not over 600; lower bands unknown [U]"),
        (10, 70, 95, 0, "2", "HCMC 14/2/2022: low cases, full-dose below 75 % → Cấp 2 [V] S24"),
        (10, 75, 89.99, 0, "2", "high-risk full-dose below 90 % → Cấp 2 (S24 practice)"),
        (10, 75, 90, 6.01, "2", "death rate above 6 per 100,000 → Cấp 2 (S24 practice)"),
        (10, 75, 90, 6, "undetermined", "requirements met: 218's own bands are unknown"),
        ("", 70, 90, 0, "unknown", "no case rate"),
    ],
)
def test_218_only_what_is_known(rate, full, high_risk, deaths, expected, why):
    got = level(
        "vn-218-2022",
        cases_per_100k_week=rate,
        vacc_full_pct=full,
        vacc_full_highrisk_pct=high_risk,
        deaths_per_100k=deaths,
    )
    assert got == expected, why


# -- QĐ 2686/QĐ-BCĐQG (RULES-VN §4.1, §8 #5) --------------------------------------------------

COMMUNE_FACTS = [
    "f0_cluster_unknown_source",
    "f0_hard_to_control_source",
    "f0_unknown_source",
    "f0_source_red_cluster_place",
    "adjacent_red_commune",
    "community_case_known_source",
    "f1_in_community",
    "adjacent_orange_commune",
    "high_risk_entry_or_quarantine",
]


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ("f0_cluster_unknown_source", "nguy_co_rat_cao"),  # [V] S26
        ("f0_hard_to_control_source", "nguy_co_rat_cao"),  # [V] S26
        ("f0_unknown_source", "nguy_co_cao"),  # [V] S29
        ("f0_source_red_cluster_place", "nguy_co_cao"),  # [V] S29
        ("adjacent_red_commune", "nguy_co_cao"),  # [V] S29
        ("community_case_known_source", "nguy_co"),  # [V] S29
        ("f1_in_community", "nguy_co"),  # [V] S29
        ("adjacent_orange_commune", "nguy_co"),  # [V] S29
        ("high_risk_entry_or_quarantine", "nguy_co"),  # [V] S29
        (None, "binh_thuong_moi"),  # none of the factors [P]
    ],
)
def test_2686_commune_factors(present, expected):
    facts = {name: "có" if name == present else "không" for name in COMMUNE_FACTS}
    assert level("vn-2686-2021", scale="commune", **facts) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(1.0, "binh_thuong_moi"), (1.01, "nguy_co")],  # "> 1/100,000 in 14 days" [V] S31
)
def test_2686_known_source_rate_over_1_per_100k(rate, expected):
    facts = dict.fromkeys(COMMUNE_FACTS, "không")
    got = level("vn-2686-2021", known_source_f0_14d_per_100k=rate, **facts)
    assert got == expected


def test_2686_an_unanswered_factor_is_not_green():
    facts = dict.fromkeys(COMMUNE_FACTS, "không")
    facts["f1_in_community"] = ""
    assert level("vn-2686-2021", **facts) == "unknown"
    facts["f0_unknown_source"] = "có"  # a factor present still decides
    assert level("vn-2686-2021", **facts) == "nguy_co_cao"


NO_JUDGEMENTS = {
    "hard_source_spread_over_50pct": "không",
    "hard_source_spread_over_20pct": "không",
    "key_iz_adjacent_uncontrolled": "không",
}


@pytest.mark.parametrize(
    ("children", "scattered", "judgements", "expected", "why"),
    [
        # §8 #5: 20 communes, 0 very high, 7 high (35 %, scattered), 6 at risk, 7 new normal.
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 7, "nguy_co": 6, "binh_thuong_moi": 7},
            "có",
            {},
            "nguy_co_cao",
            "example #5",
        ),
        # #5 variant: one commune has a cluster of unknown source → very high → district ≥ high.
        (
            {"nguy_co_rat_cao": 1, "nguy_co_cao": 1, "nguy_co": 4, "binh_thuong_moi": 14},
            "không",
            {},
            "nguy_co_cao",
            "≥ 1 commune very high [V] S27",
        ),
        (
            {"nguy_co_rat_cao": 6, "nguy_co_cao": 0, "nguy_co": 0, "binh_thuong_moi": 14},
            "có",
            {},
            "nguy_co_rat_cao",
            "30 % very high, scattered [V] S26",
        ),
        (
            {"nguy_co_rat_cao": 5, "nguy_co_cao": 0, "nguy_co": 0, "binh_thuong_moi": 15},
            "có",
            {},
            "nguy_co_cao",
            "25 % very high is below 30 %: at least high",
        ),
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 10, "nguy_co": 0, "binh_thuong_moi": 10},
            "không",
            {},
            "nguy_co_rat_cao",
            "50 % high [V] S26",
        ),
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 9, "nguy_co": 0, "binh_thuong_moi": 11},
            "không",
            {},
            "nguy_co",
            "45 % high, not scattered: not high by the 30 % rule",
        ),
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 0, "nguy_co": 10, "binh_thuong_moi": 10},
            "không",
            {},
            "nguy_co_cao",
            "50 % at risk [V] S27",
        ),
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 0, "nguy_co": 0, "binh_thuong_moi": 20},
            "không",
            {"hard_source_spread_over_50pct": "có"},
            "nguy_co_rat_cao",
            "hard-to-control source, > 50 % [V] S26",
        ),
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 0, "nguy_co": 0, "binh_thuong_moi": 20},
            "không",
            {"key_iz_adjacent_uncontrolled": "có"},
            "nguy_co_cao",
            "key industrial zone next to an uncontrolled area [V] S27",
        ),
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 0, "nguy_co": 0, "binh_thuong_moi": 20},
            "không",
            {},
            "binh_thuong_moi",
            "every commune new normal [P]",
        ),
        (
            {
                "nguy_co_rat_cao": 0,
                "nguy_co_cao": 0,
                "nguy_co": 0,
                "binh_thuong_moi": 19,
                "unknown": 1,
            },
            "không",
            {},
            "unknown",
            "a commune without a level",
        ),
    ],
)
def test_2686_district_from_its_communes(children, scattered, judgements, expected, why):
    inputs = {**NO_JUDGEMENTS, **judgements, "children_scattered": scattered}
    got = level("vn-2686-2021", scale="district", children=children, **inputs)
    assert got == expected, why


@pytest.mark.parametrize(
    ("children", "outbreak", "expected"),
    [
        ({"nguy_co_rat_cao": 3, "binh_thuong_moi": 7}, "không", "nguy_co_rat_cao"),  # [V] S28
        ({"nguy_co_cao": 5, "binh_thuong_moi": 5}, "không", "nguy_co_rat_cao"),  # [V] S28
        ({"binh_thuong_moi": 10}, "có", "nguy_co_rat_cao"),  # [V] S28
        ({"nguy_co_rat_cao": 2, "binh_thuong_moi": 8}, "không", "nguy_co_cao"),  # [U]
        ({"binh_thuong_moi": 10}, "không", "binh_thuong_moi"),
    ],
)
def test_2686_province_from_its_districts(children, outbreak, expected):
    got = level(
        "vn-2686-2021", scale="province", children=children, large_outbreak_spreading=outbreak
    )
    assert got == expected


# -- Green zone (RULES-VN §4.2) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_since", "expected"),
    [(0, "not_green"), (14, "not_green"), (15, "green"), (40, "green"), ("", "no_data")],
)
def test_green_zone_needs_14_full_days(days_since, expected):
    assert level("vn-green-zone-14d", days_since_community_case=days_since) == expected


# -- EU Council Recommendations (RULES-INTL §A1) ------------------------------------------------


@pytest.mark.parametrize(
    ("n", "p", "t", "expected"),
    [
        (24.99, 3.99, 1000, "Green"),
        (25, 3.99, 1000, "Orange"),  # "ranges from 25 to 150": inclusive
        (150, 3.99, 1000, "Orange"),
        (150.01, 3.99, 1000, "Red"),  # "more than 150": exclusive
        (49.99, 4, 1000, "Orange"),  # P ≥ 4 % with N < 50
        (50, 4, 1000, "Red"),
        (10, 3.99, 1000, "Green"),
        (10, 4, 1000, "Orange"),
        (10, 1, 300, "Grey"),  # "testing rate 300 or less"
        (10, 1, 300.01, "Green"),
        (999999, 1, 1000, "Grey"),  # ECDC's missing-data code
        (10, "", 1000, "Grey"),
        (1000, 2, 1000, "Red"),  # no dark red before 2021/119
    ],
)
def test_eu_2020_1475(n, p, t, expected):
    got = level("eu-2020-1475", notification_rate_14d=n, positivity_pct=p, testing_rate_7d=t)
    assert got == expected


@pytest.mark.parametrize(
    ("n", "p", "expected"),
    [
        (150, 4, "Red"),  # 50 ≤ N ≤ 150 and P ≥ 4 %
        (150, 3.99, "Orange"),
        (150.01, 1, "Red"),  # 150 < N < 500
        (499.99, 1, "Red"),
        (500, 1, "Dark Red"),  # N ≥ 500
        (24.99, 3.99, "Green"),
        (25, 3.99, "Orange"),
    ],
)
def test_eu_2021_119(n, p, expected):
    got = level("eu-2021-119", notification_rate_14d=n, positivity_pct=p, testing_rate_7d=1000)
    assert got == expected


@pytest.mark.parametrize(
    ("n", "p", "expected"),
    [
        (49.99, 3.99, "Green"),
        (50, 3.99, "Orange"),  # 50 ≤ N < 75 and P ≥ 1 %
        (74.99, 0.99, "Green"),  # N < 75 and P < 1 %
        (75, 0.99, "Orange"),  # 75 ≤ N ≤ 200 and P < 4 %
        (74.99, 1, "Orange"),
        (49.99, 4, "Orange"),
        (200, 3.99, "Orange"),
        (200, 4, "Red"),  # 75 ≤ N ≤ 200 and P ≥ 4 %
        (75, 4, "Red"),
        (200.01, 0.5, "Red"),  # 200 < N < 500
        (499.99, 0.5, "Red"),
        (500, 0.5, "Dark Red"),
    ],
)
def test_eu_2021_961(n, p, expected):
    got = level("eu-2021-961", notification_rate_14d=n, positivity_pct=p, testing_rate_7d=1000)
    assert got == expected


@pytest.mark.parametrize(
    ("c", "v", "w"),
    [(100, 60, 70.0), (100, 0, 100.0), (100, 100, 50.0), (300, 50, 225.0), (0, 80, 0.0)],
)
def test_eu_2022_107_weighted_rate(c, v, w):
    # W = (C + C × (100 − V) / 100) / 2, Annex II ✅
    rs = ruleset("eu-2022-107")
    values = prepare(rs, {"notification_rate_14d": [c], "vaccine_uptake_pct": [v]})
    assert assess(rs, values).values["W"][0] == pytest.approx(w)


@pytest.mark.parametrize(
    ("c", "v", "t", "expected"),
    [
        (79.98, 100, 1000, "Green"),  # W = 39.99
        (80, 100, 1000, "Orange"),  # W = 40
        (199.98, 100, 1000, "Orange"),  # W = 99.99
        (200, 100, 1000, "Red"),  # W = 100
        (599.98, 100, 1000, "Red"),
        (600, 100, 1000, "Dark Red"),  # W = 300
        (100, 60, 1000, "Orange"),  # W = 70
        (100, 60, 600, "Dark Grey"),  # T ≤ 600
        (100, 60, 600.01, "Orange"),
        (100, 999999, 1000, "Grey"),  # 999999 = missing
        (999999, 60, 1000, "Grey"),
        (100, 60, 999999, "Grey"),
    ],
)
def test_eu_2022_107(c, v, t, expected):
    got = level("eu-2022-107", notification_rate_14d=c, vaccine_uptake_pct=v, testing_rate_7d=t)
    assert got == expected


# -- US CDC (RULES-INTL §A2) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cases", "beds", "admissions", "expected"),
    [
        # Covid Act Now's boundary tests ✅
        (199, 9.99, 9.99, "Low"),
        (199, 10, 9.99, "Medium"),
        (200, 9.99, 9.99, "Medium"),
        (200, 10, 9.99, "High"),
        # the rest of the table
        (199, 9.99, 10, "Medium"),
        (199, 14.99, 19.99, "Medium"),
        (199, 15, 0, "High"),
        (199, 0, 20, "High"),
        (200, 0, 10, "High"),
        ("", 9.99, 9.99, "Low"),  # missing cases count as low
        ("", 15, 0, "High"),
        (500, "", "", "N/A"),  # both hospital metrics missing
        (150, "", 0, "Low"),  # Missouri: a blank bed figure does not raise the level
        (150, "", 12, "Medium"),
    ],
)
def test_cdc_community_levels(cases, beds, admissions, expected):
    got = level(
        "us-cdc-community-2022",
        cases_per_100k_7d=cases,
        beds_covid_pct=beds,
        admissions_per_100k_7d=admissions,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("cases", "positivity", "expected"),
    [
        (9.99, 4.99, "Low"),
        (10, 4.99, "Moderate"),
        (49.99, 0, "Moderate"),
        (50, 0, "Substantial"),
        (99.99, 0, "Substantial"),
        (100, 0, "High"),
        (0, 5, "Moderate"),
        (0, 7.99, "Moderate"),
        (0, 8, "Substantial"),
        (0, 9.99, "Substantial"),
        (0, 10, "High"),
        (9.99, 10, "High"),  # the higher of the two decides
        ("", 7.99, "Moderate"),  # one missing: the other decides
        (55, "", "Substantial"),
        ("", "", "N/A"),
    ],
)
def test_cdc_transmission_levels(cases, positivity, expected):
    got = level("us-cdc-transmission-2021", cases_per_100k_7d=cases, positivity_pct=positivity)
    assert got == expected


# -- Harvard GHI, Germany, Indonesia (RULES-INTL §A3, §A5, §A6) --------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (0, "Green"),
        (0.99, "Green"),
        (1, "Yellow"),
        (9.99, "Yellow"),
        (10, "Orange"),
        (24.99, "Orange"),
        (25, "Red"),
        ("", "N/A"),
    ],
)
def test_harvard_key_metrics(rate, expected):
    assert level("harvard-ghi-2020", daily_cases_per_100k_7d_avg=rate) == expected


@pytest.mark.parametrize(
    ("incidence", "expected"),
    [
        (100, "le100"),  # "über 100": exactly 100 is not above
        (100.1, "gt100"),
        (150, "gt100"),
        (150.1, "gt150"),
        (165, "gt150"),
        (165.1, "gt165"),
        ("", "unknown"),
    ],
)
def test_german_emergency_brake_thresholds(incidence, expected):
    assert level("de-ifsg-28b-2021", incidence_7d=incidence) == expected


def test_german_emergency_brake_timing():
    timing = ruleset("de-ifsg-28b-2021").timing
    assert (timing.raise_after_days, timing.raise_delay_days) == (3, 2)
    assert (timing.lower_after_days, timing.lower_counts, timing.lower_delay_days) == (
        5,
        "working_days",
        2,
    )


@pytest.mark.parametrize(
    ("rules_id", "houses", "expected"),
    [
        ("id-ppkm-mikro-2021", 0, "hijau"),
        ("id-ppkm-mikro-2021", 1, "kuning"),
        ("id-ppkm-mikro-2021", 5, "kuning"),
        ("id-ppkm-mikro-2021", 6, "oranye"),
        ("id-ppkm-mikro-2021", 10, "oranye"),
        ("id-ppkm-mikro-2021", 11, "merah"),
        ("id-ppkm-mikro-2021-04", 0, "hijau"),
        ("id-ppkm-mikro-2021-04", 1, "kuning"),
        ("id-ppkm-mikro-2021-04", 2, "kuning"),
        ("id-ppkm-mikro-2021-04", 3, "oranye"),
        ("id-ppkm-mikro-2021-04", 5, "oranye"),
        ("id-ppkm-mikro-2021-04", 6, "merah"),
    ],
)
def test_ppkm_mikro_house_counts(rules_id, houses, expected):
    assert level(rules_id, houses_with_case_7d=houses) == expected
