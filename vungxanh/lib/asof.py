"""The "as of" date of every page (../shared/DESIGN.md §7).

Chosen once, with ``?ngay=dd/mm/yyyy`` on any page (the date picker in the header sends it),
and kept in the session, so the area and surveillance pages, the map and the lockdown
pages all show the world as it was known on that day. ``?ngay=`` (empty) goes back to the
default: today, or the demo's day (``VX_DEMO_DAY``) in the demo. A date that is not one, or
lies outside the dates the site accepts (``lib.bounds``), is refused with a message and the
previous choice stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.domain import bounds
from vungxanh.domain.tabular import read_date
from vungxanh.lib.bounds import no_such_day_message, no_such_month_message, out_of_range_message

PARAM = "ngay"
SESSION_KEY = "vx_as_of"
# Parameters naming a page's own day: the picker's form drops them, so the new "as of"
# date is the one the page shows.
PAGE_DAY_PARAMS = frozenset({PARAM, "date", "on", "from", "to", "after", "before", "page"})


def default_day() -> dt.date:
    """Today; the demo's day in the demo."""
    return settings.VX_DEMO_DAY if settings.DEMO else timezone.localdate()


@dataclass(frozen=True)
class AsOf:
    day: dt.date
    chosen: bool = False  # the user chose it (not the default)
    error: str = ""

    @property
    def text(self) -> str:
        return bounds.dmy(self.day)

    @property
    def is_past(self) -> bool:
        """Whether the day is before today (facts are then read as known at its end)."""
        return self.day < timezone.localdate()

    def end(self) -> dt.datetime:
        """The last moment of the day, in the site's time zone."""
        midnight = dt.datetime.combine(self.day + dt.timedelta(days=1), dt.time())
        return timezone.make_aware(midnight) - dt.timedelta(microseconds=1)

    def cap(self, day: dt.date | None) -> dt.date | None:
        """``day``, but not after the "as of" day."""
        return None if day is None else min(day, self.day)


def parse(text: str) -> tuple[dt.date | None, str]:
    """Return (the day, "") or (None, why it is refused), the message in the user's language."""
    day, code, params = read_date(text)
    if day is None:
        if code == "no_such_day":
            return None, no_such_day_message(params)
        if code == "no_such_month":
            return None, no_such_month_message(params)
        return None, _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text}
    code, params = bounds.data_dates().problem(day)
    if code:
        return None, out_of_range_message(params)
    return day, ""


def read(request: HttpRequest) -> AsOf:
    """The "as of" date of this request (read once, then kept on the request)."""
    found = getattr(request, "_vx_as_of", None)
    if found is not None:
        return found
    error = ""
    session = getattr(request, "session", None)
    if PARAM in request.GET:
        text = request.GET[PARAM].strip()[:40]
        if not text:
            if session is not None:
                session.pop(SESSION_KEY, None)
            found = AsOf(default_day())
        else:
            day, error = parse(text)
            if day is not None:
                if session is not None:
                    session[SESSION_KEY] = day.isoformat()
                found = AsOf(day, chosen=True)
    if found is None:
        stored = session.get(SESSION_KEY) if session is not None else None
        try:
            day = dt.date.fromisoformat(stored) if stored else None
        except ValueError:
            day = None
        found = AsOf(day, chosen=True, error=error) if day else AsOf(default_day(), error=error)
    request._vx_as_of = found
    return found


def context(request: HttpRequest) -> dict:
    """Template context: the "as of" date, and the query the picker's form keeps."""
    as_of = read(request)
    keep = [(k, v) for k, values in request.GET.lists() if k not in PAGE_DAY_PARAMS for v in values]
    return {"as_of": as_of, "as_of_param": PARAM, "as_of_keep": keep}
