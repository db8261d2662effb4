"""Reading rule files: every mistake names the file, the key and the line (no Django)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vungxanh.domain.rules import (
    RuleSetError,
    key_lines,
    load_document,
    load_ruleset,
    merge,
    parse_ruleset,
)

BASE = """\
id = "test-rules"
title = "Test"
method = "rules"
scales = ["commune", "district"]

[source]
document = "Test decision"

[[levels]]
key = "low"
rank = 1
label = "Low"

[[levels]]
key = "high"
rank = 2
label = "High"

[[levels]]
key = "grey"
label = "Grey"
state = "missing"

[inputs.cases]
direction = "up"

[inputs.coverage]
direction = "down"

[bands.cases_band]
input = "cases"
edges = [10, 50]
closed = "left"

[[rules]]
name = "no data"
level = "grey"
when = "missing(cases)"

[[rules]]
name = "many cases"
level = "high"
when = "cases >= 50 or band(cases_band) == 3"

[[rules]]
name = "otherwise"
level = "low"
when = "true"

[scale.district]
method = "children"

[[scale.district.rules]]
level = "high"
when = "share(high) >= 0.5"

[[scale.district.rules]]
level = "low"
when = "true"
"""

MATRIX = """
[bands.coverage_band]
input = "coverage"
edges = [70]
closed = "left"

[matrix]
rows = "coverage_band"
cols = "cases_band"
cells = [
  ["low", "high", "high"],
  ["low", "low", "high"],
]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, snippet: str) -> int:
    """Return the 1-based line of ``text`` where ``snippet`` starts."""
    return text[: text.index(snippet)].count("\n") + 1


def test_the_base_file_is_valid(tmp_path):
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", BASE))
    assert ruleset.id == "test-rules"
    assert [lv.key for lv in ruleset.ranked_levels()] == ["low", "high"]
    assert ruleset.scale_rules["district"].method == "children"


