"""Rule sets and levels in words on the pages: titles instead of codes, names instead of keys.

``{{ record|ruleset_name }}`` shows a rule set (risk levels or lockdown lift) by its title in
the reader's language, with the code and version on hover; ``{{ key|level_name:record }}`` shows
a level key ("not_green", "3") by the level's name in that rule set; ``{{ text|for_people }}``
takes the research file's internal tags ("(S35)", "[U]", "RULES-VN §7.1") out of a source or a
note; ``{{ text|unverified }}`` tells whether a note flags a cell as not verified.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from vungxanh.lib import citations

register = template.Library()


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _code(record) -> str:
    # stored records have ``code``; parsed lift rules call it ``id``
    return getattr(record, "code", None) or getattr(record, "id", "")


def title_of(record) -> str:
    """The title of a rule set (risk levels or lockdown lift) in the reader's language."""
    if record is None:
        return ""
    vi = getattr(record, "title_vi", "")
    return (record.title if _english() or not vi else vi) or _code(record)


@register.filter
def ruleset_title(record) -> str:
    """The plain title (for attributes and option labels)."""
    return title_of(record)


@register.filter
def ruleset_name(record):
    """The title, with "code vN" on hover."""
    if record is None:
        return "—"
    return format_html(
        '<span class="ruleset" title="{} v{}">{}</span>',
        _code(record),
        record.version,
        title_of(record),
    )


@register.filter
def level_name(key, record) -> str:
    """The name of level ``key`` in ``record``'s rule set; the key itself if it is not one."""
    if key in (None, ""):
        return ""
    from vungxanh.domain.rules import RuleSetError
    from vungxanh.risk.services import ruleset_of

    try:
        levels = ruleset_of(record).levels
    except (RuleSetError, AttributeError):
        return key
    for level in levels:
        if level.key == str(key):
            return level.label_en if _english() else level.label_vi
    return key


@register.filter
def for_people(text: str) -> str:
    return citations.for_people(text or "")


@register.filter
def unverified(text: str) -> bool:
    return citations.unverified(text or "")
