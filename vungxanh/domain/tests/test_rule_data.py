"""The rule content that is not a rule set: indicator sources, a disease's serial interval,
the default lift rule — parsed and validated like rule sets (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vungxanh.domain import lockdown
from vungxanh.domain.disease import DiseaseError, load_disease, parse_disease
from vungxanh.domain.feeds import FeedError, load_feeds, parse_feeds

PACKAGE = Path(__file__).resolve().parents[2]
SHIPPED_FEEDS = PACKAGE / "risk" / "feeds" / "vn-indicator-inputs.toml"
SHIPPED_DISEASE = PACKAGE / "surveillance" / "diseases" / "covid-19.toml"
LIFT_RULES = PACKAGE / "lockdowns" / "rules"


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
