from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background jobs with their state in the database, and the outbox of data changes.

    A base app: any app may submit a job or record a change; it imports no app above it.
    The loop (``vungxanh.loop``) drains the outbox through jobs.
    """

    name = "vungxanh.jobs"
    verbose_name = _("Jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Bind the shared tasks to the project's Celery app (its broker), in every process.
        import vungxanh.celery  # noqa: F401
