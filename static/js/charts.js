// Draws every <div data-figure="name"> from the figures the server put in
// <script id="result-figures" type="application/json"> (json_script). The server builds the
// figures; this file only hands them to plotly.js, so the page needs no inline script.
(function () {
  "use strict";
  const source = document.getElementById("result-figures");
  if (!source || typeof Plotly === "undefined") return;
  const figures = JSON.parse(source.textContent);
  const config = { responsive: true, displayModeBar: false };

  for (const node of document.querySelectorAll("[data-figure]")) {
    const figure = figures[node.dataset.figure];
    if (!figure || figure.data.length === 0) {
      node.textContent = "No data for this chart yet.";
      node.classList.add("chart-empty");
      continue;
    }
    Plotly.newPlot(node, figure.data, figure.layout, config).then(
      () => { node.dataset.drawn = "true"; },
      (error) => {
        node.textContent = "This chart could not be drawn; the table below has its numbers.";
        console.error("Chart " + node.dataset.figure + " failed:", error);
      },
    );
  }
})();
