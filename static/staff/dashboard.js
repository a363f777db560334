// Draws the dashboard's charts with Chart.js from the numbers the tables show. The canvases start
// hidden, so without JavaScript or Chart.js the page shows only the tables, with no empty space.
(function () {
  "use strict";
  var source = document.getElementById("staff-chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return; // the tables carry the same numbers
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#0b3a6e", "#00a6a6", "#f29f05", "#b3122e", "#5b2a86", "#0e8a3e", "#8a9199", "#1f1f1f"];

  function draw(id, kind, series, options) {
    var canvas = document.getElementById(id);
    if (!canvas || !series || !series.values.length) {
      return;
    }
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels: series.labels,
        datasets: [{
          data: series.values,
          backgroundColor: canvas.id === "chart-per-day" ? "#0b3a6e" : palette,
          borderColor: kind === "line" ? "#0b3a6e" : "#ffffff",
          fill: false,
          tension: 0.2
        }]
      },
      options: Object.assign({
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: kind === "doughnut", position: "right" } }
      }, options || {})
    });
  }

  var axes = { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };
  draw("chart-state", "doughnut", data.state);
  draw("chart-category", "bar", data.category, axes);
  draw("chart-region", "bar", data.region, Object.assign({ indexAxis: "y" }, {
    scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
  }));
  draw("chart-per-day", "bar", data.per_day, axes);
})();
