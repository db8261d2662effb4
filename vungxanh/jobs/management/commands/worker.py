from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Run a worker: it runs the queued jobs (imports, the loop) and, with --beat, the "
        "periodic sweep. Stops on Ctrl+C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--beat", action="store_true", help=_("Also run the periodic sweep (one worker only)")
        )
        parser.add_argument("--queues", default="", help=_("Queues to take (default: all)"))
        parser.add_argument("--loglevel", default="WARNING")

    def handle(self, *args, beat=False, queues="", loglevel="WARNING", **options):
        from vungxanh.celery import app
        from vungxanh.jobs.broker import prepare_broker

        prepare_broker()
        argv = ["worker", f"--loglevel={loglevel}", "--pool=solo", "--without-mingle"]
        argv += ["--without-gossip", "--hostname=vungxanh@%h"]
        if queues:
            argv.append(f"--queues={queues}")
        if beat:
            argv += ["--beat", f"--schedule={settings.DATA_DIR / 'beat-schedule'}"]
        app.worker_main(argv)
