from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vungxanh.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from vungxanh.accounts import checks  # noqa: F401  (registers the system checks)
        from vungxanh.lib.privacy import private_sqlite_file

        # Whoever opens the SQLite file (a command, the server, a job), it stays private.
        connection_created.connect(private_sqlite_file, dispatch_uid="vx-private-sqlite")
