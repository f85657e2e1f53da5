// Draws every [data-figure] node from the figures in a JSON script element.
// The element's id comes from the node's data-figures attribute (default "figures"), so one
// page may carry several sets. The JSON is data, not code: the CSP needs no inline script.
(function () {
  "use strict";
  const cache = {};

  function figuresFrom(id) {
    if (!(id in cache)) {
      const source = document.getElementById(id);
      cache[id] = source ? JSON.parse(source.textContent) : {};
    }
    return cache[id];
  }

  function draw() {
    for (const node of document.querySelectorAll("[data-figure]")) {
      const figure = figuresFrom(node.dataset.figures || "figures")[node.dataset.figure];
      const empty = !figure || figure.data.length === 0;
      if (empty || typeof Plotly === "undefined") {
        node.textContent = "No data for this chart yet.";
        continue;
      }
      Plotly.newPlot(node, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        staticPlot: node.dataset.static === "true",
      }).then(
        // Browser tests wait for this mark; a failure says so where the chart would be.
        () => { node.dataset.drawn = "true"; },
        (error) => {
          node.textContent = "This chart could not be drawn; its table has the numbers.";
          console.error("Chart " + node.dataset.figure + " failed:", error);
        },
      );
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
