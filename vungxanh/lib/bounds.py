"""The plausible ranges of ``vungxanh.domain.bounds`` for Django: settings, forms, the API.

``install`` (run when the apps are ready) makes "today" the local date of the site and the
windows those of the ``VX_DATA_DATE_*`` settings, read at each check so a test may
override them. Forms use the validators, API schemas the annotated types; the messages
are shared with the import report (``surveillance.problems``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from vungxanh.domain import bounds
from vungxanh.domain.bounds import COUNT_MAX, DatePolicy, DateWindow, count_limit

__all__ = ["COUNT_MAX", "Count", "DataDate", "PlanDate", "count_limit", "install"]


def current_policy() -> tuple[dt.date, DatePolicy]:
    return timezone.localdate(), DatePolicy(
        first=settings.VX_DATA_DATE_MIN,
        data_days_ahead=settings.VX_DATA_DATE_MAX_DAYS_AHEAD,
        plan_days_ahead=settings.VX_PLAN_DATE_MAX_DAYS_AHEAD,
    )


def install() -> None:
    bounds.use_policy(current_policy)


# -- messages ------------------------------------------------------------------------------


def out_of_range_message(p: dict) -> str:
    return (
        _("%(value)s is outside the dates accepted here (%(first)s to %(last)s): check the year.")
        % p
    )


def no_such_day_message(p: dict) -> str:
    return _("%(value)s does not exist: %(month)s has %(days)d days (dd/mm/yyyy).") % {
        **p,
        "month": MONTHS[p["month"]],
    }


def no_such_month_message(p: dict) -> str:
    return (
        _("%(value)s does not exist: there is no month %(month)d (write dd/mm/yyyy, day first).")
        % p
    )


def not_a_phone_message(p: dict) -> str:
    return (
        _(
            "“%(value)s” is not a Vietnamese phone number: write a mobile of 10 digits "
            "(0912345678), a landline with its area code (02923812345), or +84…."
        )
        % p
    )


def not_an_id_number_message(p: dict) -> str:
    return (
        _(
            "“%(value)s” is not an ID number: write the 12 digits of the citizen card (CCCD), "
            "the 9 digits of an old ID card (CMND), or a passport number."
        )
        % p
    )


def above_population_message(p: dict) -> str:
    return (
        _(
            "%(value)s is more than %(area)s can have (population %(population)s; at most "
            "%(max)s): check for extra digits."
        )
        % p
    )


# -- forms ---------------------------------------------------------------------------------


def _check(window: DateWindow, day: dt.date | None) -> None:
    if day is None:
        return
    code, params = window.problem(day)
    if code:
        raise ValidationError(out_of_range_message(params), code=code)


def validate_data_date(day: dt.date | None) -> None:
    """A form validator: the day of a reported fact (a case, a count, a decision)."""
    _check(bounds.data_dates(), day)


def validate_plan_date(day: dt.date | None) -> None:
    """A form validator: the day of a planned event (a zone's start, a testing round)."""
    _check(bounds.plan_dates(), day)


def lead_problem(decided_on: dt.date | None, start: dt.date | None) -> str:
    """Return why a decision date does not fit its start (or ""): on/before, shortly."""
    if decided_on is None or start is None:
        return ""
    if decided_on > start:
        return _("The decision (%(decided)s) is dated after the start (%(start)s).") % {
            "decided": bounds.dmy(decided_on),
            "start": bounds.dmy(start),
        }
    if (start - decided_on).days > bounds.DECISION_LEAD_DAYS:
        return _("The start is more than %(days)d days after the decision: check the dates.") % {
            "days": bounds.DECISION_LEAD_DAYS
        }
    return ""


# -- API (pydantic) -----------------------------------------------------------------------


def _api_check(window_of):
    def check(day: dt.date) -> dt.date:
        code, params = window_of().problem(day)
        if code:
            # A custom error: its message is the answer's, without pydantic's "Value error, ".
            raise PydanticCustomError(code, out_of_range_message(params).replace("{", "("))
        return day

    return check


def check_lead(decided_on: dt.date | None, start: dt.date | None) -> None:
    """For a schema's validator: refuse a decision after its start, or long before it."""
    problem = lead_problem(decided_on, start)
    if problem:
        raise PydanticCustomError("decision_date", problem)


# A reported day (≤ today + VX_DATA_DATE_MAX_DAYS_AHEAD) and a planned day (≤ a year ahead).
DataDate = Annotated[
    dt.date,
    AfterValidator(_api_check(bounds.data_dates)),
    Field(description="yyyy-mm-dd, from 2019-12-01 to today"),
]
PlanDate = Annotated[
    dt.date,
    AfterValidator(_api_check(bounds.plan_dates)),
    Field(description="yyyy-mm-dd, from 2019-12-01 to a year from today"),
]
# A count of people, households, samples: never negative, never beyond COUNT_MAX.
Count = Annotated[int, Field(ge=0, le=COUNT_MAX)]
