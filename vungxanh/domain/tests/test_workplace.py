"""Workplace self-assessment rule files (kind ``workplace``): reading and scoring."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vungxanh.domain.workplace import (
    NOT_ALLOWED,
    OPERATE,
    OPERATE_WITH_CHECKS,
    REDUCE_FIRST,
    AnswerError,
    WorkplaceError,
    assess,
    load_scheme,
    load_schemes,
)

SCHEMES = load_schemes()
QD_2194 = SCHEMES["vn-2194-2020"]
HCMC = SCHEMES["hcmc-2021-index"]


def total(points: int, maximum: int = 100):
    return assess(QD_2194, {"score": points, "maximum": maximum})


def components(points: dict[str, int] | None = None, default: int = 0):
    answers = {c.key: default for c in HCMC.components} | (points or {})
    return assess(HCMC, answers)


def test_the_shipped_files_load_and_flag_what_is_not_read_in_a_source():
    assert set(SCHEMES) == {"vn-2194-2020", "hcmc-2021-index"}
    # The 2194 criteria are not in the sources: the scoring is flagged, with a note.
    assert "scoring" in QD_2194.unverified_cells()
    assert QD_2194.scoring_note
    assert "scoring" in HCMC.unverified_cells()
    for scheme in SCHEMES.values():
        for band in scheme.bands:
            assert band.verified or band.note, band.key
            assert band.name_vi


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (0, "very_low"),
        (15, "very_low"),
        (16, "low"),
        (30, "low"),
        (31, "medium"),
        (50, "medium"),
        (51, "high"),
        (80, "high"),
        (81, "very_high"),
        (100, "very_high"),
    ],
)
def test_qd_2194_bands_on_both_sides_of_every_boundary(points, band):
    assert total(points).band.key == band


def test_qd_2194_takes_the_percentage_of_the_form_maximum():
    # 31 of 200 points is 15.5 %: above "≤ 15 %", so the low band.
    assert total(30, 200).band.key == "very_low"
    assert total(31, 200).percent == Fraction(31, 2)
    assert total(31, 200).band.key == "low"
    assert total(81, 100).decision == NOT_ALLOWED


@pytest.mark.parametrize(
    ("points", "band", "decision"),
    [
        (0, "very_low", OPERATE),
        (10, "very_low", OPERATE),  # ≤ 10 %
        (11, "low", OPERATE_WITH_CHECKS),
        (29, "low", OPERATE_WITH_CHECKS),  # < 30 %
        (30, "medium", OPERATE),
        (49, "medium", OPERATE),  # < 50 %
        (50, "high", REDUCE_FIRST),
        (79, "high", REDUCE_FIRST),  # < 80 %
        (80, "very_high", NOT_ALLOWED),
        (100, "very_high", NOT_ALLOWED),
    ],
)
def test_hcmc_bands_on_both_sides_of_every_boundary(points, band, decision):
    # Spread ``points`` over the ten components, at most 6 each (under the medium limit).
    answers, left = {}, points
    for component in HCMC.components:
        answers[component.key] = min(left, 6 if points < 50 else 10)
        left -= answers[component.key]
    assert left == 0
    found = assess(HCMC, answers)
    assert (found.score, found.maximum) == (points, 100)
    assert (found.band.key, found.decision) == (band, decision)


def test_hcmc_medium_band_requires_no_component_at_seven_points_or_more():
    six = components({"night_shifts": 6}, default=3)  # 33 %
    seven = components({"night_shifts": 7}, default=3)  # 34 %
    assert (six.band.key, six.decision, six.over_limit) == ("medium", OPERATE, ())
    assert (seven.band.key, seven.decision) == ("medium", REDUCE_FIRST)
    assert seven.over_limit == ("night_shifts",)
    # The limit belongs to the medium band only: a 7 in the low band changes nothing.
    low = components({"night_shifts": 7}, default=1)  # 16 %
    assert (low.band.key, low.decision) == ("low", OPERATE_WITH_CHECKS)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"score": 5}, "maximum"),
        ({"score": 101, "maximum": 100}, "score"),
        ({"score": -1, "maximum": 100}, "score"),
        ({"score": "ten", "maximum": 100}, "score"),
        ({"score": True, "maximum": 100}, "score"),
        ({"score": 1, "maximum": 0}, "maximum"),
    ],
)
def test_bad_answers_name_the_answer(answers, field):
    with pytest.raises(AnswerError) as caught:
        assess(QD_2194, answers)
    assert caught.value.field == field


def test_bad_component_answers_name_the_component():
    with pytest.raises(AnswerError) as caught:
        components({"masks_worn": 11})
    assert caught.value.field == "masks_worn"
    with pytest.raises(AnswerError) as caught:
        assess(HCMC, {c.key: 0 for c in HCMC.components[1:]})
    assert caught.value.field == HCMC.components[0].key
    with pytest.raises(AnswerError) as caught:
        components({"karaoke": 1})
    assert caught.value.field == "karaoke"


def _broken(tmp_path, text: str, name: str = "broken.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkplaceError) as caught:
        load_scheme(path)
    return caught.value


HEADER = 'id = "broken"\nversion = "1"\ntitle = "t"\n[scoring]\nmethod = "total"\n'
BAND = '[[bands]]\nkey = "{key}"\nupto = {upto}\ninclusive = true\nname = "n"\nname_vi = "n"\ndecision = "{decision}"\n'


def test_errors_name_the_file_the_line_and_the_key(tmp_path):
    text = (
        HEADER
        + BAND.format(key="a", upto=50, decision="operate")
        + BAND.format(key="b", upto=40, decision="operate")
    )
    error = _broken(tmp_path, text)
    assert (error.file, error.key, error.line) == ("broken.toml", "bands[1].upto", 15)
    assert str(error).startswith("broken.toml:15: bands[1].upto: bands must rise")


def test_an_unknown_decision_and_an_unverified_cell_without_note_are_refused(tmp_path):
    error = _broken(tmp_path, HEADER + BAND.format(key="a", upto=100, decision="maybe"))
    assert error.key == "bands[0].decision"
    text = HEADER + BAND.format(key="a", upto=100, decision="operate") + "verified = false\n"
    assert _broken(tmp_path, text).key == "bands[0].note"


def test_the_last_band_must_reach_one_hundred_and_keys_must_be_known(tmp_path):
    error = _broken(tmp_path, HEADER + BAND.format(key="a", upto=90, decision="operate"))
    assert error.key == "bands[0].upto"
    error = _broken(
        tmp_path, HEADER + "colour = 1\n" + BAND.format(key="a", upto=100, decision="operate")
    )
    assert (error.key, error.line) == ("scoring.colour", 6)


def test_the_id_must_match_the_file_name(tmp_path):
    text = HEADER + BAND.format(key="a", upto=100, decision="operate")
    assert _broken(tmp_path, text, "other.toml").key == "id"
