"""Area codes, hierarchy paths and name matching, free of any framework."""

from __future__ import annotations

import re
import unicodedata

PATH_SEPARATOR = "/"
NATION_CODE = "VN"

# Prefixes of Vietnamese unit names, longest first so "Thành phố" wins over "Thành".
UNIT_PREFIXES = (
    "thanh pho trung uong",
    "thanh pho",
    "thi tran",
    "thi xa",
    "phuong",
    "quan",
    "huyen",
    "tinh",
    "xa",
    "to dan pho",
    "khu vuc",
    "khu pho",
    "ap",
    "hem",
)


def path_for(parent_path: str, key: str) -> str:
    """Return the materialised path of a child ``key`` under ``parent_path``."""
    if PATH_SEPARATOR in key:
        raise ValueError(f"an area key may not contain {PATH_SEPARATOR!r}: {key!r}")
    return f"{parent_path}{key}{PATH_SEPARATOR}"


def is_within(path: str, ancestor_path: str) -> bool:
    """Return whether the area at ``path`` is ``ancestor_path`` or lies under it."""
    return path.startswith(ancestor_path)


def fold(text: str) -> str:
    """Return ``text`` without accents, in lower case, with single spaces.

    "Phường  An Hoà" and "phuong an hoa" fold to the same string; "Đ" folds to "d".
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", bare).strip().lower()


def fold_name(name: str) -> str:
    """Return the folded name without its unit prefix ("Phường An Hòa" -> "an hoa")."""
    folded = fold(name)
    for prefix in UNIT_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded
