from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The import machinery every app shares: read, validate, preview, report, store as jobs.

    Sits below the apps that import data: they register their kinds of file, their
    history and their loaders (``vungxanh.imports.registry``); it imports none of them.
    """

    name = "vungxanh.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from vungxanh.jobs import registry

        registry.register("imports.check", "vungxanh.imports.jobs.run_check", _("Check a file"))
        registry.register("imports.import", "vungxanh.imports.jobs.run_import", _("Import"))
