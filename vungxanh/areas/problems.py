"""Sentences for boundary problems found by vungxanh.domain.boundaries."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vungxanh.domain.boundaries import Problem


def describe(problem: Problem) -> str:
    """Return a sentence, in the active language, saying what is wrong and where."""
    p = problem.params
    texts = {
        "not_json": lambda: _("The file is not valid JSON: %(detail)s") % p,
        "not_geojson": lambda: _(
            "The file is not GeoJSON: expected a FeatureCollection, a Feature or a Polygon."
        ),
        "no_features": lambda: _("The file holds no features."),
        "not_a_feature": lambda: _("This item is not a GeoJSON Feature."),
        "unknown_unit": lambda: _unknown_unit(p),
        "duplicate_unit": lambda: _("%(unit)s already has a boundary in feature %(first)s.") % p,
        "not_polygon": lambda: (
            _("The geometry must be a Polygon or MultiPolygon, not %(type)s.") % p
        ),
        "bad_coordinates": lambda: _("The coordinates cannot be read as a polygon."),
        "empty_geometry": lambda: _("The geometry is empty."),
        "invalid_geometry": lambda: _("The polygon is invalid: %(detail)s") % p,
        "outside_vietnam": lambda: _(
            "The polygon lies outside Vietnam: coordinates must be longitude, latitude in WGS84."
        ),
        "outside_parent": lambda: _("%(share)s%% of the polygon lies outside the parent unit.") % p,
    }
    return texts[problem.code]()


def _unknown_unit(params: dict) -> str:
    label = params.get("label") or _("(no code or name)")
    text = _("No unit under this area matches “%(label)s” (properties “code” or “name”).") % {
        "label": label
    }
    if params.get("suggestions"):
        text += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(params["suggestions"])}
    return text


def where(problem: Problem) -> str:
    if problem.feature is None:
        return _("whole file")
    if problem.field:
        return _("feature %(n)d, %(field)s") % {"n": problem.feature, "field": problem.field}
    return _("feature %(n)d") % {"n": problem.feature}
