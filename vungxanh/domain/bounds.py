"""The plausible range of every value a user gives, declared once (no Django).

Files (``domain.tabular``), forms and the API check their values here, so a typo in a
year, a count with three zeros too many or a name typed into the phone column is refused
the same way everywhere, with the reason. "Today" and the configurable parts come from
the ``DatePolicy`` in force: plain defaults here, the settings once Django runs
(``vungxanh.lib.bounds`` installs them).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

# The first COVID-19 cases (Wuhan, December 2019): no surveillance fact is older.
EPIDEMIC_START = dt.date(2019, 12, 1)
# A reported fact (a case, a count, a decision) is dated today at the latest.
DATA_DAYS_AHEAD = 0
# A planned date (a zone's start or planned end, a testing round, a shift) lies within a
# year from today.
PLAN_DAYS_AHEAD = 366
# A lockdown is decided on its first day or shortly before it, never after it.
DECISION_LEAD_DAYS = 60
# The largest count of anything where the area's population is unknown: more people than
# Vietnam has (96.2 million in the 2019 census), and below PostgreSQL's integer limit.
COUNT_MAX = 120_000_000
# A count may exceed the area's census population by half, not more: the census is from
# 2019 and a ward also serves temporary residents (tạm trú), but ten times the population
# is a typo.
POPULATION_HEADROOM = 1.5


def dmy(day: dt.date) -> str:
    """dd/mm/yyyy, with the year's four digits even before 1000 (strftime drops them)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@dataclass(frozen=True)
class DateWindow:
    """The days a value may fall on, both ends included."""

    first: dt.date
    last: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def problem(self, day: dt.date) -> tuple[str, dict]:
        """Return ("", {}) for a day inside, else ("date_out_of_range", its params)."""
        if day in self:
            return "", {}
        return "date_out_of_range", {
            "value": dmy(day),
            "first": dmy(self.first),
            "last": dmy(self.last),
        }


@dataclass(frozen=True)
class DatePolicy:
    """Where the windows start and how far past today they reach (configurable)."""

    first: dt.date = EPIDEMIC_START
    data_days_ahead: int = DATA_DAYS_AHEAD
    plan_days_ahead: int = PLAN_DAYS_AHEAD

    def data_window(self, today: dt.date) -> DateWindow:
        return DateWindow(self.first, today + dt.timedelta(days=self.data_days_ahead))

    def plan_window(self, today: dt.date) -> DateWindow:
        return DateWindow(self.first, today + dt.timedelta(days=self.plan_days_ahead))


def _default_policy() -> tuple[dt.date, DatePolicy]:
    return dt.date.today(), DatePolicy()


_policy: Callable[[], tuple[dt.date, DatePolicy]] = _default_policy


def use_policy(provider: Callable[[], tuple[dt.date, DatePolicy]]) -> Callable:
    """Make ``provider`` (returning today and the policy) the source of every window.

    Returns the provider it replaces (to restore it).
    """
    global _policy
    previous, _policy = _policy, provider
    return previous


def data_dates() -> DateWindow:
    """The days a reported fact may be dated: the epidemic's start to today (+ ahead)."""
    today, policy = _policy()
    return policy.data_window(today)


def plan_dates() -> DateWindow:
    """The days a planned event may be set on: the epidemic's start to a year ahead."""
    today, policy = _policy()
    return policy.plan_window(today)


# -- days that do not exist ---------------------------------------------------------------


def impossible_day(day: int, month: int, year: int) -> tuple[str, dict]:
    """Return why day/month/year is no date, or ("", {}) for a real day.

    "no_such_month" (month 13) and "no_such_day" (31/09: September has 30 days, with
    the month's length) are told apart from a text that is no date at all.
    """
    value = f"{day:02d}/{month:02d}/{year:04d}"
    if not 1 <= year <= 9999:
        return "not_a_date", {"value": value}
    if not 1 <= month <= 12:
        return "no_such_month", {"value": value, "month": month}
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return "no_such_day", {"value": value, "month": month, "year": year, "days": days}
    return "", {}


# -- counts -------------------------------------------------------------------------------


def count_limit(population: int | None) -> int:
    """Return the largest plausible count of people (or beds, tests) for a population."""
    if population is None or population <= 0:
        return COUNT_MAX
    return min(COUNT_MAX, math.floor(population * POPULATION_HEADROOM))


# -- phone and ID numbers -----------------------------------------------------------------

# Spaces, dots, dashes and brackets group the digits however the writer likes.
_GROUPING = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"0[35789]\d{8}")  # 09x, 08x, 07x, 05x, 03x + 7 digits (since 2018)
_LANDLINE = re.compile(r"02\d{9}")  # 02 + area code + subscriber: 11 digits (since 2017)
_INTERNATIONAL = ("+84", "0084", "84")
_CMND = re.compile(r"\d{9}")  # Chứng minh nhân dân
_CCCD = re.compile(r"\d{12}")  # Căn cước công dân (and the 12-digit CMND)
_PASSPORT = re.compile(r"[A-Z]{1,2}\d{6,8}")  # passports of arrivals (e.g. C1234567)


def national_phone(text: str) -> str | None:
    """Return the phone number as a Vietnamese number (0…, digits only), or None if not one.

    Accepts a mobile (10 digits from 03, 05, 07, 08, 09) or a landline (11 digits from
    02), written with a leading 0 or as +84 / 0084 / 84, grouped by spaces, dots,
    dashes or brackets.
    """
    digits = _GROUPING.sub("", text)
    for prefix in _INTERNATIONAL:
        if digits.startswith(prefix) and len(digits) - len(prefix) in (9, 10):
            digits = "0" + digits[len(prefix) :]
            break
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def is_id_number(text: str) -> bool:
    """Whether ``text`` is a CMND (9 digits), a CCCD (12 digits) or a passport number."""
    compact = re.sub(r"[\s.\-]", "", text).upper()
    return bool(
        _CMND.fullmatch(compact) or _CCCD.fullmatch(compact) or _PASSPORT.fullmatch(compact)
    )
