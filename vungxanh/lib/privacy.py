"""Keep personal data out of logs and out of other accounts' reach on the machine.

- ``RedactPersonalQuery``: a logging filter that replaces the values of personal query
  parameters (a search by name, phone or ID number) in any logged URL.
- ``make_private_dir`` / ``make_private_file`` / ``private_umask``: the data directory, the
  SQLite file and everything the process writes are readable by its own account only.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

# Query parameters whose values may name or identify a person.
PERSONAL_PARAMETERS = frozenset({"q", "full_name", "phone", "id_number", "address", "person"})
REDACTED = "[redacted]"
_QUERY_PARAMETER = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;#\s\"]+)=(?P<value>[^&;#\s\"]*)")

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077


def redact_query(text: str) -> str:
    """``text`` with the value of every personal query parameter replaced."""

    def replace(match: re.Match) -> str:
        if match["name"].lower() not in PERSONAL_PARAMETERS:
            return match[0]
        return f"{match['lead']}{match['name']}={REDACTED}"

    return _QUERY_PARAMETER.sub(replace, text) if "=" in text else text


class RedactPersonalQuery(logging.Filter):
    """Rewrite a record's message so that no handler writes a personal query value."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_query(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def private_umask() -> None:
    """From now on, files and folders this process creates are its own account's only."""
    os.umask(PRIVATE_UMASK)


def _tighten(path: Path, mode: int) -> None:
    """Drop group and other access from ``path`` if this account owns it."""
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        path.chmod(mode)


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed, and make it ``drwx------``."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def make_private_file(path: Path) -> None:
    """Make an existing file ``-rw-------``; a missing one is left to be created later."""
    if path.exists():
        _tighten(path, PRIVATE_FILE_MODE)


def private_sqlite_file(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite made (or found) the file; keep it private."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if name and name != ":memory:" and not name.startswith("file:"):
        make_private_file(Path(name))
