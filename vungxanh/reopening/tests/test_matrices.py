"""Which activity matrix answers a ward's level on a day (pure)."""

from __future__ import annotations

import datetime as dt

from vungxanh.domain.activities import load_all
from vungxanh.reopening.matrices import choose, shipped

MATRICES = tuple(load_all().values())  # examples included: the choice itself is tested


def test_october_levels_of_4800_use_the_national_matrix_outside_a_deriving_province():
    found = choose(MATRICES, "vn-4800-2021", dt.date(2021, 10, 20), "79")
    assert found.id == "vn-nq128-activities"


def test_a_province_with_its_own_derivation_gets_it_once_in_force():
    assert choose(MATRICES, "vn-4800-2021", dt.date(2021, 10, 20), "92").id == (
        "vn-nq128-activities-cantho"
    )
    # Before the derivation takes effect (19/10) the national matrix answers Cần Thơ.
    assert choose(MATRICES, "vn-4800-2021", dt.date(2021, 10, 12), "92").id == (
        "vn-nq128-activities"
    )
    assert choose(MATRICES, "vn-4800-2021", dt.date(2021, 11, 2), "01").id == (
        "vn-nq128-activities-hanoi"
    )


def test_the_green_zone_regime_answers_can_tho_only_while_in_force():
    assert choose(MATRICES, "vn-green-zone-14d", dt.date(2021, 9, 20), "92").id == (
        "cantho-2021-09-green-zone"
    )
    assert choose(MATRICES, "vn-green-zone-14d", dt.date(2021, 9, 20), "01") is None
    assert choose(MATRICES, "vn-green-zone-14d", dt.date(2021, 9, 30), "92") is None


def test_a_matrix_never_answers_another_rule_sets_levels():
    assert choose(MATRICES, "vn-218-2022", dt.date(2021, 10, 20), "79") is None


def test_the_stage_leaves_example_files_out():
    ids = {m.id for m in shipped()}
    assert "vn-nq128-activities" in ids and "cantho-2021-09-green-zone" in ids
    assert "vn-nq128-activities-cantho" not in ids
    assert choose(shipped(), "vn-4800-2021", dt.date(2021, 10, 20), "92").id == (
        "vn-nq128-activities"
    )
