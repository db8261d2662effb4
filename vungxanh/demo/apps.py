from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "vungxanh.demo"
    label = "demo"
    verbose_name = _("Demonstration scenario")

    def ready(self) -> None:
        from vungxanh.jobs import registry

        # The demo's own load, run as a job like the real series' (see commands/demo.py).
        registry.register("demo.epidemic", "vungxanh.demo.epidemic.load_job")
