/* Draw a lockdown zone on a Leaflet map by clicking its corners, in order.
   No drawing plugin ships offline: each click adds a vertex, the polygon closes itself
   from the third point on, and the GeoJSON Polygon is written into the form's hidden
   geometry field. "Undo" removes the last point, "Clear" starts again. The commune's
   boundary (and, for a part, the zone's outline) is drawn for reference. */
(function () {
  "use strict";

  /* A street base map under the outlines when the deployment runs a tile server
     (VX_TILE_URL, handed over as <body data-tile-url>); without it the outlines stand alone
     and no request leaves the site. The attribution goes in as text, never as markup. */
  function streetTiles(map) {
    var url = document.body.dataset.tileUrl;
    if (!url) { return false; }
    var credit = document.createElement("span");
    credit.textContent = document.body.dataset.tileAttribution || "";
    L.tileLayer(url, { maxZoom: 19, attribution: credit.innerHTML }).addTo(map);
    L.control.attribution({ prefix: false }).addTo(map);
    return true;
  }
  var configNode = document.getElementById("draw-config");
  var mapNode = document.getElementById("draw-map");
  if (!configNode || !mapNode || !window.L) { return; }
  var config = JSON.parse(configNode.textContent);
  var field = document.getElementById(config.field || "id_geometry");
  var countNode = document.getElementById("draw-count");
  var map = L.map(mapNode, { zoomSnap: 0.25, attributionControl: false, doubleClickZoom: false });
  map.setView([10.03, 105.77], 13);
  streetTiles(map);

  var points = [];           // [lat, lng]
  var shape = null;
  var vertices = L.layerGroup().addTo(map);
  var reference = L.layerGroup().addTo(map);

  function geometry() {
    if (points.length < 3) { return ""; }
    var ring = points.map(function (p) { return [round(p[1]), round(p[0])]; });
    ring.push(ring[0]);
    return JSON.stringify({ type: "Polygon", coordinates: [ring] });
  }

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function redraw() {
    if (shape) { map.removeLayer(shape); shape = null; }
    vertices.clearLayers();
    points.forEach(function (p) {
      L.circleMarker(p, { radius: 4, color: "#b3261e", weight: 2, fillOpacity: 1 }).addTo(vertices);
    });
    if (points.length >= 3) {
      shape = L.polygon(points, { color: "#b3261e", weight: 2, fillOpacity: 0.2 }).addTo(map);
    } else if (points.length === 2) {
      shape = L.polyline(points, { color: "#b3261e", weight: 2 }).addTo(map);
    }
    if (field) { field.value = geometry(); }
    if (countNode) { countNode.textContent = String(points.length); }
    mapNode.dataset.points = String(points.length);
  }

  function loadExisting() {
    if (!field || !field.value) { return false; }
    try {
      var value = JSON.parse(field.value);
      var ring = value.type === "Polygon" ? value.coordinates[0]
        : value.type === "MultiPolygon" ? value.coordinates[0][0] : null;
      if (!ring) { return false; }
      points = ring.slice(0, ring.length - 1).map(function (c) { return [c[1], c[0]]; });
      redraw();
      map.fitBounds(L.latLngBounds(points), { padding: [20, 20] });
      return true;
    } catch (error) {
      return false;
    }
  }

  function showReference(url, fit) {
    reference.clearLayers();
    if (!url) { mapNode.dataset.ready = "1"; return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var drawn = (collection.features || []).filter(function (f) { return f.geometry; });
        if (drawn.length) {
          var layer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
            style: { color: "#135c2b", weight: 2, fillOpacity: 0.04, dashArray: "4 3" },
            interactive: false
          }).addTo(reference);
          if (fit) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        }
        mapNode.dataset.ready = "1";
      })
      .catch(function () { mapNode.dataset.ready = "error"; });
  }

  if (config.outline) {
    L.geoJSON(config.outline, {
      style: { color: "#c62828", weight: 2, fillOpacity: 0.05, dashArray: "6 4" }, interactive: false
    }).addTo(map);
  }

  map.on("click", function (event) {
    points.push([event.latlng.lat, event.latlng.lng]);
    redraw();
  });
  document.getElementById("draw-undo").addEventListener("click", function () {
    points.pop();
    redraw();
  });
  document.getElementById("draw-clear").addEventListener("click", function () {
    points = [];
    redraw();
  });

  var had = loadExisting();
  var select = document.getElementById("id_area");
  if (select && config.communes) {
    select.addEventListener("change", function () {
      showReference(config.communes[select.value], !points.length);
    });
    showReference(config.communes[select.value] || config.commune, !had);
  } else {
    showReference(config.commune, !had && !config.outline);
    if (config.outline && !had) {
      map.fitBounds(L.geoJSON(config.outline).getBounds(), { padding: [20, 20] });
    }
  }
}());
