"""Tax codes (mã số thuế): shape, check digit and normal form (vungxanh/domain/taxcode.py)."""

import pytest

from vungxanh.domain import taxcode

# Example codes published with python-stdnum's stdnum/vn/mst.py (valid ones).
PUBLISHED_VALID = ("0100233488", "0314409058")


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_published_codes_pass_the_check_digit(code):
    assert taxcode.check(code).value == code
    assert taxcode.check_digit(code[:9]) == int(code[9])


def test_check_digit_by_hand():
    # 0,1,0,0,2,3,3,4,8 · 31,29,23,19,17,13,7,5,3 = 29+34+39+21+20+24 = 167; 167 mod 11 = 2.
    assert taxcode.check_digit("010023348") == 10 - 2


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("0100233488", "0100233488"),
        ("  0100233488 ", "0100233488"),
        ("01 00 233 488", "0100233488"),
        ("01.00.233.488", "0100233488"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("0314409058 - 002", "0314409058-002"),
    ],
)
def test_accepted_forms_normalise(typed, normal):
    assert taxcode.check(typed).ok
    assert taxcode.normalise(typed) == normal


@pytest.mark.parametrize("wrong_last", "012345679")
def test_every_other_check_digit_is_refused(wrong_last):
    result = taxcode.check("010023348" + wrong_last)
    assert result.problem == taxcode.PROBLEM_CHECKSUM
    assert result.params == {"value": "010023348" + wrong_last}


def test_a_branch_code_is_checked_on_its_base():
    assert taxcode.check("0100233480-001").problem == taxcode.PROBLEM_CHECKSUM


def test_a_base_whose_rule_gives_ten_is_refused():
    # Unverified exception (module docstring): the sum is divisible by 11, so no digit
    # satisfies the rule; we refuse every code on such a base, as python-stdnum does.
    assert taxcode.check_digit("011000001") is None
    for last in "0123456789":
        assert taxcode.check("011000001" + last).problem == taxcode.PROBLEM_CHECKSUM


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("12345", 5), ("01002334881", 11), ("010023348812345", 15), ("0314409058-02", 12)],
)
def test_wrong_length_names_the_count(typed, digits):
    result = taxcode.check(typed)
    assert result.problem == taxcode.PROBLEM_LENGTH
    assert result.params["digits"] == digits
    assert result.params["value"] == typed


def test_a_lost_leading_zero_is_suggested():
    result = taxcode.check(100233488)  # the spreadsheet stored 0100233488 as a number
    assert result.problem == taxcode.PROBLEM_LENGTH
    assert result.params["suggestion"] == "0100233488"
    assert taxcode.check("314409058002").params["suggestion"] == "0314409058-002"
    assert taxcode.check("100233480").params["suggestion"] == ""


@pytest.mark.parametrize("typed", ["abc", "01002334x8", "0100233488/001", "0314409058--002"])
def test_other_characters_are_refused(typed):
    result = taxcode.check(typed)
    assert result.problem == taxcode.PROBLEM_CHARACTERS
    assert result.params == {"value": typed}


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_empty_is_its_own_problem(typed):
    assert taxcode.check(typed).problem == taxcode.PROBLEM_EMPTY


def test_branch_zero_is_refused():
    assert taxcode.check("0314409058-000").problem == taxcode.PROBLEM_BRANCH
    assert taxcode.check("0314409058000").problem == taxcode.PROBLEM_BRANCH


def test_normalise_raises_with_the_problem():
    with pytest.raises(ValueError, match=taxcode.PROBLEM_CHECKSUM):
        taxcode.normalise("0100233480")


def test_base_of_a_branch():
    assert taxcode.base_of("0314409058-002") == "0314409058"
    assert taxcode.base_of("0314409058") == "0314409058"
