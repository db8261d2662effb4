"""Activity matrices: the NQ 128 cells, most specific match, derivation, validation (no Django)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest

from vungxanh.domain import activities, vsic
from vungxanh.domain.activities import (
    NO_STATUS,
    STATUS_CODE,
    ActivitiesError,
    ActivityLookupError,
    group_indices,
    level_indices,
    load_activities,
    load_all,
    lookup,
    status_codes,
    statuses_at,
)
from vungxanh.domain.rules import load_ruleset

LEVEL_RULES_DIR = Path(activities.__file__).resolve().parent.parent / "risk" / "rulesets"


@pytest.fixture(scope="module")
def shipped():
    return load_all()


@pytest.fixture(scope="module")
def nq128(shipped):
    return shipped["vn-nq128-activities"]


# -- every verified cell of RULES-VN §1.3 ----------------------------------------------------
#
# Written out from ../shared/RULES-VN.md §1.3, the cells tagged [V]: (row of the table, the
# group of the file, a VSIC code of an establishment of that row, the level, the status).
# "Có" is allowed, "HC" limited, "Dừng" suspended. Row 9 Cấp 1 "Có hoặc HC — do địa phương
# quyết định" is limited (the province sets the conditions); row 11 Cấp 4 "May be Dừng" is
# suspended; row 13 "UBND tỉnh decides the number of participants" is limited at every level.
A, L, S = "allowed", "limited", "suspended"
VERIFIED_CELLS = [
    (1, "gatherings", "96330", "1", A),  # Có, không hạn chế số người
    (1, "gatherings", "82300", "2", L),  # HC số người / có điều kiện
    (2, "passenger_transport", "49210", "1", A),
    (4, "goods_transport", "49331", "1", A),
    (4, "goods_transport", "52292", "2", A),
    (4, "goods_transport", "50221", "3", A),
    (4, "goods_transport", "53200", "4", A),
    (5, "production_construction", "10101", "1", A),
    (5, "production_construction", "41010", "2", A),
    (5, "production_construction", "01110", "3", A),
    (5, "production_construction", "42120", "4", A),  # Có, with COVID-safety conditions
    (6, "supermarkets_wholesale", "47111", "1", A),
    (6, "supermarkets_wholesale", "47112", "2", A),
    (6, "supermarkets_wholesale", "46310", "3", A),
    (6, "supermarkets_wholesale", "47111", "4", L),  # Có, more restricted
    (7, "restaurants", "56101", "1", A),
    (7, "restaurants", "56102", "2", A),
    (7, "restaurants", "56302", "3", A),
    (7, "restaurants", "56101", "4", L),
    (7, "traditional_markets", "47815", "1", A),
    (7, "traditional_markets", "47817", "2", A),
    (7, "traditional_markets", "47822", "3", A),
    (7, "traditional_markets", "47811", "4", L),
    (8, "street_vendors_lottery", "92001", "1", A),
    (9, "high_risk_services", "93290", "1", L),
    (10, "education", "85210", "1", A),
    (10, "education", "85230", "2", L),  # may be HC, per Bộ GD&ĐT
    (11, "accommodation_tourism", "55101", "1", A),
    (11, "accommodation_tourism", "55103", "2", A),
    (11, "accommodation_tourism", "79110", "3", L),
    (11, "accommodation_tourism", "55101", "4", S),  # may be Dừng
    (12, "performances_sports", "90000", "1", A),
    (13, "religious", "94910", "1", L),
    (13, "religious", "94910", "2", L),
    (13, "religious", "94910", "3", L),
    (13, "religious", "94910", "4", L),
]


@pytest.mark.parametrize(("row", "group", "code", "level", "status"), VERIFIED_CELLS)
def test_every_verified_cell_of_the_resolution(nq128, row, group, code, level, status):
    assert vsic.lookup(code) is not None, f"{code} must be a real VSIC code"
    cell = lookup(nq128, code, level)
    assert (cell.group.key, cell.level, cell.status, cell.verified) == (group, level, status, True)
    assert cell.note.startswith("[V]")
    assert cell.source.document.startswith("Nghị quyết 128/NQ-CP")
    assert cell.written_in == "vn-nq128-activities"


def test_only_the_documents_verified_cells_are_marked_verified(nq128):
    expected = {(group, level) for _row, group, _code, level, _status in VERIFIED_CELLS}
    marked = {key for key, cell in nq128.cells.items() if cell.verified}
    assert marked == expected
    assert len(nq128.cells) == len(nq128.groups) * 4
    for cell in nq128.unverified_cells():
        assert cell.note.strip(), f"{cell.group.key} {cell.level} says nothing of what is unknown"
    assert nq128.verified is False


def test_verified_cells_carry_the_terms_the_document_gives(nq128):
    takeaway = lookup(nq128, "56101", "4")
    # "typically takeaway only" is only [P]: not encoded as a term of a verified cell
    assert takeaway.takeaway_only is False
    assert "mang về" in takeaway.conditions_vi
    assert "số người mua, bán cùng lúc" in lookup(nq128, "47111", "4").conditions_vi
    assert "Bộ GD&ĐT" in lookup(nq128, "85230", "2").conditions_vi
    seats = lookup(nq128, "49210", "3")  # ≤ 50 % seats is a local example: unverified
    assert (seats.status, seats.capacity_percent, seats.verified) == (L, 50, False)


# -- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "group", "matched"),
    [
        ("49311", "air_rail_passengers", "49311"),  # metro: the 5-digit code beats 4931
        ("49312", "passenger_transport", "4931"),  # taxi
        ("56301", "high_risk_services", "56301"),  # bars: beats 56
        ("56302", "restaurants", "56"),  # cafés
        ("96310", "high_risk_services", "9631"),
        ("96330", "gatherings", "9633"),  # weddings: beats section S
        ("96200", "other_services", "S"),  # laundry: only the section
        ("01110", "production_construction", "A"),
        ("4711", "supermarkets_wholesale", "471"),
        ("47", "other_shops", "G"),  # a division: never a more specific group's code
        ("G", "other_shops", "G"),
        ("47901", "other_shops", "G"),  # class 4790 missing from the data: accepted, by section
        ("56.10.1", "restaurants", "56"),  # dots and spaces carry no meaning
    ],
)
def test_the_most_specific_code_of_a_group_wins(nq128, code, group, matched):
    cell = lookup(nq128, code, "2")
    assert (cell.group.key, cell.matched_code) == (group, matched)


def test_every_vsic_code_is_in_a_group_of_every_shipped_file(shipped):
    classification = vsic.load_vsic()
    for matrix in shipped.values():
        missing = [e.code for e in classification if activities.match(matrix, e.code) is None]
        assert missing == [], matrix.id


def test_each_shipped_file_pairs_with_the_levels_of_a_level_rule_set(shipped):
    for matrix in shipped.values():
        ruleset = load_ruleset(LEVEL_RULES_DIR / f"{matrix.level_rules}.toml")
        assert set(matrix.levels) <= {level.key for level in ruleset.ranked_levels()}, matrix.id
    assert shipped["cantho-2021-09-green-zone"].levels == ("green", "not_green")


@pytest.mark.parametrize(
    ("code", "level", "argument", "message"),
    [
        ("9999", "1", "vsic", "'9999' is not a VSIC 2018 code"),
        ("1110", "1", "vsic", "did you mean 01110?"),
        ("abc", "1", "vsic", "a section letter A–U or 2 to 5 digits"),
        ("", "1", "vsic", "is not a VSIC code"),
        ("56101", "5", "level", "'5' is not a level of vn-nq128-activities (1, 2, 3, 4)"),
        ("56101", "green", "level", "'green' is not a level"),
    ],
)
def test_a_lookup_without_an_answer_names_the_argument(nq128, code, level, argument, message):
    with pytest.raises(ActivityLookupError) as error:
        lookup(nq128, code, level)
    assert error.value.argument == argument
    assert message in str(error.value)


def test_the_green_zone_regime_of_cantho(shipped):
    matrix = shipped["cantho-2021-09-green-zone"]
    shop = lookup(matrix, "47112", "green")
    assert (shop.status, shop.max_people, shop.verified) == (L, 10, True)
    eatery = lookup(matrix, "56101", "green")
    assert (eatery.status, eatery.max_people, eatery.verified) == (L, 10, True)
    outside = lookup(matrix, "56101", "not_green")
    assert (outside.status, outside.takeaway_only, outside.verified) == (L, True, False)
    assert lookup(matrix, "47811", "green").status == S
    assert (matrix.effective_from, matrix.effective_to) == (
        dt.date(2021, 9, 18),
        dt.date(2021, 9, 23),
    )


# -- derivation ----------------------------------------------------------------------------


def test_hanoi_overrides_cells_and_keeps_the_rest(shipped, nq128):
    hanoi = shipped["vn-nq128-activities-hanoi"]
    assert hanoi.derives_from == "vn-nq128-activities" and hanoi.example
    cell = lookup(hanoi, "56101", "2")
    assert (cell.status, cell.capacity_percent, cell.closing_hour, cell.verified) == (
        L,
        50,
        "21:00",
        True,
    )
    assert cell.written_in == "vn-nq128-activities-hanoi"
    assert cell.source.date == dt.date(2021, 11, 1)
    inherited = lookup(hanoi, "56101", "1")
    assert inherited == lookup(nq128, "56101", "1")
    assert inherited.source == nq128.source
    assert lookup(hanoi, "56101", "3").takeaway_only is True
    assert lookup(nq128, "56101", "2").status == A  # the parent is untouched


def test_a_province_adds_a_more_specific_group(shipped):
    hanoi = shipped["vn-nq128-activities-hanoi"]
    gym = lookup(hanoi, "93110", "2")
    assert (gym.group.key, gym.max_people, gym.capacity_percent) == ("gyms", 30, 50)
    club = lookup(hanoi, "93120", "2")  # a sports club stays with row 12
    assert (club.group.key, club.matched_code) == ("performances_sports", "931")


def test_cantho_moves_haircuts_out_of_the_high_risk_group(shipped, nq128):
    cantho = shipped["vn-nq128-activities-cantho"]
    assert lookup(nq128, "96310", "4").group.key == "high_risk_services"
    haircut = lookup(cantho, "96310", "4")
    assert (haircut.group.key, haircut.status) == ("haircuts", A)
    assert lookup(cantho, "96100", "4").status == S  # massage stays suspended
    assert "9631" not in cantho.groups["high_risk_services"].vsic
    assert (
        cantho.groups["high_risk_services"].title_vi == nq128.groups["high_risk_services"].title_vi
    )


def test_an_override_replaces_the_whole_cell(shipped, nq128):
    cantho = shipped["vn-nq128-activities-cantho"]
    parent = lookup(nq128, "56101", "4")
    child = lookup(cantho, "56101", "4")
    assert parent.verified and not child.verified  # never inherits the parent's flag
    assert child.note != parent.note and child.max_people == 10
    markets = lookup(cantho, "47811", "4")
    assert (markets.status, markets.verified) == (S, True)
    assert "100% đã tiêm ít nhất 1 liều" in lookup(cantho, "47811", "2").conditions_vi


# -- validation ----------------------------------------------------------------------------

BASE = """\
id = "test-act"
version = "1"
title = "Test"
title_vi = "Thử"
verified = false
level_rules = "vn-4800-2021"
levels = ["1", "2"]

