from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Serve the site and run one worker beside it, with one command; Ctrl+C stops both. "
        "For a laptop or the demo: a deployment runs gunicorn and workers as services."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport="127.0.0.1:8000", **options):
        # A service manager stops us with SIGTERM: stop both children, as Ctrl+C does.
        signal.signal(signal.SIGTERM, _interrupt)
        command = [sys.executable, "-m", "vungxanh.cli"]
        worker = subprocess.Popen([*command, "worker", "--beat"], env=os.environ.copy())
        web = subprocess.Popen([*command, "runserver", addrport, "--noreload"])
        self.stdout.write(
            _("Site on http://%(addr)s/ with a worker (Ctrl+C stops both).") % {"addr": addrport}
        )
        try:
            while web.poll() is None and worker.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (web, worker):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
