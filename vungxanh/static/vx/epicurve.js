/* The epidemic curve of an area: new cases per day stacked by place of detection, and the
   7-day community incidence per 100,000 on a second axis. Data comes from the page's
   json_script block "epicurve-data"; the box gets data-ready once the chart is drawn. */
(function () {
  "use strict";
  var dataNode = document.getElementById("epicurve-data");
  var box = document.getElementById("epicurve");
  var canvas = document.getElementById("epicurve-canvas");
  if (!dataNode || !box || !canvas) { return; }
  if (!window.Chart) { box.dataset.ready = "error"; return; }
  var data = JSON.parse(dataNode.textContent);
  // Numbers in the page's language (Vietnamese: 1.234,5; English: 1,234.5), as in its tables.
  var locale = document.documentElement.lang || undefined;
  var count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var rate = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var tick = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  function formatTick(value) { return tick.format(value); }

  // Community first (bottom of each bar, the one that decides levels), unknown last.
  var COLOURS = {
    community: "#b3261e",
    quarantine: "#f2a541",
    home_isolation: "#e9d16b",
    lockdown: "#7a5195",
    imported: "#4a90c2",
    unknown: "#9aa5ab"
  };
  var order = ["community", "quarantine", "home_isolation", "lockdown", "imported", "unknown"];

  if (!data.dates || !data.dates.length) {
    box.dataset.ready = "empty";
    return;
  }

  var datasets = order.filter(function (d) {
    return (data.detections[d] || []).some(function (n) { return n > 0; });
  }).map(function (d) {
    return {
      type: "bar",
      label: data.labels[d] || d,
      data: data.detections[d],
      backgroundColor: COLOURS[d],
      stack: "cases",
      yAxisID: "y",
      order: 2
    };
  });
  var hasIncidence = (data.incidence || []).some(function (v) { return v !== null; });
  if (hasIncidence) {
    datasets.push({
      type: "line",
      label: data.incidence_label,
      data: data.incidence,
      borderColor: "#135c2b",
      backgroundColor: "#135c2b",
      borderWidth: 2,
      pointRadius: 0,
      spanGaps: false,
      yAxisID: "y2",
      order: 1
    });
  }

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
            // Cases are whole numbers; the incidence has one decimal, as in the table.
            label: function (context) {
              var value = context.parsed.y;
              if (value === null || value === undefined) { return null; }
              var format = context.dataset.yAxisID === "y2" ? rate : count;
              return context.dataset.label + ": " + format.format(value);
            }
          }
        }
      },
      scales: {
        x: { stacked: true, ticks: { maxTicksLimit: 12, maxRotation: 0 } },
        y: {
          stacked: true,
          beginAtZero: true,
          title: { display: true, text: data.axes.cases },
          ticks: { precision: 0, callback: formatTick }
        },
        y2: {
          display: hasIncidence,
          position: "right",
          beginAtZero: true,
          grid: { drawOnChartArea: false },
          title: { display: true, text: data.axes.incidence },
          ticks: { callback: formatTick }
        }
      }
    }
  });
  box.dataset.ready = String(chart.data.labels.length);
}());
