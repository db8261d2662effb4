"""The plausible ranges, declared once (vungxanh/domain/bounds.py), and the file reader's use."""

import datetime as dt

import pytest

from vungxanh.domain import bounds
from vungxanh.domain.tabular import AreaLookup, Column, Spec, read_date, validate_table

TODAY = dt.date(2021, 9, 23)


@pytest.fixture
def today_is_the_demo_day():
    previous = bounds.use_policy(lambda: (TODAY, bounds.DatePolicy()))
    yield
    bounds.use_policy(previous)


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "091 234 5678",
        "0912.345.678",
        "0387-654-321",
        "+84912345678",
        "+84 912 345 678",
        "(+84) 912 345 678",
        "84912345678",
        "0084912345678",
        "02923812345",  # Cần Thơ landline
        "0292 3812 345",
        "024 3825 3536",  # Hà Nội landline
        "+84 292 3812 345",
    ],
)
def test_vietnamese_phone_numbers_are_accepted(text):
    assert bounds.national_phone(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "gọi bà Tư",
        "không có",
        "0912",
        "091234567",  # 9 digits
        "09123456789",  # 11 digits from 09
        "0112345678",  # no mobile starts 01 (since 2018)
        "1900 1234",  # a hotline, not a person's
        "=1+1",
        "+1 202 555 0101",
        "0912345678 hoặc 0987654321",
    ],
)
def test_anything_else_is_not_a_phone_number(text):
    assert bounds.national_phone(text) is None


def test_a_phone_number_is_read_as_its_national_digits():
    assert bounds.national_phone("+84 912 345 678") == "0912345678"
    assert bounds.national_phone("(0292) 3812 345") == "02923812345"


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("361234567", True),  # CMND, 9 digits
        ("092090000009", True),  # CCCD, 12 digits
        ("092 090 000 009", True),
        ("C1234567", True),  # a Vietnamese passport
        ("c1234567", True),
        ("36123456", False),
        ("0920900000091", False),
        ("không có", False),
        ("chưa cấp", False),
        ("=HYPERLINK(1)", False),
        ("ABCDEFGHI", False),
    ],
)
def test_id_numbers_are_cmnd_cccd_or_passport(text, valid):
    assert bounds.is_id_number(text) is valid


@pytest.mark.parametrize(
    ("day", "month", "year", "code", "days"),
    [
        (31, 9, 2021, "no_such_day", 30),
        (29, 2, 2021, "no_such_day", 28),
        (30, 2, 2020, "no_such_day", 29),
        (0, 5, 2021, "no_such_day", 31),
        (15, 13, 2021, "no_such_month", None),
        (15, 0, 2021, "no_such_month", None),
        (1, 1, 0, "not_a_date", None),
    ],
)
def test_a_day_that_does_not_exist_says_why(day, month, year, code, days):
    found, params = bounds.impossible_day(day, month, year)
    assert found == code
    assert params.get("days") == days


def test_real_days_are_no_problem():
    assert bounds.impossible_day(29, 2, 2020) == ("", {})
    assert bounds.impossible_day(31, 12, 2021) == ("", {})


def test_read_date_tells_an_impossible_day_from_no_date():
    assert read_date("23/09/2021") == (dt.date(2021, 9, 23), "", {})
    assert read_date("2021-09-23") == (dt.date(2021, 9, 23), "", {})
    assert read_date("31/09/2021")[1:] == (
        "no_such_day",
        {"value": "31/09/2021", "month": 9, "year": 2021, "days": 30},
    )
    assert read_date("2021-02-29")[1] == "no_such_day"
    assert read_date("15/13/2021")[1] == "no_such_month"
    assert read_date("hôm qua")[1:] == ("not_a_date", {"value": "hôm qua"})


def test_the_windows_run_from_the_epidemic_to_today_or_a_year_ahead():
    policy = bounds.DatePolicy()
    data = policy.data_window(TODAY)
    assert (data.first, data.last) == (dt.date(2019, 12, 1), TODAY)
    assert data.problem(TODAY) == ("", {})
    assert data.problem(dt.date(2099, 1, 1)) == (
        "date_out_of_range",
        {"value": "01/01/2099", "first": "01/12/2019", "last": "23/09/2021"},
    )
    assert data.problem(dt.date(1, 1, 1))[1]["value"] == "01/01/0001"
    assert data.problem(dt.date(2019, 11, 30))[0] == "date_out_of_range"
    plan = policy.plan_window(TODAY)
    assert plan.last == dt.date(2022, 9, 24)
    assert dt.date(9999, 12, 31) not in plan
    ahead = bounds.DatePolicy(first=dt.date(2020, 1, 1), data_days_ahead=2)
    assert ahead.data_window(TODAY) == bounds.DateWindow(dt.date(2020, 1, 1), dt.date(2021, 9, 25))


def test_counts_are_bounded_by_population_or_an_absolute_cap():
    assert bounds.count_limit(31_268) == 46_902
    assert bounds.count_limit(None) == bounds.COUNT_MAX
    assert bounds.count_limit(0) == bounds.COUNT_MAX
    assert bounds.count_limit(10**9) == bounds.COUNT_MAX
    assert bounds.COUNT_MAX < 2**31  # PostgreSQL's integer


SPEC = Spec(
    "test",
    (
        Column("area", "area", "Địa bàn", "", "31120"),
        Column("date", "date", "Ngày", "", "23/09/2021"),
        Column("cases", "int", "Ca", "", "0", within_population=True),
        Column("beds", "int", "Giường", "", "0", required=False),
        Column("phone", "text", "Điện thoại", "", "", required=False, text_format="phone"),
        Column("id_number", "text", "CCCD", "", "", required=False, text_format="id_number"),
    ),
    key=("area", "date"),
    title_vi="test",
)
AREAS = AreaLookup([(1, "31120", "Phường An Hòa", 31_268), (2, "31117", "Phường Cái Khế", None)])


def codes(rows) -> list[tuple]:
    header = [c.label_vi for c in SPEC.columns]
    found = validate_table(header, rows, SPEC, AREAS).errors
    return [(e.row, e.column, e.code) for e in found]


def test_the_reader_applies_every_bound(today_is_the_demo_day):
    assert codes([["31120", "23/09/2021", "12", "3", "0912345678", "361234567"]]) == []
    assert codes(
        [
            ["31120", "24/09/2021", "46903", str(2**63 - 1), "gọi bà Tư", "không"],
            ["31117", "31/09/2021", "46903", "", "", ""],
            ["31117", "01/12/2019", str(bounds.COUNT_MAX + 1), "", "", ""],
        ]
    ) == [
        (2, "CCCD", "not_a_id_number"),
        (2, "Ca", "above_population"),
        (2, "Giường", "above_maximum"),
        (2, "Ngày", "date_out_of_range"),
        (2, "Điện thoại", "not_a_phone"),
        (3, "Ngày", "no_such_day"),
        (4, "Ca", "above_maximum"),
    ]


def test_the_population_bound_names_the_area_and_its_population():
    header = [c.label_vi for c in SPEC.columns]
    (error,) = validate_table(header, [["31120", "23/09/2021", "50000"]], SPEC, AREAS).errors
    assert error.params == {
        "value": 50000,
        "max": 46_902,
        "area": "Phường An Hòa",
        "population": 31_268,
    }
