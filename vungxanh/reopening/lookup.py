"""The public lookup: what may operate on a day, for a tax code or for a sector in a ward.

Bounded and answerable without enumerating anything: a tax code shows that establishment's
status only (an exact match on a unique column); a sector and a ward show the rule that
applies there (the matrix cell of the ward's level, or its lockdown), never a list of the
businesses there. Each answer is one small query path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from vungxanh.areas.models import Area, AreaKind
from vungxanh.domain import taxcode, vsic
from vungxanh.economy.models import Establishment
from vungxanh.reopening import compute, matrices, queries, services
from vungxanh.reopening.models import Status, StatusPeriod
from vungxanh.risk.levels_in_force import levels_in_force

TAX_CODE_MAX = 20
VSIC_MAX = 8
WARD_MAX = 10
# How far back "since" is looked for in a sector-and-ward answer.
SINCE_WINDOW_DAYS = 400


@dataclass
class Answer:
    form: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    asked: bool = False
    found: bool = False
    status: str = ""
    status_label: str = ""
    terms: str = ""
    since: dt.date | None = None
    verified: bool = False
    reason: str = ""
    source_document: str = ""
    source_url: str = ""
    establishment: Establishment | None = None
    ward: Area | None = None
    activity: str = ""
    level_key: str = ""
    not_found: str = ""


def terms(period) -> str:
    """The terms of a period or an entry, in Vietnamese (as the sources write them)."""
    entry = compute.Entry(
        status=period.status, reason=period.reason, verified=period.verified,
        capacity_percent=period.capacity_percent, max_people=period.max_people,
        closing_hour=period.closing_hour, takeaway_only=period.takeaway_only,
        conditions_vi=period.conditions_vi,
    )  # fmt: skip
    return entry.terms_vi


def _source(matrix_id: str) -> tuple[str, str]:
    matrix = matrices.by_id().get(matrix_id)
    return (matrix.source.document, matrix.source.url) if matrix else ("", "")


def _fill(answer: Answer, item) -> None:
    answer.found = True
    answer.status = item.status
    answer.status_label = Status(item.status).label
    answer.terms = terms(item)
    answer.verified = item.verified
    answer.reason = item.reason
    answer.level_key = item.level_key
    answer.source_document, answer.source_url = _source(item.matrix)


def answer(params, day: dt.date) -> Answer:
    form = {
        "tax_code": params.get("tax_code", "").strip()[:TAX_CODE_MAX],
        "vsic": params.get("vsic", "").strip()[:VSIC_MAX],
        "ward": params.get("ward", "").strip()[:WARD_MAX],
    }
    result = Answer(form=form)
    if form["tax_code"]:
        result.asked = True
        _by_tax_code(result, form["tax_code"], day)
    elif form["vsic"] or form["ward"]:
        result.asked = True
        _by_sector(result, form["vsic"], form["ward"], day)
    return result


def _by_tax_code(result: Answer, typed: str, day: dt.date) -> None:
    checked = taxcode.check(typed)
    if not checked.ok:
        result.errors["tax_code"] = _(
            "Tax code: “%(value)s” is not a tax code (10 digits, or 13 for a branch)."
        ) % {"value": typed}
        return
    establishment = (
        Establishment.objects.filter(tax_code=checked.value).select_related("ward").first()
    )
    if establishment is None:
        result.not_found = _("No establishment with the tax code %(code)s is registered here.") % {
            "code": checked.value
        }
        return
    result.establishment, result.ward = establishment, establishment.ward
    entry = vsic.lookup(establishment.vsic_code)
    result.activity = entry.name_vi if entry else establishment.vsic_code
    period = StatusPeriod.objects.filter(establishment=establishment).on(day).first()
    if period is None:
        result.not_found = _("No status has been computed for this establishment yet.")
        return
    _fill(result, period)
    result.since = period.since


def _by_sector(result: Answer, typed_code: str, ward_code: str, day: dt.date) -> None:
    code = vsic.normalise(typed_code)
    checked = vsic.check(code) if code else None
    if checked is None or not checked.ok:
        result.errors["vsic"] = _(
            "Sector: “%(value)s” is not a VSIC code (a section letter A–U, or 2 to 5 digits)."
        ) % {"value": typed_code}
    ward = None
    if not ward_code:
        result.errors["ward"] = _("Ward: write the code of the ward or commune.")
    else:
        ward = Area.objects.filter(code=ward_code, kind=AreaKind.COMMUNE).first()
        if ward is None:
            result.errors["ward"] = _("Ward: no ward or commune has the code “%(value)s”.") % {
                "value": ward_code
            }
    if result.errors:
        return
    result.ward = ward
    result.activity = checked.entry.name_vi if checked.entry else code
    found = rule_in_ward(ward, code, day)
    if found is None:
        result.not_found = _("No level is in force in this ward on this day.")
        return
    entry, since = found
    _fill(result, entry)
    result.since = since


def rule_in_ward(ward: Area, code: str, day: dt.date):
    """(the entry that applies to ``code`` in ``ward`` on ``day``, since when), or None.

    The stage's own computation for one pseudo-establishment of ``code`` in ``ward``."""
    province = queries.province_of(ward)
    if province is None:
        return None
    series = services.status_series(ward)
    if series is None:
        return None
    first = day - dt.timedelta(days=SINCE_WINDOW_DAYS)
    grid = levels_in_force([ward], first, day, series)
    if not (grid.source[0] > 0).any():
        return None
    periods = compute.compute(
        grid, matrices.shipped(), province.code, np.zeros(1, dtype=np.int64),
        np.array([code], dtype=str), services.locked_grid([ward], first, day),
    )  # fmt: skip
    last = len(periods) - 1
    since = int(periods.since()[last])
    # A status held since the start of the window: when it began is not known here.
    return periods.catalogue[int(periods.cell[last])], (grid.day(since) if since > 0 else None)
