"""The lift rule of narrow lockdowns: parsing, the earliest lift date and its edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from vungxanh.domain.lockdown import (
    CaseEvent,
    LiftRuleError,
    Part,
    RoundStatus,
    TestRound,
    ZoneFacts,
    ZoneStatus,
    evaluate,
    lift_order_blockers,
    load_lift_rule,
    moved,
    parse_lift_rule,
    status_from_parts,
    status_on,
)

RULES = Path(__file__).resolve().parents[2] / "lockdowns" / "rules"
RULE = load_lift_rule(RULES / "vn-lockdown-14d.toml")
START = dt.date(2021, 7, 10)


def d(day: int, month: int = 7) -> dt.date:
    return dt.date(2021, month, day)


def with_params(**values) -> object:
    """RULE with some parameters changed (same provenance flags)."""
    parameters = {
        name: dataclasses.replace(p, value=values.get(name, p.value))
        for name, p in RULE.parameters.items()
    }
    return dataclasses.replace(RULE, parameters=parameters)


def negative(key: str, day: dt.date, status: RoundStatus = RoundStatus.DONE) -> TestRound:
    return TestRound(key=key, day=day, status=status)


# -- the shipped files -------------------------------------------------------------------


def test_the_shipped_rule_reads_as_documented():
    assert (RULE.id, RULE.days_after_last_case, RULE.negative_rounds) == ("vn-lockdown-14d", 14, 2)
    assert (RULE.last_round_within_days, RULE.min_days_between_rounds) == (3, 3)
    assert RULE.same_day_round_counts is False
    assert RULE.partial_order == "risk_ascending"
    assert {p.name for p in RULE.unverified()} == {
        "last_round_within_days",
        "min_days_between_rounds",
        "same_day_round_counts",
    }


def test_a_derived_rule_changes_only_what_it_names():
    derived = load_lift_rule(RULES / "vn-lockdown-14d-3r.toml")
    assert derived.parent == "vn-lockdown-14d"
    assert derived.negative_rounds == 3
    assert derived.days_after_last_case == RULE.days_after_last_case
    assert derived.checksum != RULE.checksum


@pytest.mark.parametrize(
    "change,key,message",
    [
        ({"lift": {"negative_rounds": 2}}, "lift.days_after_last_case", "is required"),
        ({"lift.days_after_last_case": "14"}, "lift.days_after_last_case", "whole number"),
        ({"lift.days_after_last_case": 0}, "lift.days_after_last_case", "1 or more"),
        ({"lift.same_day_round_counts": 1}, "lift.same_day_round_counts", "true or false"),
        ({"lift.negative_rounds": True}, "lift.negative_rounds", "whole number"),
        ({"colour": "red"}, "colour", "unknown key"),
        ({"partial": {"order": "largest_first"}}, "partial.order", "must be one of"),
    ],
)
def test_a_bad_rule_names_the_key(change, key, message):
    doc = {
        "id": "x",
        "title": "x",
        "source": {"document": "x"},
        "lift": {
            "days_after_last_case": 14,
            "negative_rounds": 2,
            "last_round_within_days": 3,
            "min_days_between_rounds": 3,
            "same_day_round_counts": False,
        },
    }
    for name, value in change.items():
        if name.startswith("lift."):
            doc["lift"][name.removeprefix("lift.")] = value
        else:
            doc[name] = value
    with pytest.raises(LiftRuleError) as error:
        parse_lift_rule(doc, file="x.toml")
    assert error.value.key == key
    assert message in error.value.message


def test_a_derivation_loop_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('id = "a"\nparent = "b"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('id = "b"\nparent = "a"\n', encoding="utf-8")
    with pytest.raises(LiftRuleError, match="loop"):
        load_lift_rule(tmp_path / "a.toml")


# -- the earliest lift date ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cases,rounds,as_of,earliest,projected,shown,missing",
    [
        # No case, no round: 14 days from the start, two rounds still to do.
        ((), (), d(12), None, None, d(24), {"wait", "rounds"}),
        # Case isolated 10/7, negative rounds 13/7, 17/7, 21/7: from 24/7 (21/7 and 17/7).
        (
            (("A", d(10)),),
            (("1", d(13)), ("2", d(17)), ("3", d(21))),
            d(24),
            d(24),
            None,
            d(24),
            set(),
        ),
        # Same facts on 25/7: 21/7 is 4 days old, a fresh round is needed (issue 11).
        (
            (("A", d(10)),),
            (("1", d(13)), ("2", d(17)), ("3", d(21))),
            d(25),
            None,
            None,
            d(25),
            {"stale", "rounds"},
        ),
        # Same facts on 20/7: the third round is not taken yet.
        (
            (("A", d(10)),),
            (("1", d(13)), ("2", d(17)), ("3", d(21))),
            d(20),
            None,
            d(24),
            d(24),
            {"wait", "rounds"},
        ),
        # The last round is too old when the 14 days are over (3 days at most).
        ((("A", d(10)),), (("1", d(12)), ("2", d(15))), d(25), None, None, d(25), {"rounds"}),
        # Rounds too close together count once (3 days apart at least).
        ((("A", d(10)),), (("1", d(20)), ("2", d(22))), d(25), None, None, d(25), {"rounds"}),
        # A case isolated after the last round: the rounds before it no longer count.
        (
            (("A", d(10)), ("B", d(22))),
            (("1", d(13)), ("2", d(17)), ("3", d(21))),
            d(25),
            None,
            None,
            d(5, 8),
            {"wait", "rounds"},
        ),
        # Counting starts at the zone's start when the case was isolated before it.
        ((("A", d(8)),), (("1", d(20)), ("2", d(24))), d(25), d(24), None, d(24), set()),
    ],
)
def test_the_earliest_lift_date(cases, rounds, as_of, earliest, projected, shown, missing):
    facts = ZoneFacts(
        start=START,
        cases=tuple(CaseEvent(code, day) for code, day in cases),
        rounds=tuple(negative(key, day) for key, day in rounds),
    )
    result = evaluate(facts, RULE, as_of)
    assert result.earliest == earliest
    assert result.projected == projected
    assert result.shown == shown
    assert {m.code for m in result.missing} == missing
    assert result.eligible == (earliest is not None and earliest <= as_of)


def test_a_zone_with_no_rounds_shows_the_day_the_rounds_must_reach():
    result = evaluate(ZoneFacts(start=START), RULE, d(30))
    assert result.earliest is None and result.projected is None
    assert result.not_before == d(24)
    assert result.shown == d(30)  # not before the day it is asked: rounds are still missing
    rounds = next(m for m in result.missing if m.code == "rounds")
    assert rounds.params["needed"] == 2
    assert rounds.params["have"] == 0
    assert rounds.params["within"] == 3
    assert not result.eligible


def test_a_rule_without_rounds_needs_only_the_days():
    rule = with_params(negative_rounds=0)
    result = evaluate(ZoneFacts(start=START), rule, d(30))
    assert result.earliest == d(24)
    assert result.eligible
    assert result.missing == ()


@pytest.mark.parametrize("same_day_counts,earliest,have", [(False, None, 1), (True, d(31), 2)])
def test_a_case_on_the_day_of_a_testing_round(same_day_counts, earliest, have):
    """A case found elsewhere in the zone on 17/7, the day the zone tested negative. By
    default that round may have sampled before the case was found, and does not count."""
    rule = with_params(same_day_round_counts=same_day_counts)
    facts = ZoneFacts(
        start=START,
        cases=(CaseEvent("A", d(10)), CaseEvent("B", d(17))),
        rounds=(negative("1", d(17)), negative("2", d(31))),
    )
    result = evaluate(facts, rule, d(31))
    assert result.anchor == d(17)
    assert result.anchor_case == "B"
    assert result.not_before == d(31)
    assert result.earliest == earliest
    if earliest is None:
        rounds = next(m for m in result.missing if m.code == "rounds")
        assert rounds.params["have"] == have
    else:
        assert result.rounds_counted == ("1", "2")


def test_a_round_finding_the_case_itself_never_counts():
    """The round that found a case is positive: the count restarts on its day."""
    facts = ZoneFacts(
        start=START,
        cases=(CaseEvent("B", d(17)),),
        rounds=(TestRound("1", d(17), RoundStatus.DONE, positives=1), negative("2", d(31))),
    )
    for rule in (RULE, with_params(same_day_round_counts=True)):
        result = evaluate(facts, rule, d(31))
        assert result.anchor == d(17)
        assert result.earliest is None


def test_a_positive_round_restarts_the_count_on_its_day():
    facts = ZoneFacts(
        start=START,
        cases=(CaseEvent("A", d(10)),),
        rounds=(negative("1", d(13)), TestRound("2", d(16), RoundStatus.DONE, positives=2)),
    )
    result = evaluate(facts, RULE, d(20))
    assert result.anchor == d(16)
    assert result.anchor_case == "round:2"
    assert result.not_before == d(30)


def test_planned_and_pending_rounds_give_a_projected_date():
    facts = ZoneFacts(
        start=START,
        cases=(CaseEvent("A", d(10)),),
        rounds=(
            negative("1", d(13)),
            negative("2", d(18), RoundStatus.SAMPLED),
            negative("3", d(22), RoundStatus.PLANNED),
        ),
    )
    result = evaluate(facts, RULE, d(19))
    assert result.earliest is None
    assert result.projected == d(24)
    assert result.rounds_counted == ("2", "3")
    codes = [m.code for m in result.missing]
    assert codes == ["wait", "rounds", "results"]
    assert result.missing[2].params == {"round": "2", "day": d(18)}


def test_a_planned_round_left_in_the_past_is_overdue():
    facts = ZoneFacts(start=START, rounds=(negative("1", d(14), RoundStatus.PLANNED),))
    result = evaluate(facts, RULE, d(16))
    assert [m for m in result.missing if m.code == "overdue"][0].params["day"] == d(14)


def test_rounds_of_part_of_the_zone_do_not_count_for_the_whole():
    facts = ZoneFacts(
        start=START,
        rounds=(
            TestRound("1", d(20), whole_zone=False),
            TestRound("2", d(24), whole_zone=False),
        ),
    )
    assert evaluate(facts, RULE, d(25)).earliest is None


def test_the_past_is_replayed_as_it_was_known():
    """A case isolated after the day asked about is not known on that day."""
    facts = ZoneFacts(
        start=START,
        cases=(CaseEvent("A", d(10)), CaseEvent("B", d(26))),
        rounds=(negative("1", d(17)), negative("2", d(21))),
    )
    assert evaluate(facts, RULE, d(24)).earliest == d(24)
    later = evaluate(facts, RULE, d(27))
    assert later.earliest is None
    assert later.shown == d(9, 8)


def test_a_new_case_inside_moves_the_date():
    before_facts = ZoneFacts(start=START, cases=(CaseEvent("A", d(10)),))
    after_facts = dataclasses.replace(
        before_facts, cases=(*before_facts.cases, CaseEvent("B", d(19)))
    )
    before = evaluate(before_facts, RULE, d(19))
    after = evaluate(after_facts, RULE, d(19))
    assert (before.shown, after.shown) == (d(24), d(2, 8))
    assert moved(before, after)
    assert not moved(before, evaluate(before_facts, RULE, d(19)))


# -- partial lifts -------------------------------------------------------------------------


def parts(*rows) -> list[Part]:
    return [Part(key, risk, ZoneStatus(status)) for key, risk, status in rows]


@pytest.mark.parametrize(
    "rows,key,blockers",
    [
        ((("low", 1, "active"), ("high", 3, "active")), "high", ["low"]),
        ((("low", 1, "lifted"), ("high", 3, "active")), "high", []),
        ((("low", 1, "active"), ("high", 3, "active")), "low", []),
        ((("a", 2, "active"), ("b", 2, "active")), "b", []),  # same risk: either first
        ((("unrated", 0, "active"), ("high", 3, "active")), "high", []),
    ],
)
def test_parts_are_lifted_from_lower_to_higher_risk(rows, key, blockers):
    found = lift_order_blockers(parts(*rows), key, RULE)
    assert [p.key for p in found] == blockers


def test_a_rule_may_allow_any_order():
    rule = dataclasses.replace(RULE, partial_order="any")
    assert (
        lift_order_blockers(parts(("low", 1, "active"), ("high", 3, "active")), "high", rule) == []
    )


@pytest.mark.parametrize(
    "statuses,expected",
    [
        ((), None),
        (("active", "active"), None),
        (("lifted", "active"), ZoneStatus.PARTLY_LIFTED),
        (("lifted", "lifted"), ZoneStatus.LIFTED),
    ],
)
def test_a_zone_takes_its_status_from_its_parts(statuses, expected):
    assert status_from_parts(ZoneStatus(s) for s in statuses) == expected


def test_the_status_on_a_day_follows_dated_changes():
    changes = [
        (d(10), ZoneStatus.PROPOSED),
        (d(10), ZoneStatus.ACTIVE),
        (d(24), ZoneStatus.PARTLY_LIFTED),
        (d(30), ZoneStatus.LIFTED),
    ]
    assert status_on(changes, d(9)) is None
    assert status_on(changes, d(10)) == ZoneStatus.ACTIVE
    assert status_on(changes, d(29)) == ZoneStatus.PARTLY_LIFTED
    assert status_on(changes, d(31)) == ZoneStatus.LIFTED


# -- lift messages that add up (issue 11) ------------------------------------------------


def test_a_negative_round_already_done_is_counted():
    """Zone started 10/7; one negative whole-zone round on 12/7; asked on 13/7 the 14 days
    end on 24/7. The round done is one of the two: one more is needed, not two."""
    facts = ZoneFacts(start=START, rounds=(negative("1", d(12)),))
    result = evaluate(facts, RULE, d(13))
    rounds = next(m for m in result.missing if m.code == "rounds")
    assert (rounds.params["have"], rounds.params["needed"]) == (1, 1)
    assert result.expected  # the date depends on a round not taken yet


def test_two_rounds_done_but_both_early_ask_for_one_fresh_round():
    """Rounds 12/7 and 16/7, the 14 days end on 24/7: both count, but the last must be at
    most 3 days before the lift, so one fresh round is needed (not two)."""
    facts = ZoneFacts(start=START, rounds=(negative("1", d(12)), negative("2", d(16))))
    result = evaluate(facts, RULE, d(20))
    rounds = next(m for m in result.missing if m.code == "rounds")
    assert (rounds.params["have"], rounds.params["needed"]) == (2, 1)


def test_a_stale_last_round_is_named_and_conditions_are_not_met():
    """Rounds 30/9 and 04/10, the 14 days ended on 04/10: liftable from 04/10 to 07/10.
    On 12/10 the last round (04/10) is 8 days old: not every condition is met."""
    start = dt.date(2021, 9, 20)
    facts = ZoneFacts(start=start, rounds=(negative("1", d(30, 9)), negative("2", d(4, 10))))
    assert evaluate(facts, RULE, d(5, 10)).eligible
    result = evaluate(facts, RULE, d(12, 10))
    assert not result.eligible
    assert result.expected
    stale = next(m for m in result.missing if m.code == "stale")
    assert stale.params["day"] == d(4, 10)
    assert stale.params["within"] == 3
    rounds = next(m for m in result.missing if m.code == "rounds")
    assert rounds.params["needed"] == 1
    assert result.shown >= d(12, 10)


def test_a_date_confirmed_by_rounds_done_is_not_expected():
    facts = ZoneFacts(start=START, rounds=(negative("1", d(20)), negative("2", d(24))))
    result = evaluate(facts, RULE, d(25))
    assert result.eligible and not result.expected


# -- Vietnamese companions -------------------------------------------------------------------


def _doc(**lift_extra) -> dict:
    lift = {
        "days_after_last_case": {"value": 14, "note": "fourteen", "note_vi": "mười bốn"},
        "negative_rounds": 2,
        "last_round_within_days": 3,
        "min_days_between_rounds": 3,
        "same_day_round_counts": False,
    }
    lift.update(lift_extra)
    return {
        "id": "x",
        "title": "x",
        "notes": "English",
        "notes_vi": "Tiếng Việt",
        "source": {"document": "x"},
        "lift": lift,
    }


def test_a_parameter_note_and_the_notes_have_vietnamese():
    rule = parse_lift_rule(_doc(), file="x.toml")
    days = rule.parameters["days_after_last_case"]
    assert (days.note_for("vi"), days.note_for("en")) == ("mười bốn", "fourteen")
    assert (rule.notes_for("vi"), rule.notes_for("en")) == ("Tiếng Việt", "English")
    plain = rule.parameters["negative_rounds"]
    assert plain.note_for("vi") == plain.note == ""


@pytest.mark.parametrize(
    ("lift_extra", "key", "message"),
    [
        ({"negative_rounds": {"value": 2, "note_vi": 5}}, "lift.negative_rounds.note_vi", "str"),
        (
            {"negative_rounds": {"value": 2, "note_en": "x"}},
            "lift.negative_rounds.note_en",
            "unknown key",
        ),
    ],
)
def test_a_bad_vietnamese_companion_names_the_key(lift_extra, key, message):
    with pytest.raises(LiftRuleError) as error:
        parse_lift_rule(_doc(**lift_extra), file="x.toml")
    assert error.value.key == key and message in error.value.message


def test_a_derived_rule_that_rewrites_a_note_does_not_keep_the_parents_vietnamese(tmp_path):
    parent = (RULES / "vn-lockdown-14d.toml").read_text(encoding="utf-8")
    (tmp_path / "vn-lockdown-14d.toml").write_text(parent, encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text(
        'id = "child"\nparent = "vn-lockdown-14d"\n\n[lift.negative_rounds]\nvalue = 4\n'
        'note = "four rounds"\n',
        encoding="utf-8",
    )
    rule = load_lift_rule(child)
    rounds = rule.parameters["negative_rounds"]
    assert (rounds.note, rounds.note_vi, rounds.note_for("vi")) == (
        "four rounds",
        "",
        "four rounds",
    )
    # untouched parameters and the notes keep the parent's Vietnamese
    assert rule.parameters["days_after_last_case"].note_for("vi") == (
        RULE.parameters["days_after_last_case"].note_vi
    )
    assert rule.notes_vi == RULE.notes_vi != ""


def test_the_shipped_derived_rule_has_its_own_vietnamese():
    derived = load_lift_rule(RULES / "vn-lockdown-14d-3r.toml")
    rounds = derived.parameters["negative_rounds"]
    assert rounds.note_vi and rounds.note_vi != RULE.parameters["negative_rounds"].note_vi
    assert derived.notes_vi and derived.notes_vi != RULE.notes_vi
