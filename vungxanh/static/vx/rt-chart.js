/* The reproduction number of an area: the Rt mean as a line with its 95% interval as a
   band, and the threshold 1. Data comes from the page's json_script block "rt-data"; the
   box gets data-ready once the chart is drawn. */
(function () {
  "use strict";
  var dataNode = document.getElementById("rt-data");
  var box = document.getElementById("rt-chart");
  var canvas = document.getElementById("rt-chart-canvas");
  if (!dataNode || !box || !canvas) { return; }
  if (!window.Chart) { box.dataset.ready = "error"; return; }
  var data = JSON.parse(dataNode.textContent);
  // Numbers in the page's language (Vietnamese: 0,95; English: 0.95), as in its tables.
  var locale = document.documentElement.lang || undefined;
  var rt = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var tick = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  if (!data.dates || !data.dates.length) {
    box.dataset.ready = "empty";
    return;
  }
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.dates,
      datasets: [
        {
          label: data.labels.band,
          data: data.high,
          borderWidth: 0,
          pointRadius: 0,
          backgroundColor: "rgba(74, 144, 194, 0.25)",
          fill: "+1"
        },
        {
          label: data.labels.band,
          data: data.low,
          borderWidth: 0,
          pointRadius: 0,
          fill: false
        },
        {
          label: data.labels.mean,
          data: data.mean,
          borderColor: "#1f5f8b",
          borderWidth: 2,
          pointRadius: 0,
          fill: false
        },
        {
          label: tick.format(1),
          data: data.dates.map(function () { return 1; }),
          borderColor: "#b3261e",
          borderDash: [4, 4],
          borderWidth: 1,
          pointRadius: 0,
          fill: false
        }
      ]
    },
    options: {
      locale: locale,
      animation: false,
      maintainAspectRatio: false,
      spanGaps: false,
      scales: {
        y: { beginAtZero: true, ticks: { callback: function (value) { return tick.format(value); } } }
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (context) {
              var value = context.parsed.y;
              if (value === null || value === undefined) { return null; }
              // The threshold line is "1" in any language.
              var text = context.datasetIndex === 3 ? tick.format(value) : rt.format(value);
              return context.dataset.label + ": " + text;
            }
          }
        },
        legend: {
          labels: {
            filter: function (item, chart) {
              return item.datasetIndex !== 1 && item.datasetIndex !== 3;
            }
          }
        }
      }
    }
  });
  box.dataset.ready = "true";
})();
