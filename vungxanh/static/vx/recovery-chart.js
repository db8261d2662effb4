/* Establishments of an area per day, stacked by status: allowed, limited, suspended, and
   unknown (no level in force). Data comes from the page's json_script block
   "recovery-data"; the box gets data-ready (the number of days) once the chart is drawn. */
(function () {
  "use strict";
  var dataNode = document.getElementById("recovery-data");
  var box = document.getElementById("recovery-chart");
  var canvas = document.getElementById("recovery-chart-canvas");
  if (!dataNode || !box || !canvas) { return; }
  if (!window.Chart) { box.dataset.ready = "error"; return; }
  var data = JSON.parse(dataNode.textContent);
  if (!data || !data.dates || !data.dates.length) {
    box.dataset.ready = "empty";
    return;
  }
  // Numbers in the page's language (Vietnamese: 1.234; English: 1,234), as in its tables.
  var locale = document.documentElement.lang || undefined;
  var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

  // Allowed at the bottom (what recovery grows), suspended above it, unknown last.
  var COLOURS = {
    allowed: "#2e7d32",
    limited: "#f2a541",
    suspended: "#b3261e",
    unknown: "#9aa5ab"
  };
  var order = ["allowed", "limited", "suspended", "unknown"];
  var datasets = order.filter(function (s) {
    // Unknown only when some day has one: it is not a status a decision gives.
    return s !== "unknown" || (data.statuses[s] || []).some(function (n) { return n > 0; });
  }).map(function (s) {
    return {
      type: "bar",
      label: data.labels[s] || s,
      data: data.statuses[s],
      backgroundColor: COLOURS[s],
      stack: "establishments",
      barPercentage: 1,
      categoryPercentage: 1
    };
  });

  var chart = new window.Chart(canvas, {
    data: { labels: data.dates, datasets: datasets },
    options: {
      locale: locale,
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + count.format(context.parsed.y);
            }
          }
        }
      },
      scales: {
        x: { stacked: true, ticks: { maxTicksLimit: 8, maxRotation: 0 } },
        y: {
          stacked: true,
          beginAtZero: true,
          title: { display: true, text: data.axis },
          ticks: { precision: 0, callback: function (value) { return count.format(value); } }
        }
      }
    }
  });
  box.dataset.ready = String(chart.data.labels.length);
}());