@pytest.mark.parametrize(
    ("old", "new", "key", "message", "marker"),
    [
        # bad TOML
        ('title = "Test"', 'title = "Test', "(file)", "line 2", 'title = "Test'),
        # unknown key: a top-level key written after a [table] belongs to that table
        (
            'document = "Test decision"',
            'document = "Test decision"\nnotes = "x"',
            "source.notes",
            "a top-level key written after a [table]",
            'notes = "x"',
        ),
        ('when = "true"\n\n[scale', 'whn = "true"\n\n[scale', "rules[2].whn", "unknown key", "whn"),
        ("rank = 2", "rank = 2\ncolor = 1", "levels[1].color", "unknown key", "color = 1"),
        # wrong type
        (
            "rank = 1",
            'rank = "1"',
            "levels[0].rank",
            "must be a whole number, not text",
            'rank = "1"',
        ),
        (
            "edges = [10, 50]",
            'edges = [10, "50"]',
            "bands.cases_band.edges",
            "list of numbers",
            "edges",
        ),
        (
            'level = "high"\nwhen = "cases',
            'level = "high"\nverified = "yes"\nwhen = "cases',
            "rules[1].verified",
            "must be true or false",
            'verified = "yes"',
        ),
        (
            "[inputs.cases]\n",
            '[inputs.cases]\nkind = "text"\n',
            "inputs.cases.kind",
            "must be one of",
            'kind = "text"',
        ),
        # unknown level
        (
            'level = "high"\nwhen = "cases',
            'level = "medium"\nwhen = "cases',
            "rules[1].level",
            "unknown level 'medium'",
            'level = "medium"',
        ),
        (
            'level = "high"\nwhen = "share',
            'level = "top"\nwhen = "share',
            "scale.district.rules[0].level",
            "unknown level 'top'",
            'level = "top"',
        ),
        (
            'when = "share(high) >= 0.5"',
            'when = "share(hihg) >= 0.5"',
            "scale.district.rules[0].when",
            "unknown level(s) ['hihg']",
            "share(hihg)",
        ),
        # unknown band
        (
            "band(cases_band)",
            "band(case_band)",
            "rules[1].when",
            "unknown band(s) ['case_band']",
            "band(case_band)",
        ),
        # unknown name in a condition
        (
            "cases >= 50 or",
            "deaths >= 50 or",
            "rules[1].when",
            "unknown name(s) ['deaths']",
            "deaths >= 50",
        ),
        (
            "cases >= 50 or",
            "high >= 1 or",
            "rules[1].when",
            "only inside share() or count()",
            "high >= 1",
        ),
        (
            "cases >= 50 or",
            "cases_band >= 1 or",
            "rules[1].when",
            "only inside band()",
            "cases_band >= 1",
        ),
        # conditions the language refuses
        (
            "cases >= 50 or",
            "sqrt(cases) >= 50 or",
            "rules[1].when",
            "unknown function 'sqrt'",
            "sqrt",
        ),
        (
            "cases >= 50 or",
            "cases == 'many' or",
            "rules[1].when",
            "text 'many' is not allowed",
            "'many'",
        ),
        (
            "cases >= 50 or",
            "cases.real >= 50 or",
            "rules[1].when",
            "Attribute is not allowed",
            "cases.real",
        ),
        ("cases >= 50 or", "cases >= >= 50 or", "rules[1].when", "cannot read", "cases >= >="),
        (
            'when = "true"\n\n[scale',
            'when = "count(high) > 0"\n\n[scale',
            "rules[2].when",
            "only work in [scale.X] rules",
            "count(high)",
        ),
        # wrong matrix shape
        (
            'method = "rules"',
            'method = "matrix"',
            "matrix",
            "needs a [matrix] table",
            'method = "matrix"',
        ),
        # non-increasing edges
        (
            "edges = [10, 50]",
            "edges = [50, 10]",
            "bands.cases_band.edges",
            "strictly increasing",
            "edges = [50, 10]",
        ),
        (
            "edges = [10, 50]",
            "edges = [10, 10]",
            "bands.cases_band.edges",
            "strictly increasing",
            "edges = [10, 10]",
        ),
        (
            'input = "cases"',
            'input = "casse"',
            "bands.cases_band.input",
            "unknown input 'casse'",
            'input = "casse"',
        ),
        (
            'closed = "left"',
            'closed = "both"',
            "bands.cases_band.closed",
            "must be 'left'",
            'closed = "both"',
        ),
        # required keys: at the table they belong to, or above the first table
        ('title = "Test"\n', "", "title", "is required", "[source]"),
        ('label = "Low"\n', "", "levels[0].label", "is required", "[[levels]]"),
        # levels
        ("rank = 2", "rank = 1", "levels", "share a rank", "[[levels]]"),
        ('key = "high"', 'key = "low"', "levels", "share a key", "[[levels]]"),
        ("rank = 1", "rank = 0", "levels[0].rank", "rank of 1 or more", "rank = 0"),
        # dates, scales, timing
        (
            'scales = ["commune", "district"]',
            'scales = ["commune", "district"]\neffective_from = 2021-10-11\neffective_to = 2021-10-10',
            "effective_to",
            "before effective_from",
            "effective_to",
        ),
        (
            'scales = ["commune", "district"]',
            'scales = ["commune"]',
            "scale.district",
            "is not one of the scales",
            "[scale.district]",
        ),
        (
            '[scale.district]\nmethod = "children"',
            '[timing]\nraise_after_days = 0\n\n[scale.district]\nmethod = "children"',
            "timing.raise_after_days",
            "1 or more",
            "raise_after_days",
        ),
        (
            'method = "children"',
            'method = "parents"',
            "scale.district.method",
            "must be 'own_totals'",
            'method = "parents"',
        ),
    ],
)
def test_every_mistake_names_file_key_and_line(tmp_path, old, new, key, message, marker):
    assert old in BASE, old
    text = BASE.replace(old, new, 1)
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(write(tmp_path, "test-rules.toml", text))
    error = caught.value
    assert (error.file, error.key) == ("test-rules.toml", key)
    assert message in error.message
    assert error.line == line_of(text, marker)
    assert str(error) == f"test-rules.toml:{error.line}: {key}: {error.message}"


@pytest.mark.parametrize(
    ("matrix", "key", "message", "marker"),
    [
        (
            MATRIX.replace('  ["low", "low", "high"],\n', ""),
            "matrix.cells",
            "must be 2 rows of 3 levels",
            "cells",
        ),
        (
            MATRIX.replace('["low", "low", "high"]', '["low", "low"]'),
            "matrix.cells",
            "must be 2 rows of 3",
            "cells",
        ),
        (
            MATRIX.replace('"low", "low", "high"', '"low", "lo", "high"'),
            "matrix.cells",
            "unknown level 'lo'",
            "cells",
        ),
        (
            MATRIX.replace('rows = "coverage_band"', 'rows = "coverage"'),
            "matrix.rows",
            "unknown band 'coverage'",
            "rows =",
        ),
        (
            MATRIX + "verified = [[true, true, true]]\n",
            "matrix.verified",
            "2 rows of 3 true/false",
            "verified =",
        ),
        (
            MATRIX + "notes = [[1, 2, 3], [4, 5, 6]]\n",
            "matrix.notes",
            "2 rows of 3 texts",
            "notes =",
        ),
        (
            MATRIX.replace("[matrix]", "[matrix.extra]\n[matrix]"),
            "matrix.extra",
            "unknown key",
            "[matrix.extra]",
        ),
    ],
)
def test_matrix_mistakes(tmp_path, matrix, key, message, marker):
    text = BASE.replace('method = "rules"', 'method = "matrix"') + matrix
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert caught.value.key == key and message in caught.value.message
    assert caught.value.line == line_of(text, marker)


def test_a_valid_matrix(tmp_path):
    text = BASE.replace('method = "rules"', 'method = "matrix"') + MATRIX
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert ruleset.matrix.cells == (("low", "high", "high"), ("low", "low", "high"))
    assert ruleset.unverified_cells() == []


@pytest.mark.parametrize(
    ("derived", "key", "message"),
    [
        ('rate = "band(cases_band) * 2"', "derived.rate", "band() cannot be used here"),
        ('rate = "later + 1"\nlater = "cases * 2"', "derived.rate", "unknown name(s) ['later']"),
        ('cases = "coverage * 2"', "derived.cases", "is already an input"),
        ('method = "rules"', "derived.method", "a top-level key written after [derived]"),
        ('[derived.rate]\nlabel_vi = "x"', "derived.rate.expr", "is required"),
    ],
)
def test_derived_value_mistakes(tmp_path, derived, key, message):
    table = derived if derived.startswith("[") else "[derived]\n" + derived
    text = BASE.replace("[bands.cases_band]", table + "\n\n[bands.cases_band]")
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert caught.value.key == key and message in caught.value.message
    assert caught.value.line is not None


def test_a_labelled_derived_value(tmp_path):
    table = '[derived.rate]\nexpr = "cases * 2"\nlabel_vi = "tỷ lệ"\nlabel_en = "rate"\n\n'
    text = BASE.replace("[bands.cases_band]", table + "[bands.cases_band]")
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert ruleset.derived["rate"].text == "cases * 2"
    assert ruleset.describe("rate").label_en == "rate"
    assert ruleset.describe("cases").name == "cases"
    assert ruleset.describe("nothing") is None


# -- derivation by parent ----------------------------------------------------------------------

CHILD = """\
id = "test-rules-province"
parent = "test-rules"
title = "Province adaptation"

[bands.cases_band]
edges = [20, 60]
verified = false
note = "province threshold"
"""


