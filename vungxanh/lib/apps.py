from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "vungxanh.lib"
    label = "lib"

    def ready(self) -> None:
        # The plausible dates of files, forms and the API follow the settings from here on.
        from vungxanh.lib import bounds

        bounds.install()
        from vungxanh.lib import tiles  # noqa: F401  (registers the tile URL's system check)
