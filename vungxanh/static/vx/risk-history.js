/* An area's level history, one step chart per rule set: the level computed each day and the
   level in force (steps), the levels published or decided by the steering committee and the
   decisions actually announced (points). Data: the json_script block "risk-history-data";
   each chart box gets data-ready once drawn. */
(function () {
  "use strict";
  var dataNode = document.getElementById("risk-history-data");
  if (!dataNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = data.labels || {};
  // The level axis is named, not numbered; the locale keeps any number Chart.js prints
  // itself in the page's language (Vietnamese: decimal comma), as on the rest of the page.
  var locale = document.documentElement.lang || undefined;

  data.charts.forEach(function (chart) {
    var box = document.getElementById(chart.id);
    var canvas = document.getElementById(chart.id + "-canvas");
    if (!box || !canvas) { return; }
    if (!window.Chart) { box.dataset.ready = "error"; return; }

    function levelName(value) { return chart.levels[String(value)] || ""; }

    var datasets = [
      {
        label: labels.in_force,
        data: chart.in_force,
        stepped: true,
        borderColor: "#135c2b",
        backgroundColor: "#135c2b",
        borderWidth: 3,
        pointRadius: 0,
        spanGaps: false
      },
      {
        label: labels.computed,
        data: chart.computed,
        stepped: true,
        borderColor: "#8d99a0",
        backgroundColor: "#8d99a0",
        borderWidth: 1.5,
        borderDash: [4, 3],
        pointRadius: 0,
        spanGaps: false
      },
      {
        label: labels.decided,
        data: chart.decided,
        showLine: false,
        pointStyle: "rectRot",
        pointRadius: 6,
        borderColor: "#1d2327",
        backgroundColor: "#fff"
      },
      {
        label: labels.official,
        data: chart.official,
        showLine: false,
        pointStyle: "triangle",
        pointRadius: 8,
        borderColor: "#b3261e",
        backgroundColor: "#b3261e"
      }
    ];

    new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.dates, datasets: datasets },
      options: {
        locale: locale,
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 12, autoSkip: true } },
          y: {
            min: 0.5,
            max: chart.max + 0.5,
            // One tick per level, named after it (the half-step margins carry no label).
            afterBuildTicks: function (axis) {
              axis.ticks = Object.keys(chart.levels).map(function (rank) {
                return { value: Number(rank) };
              });
            },
            ticks: { callback: levelName }
          }
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (context) {
                var raw = context.raw;
                var text = raw && typeof raw === "object" && raw.label ? raw.label : levelName(context.parsed.y);
                return context.dataset.label + ": " + text;
              }
            }
          }
        }
      }
    });
    box.dataset.ready = "1";
  });
}());
