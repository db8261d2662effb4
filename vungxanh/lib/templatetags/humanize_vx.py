"""Number formatting for pages: grouped digits in the active language's style."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value, decimals=None):
    """Return ``value`` with grouped digits (280.494 in Vietnamese, 280,494 in English)."""
    if value is None or value == "":
        return "—"
    return number_format(value, decimal_pos=decimals, force_grouping=True)
