"""The street base map under the map outlines: a tile server the deployment runs.

``VX_TILE_URL`` (e.g. ``https://tiles.example.gov.vn/{z}/{x}/{y}.png``) and its attribution
``VX_TILE_ATTRIBUTION``. Unset (the default) the maps draw the outlines alone and ask no
outside host for anything: government intranets are often offline. A bad value is refused by
a system check before the first request; until it is fixed the maps stay without tiles.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

PLACEHOLDERS = ("{z}", "{x}", "{y}")


def problem(url: str) -> str:
    """What is wrong with ``url`` as a tile URL template ("" when it is good or empty)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"VX_TILE_URL must be an http or https URL with a host name, not {url!r}."
    missing = [p for p in PLACEHOLDERS if p not in url]
    if missing:
        return (
            f"VX_TILE_URL must contain {{z}}, {{x}} and {{y}}; "
            f"{', '.join(missing)} missing in {url!r}."
        )
    if any(c in url for c in " \"'<>"):
        return f"VX_TILE_URL must not contain spaces, quotes or angle brackets: {url!r}."
    return ""


def tile_url() -> str:
    """The configured tile URL template when it is good, else ""."""
    url = getattr(settings, "VX_TILE_URL", "").strip()
    return "" if problem(url) else url


def attribution() -> str:
    return getattr(settings, "VX_TILE_ATTRIBUTION", "").strip() if tile_url() else ""


def origin() -> str:
    """The tile server's origin for the Content-Security-Policy ("" without tiles)."""
    url = tile_url()
    if not url:
        return ""
    parts = urlsplit(url)
    # Leaflet's {s} picks one of several subdomains: allow them all.
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def page_context() -> dict:
    """What a map page hands to its script (``data-tile-url``, ``data-tile-attribution``)."""
    return {"VX_TILE_URL": tile_url(), "VX_TILE_ATTRIBUTION": attribution()}


@register()
def check_tile_url(app_configs, **kwargs):
    message = problem(getattr(settings, "VX_TILE_URL", "").strip())
    if not message:
        return []
    return [
        Error(
            message,
            hint="Example: https://tiles.example.gov.vn/{z}/{x}/{y}.png, or leave it empty "
            "for the outlines alone.",
            id="vungxanh.E010",
        )
    ]
