"""Assessing areas and explaining the result, on the shipped rule sets (no Django)."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest

from vungxanh.domain.classify import (
    NO_RULE,
    assess,
    band_of,
    explain,
    format_number,
    parse_value,
    prepare,
    what_lowers,
)
from vungxanh.domain.expressions import Context, ExpressionError, evaluate, parse
from vungxanh.domain.rules import Band, RuleSet, load_ruleset, parse_ruleset

RULES_DIR = Path(__file__).resolve().parents[2] / "risk" / "rulesets"
NAN = math.nan


@functools.cache
def ruleset(rules_id: str) -> RuleSet:
    return load_ruleset(RULES_DIR / f"{rules_id}.toml", [RULES_DIR])


def explained(rules_id: str, scale: str = "", children: dict | None = None, **inputs):
    rs = ruleset(rules_id)
    values = prepare(rs, {name: [value] for name, value in inputs.items()})
    child_levels = None
    if children is not None:
        total = np.array([float(sum(children.values()))])
        child_levels = {key: (np.array([float(n)]), total) for key, n in children.items()}
    return explain(assess(rs, values, scale=scale, child_levels=child_levels), 0)


# -- reading values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "kind", "expected"),
    [
        ("155,6", "number", 155.6),  # Vietnamese decimal comma
        ("155.6", "number", 155.6),
        ("1.234,5", "number", 1234.5),
        ("4,577.97", "number", 4577.97),  # thousands separator with a decimal point
        (" 12 ", "number", 12.0),
        ("", "number", NAN),
        (None, "number", NAN),
        (7, "number", 7.0),
        ("có", "bool", 1.0),
        ("Không", "bool", 0.0),
        ("đạt", "bool", 1.0),
        ("không đạt", "bool", 0.0),
        ("yes", "bool", 1.0),
        ("0", "bool", 0.0),
        (True, "bool", 1.0),
        ("3", "level", 3.0),
    ],
)
def test_parse_value(cell, kind, expected):
    got = parse_value(cell, kind)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


@pytest.mark.parametrize(
    ("cell", "kind"), [("abc", "number"), ("maybe", "bool"), ("1,2,3", "number")]
)
def test_parse_value_refuses_what_is_not_a_number(cell, kind):
    with pytest.raises(ValueError, match="is not a number"):
        parse_value(cell, kind)


def test_prepare_turns_sentinels_and_blanks_into_missing():
    rs = ruleset("eu-2022-107")
    values = prepare(rs, {"notification_rate_14d": [999999, "12,5", ""]})
    np.testing.assert_array_equal(values["notification_rate_14d"], [NAN, 12.5, NAN])
    assert np.isnan(values["testing_rate_7d"]).all()  # a column not given is missing


@pytest.mark.parametrize(
    ("closed", "values", "expected"),
    [
        ("left", [9.99, 10, 49.99, 50, NAN], [1, 2, 2, 3, 0]),
        ("right", [10, 10.01, 50, 50.01, NAN], [1, 2, 2, 3, 0]),
    ],
)
def test_band_of_respects_the_closed_side(closed, values, expected):
    band = Band("b", "x", (10.0, 50.0), closed, True)
    assert band_of(band, np.array(values)).tolist() == expected


# -- assessing -------------------------------------------------------------------------------


def test_many_areas_are_assessed_at_once():
    rs = ruleset("us-cdc-community-2022")
    values = prepare(
        rs,
        {
            "cases_per_100k_7d": [320.39, 205.41, 190.23, 50, ""],
            "admissions_per_100k_7d": [7.3, 13.3, 12.8, "", ""],
            "beds_covid_pct": [3.6, 2.9, 2.8, 16, ""],
        },
    )
    result = assess(rs, values)
    assert result.keys() == ["Medium", "High", "Medium", "High", "N/A"]
    assert result.ranks().tolist() == [2, 3, 2, 3, 0]


def test_no_rule_matched_has_no_level():
    doc = {
        "id": "t",
        "title": "t",
        "source": {"document": "test"},
        "levels": [{"key": "high", "rank": 1, "label": "High"}],
        "inputs": {"x": {}},
        "method": "rules",
        "rules": [{"level": "high", "when": "x > 10"}],
    }
    rs = parse_ruleset(doc)
    result = assess(rs, prepare(rs, {"x": [20, 5]}))
    assert result.level_index.tolist() == [0, NO_RULE]
    assert result.keys() == ["high", ""] and result.ranks().tolist() == [1, 0]
    assert explain(result, 1).decided_by == "no rule matched"


def test_matrix_with_a_missing_band_gives_the_all_missing_level():
    got = explained("vn-4800-2021", cases_per_100k_week=30, vacc_1dose_18plus_pct="")
    assert (got.level_key, got.decided_by) == ("unknown", "missing inputs")


def test_adjustments_do_not_touch_grey_states():
    rs = ruleset("vn-4800-2021")
    values = prepare(
        rs,
        {
            "cases_per_100k_week": [""],
            "vacc_full_elderly_pct": [10],
            "capacity_met": ["không"],
            "previous_level": [4],
        },
    )
    result = assess(rs, values)
    assert result.keys() == ["unknown"] and not result.adjusted.any()


def test_assessed_remembers_its_scale():
    rs = ruleset("vn-2686-2021")
    values = prepare(rs, {"children_scattered": ["không"]})
    children = {"binh_thuong_moi": (np.array([3.0]), np.array([3.0]))}
    result = assess(rs, values, scale="district", child_levels=children)
    assert result.scale == "district"
    assert [r.name for r in result.rules_used()][-1] == "communes without a level"
    assert result.keys() == ["binh_thuong_moi"]


# -- explanations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules_id", "inputs", "decided_by", "vi", "en"),
    [
        (
            "vn-4800-2021",
            {
                "cases_per_100k_week": 155.56,
                "vacc_1dose_18plus_pct": 98,
                "vacc_full_elderly_pct": 75,
            },
            "matrix[2][4]",
            "Cấp 4 – nguy cơ rất cao vì 155,6 ca cộng đồng/100.000 dân/tuần (≥ 150) và 98% người "
            "từ 18 tuổi đã tiêm ít nhất 1 liều (≥ 70%); nâng 1 cấp vì 75% người cao tuổi (≥ 65 "
            "đến 10/2021, ≥ 50 từ 11/2021) đã tiêm đủ liều (< 80%)",
            "Level 4 – very high risk because 155.6 community cases per 100,000 people per week "
            "(≥ 150) and 98% of adults with at least one dose (≥ 70%); raised 1 level because 75% "
            "of older people (≥ 65 until 10/2021, ≥ 50 from 11/2021) fully vaccinated (< 80%)",
        ),
        (
            "vn-4800-2021",
            {
                "cases_per_100k_week": 20,
                "vacc_1dose_18plus_pct": 90,
                "capacity_met": "không",
                "previous_level": 2,
            },
            "matrix[2][2]",
            "Cấp 2 – nguy cơ trung bình vì 20 ca cộng đồng/100.000 dân/tuần (≥ 20, < 50) và 90% "
            "người từ 18 tuổi đã tiêm ít nhất 1 liều (≥ 70%); không được hạ cấp vì đáp ứng năng "
            "lực thu dung, điều trị (TC3): không",
            "Level 2 – medium risk because 20 community cases per 100,000 people per week (≥ 20, "
            "< 50) and 90% of adults with at least one dose (≥ 70%); may not be lowered because "
            "treatment capacity met (criterion 3): no",
        ),
        (
            "us-cdc-community-2022",
            {"cases_per_100k_7d": 320.39, "admissions_per_100k_7d": 7.3, "beds_covid_pct": 3.6},
            "high incidence",
            "Trung bình vì 320,4 ca mới/100.000 dân trong 7 ngày (≥ 200)",
            "Medium because 320.4 new cases per 100,000 in 7 days (≥ 200)",
        ),
        (
            "us-cdc-community-2022",
            {"cases_per_100k_7d": 320.39},
            "no hospital data",
            "Không đủ số liệu vì ca nhập viện do COVID-19/100.000 dân trong 7 ngày: thiếu số liệu "
            "và giường bệnh nội trú có bệnh nhân COVID-19: thiếu số liệu",
            "N/A because new COVID-19 admissions per 100,000 in 7 days: no data and staffed "
            "inpatient beds occupied by COVID-19 patients: no data",
        ),
        (
            "eu-2020-1475",
            {"notification_rate_14d": 100, "positivity_pct": 3, "testing_rate_7d": 1000},
            "orange: N < 50 and P ≥ 4 %, or N from 25 to 150 and P < 4 %",
            "Cam vì 100 ca mới được thông báo/100.000 dân trong 14 ngày (≥ 25, ≤ 150) và 3% tỷ lệ "
            "xét nghiệm dương tính trong tuần (< 4%)",
            "Orange because 100 newly notified cases per 100,000 in 14 days (≥ 25, ≤ 150) and 3% "
            "test positivity in the last week (< 4%)",
        ),
        (
            "eu-2022-107",
            {"notification_rate_14d": 100, "vaccine_uptake_pct": 60, "testing_rate_7d": 1000},
            "orange: 40 ≤ W < 100",
            "Cam vì 70 ca/100.000 dân trong 14 ngày có trọng số tiêm chủng (W) (≥ 40, < 100)",
            "Orange because 70 vaccination-weighted 14-day rate per 100,000 (W) (≥ 40, < 100)",
        ),
        (
            "de-ifsg-28b-2021",
            {"incidence_7d": 120},
            "band incidence",
            "Trên 100 (phanh khẩn cấp) vì 120 ca mới/100.000 dân trong 7 ngày (RKI công bố) (> 100, ≤ 150)",
            "Above 100 (emergency brake) because 120 7-day incidence per 100,000 (as published by "
            "the RKI) (> 100, ≤ 150)",
        ),
        (
            "vn-green-zone-14d",
            {"days_since_community_case": 15},
            "14 full days without a new community case",
            "Vùng xanh vì 15 ngày kể từ ca cộng đồng gần nhất (> 14)",
            "Green zone because 15 days since the last community case (> 14)",
        ),
    ],
)
def test_explanations_in_both_languages(rules_id, inputs, decided_by, vi, en):
    got = explained(rules_id, **inputs)
    assert (got.decided_by, got.sentence_vi, got.sentence_en) == (decided_by, vi, en)


@pytest.mark.parametrize(
    ("children", "scattered", "vi", "en"),
    [
        (
            {"nguy_co_rat_cao": 0, "nguy_co_cao": 7, "nguy_co": 6, "binh_thuong_moi": 7},
            "có",
            "Nguy cơ cao (cam) vì 35% đơn vị cấp dưới ở mức Nguy cơ cao (cam) trở lên (≥ 30%) và "
            "các đơn vị ở mức này phân bố rải rác: có",
            "High risk (orange) because 35% of sub-areas at High risk (orange) or above (≥ 30%) "
            "and the sub-areas at that level are scattered: yes",
        ),
        (
            {"nguy_co_rat_cao": 1, "binh_thuong_moi": 19},
            "không",
            "Nguy cơ cao (cam) vì 1 đơn vị cấp dưới ở mức Nguy cơ rất cao (đỏ) (≥ 1)",
            "High risk (orange) because 1 sub-area at Very high risk (red) (≥ 1)",
        ),
    ],
)
def test_a_district_is_explained_by_its_communes(children, scattered, vi, en):
    got = explained(
        "vn-2686-2021", scale="district", children=children, children_scattered=scattered
    )
    assert (got.sentence_vi, got.sentence_en) == (vi, en)


def test_the_explanation_names_the_adjustments_applied():
    got = explained(
        "vn-4800-2021",
        cases_per_100k_week=155.6,
        vacc_1dose_18plus_pct=98,
        vacc_full_elderly_pct=75,
    )
    assert got.adjustments == ("elderly coverage below 80 % (+1)",)
    assert got.level_key == "4" and got.level_label == "Cấp 4"


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (155.56, 1, "vi", "155,6"),
        (155.56, 1, "en", "155.6"),
        (12345.0, 0, "vi", "12.345"),
        (12345.0, 0, "en", "12,345"),
        (20.0, 1, "vi", "20"),
        (NAN, 1, "vi", "—"),
    ],
)
def test_format_number(value, decimals, language, expected):
    assert format_number(value, decimals, language) == expected


# -- what it takes to lower the level -------------------------------------------------------------


def test_what_lowers_gives_the_threshold_per_input():
    inputs = {
        "cases_per_100k_week": 155.6,
        "vacc_1dose_18plus_pct": 98.0,
        "vacc_full_elderly_pct": 75.0,
        "capacity_met": 1.0,
        "previous_level": NAN,
    }
    found = {
        (t.input, t.symbol, t.value, t.level_key)
        for t in what_lowers(ruleset("vn-4800-2021"), inputs)
    }
    assert found == {
        ("cases_per_100k_week", "<", 150.0, "3"),
        ("vacc_full_elderly_pct", "≥", 80.0, "3"),
    }


def test_what_lowers_respects_inclusive_bounds():
    # "over 600" → 600 itself is no longer very high
    inputs = {
        "cases_per_100k_week": 700.0,
        "vacc_full_pct": 60.0,
        "vacc_full_highrisk_pct": 95.0,
        "deaths_per_100k": 0.0,
    }
    found = what_lowers(ruleset("vn-218-2022"), inputs)
    assert [(t.input, t.symbol, t.value, t.level_key) for t in found] == [
        ("cases_per_100k_week", "≤", 600.0, "2")
    ]


# -- the expression language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("x < 50 and y >= 4", {"x": [10, 60, NAN], "y": [5, 5, 5]}, [True, False, False]),
        ("missing(x) or x <= 600", {"x": [NAN, 600, 601]}, [True, True, False]),
        ("known(x)", {"x": [NAN, 1]}, [False, True]),
        ("not x > 1", {"x": [0, 2]}, [True, False]),
        ("(x + x * (100 - y) / 100) / 2", {"x": [100], "y": [60]}, [70.0]),
        ("min(x, y) > 1 and max(x, y) < 5", {"x": [2, 0], "y": [3, 3]}, [True, False]),
        ("1 < x <= 3", {"x": [1, 2, 3, 4]}, [False, True, True, False]),
        ("x == yes", {"x": [1, 0]}, [True, False]),
        ("-x < 0", {"x": [1, -1]}, [True, False]),
    ],
)
def test_expressions_evaluate_on_arrays(text, values, expected):
    arrays = {k: np.array(v, dtype=float) for k, v in values.items()}
    size = len(next(iter(arrays.values())))
    got = evaluate(parse(text), Context(arrays, size))
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "x.y",
        "[x]",
        "lambda: 1",
        "f(x)",
        "missing(x, y)",
        "x if y else z",
        "band(3)",
    ],
)
def test_the_expression_language_refuses_everything_else(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_share_and_count_read_children_levels():
    context = Context({}, 2, child_levels={"high": (np.array([3.0, 0.0]), np.array([10.0, 0.0]))})
    np.testing.assert_array_equal(evaluate(parse("share(high)"), context), [0.3, 0.0])
    np.testing.assert_array_equal(evaluate(parse("count(high)"), context), [3.0, 0.0])
    np.testing.assert_array_equal(evaluate(parse("count(low)"), context), [0.0, 0.0])
