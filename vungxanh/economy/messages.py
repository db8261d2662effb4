"""Sentences for the problems of an establishment's values: one wording for form and file.

The checks (``validation.py``, ``domain.taxcode``, ``domain.vsic``) report a problem key and
its params; ``describe`` words it in the active language. The import report uses the same
functions (registered in ``importing.register``), so a form's field and a file's cell say
the same thing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vungxanh.domain import taxcode, vsic
from vungxanh.domain.tabular import CellError
from vungxanh.economy import bounds
from vungxanh.imports.problems import describe as describe_cell


def _with_suggestion(text: str, p: dict) -> str:
    """Add the code the person probably meant, when a spreadsheet dropped its leading zero."""
    if not p.get("suggestion"):
        return text
    return (
        text
        + " "
        + _("Did you mean %(suggestion)s? (A spreadsheet drops the leading zero of a number.)")
        % {"suggestion": p["suggestion"]}
    )


def _tax_code_length(p: dict) -> str:
    text = _(
        "“%(value)s” has %(digits)d digits: a tax code has 10 digits, or 13 for a branch "
        "written 0123456789-001."
    )
    return _with_suggestion(text % p, p)


def _vsic_unknown(p: dict) -> str:
    return _with_suggestion(
        _("%(code)s is not a code of VSIC 2018 (Decision 27/2018/QĐ-TTg).") % p, p
    )


TEXTS = {
    taxcode.PROBLEM_EMPTY: lambda p: _("Write the tax code."),
    taxcode.PROBLEM_CHARACTERS: lambda p: (
        _(
            "“%(value)s” is not a tax code: write digits only, with one dash before the "
            "3 digits of a branch (0123456789-001)."
        )
        % p
    ),
    taxcode.PROBLEM_LENGTH: _tax_code_length,
    taxcode.PROBLEM_CHECKSUM: lambda p: (
        _("%(value)s is not a valid tax code: its check digit (the 10th) does not match. Check it.")
        % p
    ),
    taxcode.PROBLEM_BRANCH: lambda p: (
        _("%(value)s is not a valid tax code: a branch number starts at 001, not 000.") % p
    ),
    vsic.PROBLEM_EMPTY: lambda p: _("Write the VSIC 2018 code of the main activity."),
    vsic.PROBLEM_SHAPE: lambda p: (
        _(
            "“%(value)s” is not a VSIC code: write the 4 digits of the class or the 5 digits "
            "of the sub-class, e.g. 4711 or 47111."
        )
        % p
    ),
    vsic.PROBLEM_TOO_COARSE: lambda p: _with_suggestion(
        _(
            "%(code)s is too broad: write the 4 digits of the class or the 5 digits of the "
            "sub-class of the main activity."
        )
        % p,
        p,
    ),
    vsic.PROBLEM_UNKNOWN: _vsic_unknown,
    "not_a_ward": lambda p: (
        _("%(value)s is not a ward or commune: an establishment lies in a ward or commune.") % p
    ),
    "workers_out_of_range": lambda p: (
        _("%(value)s workers is outside the accepted range (%(min)s to %(max)s).") % p
    ),
    "goods_required": lambda p: _("Name the essential goods the establishment produces or sells."),
    "investor_required": lambda p: _("Name the investor of the public-investment works."),
    "public_investment_not_construction": lambda p: (
        _(
            "Only construction works (VSIC section F, codes 41–43) can be public-investment "
            "works; the code %(code)s is in section %(section)s."
        )
        % p
    ),
    "not_an_email": lambda p: _("“%(value)s” is not an email address.") % p,
    "name_required": lambda p: _("Write the establishment's name."),
    "not_a_kind": lambda p: _("Choose business household or enterprise."),
    "tax_code_taken": lambda p: _("Another establishment already has the tax code %(value)s.") % p,
    # A tax code stored outside the actor's wards: says nothing about where or whose.
    "tax_code_unavailable": lambda p: _(
        "This tax code cannot be used here: check it. If it is right, ask the ward or "
        "department that registered the establishment."
    ),
    "conflicting_duplicate": lambda p: (
        _(
            "This row has the tax code of row %(first_row)d with different values: keep one "
            "row per establishment."
        )
        % p
    ),
}


def describe(code: str, params: dict | None = None) -> str:
    """Return the sentence of a problem of an establishment's values."""
    text = TEXTS.get(code)
    if text is None:
        # The problems every import shares ("required", "too_long", "not_a_phone"…).
        return describe_cell(CellError(None, "", code, params or {}))
    return text(params or {})


def workers_params(value: int) -> dict:
    return {"value": value, "min": bounds.WORKERS_MIN, "max": bounds.WORKERS_MAX}
