"""The Celery application: jobs run in workers started with ``vungxanh worker``.

The broker is ``settings.CELERY_BROKER_URL`` (``VX_BROKER_URL``): Redis or RabbitMQ in a
deployment; by default kombu's filesystem transport under the data directory, which needs
no server, so a laptop or the demo runs with nothing but Python. Job state is never kept
by Celery: it lives in the ``jobs.Job`` table (see ``vungxanh.jobs``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vungxanh.settings")

app = Celery("vungxanh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["vungxanh.jobs"])
