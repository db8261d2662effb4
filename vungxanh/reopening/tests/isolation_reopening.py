"""Isolation checks of the reopening pages (collected by vungxanh/tests/test_isolation.py).

A restaurant in An Hòa and one in Cái Khế, each with a status change on 25/10/2021 and its
notice, built lazily per test (periods written directly: the isolation world has no levels).
An Hòa's ward official must see An Hòa's change and notice, never Cái Khế's.
"""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vungxanh.economy import services as economy
from vungxanh.economy.tests.world import values
from vungxanh.reopening.models import Notice, StatusPeriod

FOREIGN = "foreign-reopening-marker"
OWN = "own-reopening-marker"
DAY = dt.date(2021, 10, 25)
QUERY = {"date": DAY.strftime("%d/%m/%Y")}


def _periods(establishment) -> None:
    common = {"establishment": establishment, "ward": establishment.ward, "section": "I",
              "reason": "level", "computed_at": timezone.now()}  # fmt: skip
    StatusPeriod.objects.create(
        start=DAY - dt.timedelta(days=10), end=DAY - dt.timedelta(days=1),
        since=DAY - dt.timedelta(days=10), status="allowed", **common,
    )  # fmt: skip
    StatusPeriod.objects.create(
        start=DAY, since=DAY, status="suspended", previous_status="allowed", **common
    )
    return Notice.objects.create(
        establishment=establishment, ward=establishment.ward, effective_on=DAY,
        from_status="allowed", to_status="suspended", reason="level",
    )  # fmt: skip


def _ready(tc) -> None:
    found = Notice.objects.filter(establishment__name__in=[OWN, FOREIGN])
    if found.count() == 2:  # built by an earlier check of this test
        tc.own_notice = found.get(establishment__name=OWN)
        tc.foreign_notice = found.get(establishment__name=FOREIGN)
        return
    own = economy.create_establishment(
        actor=tc.admin, ward=tc.anhoa, representative=tc.anhoa_official,
        **values(71, name=OWN, vsic_code="56101"),
    )  # fmt: skip
    foreign = economy.create_establishment(
        actor=tc.admin, ward=tc.caikhe, representative=tc.caikhe_official,
        **values(72, name=FOREIGN, vsic_code="56101"),
    )  # fmt: skip
    tc.own_notice, tc.foreign_notice = _periods(own), _periods(foreign)


def check_changes(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name), QUERY | {"area": "31117"}))
    tc.assert_refused(tc.client.get(reverse(name), QUERY | {"area": "916"}))
    url = f"{reverse(name)}?date={QUERY['date']}"
    tc.assert_hides(url, [FOREIGN], [OWN])  # the user's own area by default
    tc.client.force_login(tc.district_steering)
    tc.assert_hides(f"{url}&area=916", [], [OWN, FOREIGN])


def check_export(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name), QUERY | {"area": "31117"}))
    tc.assert_refused(tc.client.get(reverse(name), QUERY | {"area": "916"}))
    response = tc.client.get(reverse(name), QUERY)
    tc.assertEqual(response.status_code, 200)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
    tc.assertIn(OWN, text)
    tc.assertNotIn(FOREIGN, text)


def check_notices(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name), [FOREIGN], [OWN])


def check_acknowledge(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.post(reverse(name, args=[tc.foreign_notice.pk])))
    tc.foreign_notice.refresh_from_db()
    tc.assertIsNone(tc.foreign_notice.acknowledged_at)


def check_lookup(tc, name: str) -> None:
    tc.check_public(name)


CHECKS = {
    "reopening:changes": check_changes,
    "reopening:changes_export": check_export,
    "reopening:notices": check_notices,
    "reopening:acknowledge": check_acknowledge,
    "reopening_public:lookup": check_lookup,
}
WRITE_CHECKS = {
    "reopening:acknowledge": check_acknowledge,
}


# -- recovery indicators: counts by ward, never another ward's --------------------------------
SPAN = {"from": "20/10/2021", "to": DAY.strftime("%d/%m/%Y")}


def check_indicators(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name), SPAN | {"area": "31117"}))
    tc.assert_refused(tc.client.get(reverse(name), SPAN | {"area": "916"}))
    url = f"{reverse(name)}?from={SPAN['from']}&to={SPAN['to']}"
    # The user's own area by default: An Hòa's row, never Cái Khế's.
    tc.assert_hides(url, ['data-code="31117"'], ['data-code="31120"'])
    tc.client.force_login(tc.district_steering)
    tc.assert_hides(f"{url}&area=916", [], ['data-code="31120"', 'data-code="31117"'])


def check_api_indicators(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name), SPAN | {"area": "31117"}))
    tc.assert_refused(tc.client.get(reverse(name), SPAN | {"area": "916"}))
    body = tc.client.get(reverse(name), SPAN).json()
    tc.assertEqual([w["code"] for w in body["by_ward"]], ["31120"])
    tc.assertEqual(body["latest"]["suspended"], 1)  # An Hòa's restaurant only


def check_indicators_export(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_refused(tc.client.get(reverse(name), SPAN | {"area": "31117"}))
    tc.assert_refused(tc.client.get(reverse(name), SPAN | {"area": "916"}))
    response = tc.client.get(reverse(name), SPAN)
    tc.assertEqual(response.status_code, 200)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    tc.assertIn("An Hòa", text)
    tc.assertNotIn("Cái Khế", text)


CHECKS |= {
    "reopening:indicators": check_indicators,
    "reopening:indicators_export": check_indicators_export,
    "api:reopening_indicators": check_api_indicators,
}
