"""The rules an establishment's values obey, checked the same way for form, service, file.

``clean`` takes the values as typed (strings, numbers, flags) and returns them in their
stored form with the problems found, each a field, a key (``messages.TEXTS``) and params.
The ward is checked apart (``ward_problem``): a form offers wards, a file names areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from vungxanh.areas.models import AreaKind
from vungxanh.domain import bounds as domain_bounds
from vungxanh.domain import taxcode, vsic
from vungxanh.economy import bounds, messages
from vungxanh.economy.models import CONSTRUCTION_SECTION, Kind

# The values a person gives; the section, the ward and the bookkeeping are not typed.
FIELDS = (
    "name",
    "tax_code",
    "kind",
    "vsic_code",
    "address",
    "workers",
    "essential_goods",
    "goods",
    "public_investment",
    "investor",
    "phone",
    "email",
)
# An establishment registers its main activity at the class (4 digits) or below.
VSIC_MIN_LEVEL = vsic.CLASS_LEVEL
TEXT_LIMITS = {
    "name": bounds.NAME_MAX,
    "address": bounds.ADDRESS_MAX,
    "goods": bounds.GOODS_MAX,
    "investor": bounds.INVESTOR_MAX,
    "phone": bounds.PHONE_MAX,
    "email": bounds.EMAIL_MAX,
}


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return messages.describe(self.code, self.params)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean(values: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Return the stored form of ``values`` (with its ``section``) and their problems."""
    problems: list[Problem] = []
    out: dict[str, Any] = {name: _text(values.get(name)) for name in TEXT_LIMITS}
    for name, limit in TEXT_LIMITS.items():
        if len(out[name]) > limit:
            problems.append(Problem(name, "too_long", {"max": limit}))
    if not out["name"]:
        problems.append(Problem("name", "name_required"))
    out["tax_code"] = _tax_code(values.get("tax_code"), problems)
    out["kind"] = _text(values.get("kind"))
    if out["kind"] not in Kind.values:
        problems.append(Problem("kind", "not_a_kind"))
    out["vsic_code"], out["section"] = _vsic(values.get("vsic_code"), problems)
    out["workers"] = _workers(values.get("workers"), problems)
    out["essential_goods"] = bool(values.get("essential_goods"))
    out["public_investment"] = bool(values.get("public_investment"))
    _phone_and_email(out, problems)
    problems += _across_fields(out)
    return out, problems


def _tax_code(value: Any, problems: list[Problem]) -> str:
    result = taxcode.check(value)
    if not result.ok:
        problems.append(Problem("tax_code", result.problem, result.params))
    return result.value


def _vsic(value: Any, problems: list[Problem]) -> tuple[str, str]:
    result = vsic.load_vsic().check(value, min_level=VSIC_MIN_LEVEL)
    if not result.ok:
        problems.append(Problem("vsic_code", result.problem, result.params))
        return "", ""
    return result.code, result.section


def _workers(value: Any, problems: list[Problem]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem("workers", "not_a_whole_number", {"value": _text(value)}))
        return None
    if not bounds.WORKERS_MIN <= value <= bounds.WORKERS_MAX:
        problems.append(Problem("workers", "workers_out_of_range", messages.workers_params(value)))
        return None
    return value


def _phone_and_email(out: dict[str, Any], problems: list[Problem]) -> None:
    if out["phone"]:
        phone = domain_bounds.national_phone(out["phone"])
        if phone is None:
            problems.append(Problem("phone", "not_a_phone", {"value": out["phone"]}))
        else:
            out["phone"] = phone
    if out["email"]:
        try:
            validate_email(out["email"])
        except DjangoValidationError:
            problems.append(Problem("email", "not_an_email", {"value": out["email"]}))


def _across_fields(out: dict[str, Any]) -> list[Problem]:
    """The rules between fields: goods named, investor named, public works are construction."""
    problems = []
    if out["essential_goods"] and not out["goods"]:
        problems.append(Problem("goods", "goods_required"))
    if out["public_investment"]:
        if not out["investor"]:
            problems.append(Problem("investor", "investor_required"))
        if out["section"] and out["section"] != CONSTRUCTION_SECTION:
            params = {"code": out["vsic_code"], "section": out["section"]}
            problems.append(
                Problem("public_investment", "public_investment_not_construction", params)
            )
    return problems


def ward_problem(area) -> Problem | None:
    """Return the problem of placing an establishment in ``area`` (None if it is a ward)."""
    if area is None:
        return Problem("ward", "required")
    if area.kind != AreaKind.COMMUNE:
        return Problem("ward", "not_a_ward", {"value": area.name})
    return None
