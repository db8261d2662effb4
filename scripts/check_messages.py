"""Check the translation catalogues: complete, current with the code, and compiled.

Fails when a user-facing string in the code is missing from the Vietnamese catalogue,
when a Vietnamese entry is untranslated or fuzzy, or when a .mo file is stale.
Fix with `make messages` and by translating what it reports.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vungxanh"
LOCALES = ("vi", "en")


def msgids(po: Path) -> set[str]:
    """Return the msgids of a catalogue (as msgcat normalises them)."""
    out = subprocess.run(
        ["msgcat", "--no-wrap", "--sort-output", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ids, current, reading = set(), [], False
    for line in out.splitlines():
        if line.startswith("msgid "):
            current, reading = [line[6:].strip('"')], True
        elif reading and line.startswith('"'):
            current.append(line.strip('"'))
        else:
            if reading and "".join(current):
                ids.add("".join(current))
            reading = False
    return ids


def fresh_catalogue(locale: str) -> Path:
    """Run makemessages on a copy of the package and return the new catalogue."""
    work = Path(tempfile.mkdtemp(prefix="vx-messages-"))
    shutil.copytree(PACKAGE, work / "vungxanh", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            locale,
            "--no-location",
            "--no-obsolete",
        ],
        cwd=work / "vungxanh",
        check=True,
        capture_output=True,
    )
    return work / "vungxanh" / "locale" / locale / "LC_MESSAGES" / "django.po"


def problems() -> list[str]:
    found = []
    for locale in LOCALES:
        po = PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not po.exists():
            found.append(f"{po.relative_to(ROOT)} is missing")
            continue
        missing = msgids(fresh_catalogue(locale)) - msgids(po)
        for msgid in sorted(missing):
            found.append(f"{locale}: not in the catalogue: {msgid!r}")
        if locale == "vi":
            stats = subprocess.run(
                ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                capture_output=True,
                text=True,
            ).stderr
            if "untranslated" in stats or "fuzzy" in stats:
                found.append(f"vi: {stats.strip()}")
        compiled = Path(tempfile.mkstemp(suffix=".mo")[1])
        subprocess.run(["msgfmt", "-o", str(compiled), str(po)], check=True)
        if not mo.exists() or mo.read_bytes() != compiled.read_bytes():
            found.append(f"{mo.relative_to(ROOT)} is stale: run `make messages`")
    return found


if __name__ == "__main__":
    issues = problems()
    for issue in issues:
        print(issue, file=sys.stderr)
    sys.exit(1 if issues else 0)