[source]
document = "Test decision"
date = 2021-10-11

[groups.food]
title = "Food"
title_vi = "Ăn uống"
vsic = ["56"]

[groups.bars]
title = "Bars"
title_vi = "Quán bar"
vsic = ["56301"]

[cells.food]
1 = { status = "allowed", verified = true, note = "[V]" }
2 = { status = "limited", verified = false, capacity_percent = 50, note = "[U] unknown" }

[cells.bars]
1 = { status = "limited", verified = true, conditions_vi = "Điều kiện" }
2 = { status = "suspended", verified = true }
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_base_file_is_valid(tmp_path):
    matrix = load_activities(write(tmp_path, "test-act", BASE))
    assert matrix.levels == ("1", "2") and list(matrix.groups) == ["food", "bars"]
    assert matrix.status_table().tolist() == [[0, 1], [1, 2]]
    with pytest.raises(ActivityLookupError, match="VSIC code 47111 is in no activity group"):
        lookup(matrix, "47111", "1")
    assert status_codes(matrix, ["47111", "56301"], ["1", "1"]).tolist() == [NO_STATUS, 1]


@pytest.mark.parametrize(
    ("old", "new", "key", "message", "at"),
    [
        (  # a top-level key written below a table belongs to that table
            "date = 2021-10-11\n",
            'date = 2021-10-11\nnotes = "x"\n',
            "source.notes",
            "unknown key",
            'notes = "x"',
        ),
        (
            '2 = { status = "limited", verified = false, capacity_percent = 50,',
            '2 = { status = "limited", verified = false, capacity = 50,',
            "cells.food.2.capacity",
            "unknown key",
            "capacity = 50",
        ),
        (
            'title_vi = "Quán bar"\n',
            'title_vi = "Quán bar"\nessential = true\n',
            "groups.bars.essential",
            "unknown key",
            "essential = true",
        ),
        (
            '2 = { status = "suspended", verified = true }\n',
            "",
            "cells.bars",
            "no cell for level '2' of group 'bars'",
            "[cells.bars]",
        ),
        (
            '2 = { status = "suspended", verified = true }\n',
            '2 = { status = "suspended", verified = true }\n3 = { status = "allowed", verified = true }\n',
            "cells.bars.3",
            "unknown level '3'; the levels are 1, 2",
            "3 = {",
        ),
        (
            'vsic = ["56301"]',
            'vsic = ["56301", "56"]',
            "groups.bars.vsic",
            "VSIC code '56' is also in group 'food'",
            'vsic = ["56301", "56"]',
        ),
        (
            'vsic = ["56301"]',
            'vsic = ["56301", "56301"]',
            "groups.bars.vsic",
            "VSIC code '56301' is twice in this group",
            'vsic = ["56301", "56301"]',
        ),
        (
            'vsic = ["56301"]',
            'vsic = ["5699"]',
            "groups.bars.vsic",
            "'5699' is not a VSIC 2018 code",
            'vsic = ["5699"]',
        ),
        (
            'vsic = ["56301"]',
            'vsic = ["56.301"]',
            "groups.bars.vsic",
            "is not a VSIC code",
            'vsic = ["56.301"]',
        ),
        (
            '1 = { status = "allowed", verified = true, note = "[V]" }',
            '1 = { status = "open", verified = true, note = "[V]" }',
            "cells.food.1.status",
            "must be one of allowed, limited, suspended",
            'status = "open"',
        ),
        (
            '1 = { status = "allowed", verified = true, note = "[V]" }',
            '1 = { status = "allowed", verified = false }',
            "cells.food.1.note",
            "an unverified cell needs a note",
            'status = "allowed", verified = false }',
        ),
        (
            '1 = { status = "allowed", verified = true, note = "[V]" }',
            '1 = { status = "allowed", verified = true, max_people = 10 }',
            "cells.food.1.max_people",
            "only a limited cell takes it, not allowed",
            "max_people = 10",
        ),
        (
            'conditions_vi = "Điều kiện"',
            'note = "x"',
            "cells.bars.1",
            "a limited cell needs its terms or conditions_vi",
            'note = "x"',
        ),
        (
            "capacity_percent = 50",
            "capacity_percent = 150",
            "cells.food.2.capacity_percent",
            "must be from 1 to 100",
            "capacity_percent = 150",
        ),
        (
            '1 = { status = "allowed", verified = true, note = "[V]" }',
            '1 = { status = "limited", verified = true, closing_hour = "9pm" }',
            "cells.food.1.closing_hour",
            "'9pm' is not a time HH:MM",
            'closing_hour = "9pm"',
        ),
        (
            'levels = ["1", "2"]',
            'levels = ["1", "2", "1"]',
            "levels",
            "lists a level twice",
            "levels =",
        ),
        (
            "verified = false\nlevel_rules",
            "verified = true\nlevel_rules",
            "verified",
            "is true but 1 cell(s) say verified = false",
            "verified = true",
        ),
        (
            'level_rules = "vn-4800-2021"\n',
            "",
            "level_rules",
            "is required",
            "[source]",
        ),
        (
            "[cells.bars]",
            "[cells.drinks]",
            "cells.drinks",
            "unknown group 'drinks'",
            "[cells.drinks]",
        ),
        (
            "verified = true }",
            'verified = "yes" }',
            "cells.bars.2.verified",
            "must be true or false",
            'verified = "yes"',
        ),
    ],
)
def test_every_mistake_names_file_line_and_key(tmp_path, old, new, key, message, at):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    with pytest.raises(ActivitiesError) as error:
        load_activities(write(tmp_path, "test-act", text))
    assert error.value.file == "test-act.toml"
    assert error.value.key == key
    assert message in error.value.message
    assert error.value.line == line_of(text, at)
    assert str(error.value).startswith(f"test-act.toml:{line_of(text, at)}: {key}: ")


