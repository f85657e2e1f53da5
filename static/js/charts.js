// Draws every [data-figure] node from the figures in a JSON script element.
// The element's id comes from the node's data-figures attribute (default "figures"), so one
// page may carry several sets. The JSON is data, not code: the CSP needs no inline script.
//
// plotly.js (several MB) is fetched only when a figure has data to draw: this script's
// data-plotly attribute names the file (hashed and cached for a year in production), and it is
// added as a script of its own, so the page paints before it arrives and the CSP stays 'self'.
(function () {
  "use strict";
  const cache = {};
  const plotlySource = document.currentScript && document.currentScript.dataset.plotly;

  function figuresFrom(id) {
    if (!(id in cache)) {
      const source = document.getElementById(id);
      cache[id] = source ? JSON.parse(source.textContent) : {};
    }
    return cache[id];
  }

  function figureOf(node) {
    const figure = figuresFrom(node.dataset.figures || "figures")[node.dataset.figure];
    return figure && figure.data.length > 0 ? figure : null;
  }

  function drawOne(node, figure) {
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

  function failAll(nodes) {
    for (const [node] of nodes) {
      node.textContent = "This chart could not be drawn; its table has the numbers.";
    }
    console.error("The chart library could not be loaded from " + plotlySource);
  }

  function withPlotly(draw, nodes) {
    if (typeof Plotly !== "undefined") return draw();
    if (!plotlySource) return failAll(nodes);
    const script = document.createElement("script");
    script.src = plotlySource;
    script.addEventListener("load", draw);
    script.addEventListener("error", () => failAll(nodes));
    document.head.appendChild(script);
  }

  function start() {
    const toDraw = [];
    for (const node of document.querySelectorAll("[data-figure]")) {
      const figure = figureOf(node);
      if (figure) {
        toDraw.push([node, figure]);
      } else {
        node.textContent = "No data for this chart yet.";
        node.dataset.drawn = "empty";
      }
    }
    if (toDraw.length === 0) return;
    withPlotly(() => { for (const [node, figure] of toDraw) drawOne(node, figure); }, toDraw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
