"""Read settings from ``VX_*`` environment variables, with typed helpers.

Every variable is documented in ``.env.example``. A malformed value raises
``ImproperlyConfigured`` naming the variable, so a bad configuration fails at
start-up instead of at the first request.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: use true or false")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be a whole number") from exc


def env_date(name: str, default: str) -> dt.date:
    """Return ``NAME`` as a date written yyyy-mm-dd (or dd/mm/yyyy)."""
    raw = os.environ.get(name, "").strip() or default
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ImproperlyConfigured(f"{name}={raw!r}: must be a date, yyyy-mm-dd")


def env_days(name: str, default: int) -> int:
    """Return ``NAME`` as a whole number of days, 0 or more."""
    days = env_int(name, default)
    if days < 0:
        raise ImproperlyConfigured(f"{name}={days!r}: must be 0 or more days")
    return days


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Return ``NAME``, or the contents of the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r}: cannot read ({exc})") from exc
    return os.environ.get(name, default)


def database_from_url(url: str, data_dir: Path) -> dict:
    """Return a Django ``DATABASES['default']`` entry for ``url``.

    An empty url means the embedded SQLite file ``data_dir/vungxanh.sqlite3``.
    Supported schemes: ``sqlite:///path`` and ``postgresql://user:pw@host:port/name``.
    """
    if not url:
        return sqlite_database(data_dir / "vungxanh.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        return sqlite_database(Path(path) if path else data_dir / "vungxanh.sqlite3")
    if parsed.scheme in {"postgres", "postgresql"}:
        name = parsed.path.lstrip("/")
        if not name:
            raise ImproperlyConfigured(f"VX_DATABASE_URL={url!r}: name the database after the /")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(name),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": f"test_{unquote(name)}"},
        }
    raise ImproperlyConfigured(
        f"VX_DATABASE_URL={url!r}: unsupported scheme {parsed.scheme!r} (use sqlite or postgresql)"
    )


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # IMMEDIATE transactions avoid "database is locked" upgrades under concurrent writes.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        # The test database is a file too, not shared memory: the browser tests' live server
        # then serves each request on its own connection instead of sharing the test's.
        "TEST": {"NAME": str(path.with_name(f"test_{path.name}"))},
    }
