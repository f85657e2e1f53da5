// Shows concluded tests like the idea or hypothesis being typed, so a repeat is seen before it
// is run. Debounced; text comes back as data and is set with textContent, never as HTML.
(function () {
  const box = document.getElementById("similar-tests");
  if (!box) return;
  const list = box.querySelector("ul");
  const fields = box.dataset.fields.split(",").map((id) => document.getElementById(id)).filter(Boolean);
  let timer = null;
  async function refresh() {
    const text = fields.map((field) => field.value).join(" ").trim();
    const params = new URLSearchParams({ q: text });
    if (box.dataset.exclude) params.set("exclude", box.dataset.exclude);
    try {
      const response = await fetch(`${box.dataset.url}?${params}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { results } = await response.json();
      list.replaceChildren();
      for (const test of results) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = test.url;
        link.textContent = test.title;
        const badge = document.createElement("span");
        badge.className = `badge badge-${test.decision}`;
        badge.textContent = test.decision_label;
        item.append(link, " ", badge);
        if (test.lift_label) {
          const lift = document.createElement("span");
          lift.className = "small";
          lift.dataset.testid = "similar-lift";
          lift.textContent = test.lift_label;
          item.append(" ", lift);
        }
        const learning = document.createElement("span");
        learning.className = "muted small";
        learning.textContent = test.learning;
        item.append(document.createElement("br"), learning);
        list.append(item);
      }
      if (!results.length) {
        const item = document.createElement("li");
        item.className = "empty";
        item.textContent = box.dataset.empty;
        list.append(item);
      }
    } catch (error) {
      // offline or server busy: keep the last list
    }
  }
  for (const field of fields) {
    field.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
  }
})();