def test_a_child_overrides_keys_and_keeps_the_rest(tmp_path):
    parent = load_ruleset(write(tmp_path, "test-rules.toml", BASE))
    child = load_ruleset(write(tmp_path, "test-rules-province.toml", CHILD))
    assert (child.id, child.parent, child.title) == (
        "test-rules-province",
        "test-rules",
        "Province adaptation",
    )
    assert child.bands["cases_band"].edges == (20.0, 60.0)
    assert child.bands["cases_band"].closed == "left"  # tables merge key by key
    assert child.bands["cases_band"].input == "cases"
    assert child.rules == parent.rules
    assert child.levels == parent.levels
    assert child.source_document == "Test decision"
    assert child.unverified_cells() == ["band cases_band"]
    assert child.checksum != parent.checksum


def test_a_child_replaces_lists_whole(tmp_path):
    write(tmp_path, "test-rules.toml", BASE)
    text = CHILD + '\n[[rules]]\nname = "only rule"\nlevel = "high"\nwhen = "true"\n'
    child = load_ruleset(write(tmp_path, "test-rules-province.toml", text))
    assert [rule.name for rule in child.rules] == ["only rule"]


def test_the_parent_is_found_in_another_folder(tmp_path):
    shipped, province = tmp_path / "shipped", tmp_path / "province"
    shipped.mkdir()
    province.mkdir()
    write(shipped, "test-rules.toml", BASE)
    path = write(province, "test-rules-province.toml", CHILD)
    assert load_ruleset(path, [province, shipped]).parent == "test-rules"
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(path)  # only its own folder
    assert caught.value.key == "parent" and "no rule set 'test-rules'" in caught.value.message
    assert (caught.value.file, caught.value.line) == ("test-rules-province.toml", 2)


def test_an_error_is_reported_in_the_file_that_has_it(tmp_path):
    write(
        tmp_path,
        "test-rules.toml",
        BASE.replace('when = "true"\n\n[scale', 'when = "tru"\n\n[scale'),
    )
    child_text = CHILD.replace("edges = [20, 60]", "edges = [60, 20]")
    path = write(tmp_path, "test-rules-province.toml", child_text)
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(path)
    assert (caught.value.file, caught.value.key) == (
        "test-rules-province.toml",
        "bands.cases_band.edges",
    )
    assert caught.value.line == line_of(child_text, "edges")
    write(tmp_path, "test-rules-province.toml", CHILD)
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(path)
    assert (caught.value.file, caught.value.key) == ("test-rules.toml", "rules[2].when")
    assert "unknown name(s) ['tru']" in caught.value.message


def test_a_derivation_loop_is_refused(tmp_path):
    write(tmp_path, "a.toml", 'id = "a"\nparent = "b"\n')
    write(tmp_path, "b.toml", 'id = "b"\nparent = "a"\n')
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(tmp_path / "a.toml")
    assert caught.value.key == "parent" and "derivation loop: a → b → a" in caught.value.message
    write(tmp_path, "c.toml", 'id = "c"\nparent = "c"\n')
    with pytest.raises(RuleSetError, match="derivation loop"):
        load_ruleset(tmp_path / "c.toml")


def test_load_document_merges_and_returns_both_texts(tmp_path):
    write(tmp_path, "test-rules.toml", BASE)
    doc, text = load_document(write(tmp_path, "test-rules-province.toml", CHILD))
    assert doc["id"] == "test-rules-province" and doc["parent"] == "test-rules"
    assert doc["bands"]["cases_band"]["closed"] == "left"
    assert BASE in text and CHILD in text


@pytest.mark.parametrize(
    ("parent", "child", "merged"),
    [
        ({"a": 1, "t": {"x": 1, "y": 2}}, {"t": {"y": 3}}, {"a": 1, "t": {"x": 1, "y": 3}}),
        ({"l": [1, 2]}, {"l": [3]}, {"l": [3]}),
        ({"t": {"x": 1}}, {"t": 5}, {"t": 5}),
        ({}, {"n": {"m": 1}}, {"n": {"m": 1}}),
    ],
)
def test_merge_tables_key_by_key_and_lists_whole(parent, child, merged):
    assert merge(parent, child) == merged


