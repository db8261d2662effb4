"""What the economy registers with the import machinery (``vungxanh.imports``).

One kind of file, "establishments" (``specs.SPEC``, checked and stored by
``services.check_import`` and ``services.import_file``), the history of its imports (the
``EstablishmentImport`` rows, under the key "economy"), the words of its choice column,
and the sentences of its problems, so the shared report words a bad tax code or VSIC code
as the establishment form does (``messages.TEXTS``).

An import of establishments is not undone from the history: an establishment is changed
or corrected through its own form (every change audited), so the history offers no undo.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vungxanh.accounts import scoping
from vungxanh.areas.models import AreaKind
from vungxanh.economy import messages, specs
from vungxanh.economy.models import ESTABLISHMENT
from vungxanh.imports import problems, registry

HISTORY_KEY = "economy"
HISTORY_PERMISSION = "economy.establishmentimport"


def check(kind: str, data: bytes, file_name: str, **options: Any):
    from vungxanh.economy import services

    return services.check_import(kind, data, file_name, **options)


def store(kind: str, data: bytes, file_name: str, **options: Any):
    from vungxanh.economy import services

    return services.import_file(kind, data, file_name, **options)


def batches(user):
    from vungxanh.economy.models import EstablishmentImport

    return EstablishmentImport.objects.for_user(user, "view").select_related("area", "actor")


def summary(batch) -> registry.Summary:
    """The batch in the shared list's words: it keeps no rejected count and no status."""
    return registry.Summary(
        imported_at=batch.imported_at,
        actor_name=batch.actor.get_username() if batch.actor is not None else "",
        file_name=batch.file_name,
        kind_label=registry.kind(specs.KIND).label,
        area=batch.area,
        rows=batch.rows,
        new=batch.created,
        corrected=batch.changed,
        unchanged=batch.unchanged,
        rejected=None,
        status=_("imported"),
        sha256=batch.sha256,
    )


def may_undo(user, batch) -> bool:
    return False


def undo(batch, *, actor, reason: str = ""):
    raise PermissionDenied(
        _("An import of establishments cannot be undone: correct each establishment instead.")
    )


def _written(batch, limit: int) -> Q:
    """Up to ``limit`` of the establishments the import added or changed, as a filter.

    The batch keeps no link to its rows: its audit entry lists the tax codes it added and
    the ids it changed.
    """
    from vungxanh.audit.models import AuditEntry

    entry = AuditEntry.objects.filter(
        action="import", object_type=HISTORY_PERMISSION, object_id=str(batch.pk)
    ).first()
    after = (entry.after if entry is not None else None) or {}
    added = after.get("new", [])[:limit]
    changed = [int(pk) for pk in list(after.get("changed", {}))[: limit - len(added)]]
    return Q(tax_code__in=added) | Q(pk__in=changed)


def sample(user, batch, limit: int) -> tuple[list, int]:
    """Up to ``limit`` of the establishments the import added or changed, and how many."""
    from vungxanh.economy.models import Establishment

    shown = Establishment.objects.for_user(user, "view").filter(_written(batch, limit))
    rows = list(shown.select_related("ward").order_by("name", "tax_code"))
    return rows, batch.created + batch.changed


def result_link(batch) -> tuple[str, str]:
    """The establishments list, filtered to the batch's ward when it lies in one."""
    url = reverse("economy:list")
    if batch.area.kind == AreaKind.COMMUNE:
        url += f"?ward={batch.area.code}"
    return url, _("See the establishments of %(area)s") % {"area": batch.area.name}


def register() -> None:
    """Register the establishments kind, its history, words and problems (``AppConfig.ready``)."""
    registry.register_kind(
        registry.Kind(
            key=specs.KIND,
            label=gettext_lazy("Establishments (businesses)"),
            spec=specs.SPEC,
            model_label=ESTABLISHMENT,
            check=check,
            store=store,
            history=HISTORY_KEY,
        )
    )
    registry.register_history(
        registry.History(
            key=HISTORY_KEY,
            batches=batches,
            summary=summary,
            may_undo=may_undo,
            undo=undo,
            sample=sample,
            result_link=result_link,
            permission=HISTORY_PERMISSION,
            area_lookup=scoping.area_lookup,
            date_field="imported_at",
        )
    )
    registry.register_choice_words(*specs.CHOICE_WORDS)
    # The shared report has no registry of problem sentences: add ours to its table, never
    # replacing one it has (a shared key keeps the shared wording).
    for code, text in messages.TEXTS.items():
        problems.TEXTS.setdefault(code, text)
