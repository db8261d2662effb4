from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoopConfig(AppConfig):
    """The loop: what a change of data recomputes, in order. Sits above every app."""

    name = "vungxanh.loop"
    verbose_name = "Loop"

    def ready(self) -> None:
        from vungxanh.jobs import registry

        registry.register(
            "loop.drain",
            "vungxanh.loop.drain.drain",
            _("Recompute indicators, Rt and levels"),
        )
