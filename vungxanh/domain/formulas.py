"""Which cell texts a spreadsheet runs as formulas, and how an export keeps them text.

OWASP's rule for CSV injection: Excel, LibreOffice and Google Sheets treat a cell that
starts with "=", "+", "-", "@", a tab or a carriage return as a formula (or the start of
one). An export writes such a text with a leading single quote, which spreadsheets show as
text and hide when the cell is typed in; an import drops that quote again, so a file
exported here imports unchanged. Numbers are never quoted: only text can carry a formula.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    """Return ``text`` quoted if a spreadsheet would read it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_PREFIXES) else text


def restore(text: str) -> str:
    """Return ``text`` without the quote ``neutralise`` added (other texts unchanged)."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
