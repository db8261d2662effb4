/* Lockdown maps: the zones in force under an area (list page), or one zone with its
   parts, its commune and its guard posts (zone page). Offline first: a street tile layer only with VX_TILE_URL. */
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
  if (!window.L) { return; }
  var COLOURS = { proposed: "#78909c", active: "#c62828", partly_lifted: "#ef6c00", lifted: "#2e7d32" };

  /* Leaflet puts a string tooltip into innerHTML: names are user text, so they go in as
     a text node and markup in a name stays visible text. */
  function textNode(text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node;
  }

  function style(feature) {
    var p = feature.properties || {};
    return {
      color: COLOURS[p.status] || "#c62828",
      weight: p.part ? 1.5 : 2.5,
      fillOpacity: 0.3,
      dashArray: p.approximate ? "5 4" : null
    };
  }

  function outline(map, url, fit) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var drawn = (collection.features || []).filter(function (f) { return f.geometry; });
        if (!drawn.length) { return null; }
        var layer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
          style: { color: "#135c2b", weight: 1, fillOpacity: 0.03 }, interactive: false
        }).addTo(map);
        if (fit) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        return layer;
      });
  }

  function zoneLayer(map, features, link) {
    return L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: style,
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip(textNode(p.name + " · " + p.status_label), { sticky: true });
        if (link) {
          layer.on("click", function () { window.location.href = p.url; });
        }
      }
    }).addTo(map);
  }

  var listNode = document.getElementById("lockdown-map");
  var listConfig = document.getElementById("lockdown-map-config");
  if (listNode && listConfig) {
    var config = JSON.parse(listConfig.textContent);
    var map = L.map(listNode, { zoomSnap: 0.25, attributionControl: false });
    streetTiles(map);
    map.setView([10.03, 105.77], 12);
    outline(map, config.area, true)
      .then(function () {
        return fetch(config.geojson, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var drawn = collection.features.filter(function (f) { return f.geometry; });
        if (drawn.length) {
          var layer = zoneLayer(map, drawn, true);
          // A zone is a few houses: at the scale of a district it also needs a dot.
          layer.eachLayer(function (shape) {
            var p = shape.feature.properties;
            if (p.part) { return; }
            L.circleMarker(shape.getBounds().getCenter(), {
              radius: 6, color: "#fff", weight: 1.5, fillColor: COLOURS[p.status] || "#c62828", fillOpacity: 1
            }).bindTooltip(textNode(p.name + " · " + p.status_label))
              .on("click", function () { window.location.href = p.url; })
              .addTo(map);
          });
        }
        listNode.dataset.ready = String(drawn.length);
      })
      .catch(function () { listNode.dataset.ready = "error"; });
  }

  var zoneNode = document.getElementById("zone-map");
  var zoneConfig = document.getElementById("zone-map-config");
  if (zoneNode && zoneConfig) {
    var cfg = JSON.parse(zoneConfig.textContent);
    var zmap = L.map(zoneNode, { zoomSnap: 0.25, attributionControl: false });
    streetTiles(zmap);
    zmap.setView([10.03, 105.77], 13);
    var own = cfg.zone.geometry ? zoneLayer(zmap, [cfg.zone], false) : null;
    if (cfg.parts.length) { zoneLayer(zmap, cfg.parts, true); }
    cfg.posts.forEach(function (post) {
      L.circleMarker([post.lat, post.lng], { radius: 6, color: "#1d2327", fillColor: "#fdd835", fillOpacity: 1 })
        .bindTooltip(textNode(post.name)).addTo(zmap);
    });
    if (own) { zmap.fitBounds(own.getBounds(), { padding: [30, 30], maxZoom: 17 }); }
    outline(zmap, cfg.commune, !own)
      .then(function () { zoneNode.dataset.ready = own ? "1" : "0"; })
      .catch(function () { zoneNode.dataset.ready = "error"; });
  }
}());
