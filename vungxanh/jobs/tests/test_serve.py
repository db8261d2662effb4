"""``vungxanh serve`` runs the site and one worker; stopping it stops both, however stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.test import TransactionTestCase

from vungxanh.loop.tests.test_worker import database_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the parent's pid follows the state
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class ServeTestCase(TransactionTestCase):
    def start(self) -> tuple[subprocess.Popen, int]:
        port = free_port()
        env = {
            **os.environ,
            "VX_DATABASE_URL": database_url(),
            "VX_DATA_DIR": str(settings.DATA_DIR),
            "VX_BROKER_URL": settings.CELERY_BROKER_URL,
            "VX_SECRET_KEY": settings.SECRET_KEY,
        }
        serve = subprocess.Popen(
            [sys.executable, "-m", "vungxanh.cli", "serve", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(serve.kill)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                return serve, port
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self.assertIsNone(serve.poll(), "serve stopped before the site answered")
                time.sleep(0.5)
        self.fail("the site did not answer")

    def test_sigterm_stops_the_site_and_the_worker(self):
        serve, _port = self.start()
        children = children_of(serve.pid)
        self.assertEqual(len(children), 2, "one web server and one worker")
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.2)
        self.assertEqual([pid for pid in children if alive(pid)], [], "no child outlives serve")
