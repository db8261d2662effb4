"""Isolation checks of the establishment pages (collected by vungxanh/tests/test_isolation.py).

An establishment in An Hòa and one in Cái Khế, built lazily per test: An Hòa's ward
official must neither see nor change Cái Khế's; Ninh Kiều's steering committee sees both.
"""

from __future__ import annotations

from django.urls import reverse

from vungxanh.economy import services
from vungxanh.economy.models import Establishment
from vungxanh.economy.tests.world import tax_code, values

FOREIGN = "foreign-establishment-marker"
OWN = "own-establishment-marker"


def _ready(tc) -> None:
    if getattr(tc, "_economy_ready", False):
        return
    tc.own_establishment = services.create_establishment(
        actor=tc.admin, ward=tc.anhoa, **values(1, name=OWN)
    )
    tc.foreign_establishment = services.create_establishment(
        actor=tc.admin, ward=tc.caikhe, **values(2, name=FOREIGN)
    )
    tc._economy_ready = True


def _form(n: int, ward: str, **changes) -> dict:
    data = {
        k: ("on" if v is True else "" if v in (False, None) else v) for k, v in values(n).items()
    }
    return data | {"ward": ward} | changes


def check_list(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name), [FOREIGN, "Cái Khế"], [OWN])
    tc.assert_hides(reverse(name) + "?ward=31117", [FOREIGN])
    tc.client.force_login(tc.district_steering)
    tc.assert_hides(reverse(name), [], [OWN, FOREIGN])


def check_create(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    tc.assert_hides(reverse(name), ["31117", "Cái Khế"])
    before = Establishment.objects.count()
    response = tc.client.post(reverse(name), _form(3, "31117"))
    tc.assertEqual(response.status_code, 200)  # the form again, the ward refused
    tc.assertEqual(Establishment.objects.count(), before)
    tc.assertFalse(Establishment.objects.filter(tax_code=tax_code(3)).exists())


def check_edit(tc, name: str) -> None:
    _ready(tc)
    tc.as_ward()
    foreign = reverse(name, args=[tc.foreign_establishment.pk])
    tc.assert_refused(tc.client.get(foreign))
    tc.assert_refused(tc.client.post(foreign, _form(2, "31117", name="changed")))
    # Nor may An Hòa's own establishment be moved into Cái Khế.
    own = reverse(name, args=[tc.own_establishment.pk])
    tc.assertEqual(tc.client.post(own, _form(1, "31117", name=OWN)).status_code, 200)
    tc.foreign_establishment.refresh_from_db()
    tc.own_establishment.refresh_from_db()
    tc.assertEqual(tc.foreign_establishment.name, FOREIGN)
    tc.assertEqual(tc.own_establishment.ward, tc.anhoa)


CHECKS = {
    "economy:list": check_list,
    "economy:create": check_create,
    "economy:edit": check_edit,
}
WRITE_CHECKS = {
    "economy:create": check_create,
    "economy:edit": check_edit,
}
