"""Kill ``vungxanh import`` in the middle of writing: the database holds what it held before.

The command runs as a separate process on its own database: a SQLite file in a temporary
VX_DATA_DIR, and, when the suite runs on PostgreSQL (VX_DATABASE_URL), a scratch
PostgreSQL database created here and dropped afterwards. With ``--verbosity 2`` the
command prints each phase; once it prints "write" it is inserting the 200,000 rows of
one transaction, and it gets SIGKILL. The import is a job (``--wait --grace 0``: no worker
runs, so the command runs it itself); the job's own row and its "submit" audit entry are
committed before the import starts and are not counted here.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from vungxanh.audit.models import AuditEntry
from vungxanh.lib.env import database_from_url
from vungxanh.surveillance.models import DailyCount, ImportBatch

REPO = Path(__file__).resolve().parents[3]
AREAS = 100
DAYS = 2_000  # 100 areas × 2,000 days = 200,000 rows, from 01/01/2020: all before today
TIMEOUT = 180
TABLES = [m._meta.db_table for m in (DailyCount, ImportBatch, AuditEntry)]
# What each table's count covers: the audit entries of imports only (not the job's).
WHERE = {AuditEntry._meta.db_table: " WHERE action = 'import'"}
WAIT = ("--wait", "--grace", "0")
SETUP = """
from vungxanh.areas.models import AreaKind
from vungxanh.testing import make_area
vn = make_area("VN", "Việt Nam", AreaKind.NATION, None, 1)
city = make_area("92", "Thành phố Cần Thơ", AreaKind.PROVINCE, vn, 1)
district = make_area("916", "Quận Ninh Kiều", AreaKind.DISTRICT, city, 1)
for i in range({areas}):
    make_area(f"311{{i:02d}}", f"Phường Thử {{i}}", AreaKind.COMMUNE, district, 1000)
"""
SECRET = "kill-test-secret-key-0123456789-0123456789"


def configured_postgres_url() -> str:
    url = os.environ.get("VX_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


class Scratch:
    """A database of its own for the subprocess: SQLite file or scratch PostgreSQL."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self.folder = folder
        self.url = ""
        if backend == "postgresql":
            self.server = database_from_url(configured_postgres_url(), folder)
            self.name = f"vx_kill_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            base = configured_postgres_url().rsplit("/", 1)[0]
            self.url = f"{base}/{self.name}"

    def _connect(self, dbname: str):
        import psycopg

        s = self.server
        return psycopg.connect(
            dbname=dbname,
            user=s["USER"] or None,
            password=s["PASSWORD"] or None,
            host=s["HOST"] or None,
            port=s["PORT"] or None,
            autocommit=True,
        )

    def _admin(self, sql: str) -> None:
        with self._connect("postgres") as connection:
            connection.execute(sql)

    def env(self) -> dict[str, str]:
        env = {**os.environ, "VX_DATA_DIR": str(self.folder), "VX_DATABASE_URL": self.url}
        env.update(VX_SECRET_KEY=SECRET, PYTHONUNBUFFERED="1", VX_LOG_LEVEL="ERROR")
        return env

    def counts(self) -> dict[str, int]:
        if self.backend == "sqlite":
            # Opening the file rolls back the journal a killed writer left behind.
            connection = sqlite3.connect(self.folder / "vungxanh.sqlite3")
            try:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                return {t: connection.execute(count_sql(t)).fetchone()[0] for t in TABLES}
            finally:
                connection.close()
        with self._connect(self.name) as connection:
            return {t: connection.execute(count_sql(t)).fetchone()[0] for t in TABLES}

    def drop(self) -> None:
        if self.backend == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def count_sql(table: str) -> str:
    return f"SELECT COUNT(*) FROM {table}{WHERE.get(table, '')}"


def vungxanh(scratch: Scratch, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vungxanh.cli", *args],
        cwd=REPO,
        env=scratch.env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        **kwargs,
    )


def write_big_file(path: Path) -> None:
    start = dt.date(2020, 1, 1)
    days = [f"{start + dt.timedelta(days=d):%d/%m/%Y}" for d in range(DAYS)]
    with path.open("w", encoding="utf-8") as out:
        out.write("Địa bàn,Ngày,Ca cộng đồng,Ca trong khu phong tỏa\n")
        for area in range(AREAS):
            code = f"311{area:02d}"
            out.writelines(f"{code},{day},{d % 7},{d % 3}\n" for d, day in enumerate(days))


# Each test leg checks its own database: SQLite (a file) on the SQLite leg, a scratch
# PostgreSQL database on the PostgreSQL leg. Nothing is skipped on either.
BACKENDS = ["postgresql" if configured_postgres_url() else "sqlite"]


@pytest.fixture(params=BACKENDS)
def scratch(request, tmp_path) -> Iterator[Scratch]:
    database = Scratch(request.param, tmp_path)
    try:
        migrated = vungxanh(database, "migrate", "--noinput", "--verbosity", "0")
        assert migrated.returncode == 0, migrated.stderr
        created = vungxanh(database, "shell", "-c", SETUP.format(areas=AREAS))
        assert created.returncode == 0, created.stderr
        yield database
    finally:
        database.drop()


def test_a_killed_import_leaves_nothing(scratch, tmp_path):
    big = tmp_path / "BIG.csv"
    write_big_file(big)
    before = scratch.counts()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vungxanh.cli",
            "import",
            "daily",
            str(big),
            "--verbosity",
            "2",
            *WAIT,
        ],
        cwd=REPO,
        env=scratch.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(TIMEOUT, process.kill)
    watchdog.start()
    phases = []
    try:
        for line in process.stdout:
            phases.append(line.split()[0] if line.strip() else "")
            if phases[-1] == "write":
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=TIMEOUT)
    finally:
        watchdog.cancel()
        process.stdout.close()

    assert phases[-1:] == ["write"], phases
    assert process.returncode == -signal.SIGKILL, "the import ended before it was killed"
    assert scratch.counts() == before
    assert before == {table: 0 for table in TABLES}


def test_the_same_file_imports_when_left_alone(scratch, tmp_path):
    """The control: the killed command would have written every row."""
    small = tmp_path / "small.csv"
    small.write_text(
        "Địa bàn,Ngày,Ca cộng đồng\n31100,23/09/2021,2\n31101,23/09/2021,3\n", encoding="utf-8"
    )
    done = vungxanh(scratch, "import", "daily", str(small), *WAIT)
    assert done.returncode == 0, done.stderr
    assert scratch.counts() == {TABLES[0]: 2, TABLES[1]: 1, TABLES[2]: 1}
    refused = vungxanh(scratch, "import", "daily", str(small).replace("small", "missing"), *WAIT)
    assert refused.returncode != 0
