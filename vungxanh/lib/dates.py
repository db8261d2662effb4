"""Reading a day typed by a person, with a message that says what is wrong.

One reading for files, forms, filters and the "as of" picker: dd/mm/yyyy (also dd-mm-yyyy,
dd.mm.yyyy) or yyyy-mm-dd (``domain.tabular.read_date``). A day written well that does
not exist is named as such — "31/09/2021 does not exist: September has 30 days" — instead
of "not in dd/mm/yyyy".
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _

from vungxanh.domain.tabular import read_date
from vungxanh.lib.bounds import no_such_day_message, no_such_month_message


def read_day(text: str) -> tuple[dt.date | None, str]:
    """Return (the day, "") or (None, why it is not a day), the message in the user's language.

    Only whether the text is a day; whether the day is plausible (not after today, …) is
    the bounds' question (``lib.bounds``).
    """
    text = (text or "").strip()
    day, code, params = read_date(text)
    if day is not None:
        return day, ""
    if code == "no_such_day":
        return None, no_such_day_message(params)
    if code == "no_such_month":
        return None, no_such_month_message(params)
    return None, _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text}


class DayField(forms.DateField):
    """A form date field that reads days as ``read_day`` does and says what is wrong."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        day, message = read_day(str(value))
        if day is None:
            raise forms.ValidationError(message, code="invalid")
        return day