def test_a_toml_syntax_error_names_its_line(tmp_path):
    text = BASE.replace('title = "Test"', 'title = "Test')
    with pytest.raises(ActivitiesError) as error:
        load_activities(write(tmp_path, "test-act", text))
    assert error.value.line == 3


def test_the_id_must_be_the_file_name(tmp_path):
    with pytest.raises(ActivitiesError, match=r"other\.toml:1: id: 'test-act' differs"):
        load_activities(write(tmp_path, "other", BASE))


CHILD = """\
id = "test-act-x"
derives_from = "test-act"
title = "Province X"

[source]
document = "Quyết định của UBND tỉnh X"
date = 2021-11-01

[cells.food]
2 = { status = "limited", verified = true, max_people = 10 }
"""


def test_a_derived_file_overrides_cells_and_cites_its_own_source(tmp_path):
    write(tmp_path, "test-act", BASE)
    matrix = load_activities(write(tmp_path, "test-act-x", CHILD))
    assert (matrix.id, matrix.title, matrix.title_vi) == ("test-act-x", "Province X", "Thử")
    food = matrix.cells["food", "2"]
    assert (food.status, food.max_people, food.capacity_percent, food.verified) == (
        L,
        10,
        None,
        True,
    )
    assert (food.written_in, food.source.document) == ("test-act-x", "Quyết định của UBND tỉnh X")
    kept = matrix.cells["food", "1"]
    assert (kept.written_in, kept.source.document) == ("test-act", "Test decision")


