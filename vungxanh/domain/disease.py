"""A disease's parameters as a rule file of kind "disease": its serial interval.

Rules are data (DESIGN §4): the serial interval with which Rt is estimated is a reviewed
choice, read from a file such as ``vungxanh/surveillance/diseases/covid-19.toml``::

    id = "covid-19"
    version = "1"
    title = "…"

    [serial_interval]
    mean = 4.7      # days, > 1 (EpiEstim's parametric_si)
    sd = 2.9        # days, > 0
    verified = true
    note = "…"

No Django here: the CLI lists and checks these files.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOP_LEVEL_KEYS = {"id", "version", "title", "title_vi", "notes", "serial_interval"}
SERIAL_INTERVAL_KEYS = {"mean", "sd", "verified", "note"}


class DiseaseError(ValueError):
    """A bad disease file: ``file: key: message``."""

    def __init__(self, file: str, key: str, message: str):
        super().__init__(f"{file}: {key}: {message}")
        self.file, self.key, self.message = file, key, message


@dataclass(frozen=True)
class Disease:
    id: str
    version: str
    title: str
    title_vi: str
    notes: str
    si_mean: float
    si_sd: float
    verified: bool
    note: str
    checksum: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def unverified(self) -> list[str]:
        return [] if self.verified else ["serial_interval"]


def _text(doc: dict, key: str, file: str, default: Any = ...) -> str:
    if key not in doc:
        if default is ...:
            raise DiseaseError(file, key, "is required")
        return default
    value = doc[key]
    if key == "version" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise DiseaseError(file, key, "must be text")
    return value


def _number(doc: dict, key: str, file: str, above: float) -> float:
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DiseaseError(file, f"serial_interval.{key}", "must be a number of days")
    if not value > above:
        raise DiseaseError(file, f"serial_interval.{key}", f"must be more than {above:g} days")
    return float(value)


def parse_disease(doc: dict, *, file: str = "(disease)", text: str = "") -> Disease:
    """Validate a disease document and return it, or raise DiseaseError."""
    unknown = sorted(set(doc) - TOP_LEVEL_KEYS)
    if unknown:
        raise DiseaseError(file, unknown[0], f"unknown key; allowed: {sorted(TOP_LEVEL_KEYS)}")
    si = doc.get("serial_interval")
    if not isinstance(si, dict):
        raise DiseaseError(file, "serial_interval", "is required: a table with mean and sd")
    unknown = sorted(set(si) - SERIAL_INTERVAL_KEYS)
    if unknown:
        raise DiseaseError(file, f"serial_interval.{unknown[0]}", "unknown key")
    verified = si.get("verified", True)
    if not isinstance(verified, bool):
        raise DiseaseError(file, "serial_interval.verified", "must be true or false")
    note = si.get("note", "")
    if not isinstance(note, str):
        raise DiseaseError(file, "serial_interval.note", "must be text")
    checksum = hashlib.sha256((text or repr(sorted(doc.items()))).encode()).hexdigest()
    return Disease(
        id=_text(doc, "id", file),
        version=_text(doc, "version", file, "1"),
        title=_text(doc, "title", file),
        title_vi=_text(doc, "title_vi", file, ""),
        notes=_text(doc, "notes", file, ""),
        si_mean=_number(si, "mean", file, 1.0),
        si_sd=_number(si, "sd", file, 0.0),
        verified=verified,
        note=note,
        checksum=checksum,
        raw=doc,
    )


def load_disease(path: Path) -> Disease:
    """Read and validate the disease file at ``path``."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DiseaseError(path.name, "(file)", str(exc)) from exc
    return parse_disease(doc, file=path.name, text=text)