# -- details -------------------------------------------------------------------------------------


def test_key_lines_skip_multi_line_strings_and_arrays():
    text = 'notes = """\nfake = 1\n"""\ncells = [\n  [1, 2],\n]\n\n[[rules]]\nwhen = "x = 1"\n[[rules]]\nwhen = "y"\n'
    lines = key_lines(text)
    assert lines == {
        "notes": 1,
        "cells": 4,
        "rules": 8,
        "rules[0]": 8,
        "rules[0].when": 9,
        "rules[1]": 10,
        "rules[1].when": 11,
    }


def test_dotted_and_quoted_keys_are_located():
    lines = key_lines('[inputs]\ncases.kind = "number"\n"odd key" = 1\n')
    assert lines["inputs.cases.kind"] == 2 and lines["inputs.odd key"] == 3


def test_parse_ruleset_accepts_a_document_without_a_file():
    doc = {
        "id": "x",
        "title": "x",
        "source": {"document": "d", "date": dt.date(2021, 1, 1)},
        "levels": [{"key": 1, "rank": 1, "label": "One"}],
        "inputs": {"v": {"kind": "bool"}},
        "method": "rules",
        "rules": [{"level": 1, "when": "v == yes"}],
    }
    ruleset = parse_ruleset(doc)
    assert ruleset.levels[0].key == "1" and ruleset.rules[0].level == "1"
    with pytest.raises(RuleSetError) as caught:
        parse_ruleset({**doc, "method": "vote"}, file="x.toml")
    assert str(caught.value) == "x.toml: method: must be one of ['matrix', 'max_of_bands', 'rules']"


def test_unverified_cells_include_scale_rules(tmp_path):
    text = BASE.replace(
        'when = "share(high) >= 0.5"',
        'when = "share(high) >= 0.5"\nverified = false\nname = "half high"',
    )
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert ruleset.unverified_cells() == ["scale.district rule half high"]


MAX_OF = """
[[max_of]]
band = "cases_band"
levels = ["low", "high", "high"]
"""


@pytest.mark.parametrize(
    ("method", "extra", "key", "message", "marker"),
    [
        (
            "max_of_bands",
            "",
            "max_of",
            "needs at least one [[max_of]] entry",
            'method = "max_of_bands"',
        ),
        (
            "max_of_bands",
            MAX_OF.replace('"cases_band"', '"cases_bnd"'),
            "max_of[0].band",
            "unknown band 'cases_bnd'",
            'band = "cases_bnd"',
        ),
        (
            "max_of_bands",
            MAX_OF.replace('"low", "high", "high"', '"low", "high"'),
            "max_of[0].levels",
            "needs one level per band (3)",
            "levels = [",
        ),
        (
            "max_of_bands",
            MAX_OF.replace('"low", "high", "high"', '"low", "high", "top"'),
            "max_of[0].levels",
            "unknown level(s) ['top']",
            "levels = [",
        ),
        ("rules", "", "rules", "needs at least one [[rules]] entry", 'method = "rules"'),
        ("vote", "", "method", "must be one of", 'method = "vote"'),
    ],
)
def test_method_mistakes(tmp_path, method, extra, key, message, marker):
    text = BASE.replace('method = "rules"', f'method = "{method}"')
    if method != "vote":
        cut = text.index("[[rules]]")
        text = text[:cut] + text[text.index("[scale.district]") :]
    text += extra
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert caught.value.key == key and message in caught.value.message
    assert caught.value.line == line_of(text, marker)


def test_a_valid_max_of(tmp_path):
    text = BASE.replace('method = "rules"', 'method = "max_of_bands"') + MAX_OF
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", text))
    assert ruleset.max_of[0].levels == ("low", "high", "high")


# -- Vietnamese companions (name_vi, note_vi, notes_vi) ------------------------------------------

