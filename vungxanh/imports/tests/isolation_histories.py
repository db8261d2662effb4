"""Isolation checks of the batch pages and API named by history (vungxanh/tests/test_isolation.py).

For each history (surveillance, economy) an import of An Hòa (own) and one of Cái Khế
(foreign): An Hòa's ward official reads and undoes only its own; the foreign batch is a
404 and stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from vungxanh.economy import services as economy
from vungxanh.economy.models import EstablishmentImport
from vungxanh.economy.tests.world import tax_code
from vungxanh.surveillance import services as surveillance
from vungxanh.surveillance.models import ImportBatch

ECONOMY_HEADER = "Mã số thuế,Tên cơ sở,Loại hình,Mã ngành VSIC,Phường/xã\n"
OWN_FILE = "anhoa-history-marker.csv"
FOREIGN_FILE = "caikhe-history-marker.csv"


def establishments(n: int, ward: str) -> bytes:
    """A file of one grocery, the ``n``-th tax code, in ``ward`` (a code)."""
    return (ECONOMY_HEADER + f"{tax_code(n)},Tạp hóa {n},Hộ kinh doanh,47112,{ward}\n").encode()


def batches(tc) -> dict[str, tuple]:
    """history -> (own batch, foreign batch), made once per test."""
    if not hasattr(tc, "_history_batches"):
        made = {}
        for key, importer in (("surveillance", _daily), ("economy", _establishments)):
            made[key] = (
                importer(tc, "31120", OWN_FILE, tc.anhoa_official, 1),
                importer(tc, "31117", FOREIGN_FILE, tc.caikhe_official, 2),
            )
        tc._history_batches = made
    return tc._history_batches


def _daily(tc, ward: str, name: str, actor, n: int):
    text = f"Địa bàn,Ngày,Ca cộng đồng\n{ward},22/09/2021,{40 + n}\n"
    result = surveillance.import_file("daily", text.encode(), name, actor=actor)
    tc.assertIsNotNone(result.batch, result.check.errors)
    return result.batch


def _establishments(tc, ward: str, name: str, actor, n: int):
    result = economy.import_file("establishments", establishments(800 + n, ward), name, actor=actor)
    tc.assertIsNotNone(result.batch, result.check.errors)
    return result.batch


def _state(batch) -> tuple:
    if isinstance(batch, ImportBatch):
        return tuple(ImportBatch.objects.filter(pk=batch.pk).values_list("status", "undone_at"))
    return tuple(EstablishmentImport.objects.filter(pk=batch.pk).values_list("pk"))


# -- reading -----------------------------------------------------------------------------
def check_batch(tc, name: str) -> None:
    for key, (own, foreign) in batches(tc).items():
        tc.as_ward()
        tc.assert_refused(tc.client.get(reverse(name, args=[key, foreign.pk])))
        own_page = tc.client.get(reverse(name, args=[key, own.pk]))
        tc.assertEqual(own_page.status_code, 200, key)
        tc.assertNotIn(FOREIGN_FILE, own_page.content.decode())


# -- undo --------------------------------------------------------------------------------
def _undo(tc, name: str, send: Callable) -> None:
    """The foreign batch: refused, unchanged. The own one: undone where its history undoes."""
    for key, (own, foreign) in batches(tc).items():
        tc.as_ward()
        before = _state(foreign)
        tc.assert_refused(send(reverse(name, args=[key, foreign.pk])))
        tc.assertEqual(_state(foreign), before, key)
        send(reverse(name, args=[key, own.pk]))
        if key == "surveillance":
            own.refresh_from_db()
            tc.assertEqual(own.status, ImportBatch.Status.UNDONE)
        else:  # an import of establishments is not undone: it stays
            tc.assertTrue(EstablishmentImport.objects.filter(pk=own.pk).exists())


def check_undo_page(tc, name: str) -> None:
    _undo(tc, name, lambda url: tc.client.post(url))


def check_undo_api(tc, name: str) -> None:
    _undo(tc, name, lambda url: tc.client.post(url))


def write_check_undo_page(tc, key: str) -> None:
    check_undo_page(tc, "imports:batch_undo")


def write_check_undo_api(tc, key: str) -> None:
    check_undo_api(tc, "api:import_batch_undo")


CHECKS = {
    "imports:batch": check_batch,
    "imports:batch_undo": check_undo_page,
    "api:import_batch": check_batch,
    "api:import_batch_undo": check_undo_api,
}

WRITE_CHECKS = {
    "imports:batch_undo": write_check_undo_page,
    "POST /api/v1/imports/{history}/{batch_id}/undo": write_check_undo_api,
}
