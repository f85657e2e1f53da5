// Polls a data load's status while it works and reloads the page when it is done, so the
// outcome (statistics or problems) is rendered by the server. No inline script: CSP 'self'.
(function () {
  const box = document.getElementById("load-progress");
  if (!box || box.dataset.done === "true") return;
  const show = (id, text) => { document.getElementById(id).textContent = text; };
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        show("load-status", state.status_label);
        show("load-phase", state.phase);
        show("load-rows", state.rows_read.toLocaleString());
        document.getElementById("load-percent").value = state.percent;
        if (state.done) { window.location.reload(); return; }
      }
    } catch (error) {
      show("load-phase", "waiting for the server…");
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
