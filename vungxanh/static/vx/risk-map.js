/* The level map: units coloured by the level that applies on a date (the decision in force,
   else the rule set in force's level), with a date slider, a click that explains a unit's
   level, and the table below kept in step. A street tile layer only with VX_TILE_URL
   (offline intranets): otherwise the outlines stand alone; units without a boundary are
   drawn as coloured tiles.

   Signed-in map: configuration in the json_script block "risk-map-config"; the slider
   fetches the levels of the new day (JSON, no geometry) and recolours, and htmx reloads the
   table; a click loads the explanation fragment into #risk-explain.
   Public map: the page's data is the json_script block "risk-public-data"; no requests. */
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

  var mapNode = document.getElementById("risk-map");
  var configNode = document.getElementById("risk-map-config");
  var publicNode = document.getElementById("risk-public-data");
  if (!mapNode || !window.L || (!configNode && !publicNode)) { return; }
  var config = configNode ? JSON.parse(configNode.textContent) : null;
  var tilesBox = document.getElementById("risk-tiles");
  var map = L.map(mapNode, { zoomSnap: 0.25, attributionControl: false });
  map.setView([16.0, 106.0], 5);
  var streets = streetTiles(map);
  var layers = {};  // code -> Leaflet layer
  var tiles = {};   // code -> tile button
  var selected = null;
  var UNIT_PREFIX = /^(Phường|Xã|Thị trấn|Quận|Huyện|Thị xã|Thành phố|Tỉnh) /;

  function shortName(name) { return name.replace(UNIT_PREFIX, ""); }

  /* Leaflet puts a string tooltip into innerHTML: names are user text, so they go in as
     a text node and markup in a name stays visible text. */
  function textNode(text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node;
  }

  /* Over a street map the colours let the streets show through. */
  var FILL = streets ? 0.5 : 0.75;
  /* Up to this many units keep their names on the map (those that would overlap another
     name are hidden); more, and a name shows on hover. */
  var MAX_PERMANENT_LABELS = 30;

  function style(properties) {
    if (properties.warning) {
      /* Likely to move to a higher level within 7 days (the 14-day projection): a red dashed outline. */
      return { color: "#b71c1c", weight: 3, dashArray: "6 4", fillColor: properties.colour,
               fillOpacity: FILL };
    }
    return { color: "#37474f", weight: 1.2, fillColor: properties.colour, fillOpacity: FILL };
  }

  var permanentLabels = false;  // few units: their names stay on the map

  /* The unit, the level that applies and where it comes from. */
  function fullText(p) {
    return shortName(p.name) + (p.label ? " · " + p.label : "") +
      (p.applies_source ? " (" + p.applies_source + ")" : "");
  }

  /* Hide the names that would cover a name already shown, so the map stays readable. */
  function declutter() {
    if (!permanentLabels) { return; }
    var shown = [];
    Object.keys(layers).forEach(function (code) {
      var tip = layers[code].getTooltip();
      var element = tip && tip.getElement();
      if (!element) { return; }
      element.style.visibility = "";
      var box = element.getBoundingClientRect();
      var clash = shown.some(function (b) {
        return box.left < b.right && b.left < box.right && box.top < b.bottom && b.top < box.bottom;
      });
      if (clash) { element.style.visibility = "hidden"; } else { shown.push(box); }
    });
  }

  /* The bounds on view (west,south,east,north), for tests and for whoever links the map. */
  function noteView() { mapNode.dataset.view = map.getBounds().toBBoxString(); }

  function tooltipText(p) {
    return permanentLabels ? shortName(p.name) : fullText(p);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function dayAt(offset) {
    var parts = config.first.split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + offset));
    return pad(day.getUTCDate()) + "/" + pad(day.getUTCMonth() + 1) + "/" + day.getUTCFullYear();
  }

  function query(extra) {
    var params = new URLSearchParams(config.query);
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return params.toString();
  }

  function load(url, target) {
    if (window.htmx) {
      return window.htmx.ajax("GET", url, { target: target, swap: "innerHTML" });
    }
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { document.querySelector(target).innerHTML = html; });
  }

  function select(code) {
    if (selected && layers[selected]) { layers[selected].setStyle({ weight: 1.2, color: "#37474f" }); }
    if (selected && tiles[selected]) { tiles[selected].classList.remove("selected"); }
    selected = code;
    if (layers[code]) { layers[code].setStyle({ weight: 3, color: "#1d2327" }); layers[code].bringToFront(); }
    if (tiles[code]) { tiles[code].classList.add("selected"); }
  }

  function explain(code, properties) {
    select(code);
    if (!config) {
      var panel = document.getElementById("risk-explain");
      if (panel) { panel.textContent = properties.sentence || properties.label; }
      return;
    }
    var url = config.explain.replace("CODE", encodeURIComponent(code)) + "?" + query();
    load(url, "#risk-explain");
  }

  function drawTiles(features) {
    if (!tilesBox) { return; }
    var box = tilesBox.querySelector(".tiles");
    box.textContent = "";
    tiles = {};
    features.forEach(function (f) {
      var p = f.properties;
      var tile = document.createElement("button");
      tile.type = "button";
      tile.className = "tile";
      tile.dataset.code = p.code;
      tile.dataset.level = p.level || "";
      if (p.warning) { tile.classList.add("warning"); }
      tile.style.background = p.colour;
      tile.textContent = shortName(p.name);
      tile.title = fullText(p);
      tile.addEventListener("click", function () { explain(p.code, p); });
      box.appendChild(tile);
      tiles[p.code] = tile;
    });
    tilesBox.hidden = !features.length;
  }

  function draw(collection) {
    var drawn = collection.features.filter(function (f) { return f.geometry; });
    var missing = collection.features.filter(function (f) { return !f.geometry; });
    drawTiles(missing);
    permanentLabels = drawn.length <= MAX_PERMANENT_LABELS;
    if (drawn.length) {
      var layer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
        style: function (feature) { return style(feature.properties); },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          layers[p.code] = shape;
          shape.bindTooltip(textNode(tooltipText(p)), {
            permanent: permanentLabels, direction: "center", className: "vx-label"
          });
          shape.on("click", function () { explain(p.code, p); });
        }
      }).addTo(map);
      drawn.forEach(function (f) { tag(f.properties); });
      var note = document.getElementById("risk-approximate");
      if (note && drawn.some(function (f) { return f.properties.approximate; })) { note.hidden = false; }
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      noteView();
      declutter();
      map.on("zoomend moveend", function () { noteView(); declutter(); });
    } else {
      mapNode.hidden = true;
    }
    mapNode.dataset.ready = String(drawn.length);
    mapNode.dataset.date = collection.date;
  }

  /* Name each drawn shape after its unit and level, for styles, tests and screen readers. */
  function tag(p) {
    var shape = layers[p.code];
    var element = shape && shape.getElement ? shape.getElement() : null;
    if (!element) { return; }
    element.dataset.code = p.code;
    element.dataset.level = p.level || "";
    element.dataset.warning = p.warning ? "1" : "";
    element.setAttribute("aria-label", fullText(p) + (p.warning_text ? " · " + p.warning_text : ""));
  }

  function recolour(collection) {
    collection.features.forEach(function (f) {
      var p = f.properties;
      var shape = layers[p.code];
      if (shape) {
        shape.setStyle(style(p));
        shape.setTooltipContent(textNode(tooltipText(p)));
        tag(p);
      }
      var tile = tiles[p.code];
      if (tile) {
        tile.style.background = p.colour;
        tile.dataset.level = p.level || "";
        tile.classList.toggle("warning", Boolean(p.warning));
        tile.title = fullText(p);
      }
    });
    if (selected && layers[selected]) { select(selected); }
    var notice = document.getElementById("risk-not-in-force");
    if (notice) { notice.hidden = collection.in_force; }
    mapNode.dataset.date = collection.date;
  }

  if (!config) {
    draw(JSON.parse(publicNode.textContent));
    return;
  }

  var slider = document.getElementById("risk-slider");
  var output = document.getElementById("risk-slider-date");
  var dateInput = document.getElementById("risk-date");
  var pending = 0;

  function moveTo(offset) {
    var day = dayAt(offset);
    config.query.date = day;
    var ticket = ++pending;
    mapNode.dataset.loading = "1";
    fetch(config.levels + "?" + query(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (collection) {
        if (ticket !== pending) { return; }
        recolour(collection);
        delete mapNode.dataset.loading;
      })
      .catch(function () { mapNode.dataset.ready = "error"; });
    load(config.table + "?" + query(), "#risk-table");
    var tableDate = document.getElementById("risk-table-date");
    if (tableDate) { tableDate.textContent = day; }
    if (dateInput) { dateInput.value = day; }
    var geo = document.getElementById("export-geojson");
    if (geo) { geo.href = config.geojson.split("?")[0] + "?" + query({ download: "1" }); }
    var xlsx = document.getElementById("export-xlsx");
    if (xlsx) { xlsx.href = xlsx.href.split("?")[0] + "?" + query(); }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + "?" + query());
    }
    if (selected) { explain(selected); }
  }

  if (slider) {
    slider.addEventListener("input", function () {
      if (output) { output.textContent = dayAt(Number(slider.value)); }
    });
    slider.addEventListener("change", function () { moveTo(Number(slider.value)); });
  }

  fetch(config.geojson, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json(); })
    .then(draw)
    .catch(function () { mapNode.dataset.ready = "error"; });
}());