BILINGUAL = (
    BASE.replace(
        'title = "Test"\n',
        'title = "Test"\nnotes = "English notes"\nnotes_vi = "Ghi chú tiếng Việt"\n',
    )
    .replace(
        'closed = "left"\n',
        'closed = "left"\nnote = "band note"\nnote_vi = "ghi chú khoảng"\n',
    )
    .replace(
        'name = "many cases"\n',
        'name = "many cases"\nname_vi = "nhiều ca"\nnote = "a note"\nnote_vi = "một ghi chú"\n',
    )
    + '\n[[adjustments]]\nname = "one up"\nname_vi = "tăng một"\nwhen = "coverage < 50"\n'
    'raise = 1\nnote = "adjusted"\nnote_vi = "điều chỉnh"\n'
)


def test_vietnamese_companions_are_read_and_chosen_by_language(tmp_path):
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", BILINGUAL))
    rule = ruleset.rules[1]
    assert (rule.name, rule.name_vi, rule.note, rule.note_vi) == (
        "many cases",
        "nhiều ca",
        "a note",
        "một ghi chú",
    )
    assert (rule.name_for("vi"), rule.note_for("vi")) == ("nhiều ca", "một ghi chú")
    assert (rule.name_for("en"), rule.note_for("en")) == ("many cases", "a note")
    band = ruleset.bands["cases_band"]
    assert (band.note_for("vi"), band.note_for("en")) == ("ghi chú khoảng", "band note")
    adjustment = ruleset.adjustments[0]
    assert (adjustment.name_for("vi"), adjustment.note_for("vi")) == ("tăng một", "điều chỉnh")
    assert (ruleset.notes_for("vi"), ruleset.notes_for("en")) == (
        "Ghi chú tiếng Việt",
        "English notes",
    )


def test_without_vietnamese_the_english_is_shown(tmp_path):
    ruleset = load_ruleset(write(tmp_path, "test-rules.toml", BASE))
    rule = ruleset.rules[1]
    assert rule.name_vi == "" and rule.name_for("vi") == "many cases"
    assert rule.note_for("vi") == ""
    assert ruleset.scale_rules["district"].rules[0].name_for("vi") == "scale.district.rules[0]"


def test_matrix_notes_have_a_vietnamese_grid(tmp_path):
    matrix = MATRIX + (
        'notes = [["a", "", "c"], ["d", "e", "f"]]\nnotes_vi = [["á", "", ""], ["đ", "ê", "ph"]]\n'
    )
    text = BASE.replace('method = "rules"', 'method = "matrix"') + matrix
    found = load_ruleset(write(tmp_path, "test-rules.toml", text)).matrix
    assert found.notes_vi == (("á", "", ""), ("đ", "ê", "ph"))
    assert [found.note_for(0, col, "vi") for col in range(3)] == ["á", "", "c"]
    assert found.note_for(1, 2, "en") == "f"


@pytest.mark.parametrize(
    ("text", "key", "message", "marker"),
    [
        (
            BASE.replace('method = "rules"', 'method = "matrix"')
            + MATRIX
            + 'notes_vi = [["a", "b", "c"]]\n',
            "matrix.notes_vi",
            "2 rows of 3 texts",
            "notes_vi =",
        ),
        (
            BASE.replace('name = "otherwise"\n', 'name = "otherwise"\nname_vi = 3\n'),
            "rules[2].name_vi",
            "must be text",
            "name_vi = 3",
        ),
        (
            BASE.replace('name = "otherwise"\n', 'name = "otherwise"\nnote_en = "x"\n'),
            "rules[2].note_en",
            "unknown key",
            'note_en = "x"',
        ),
        (
            BASE.replace('closed = "left"\n', 'closed = "left"\nname_vi = "khoảng"\n'),
            "bands.cases_band.name_vi",
            "unknown key",
            'name_vi = "khoảng"',
        ),
        (
            BASE.replace('title = "Test"\n', 'title = "Test"\nnotes_vi = ["x"]\n'),
            "notes_vi",
            "must be text",
            "notes_vi =",
        ),
    ],
)
def test_vietnamese_companion_mistakes_name_file_line_and_key(tmp_path, text, key, message, marker):
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(write(tmp_path, "test-rules.toml", text))
    error = caught.value
    assert (error.file, error.key) == ("test-rules.toml", key)
    assert message in error.message
    assert error.line == line_of(text, marker)


