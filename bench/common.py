"""Shared by the benchmarks: the machine, one throwaway database per leg, timing.

Each benchmark runs every database "leg" in its own Python process (Django reads its
settings once per process): the parent creates a temporary data directory (SQLite) or a
scratch PostgreSQL database, runs ``script --leg NAME`` with ``VX_DATA_DIR`` and
``VX_DATABASE_URL`` set, reads the JSON the leg prints last, and removes what it made.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("VX_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
PG_NAME = "vx_bench"
RESULT_MARK = "BENCH-RESULT "


# --- the machine -------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Return the CPU, cores, RAM, Python and NumPy of this machine."""
    import numpy

    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{kib / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "os": platform.platform(),
        # The machine may be shared: the load says how much else was running.
        "load": "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def database_version() -> str:
    """Return the database engine and server version of the configured connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def print_machine(databases: dict[str, str]) -> None:
    for key, value in machine().items():
        print(f"  {key:7} {value}")
    for leg, version in databases.items():
        print(f"  {leg:7} {version}")


def machine_table(databases: dict[str, str]) -> list[str]:
    """Return the machine and the databases as a Markdown table."""
    rows = {**machine(), **databases}
    return ["| machine | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows.items())]


def append_results(lines: list[str]) -> None:
    """Add a section to bench/RESULTS.md."""
    with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as results:
        results.write("\n".join(["", *lines]) + "\n")
    say("appended to bench/RESULTS.md")


# --- legs -------------------------------------------------------------------------------


@contextmanager
def leg_environment(leg: str) -> Iterator[dict[str, str] | None]:
    """Yield the environment of a leg in a fresh database (None if it cannot run)."""
    data_dir = tempfile.mkdtemp(prefix=f"vx-bench-{leg}-")
    env = {
        **os.environ,
        "VX_DATA_DIR": data_dir,
        "VX_SECRET_KEY": "bench-secret-key-that-is-long-enough-for-the-startup-check",
        "DJANGO_SETTINGS_MODULE": "vungxanh.settings",
    }
    try:
        if leg == "sqlite":
            env["VX_DATABASE_URL"] = ""
            yield env
        elif _pg_create():
            env["VX_DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
            try:
                yield env
            finally:
                _pg_drop()
        else:
            yield None
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _pg_admin():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)


def _pg_create() -> bool:
    """Create the scratch database afresh; refuse one another run is still using."""
    try:
        with _pg_admin() as admin:
            busy = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [PG_NAME]
            ).fetchone()[0]
            if busy:
                print(f"  (PostgreSQL leg skipped: {PG_NAME} is in use by another run)")
                return False
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")  # left by a killed run
            admin.execute(f"CREATE DATABASE {PG_NAME}")
        return True
    except Exception as exc:
        print(f"  (PostgreSQL leg skipped: {exc})")
        return False


def _pg_drop() -> None:
    with _pg_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")


def run_legs(script: str, legs=None, extra: list[str] | None = None):
    """Run ``script --leg`` once per database and return {leg: result dict}."""
    results = {}
    for leg in legs or ("sqlite", "postgresql"):
        print(f"-- {leg}", flush=True)
        with leg_environment(leg) as env:
            if env is None:
                continue
            command = [sys.executable, script, "--leg", leg, *(extra or [])]
            found = []
            with subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
            ) as process:
                for line in process.stdout:
                    if line.startswith(RESULT_MARK):
                        found.append(line)
                    else:
                        print(line, end="", flush=True)
            if process.returncode != 0 or not found:
                raise SystemExit(f"{script} --leg {leg} failed ({process.returncode})")
            results[leg] = json.loads(found[-1][len(RESULT_MARK) :])
    return results


def report(result: dict) -> None:
    """Hand a leg's figures to the parent process (the last line of its output)."""
    print(RESULT_MARK + json.dumps(result), flush=True)


def setup_django() -> None:
    """Inside a leg: start Django, create the schema and load the 2021 units."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=io.StringIO())


# --- timing -----------------------------------------------------------------------------


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (wall) and ``t.cpu`` (this process).

    On a shared machine the wall time depends on what else runs; the CPU time of the
    process does much less (it leaves out the PostgreSQL server's own work).
    """

    def __enter__(self) -> Timer:
        self.began = time.perf_counter()
        self.cpu_began = time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.began
        self.cpu = time.process_time() - self.cpu_began


def say(message: str) -> None:
    print(f"  {message}", flush=True)