@pytest.mark.parametrize(
    ("old", "new", "file", "key", "message"),
    [
        ('derives_from = "test-act"', 'derives_from = "nope"', "test-act-x.toml", "derives_from",
         "no activity file 'nope'"),
        ('derives_from = "test-act"', 'derives_from = "test-act-x"', "test-act-x.toml",
         "derives_from", "derivation loop: test-act-x → test-act-x"),
        ('[source]\ndocument = "Quyết định của UBND tỉnh X"\ndate = 2021-11-01\n', "",
         "test-act-x.toml", "source", "is required"),
        ("[cells.food]\n2 =", "[cells.food]\n3 =", "test-act-x.toml", "cells.food.3",
         "unknown level '3'"),
        ('max_people = 10 }', 'max_people = 10, seats = 4 }', "test-act-x.toml",
         "cells.food.2.seats", "unknown key"),
    ],
)  # fmt: skip
def test_a_derived_files_mistakes_point_to_the_child(tmp_path, old, new, file, key, message):
    write(tmp_path, "test-act", BASE)
    with pytest.raises(ActivitiesError) as error:
        load_activities(write(tmp_path, "test-act-x", CHILD.replace(old, new)))
    assert (error.value.file, error.value.key) == (file, key)
    assert message in error.value.message
    assert error.value.line is not None


