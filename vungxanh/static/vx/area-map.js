/* Draw an area and its units on a Leaflet map, from the page's GeoJSON endpoint.
   Without VX_TILE_URL no tile layer: government intranets are often offline, so the outlines stand alone. */
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
  var configNode = document.getElementById("map-config");
  var mapNode = document.getElementById("area-map");
  if (!configNode || !mapNode || !window.L) { return; }
  var config = JSON.parse(configNode.textContent);
  var map = L.map(mapNode, { zoomSnap: 0.25, attributionControl: false });
  map.setView([16.0, 106.0], 5);
  streetTiles(map);

  function style(feature) {
    var own = feature.properties.code === config.code;
    return {
      color: own ? "#135c2b" : "#1b7f3b",
      weight: own ? 3 : 1.5,
      fillOpacity: own ? 0.05 : 0.18,
      dashArray: feature.properties.approximate ? "4 3" : null
    };
  }

  var UNIT_PREFIX = /^(Phường|Xã|Thị trấn|Quận|Huyện|Thị xã|Thành phố|Tỉnh) /;

  function shortName(name) { return name.replace(UNIT_PREFIX, ""); }

  /* Leaflet puts a string tooltip into innerHTML: names are user text, so they go in as
     a text node and markup in a name stays visible text. */
  function textNode(text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node;
  }

  /* A unit with no polygon is still named under the map, so nobody thinks it is missing. */
  function listUnitsWithoutBoundary(features) {
    var missing = features.filter(function (f) {
      return !f.geometry && f.properties.code !== config.code;
    });
    var node = document.getElementById("map-missing");
    if (!node || !missing.length) { return; }
    node.querySelector("span").textContent = missing.map(function (f) {
      return f.properties.name;
    }).join(", ");
    node.hidden = false;
  }

  fetch(config.geojson, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var drawn = collection.features.filter(function (f) { return f.geometry; });
      listUnitsWithoutBoundary(collection.features);
      if (!drawn.length) {
        document.getElementById("map-empty").hidden = false;
        mapNode.dataset.ready = "empty";
        return;
      }
      var layer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
        style: style,
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          if (p.code !== config.code) {
            shape.bindTooltip(textNode(shortName(p.name)), { permanent: drawn.length <= 15, direction: "center", className: "vx-label" });
            shape.on("click", function () { window.location.href = "/areas/" + encodeURIComponent(p.code) + "/"; });
          }
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      if (drawn.some(function (f) { return f.properties.approximate; })) {
        document.getElementById("map-note").hidden = false;
      }
      mapNode.dataset.ready = String(drawn.length);
    })
    .catch(function () { mapNode.dataset.ready = "error"; });
}());
