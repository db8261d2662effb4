"""Sources named for people: the research file's internal tags taken out of displayed text.

Rule files cite their research with tags meant for the maintainers — "[V]" (verified), "[U]"
(not verified), "[P]" (practice), "S35" (source 35 of the research list), "RULES-VN §7.1" (a
section of that list). A reader of a page needs the document and the date, which the text
already gives; the tags are removed, and whether a cell is verified is shown in words beside it
(``unverified``), never as "[U]".
"""

from __future__ import annotations

import re

_RULES = [
    (re.compile(r"\s*\[(?:U|V|P)\]"), ""),
    # (shared/)RULES-VN(.md) §4.1, with "in", "see" or "of" before it
    (
        re.compile(r"\s*(?:\b(?:in|see|of)\s+)?(?:shared/)?RULES-VN(?:\.md)?(?:\s*§\s*[\d.]*\d)?"),
        "",
    ),
    # S26–S29, S35, "S26, S28"
    (re.compile(r"\s*\bS\d{1,3}(?:\s*[–-]\s*S?\d{1,3})?\b(?:\s*,\s*S\d{1,3}\b)*"), ""),
    # what the removals leave behind
    (re.compile(r"\(\s*[;,.:]?\s*\)"), ""),
    (re.compile(r"\(\s*[;,]\s*"), "("),
    (re.compile(r"\s*[;,]\s*\)"), ")"),
    (re.compile(r"\s+([;,.:)])"), r"\1"),
    (re.compile(r"([;,])(?=[;,])"), ""),
    (re.compile(r"[ \t]{2,}"), " "),
]
_UNVERIFIED = re.compile(r"\[U\]")


def for_people(text: str) -> str:
    """``text`` without the research file's internal tags."""
    if not text:
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text.strip(" ;,")


def unverified(text: str) -> bool:
    """Whether ``text`` flags something as not verified."""
    return bool(text and _UNVERIFIED.search(text))