def test_a_mistake_in_the_parent_points_to_the_parent(tmp_path):
    write(tmp_path, "test-act", BASE.replace('vsic = ["56301"]', 'vsic = ["56"]'))
    with pytest.raises(ActivitiesError) as error:
        load_activities(write(tmp_path, "test-act-x", CHILD))
    assert (error.value.file, error.value.key) == ("test-act.toml", "groups.bars.vsic")


def test_a_child_moving_a_code_must_restate_the_parents_group(tmp_path):
    write(tmp_path, "test-act", BASE)
    child = CHILD + (
        '\n[groups.pubs]\ntitle = "Pubs"\ntitle_vi = "Quán nhậu"\nvsic = ["56301"]\n'
        '[cells.pubs]\n1 = { status = "allowed", verified = true }\n'
        '2 = { status = "allowed", verified = true }\n'
    )
    with pytest.raises(ActivitiesError, match="'56301' is also in group 'bars'"):
        load_activities(write(tmp_path, "test-act-x", child))
    moved = child + '\n[groups.bars]\nvsic = ["9610"]\n'
    matrix = load_activities(write(tmp_path, "test-act-x", moved))
    assert lookup(matrix, "56301", "1").group.key == "pubs"
    assert lookup(matrix, "96100", "2").group.key == "bars"


