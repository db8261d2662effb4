"""What every API operation shares: bounded input types, bounded pages, documented errors.

Every value the API accepts is bounded here or in the app's schema, so that a bad request
is a 422 naming the field and never reaches the database (where an over-long text, a NUL
character or a 20-digit number is a server error on PostgreSQL, or on SQLite).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

# Free text kept in a TextField (reasons, notes, descriptions): long, but not unbounded.
LONG_TEXT = 2000
# Every primary key is a BigAutoField; a larger number is "not found" for no database.
MAX_ID = 2**63 - 1
# A page holds at most this many rows; deeper than MAX_OFFSET nobody pages by offset.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
NUL_ERROR = "string_contains_nul"


def refuse_nul(value: str) -> str:
    """PostgreSQL cannot store U+0000 in text: refuse it as bad input, for every text."""
    if "\x00" in value:
        raise PydanticCustomError(NUL_ERROR, "Text must not contain the NUL character (U+0000).")
    return value


def Text(max_length: int) -> Any:  # a type: ``name: Text(200)``
    """A string of at most ``max_length`` characters (the model field's), without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(refuse_nul)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Pagination(LimitOffsetPagination):
    """``limit`` and ``offset`` bounded, so a huge number is a 422 and not a database error."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class ErrorOut(Schema):
    """Every 4xx answer: what went wrong, and for bad input the message of each field."""

    detail: str
    errors: dict[str, list[str]] | None = Field(
        None, description="Field name -> messages (422 only)"
    )


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation declares: ``response={200: X, **errors(401, 404)}``."""
    return dict.fromkeys(codes, ErrorOut)


# -- bad input as a 422 naming each field ----------------------------------------------------
def _messages() -> dict[str, str]:
    """Translated messages by pydantic error type (called per request: the language varies)."""
    return {
        "missing": _("This field is required."),
        NUL_ERROR: _("Remove the NUL character (U+0000) from this text."),
        "string_too_long": _("At most %(max_length)s characters."),
        "string_too_short": _("At least %(min_length)s characters."),
        "string_type": _("Write a text."),
        "int_type": _("Write a whole number."),
        "int_parsing": _("Write a whole number."),
        "int_from_float": _("Write a whole number."),
        "float_type": _("Write a number."),
        "float_parsing": _("Write a number."),
        "bool_type": _("Write true or false."),
        "bool_parsing": _("Write true or false."),
        "greater_than_equal": _("At least %(ge)s."),
        "greater_than": _("More than %(gt)s."),
        "less_than_equal": _("At most %(le)s."),
        "less_than": _("Less than %(lt)s."),
        "literal_error": _("Choose one of: %(expected)s."),
        "enum": _("Choose one of: %(expected)s."),
        "date_type": _("Not a date: write yyyy-mm-dd."),
        "date_parsing": _("Not a date: write yyyy-mm-dd."),
        "date_from_datetime_parsing": _("Not a date: write yyyy-mm-dd."),
        "date_from_datetime_inexact": _("Not a date: write yyyy-mm-dd."),
        "datetime_type": _("Not a date and time."),
        "datetime_parsing": _("Not a date and time."),
        "list_type": _("Write a list."),
        "too_long": _("At most %(max_length)s items."),
        "dict_type": _("Write an object."),
        "model_type": _("Write an object."),
        "model_attributes_type": _("Write an object."),
    }


def _field_name(loc: tuple | list) -> str:
    """``("body", "payload", "name")`` -> ``name``; ``("query", "limit")`` -> ``limit``."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the name of the view's body parameter says nothing to a client
    return ".".join(parts) or str(loc[0] if loc else "")


def field_errors(raw_errors: list[dict]) -> dict[str, list[str]]:
    """pydantic's errors as ``{field: [message, ...]}``, in the request's language."""
    messages = _messages()
    found: dict[str, list[str]] = {}
    for error in raw_errors:
        template = messages.get(error.get("type", ""))
        context = error.get("ctx") or {}
        try:
            text = template % context if template else error.get("msg", _("Invalid value."))
        except (KeyError, TypeError, ValueError):
            text = error.get("msg", _("Invalid value."))
        found.setdefault(_field_name(error.get("loc", ())), []).append(text)
    return found


def Choice(choices: type) -> Any:  # a type: ``kind: Choice(AreaKind)``
    """One of a TextChoices' values, declared as an enum in the OpenAPI document."""
    return Literal[tuple(choices.values)]
