"""The rule content that is not a rule set: indicator sources, a disease's serial interval,
the default lift rule — parsed and validated like rule sets (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from vungxanh.domain import lockdown
from vungxanh.domain.disease import DiseaseError, load_disease, parse_disease
from vungxanh.domain.feeds import FeedError, load_feeds, parse_feeds
from vungxanh.domain.rules import load_ruleset

PACKAGE = Path(__file__).resolve().parents[2]
SHIPPED_FEEDS = PACKAGE / "risk" / "feeds" / "vn-indicator-inputs.toml"
SHIPPED_DISEASE = PACKAGE / "surveillance" / "diseases" / "covid-19.toml"
LIFT_RULES = PACKAGE / "lockdowns" / "rules"
RULESETS = PACKAGE / "risk" / "rulesets"


def test_the_shipped_sources_switch_the_elderly_criterion_on_1_november_2021():
    feeds = load_feeds(SHIPPED_FEEDS)
    source = feeds.inputs["vn-4800-2021"]["vacc_full_elderly_pct"].source
    assert feeds.indicator_on(source, dt.date(2021, 10, 31)) == "vacc_full_65plus_pct"
    assert feeds.indicator_on(source, dt.date(2021, 11, 1)) == "vacc_full_50plus_pct"
    assert feeds.indicators_of(source) == {"vacc_full_65plus_pct", "vacc_full_50plus_pct"}
    assert feeds.indicator_on("community_incidence_7d", dt.date(2021, 11, 1)) == (
        "community_incidence_7d"
    )


def test_the_shipped_sources_flag_their_judgements():
    feeds = load_feeds(SHIPPED_FEEDS)
    assert sorted(feeds.unverified()) == [
        "inputs.vn-4800-2021-moh.cases_per_100k_week",
        "inputs.vn-4800-2021.capacity_met",
        "inputs.vn-green-zone-14d.days_since_community_case",
    ]
    cell = feeds.inputs["vn-4800-2021"]["capacity_met"]
    assert (cell.source, cell.verified) == ("station_oxygen", False)
    assert "[P]" in cell.note


def test_a_source_must_be_a_stored_indicator_rt_or_a_switch():
    doc = {"id": "x", "title": "x", "inputs": {"r": {"a": "rt.q50", "b": "previous_level"}}}
    assert parse_feeds(doc).inputs["r"]["a"].source == "rt.q50"
    with pytest.raises(FeedError, match=r"inputs\.r\.a: 'cases_per_week' is not a stored"):
        parse_feeds({"id": "x", "title": "x", "inputs": {"r": {"a": "cases_per_week"}}})
    with pytest.raises(FeedError, match=r"inputs\.r\.a: 'rt\.median' is not"):
        parse_feeds({"id": "x", "title": "x", "inputs": {"r": {"a": "rt.median"}}})
    with pytest.raises(FeedError, match=r"switches\.s\.changes: must list"):
        parse_feeds({"id": "x", "title": "x", "switches": {"s": {"indicator": "cases_7d"}}})
    with pytest.raises(FeedError, match="unknown key"):
        parse_feeds({"id": "x", "title": "x", "colour": "red"})


def test_the_shipped_serial_interval_of_covid_19():
    disease = load_disease(SHIPPED_DISEASE)
    assert (disease.id, disease.si_mean, disease.si_sd) == ("covid-19", 4.7, 2.9)
    assert "Nishiura" in disease.note


def test_a_serial_interval_must_be_usable_by_the_estimator():
    doc = {"id": "d", "title": "d", "serial_interval": {"mean": 4.7, "sd": 2.9}}
    assert parse_disease(doc).unverified() == []
    with pytest.raises(DiseaseError, match=r"serial_interval\.mean: must be more than 1"):
        parse_disease({**doc, "serial_interval": {"mean": 1, "sd": 2.9}})
    with pytest.raises(DiseaseError, match=r"serial_interval\.sd: must be more than 0"):
        parse_disease({**doc, "serial_interval": {"mean": 4.7, "sd": 0}})
    with pytest.raises(DiseaseError, match=r"serial_interval\.sd: must be a number"):
        parse_disease({**doc, "serial_interval": {"mean": 4.7, "sd": "2.9"}})


def test_the_default_lift_rule_is_marked_in_its_file_and_not_inherited():
    assert lockdown.default_rule_id(LIFT_RULES) == "vn-lockdown-14d"
    derived = lockdown.load_lift_rule(LIFT_RULES / "vn-lockdown-14d-3r.toml", [LIFT_RULES])
    assert derived.parent == "vn-lockdown-14d" and derived.default is False


def test_exactly_one_lift_rule_is_the_default(tmp_path):
    text = (LIFT_RULES / "vn-lockdown-14d.toml").read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(text.replace('id = "vn-lockdown-14d"', 'id = "a"'))
    (tmp_path / "b.toml").write_text(text.replace('id = "vn-lockdown-14d"', 'id = "b"'))
    with pytest.raises(lockdown.LiftRuleError, match=r"exactly one .* found \['a', 'b'\]"):
        lockdown.default_rule_id(tmp_path)
    (tmp_path / "b.toml").write_text(
        text.replace('id = "vn-lockdown-14d"', 'id = "b"').replace("default = true\n", "")
    )
    assert lockdown.default_rule_id(tmp_path) == "a"


# -- the Vietnamese a Vietnamese reader is shown ----------------------------------------------

# The research file's tags, meant for maintainers, never for a reader: "[U]", "[V]", "[P]",
# source numbers ("S35") and sections of the research list ("RULES-VN §7.1").
RESEARCH_TAGS = re.compile(r"\[[UVP]\]|\bS\d+\b|RULES-VN|§")


def _texts_of_ruleset(path: Path) -> list[tuple[str, str, str]]:
    """(where, English, Vietnamese) of every name and note of a level rule set."""
    ruleset = load_ruleset(path)
    found = [("notes", ruleset.notes, ruleset.notes_vi)]
    found += [(f"bands.{b.name}.note", b.note, b.note_vi) for b in ruleset.bands.values()]
    rules = [("rules", rule) for rule in ruleset.rules]
    rules += [("adjustments", a) for a in ruleset.adjustments]
    rules += [(f"scale.{s}.rules", r) for s, sr in ruleset.scale_rules.items() for r in sr.rules]
    for where, item in rules:
        found += [(f"{where} {item.name!r} name", item.name, item.name_vi)]
        found += [(f"{where} {item.name!r} note", item.note, item.note_vi)]
    if ruleset.matrix:
        matrix = ruleset.matrix
        for i, row in enumerate(matrix.notes):
            for j, note in enumerate(row):
                vi = matrix.notes_vi[i][j] if matrix.notes_vi else ""
                found.append((f"matrix.notes[{i}][{j}]", note, vi))
    return found


def _texts_of_lift_rule(path: Path) -> list[tuple[str, str, str]]:
    rule = lockdown.load_lift_rule(path, [LIFT_RULES])
    found = [("notes", rule.notes, rule.notes_vi)]
    found += [(f"lift.{p.name}.note", p.note, p.note_vi) for p in rule.parameters.values()]
    return found


VIETNAMESE_FILES = [
    *((path, _texts_of_ruleset) for path in sorted(RULESETS.glob("vn-*.toml"))),
    *((path, _texts_of_lift_rule) for path in sorted(LIFT_RULES.glob("*.toml"))),
]


def test_the_vietnamese_files_are_all_checked():
    names = {path.name for path, _read in VIETNAMESE_FILES}
    assert {"vn-4800-2021.toml", "vn-2686-2021.toml", "vn-lockdown-14d-3r.toml"} <= names
    assert len(names) >= 9


@pytest.mark.parametrize(("path", "read"), VIETNAMESE_FILES, ids=lambda v: getattr(v, "name", ""))
def test_every_name_and_note_of_a_vietnamese_rule_file_has_its_vietnamese(path, read):
    texts = read(path)
    missing = [where for where, english, vi in texts if english.strip() and not vi.strip()]
    assert missing == [], f"{path.name}: no Vietnamese for {missing}"
    copied = [where for where, english, vi in texts if english.strip() and vi == english]
    assert copied == [], f"{path.name}: the Vietnamese is the English text for {copied}"
    tagged = [(where, vi) for where, _english, vi in texts if RESEARCH_TAGS.search(vi)]
    assert tagged == [], f"{path.name}: research tags in the Vietnamese: {tagged}"


@pytest.mark.parametrize(
    "text", ["chưa kiểm chứng [U]", "theo S35", "RULES-VN", "xem §5", "[P] một phần"]
)
def test_the_tag_check_would_catch_a_tagged_translation(text):
    assert RESEARCH_TAGS.search(text)


def test_the_tag_check_leaves_ordinary_vietnamese_alone():
    assert not RESEARCH_TAGS.search("Quyết định 4800/QĐ-BYT ngày 12/10/2021; TP. Hồ Chí Minh")