# -- the vectorised form -------------------------------------------------------------------


def test_the_vectorised_form_equals_the_scalar_form_on_random_inputs(shipped):
    rng = random.Random(128)
    codes = [entry.code for entry in vsic.load_vsic()]
    junk = ["9999", "1110", "abc", "", "47901", "56.10.1", " 4711 ", "Z"]
    for matrix in shipped.values():
        pool_levels = [*matrix.levels, "5", "green", "0"]
        sample_codes = [rng.choice(codes + junk) for _ in range(3000)]
        sample_levels = [rng.choice(pool_levels) for _ in range(3000)]
        vector = status_codes(matrix, sample_codes, sample_levels)
        for code, level, got in zip(sample_codes, sample_levels, vector, strict=True):
            try:
                expected = STATUS_CODE[lookup(matrix, code, level).status]
            except ActivityLookupError:
                expected = NO_STATUS
            assert got == expected, (matrix.id, code, level)


def test_the_vectorised_form_matches_each_distinct_code_once(nq128, monkeypatch):
    calls = []
    real = activities.match

    def counting(matrix, code):
        calls.append(code)
        return real(matrix, code)

    monkeypatch.setattr(activities, "match", counting)
    rng = np.random.default_rng(7)
    distinct = np.array(["56101", "47111", "10101", "96310", "85210"])
    codes = distinct[rng.integers(0, len(distinct), 200_000)]
    levels = rng.integers(1, 5, 200_000)
    groups = group_indices(nq128, codes)
    assert sorted(calls) == sorted(distinct)
    # A level change is then indexing: no code is matched again.
    after = statuses_at(nq128, groups, level_indices(nq128, levels))
    assert len(calls) == len(distinct)
    assert after[codes == "96310"].tolist() == [
        STATUS_CODE[lookup(nq128, "96310", str(lv)).status] for lv in levels[codes == "96310"]
    ]


def test_integer_levels_and_length_mismatch(nq128):
    assert status_codes(nq128, ["56101", "56101"], np.array([1, 4])).tolist() == [0, 1]
    ranks = np.array([0, 1, 2, 3, 4, 5, -3, 10**9])
    codes = ["55101"] * len(ranks)
    assert status_codes(nq128, codes, ranks).tolist() == [-1, 0, 0, 1, 2, -1, -1, -1]
    assert status_codes(nq128, codes[:7], ranks[:7]).tolist() == [-1, 0, 0, 1, 2, -1, -1]
    with pytest.raises(ValueError, match="2 codes but 1 levels"):
        status_codes(nq128, ["56101", "56101"], ["1"])