def test_a_child_that_rewrites_a_note_drops_the_parents_translation(tmp_path):
    write(tmp_path, "test-rules.toml", BILINGUAL)
    child = load_ruleset(write(tmp_path, "test-rules-province.toml", CHILD))
    # The parent's Vietnamese translated "band note", not "province threshold".
    band = child.bands["cases_band"]
    assert (band.note, band.note_vi) == ("province threshold", "")
    assert band.note_for("vi") == "province threshold"
    # What the child does not touch keeps its Vietnamese.
    assert child.rules[1].note_for("vi") == "một ghi chú"
    assert child.notes_for("vi") == "Ghi chú tiếng Việt"


def test_a_child_may_translate_its_own_note_and_matrix_cell(tmp_path):
    parent_text = (
        BASE.replace('method = "rules"', 'method = "matrix"')
        + MATRIX
        + 'notes = [["a", "b", "c"], ["d", "e", "f"]]\n'
        'notes_vi = [["á", "bê", "xê"], ["đê", "e", "ép"]]\n'
    )
    write(tmp_path, "test-rules.toml", parent_text)
    child_text = (
        CHILD.replace('note = "province threshold"\n', "")
        + 'note = "province threshold"\nnote_vi = "ngưỡng của tỉnh"\n'
        + '\n[matrix]\nnotes = [["a", "b", "c"], ["d", "E", "f"]]\n'
        + 'notes_vi = [["á", "bê", "xê"], ["đê", "E mới", "ép"]]\n'
    )
    child = load_ruleset(write(tmp_path, "test-rules-province.toml", child_text))
    assert child.bands["cases_band"].note_for("vi") == "ngưỡng của tỉnh"
    assert child.matrix.note_for(1, 1, "vi") == "E mới"
    assert child.matrix.cells == (("low", "high", "high"), ("low", "low", "high"))


def test_a_child_rewriting_matrix_notes_alone_drops_the_parents_vietnamese_grid(tmp_path):
    parent_text = (
        BASE.replace('method = "rules"', 'method = "matrix"')
        + MATRIX
        + 'notes = [["a", "b", "c"], ["d", "e", "f"]]\n'
        'notes_vi = [["á", "bê", "xê"], ["đê", "e", "ép"]]\n'
    )
    write(tmp_path, "test-rules.toml", parent_text)
    child_text = CHILD + '\n[matrix]\nnotes = [["A", "B", "C"], ["D", "E", "F"]]\n'
    child = load_ruleset(write(tmp_path, "test-rules-province.toml", child_text))
    assert child.matrix.note_for(0, 0, "vi") == "A"


@pytest.mark.parametrize(
    ("parent", "child", "merged"),
    [
        ({"note": "a", "note_vi": "á"}, {"note": "b"}, {"note": "b"}),
        (
            {"note": "a", "note_vi": "á"},
            {"note": "b", "note_vi": "bê"},
            {"note": "b", "note_vi": "bê"},
        ),
        (
            {"t": {"name": "a", "name_vi": "á"}},
            {"t": {"x": 1}},
            {"t": {"name": "a", "name_vi": "á", "x": 1}},
        ),
        ({"notes": "a", "notes_vi": "á"}, {"notes_vi": "ă"}, {"notes": "a", "notes_vi": "ă"}),
    ],
)
def test_merge_drops_a_companion_whose_english_the_child_rewrote(parent, child, merged):
    assert merge(parent, child) == merged
