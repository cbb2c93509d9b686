// The live chart's front-end (kit/livechart.py): a Vega-Lite chart embedded once, then fed rows.
//
// The model holds one `frame` = {spec, data: {name: {column: [values]}}, signals, note, final} and a
// `stop_url`. A frame whose spec is the one already drawn changes the drawn view in place — the
// rows of each named dataset replaced through a Vega change set, the variable parameters set as
// signals — so the element, its zoom and its hover stay. Frames that arrive while one is being drawn
// are not queued: the newest is drawn next. Only a new spec (another setting's
// chart) embeds again, into a fresh element that replaces the old one once drawn: no blank frame.
//
// The element says what it shows in `data-frame`: "drawing" while a frame waits to be drawn, then
// "partial" (a run's picture so far) or "final" (the result's own chart) — what a reader of the page,
// such as the browser tests, waits on instead of guessing from how long a picture stays.
//
// Vega, Vega-Lite and vega-embed come from the course's server (kit/liveserve.py), imported by
// a URL relative to the page: one fetch per page for all its charts, cached across lessons.

let loading = null;

function loadVega(path) {
  loading ??= import(new URL(path, document.baseURI).href).then(() => window.vegaEmbed);
  return loading;
}

function records(columns) {
  const names = Object.keys(columns);
  const n = names.length ? columns[names[0]].length : 0;
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = {};
    for (const name of names) row[name] = columns[name][i];
    rows[i] = row;
  }
  return rows;
}

// Vega lays a view out once by default and afterwards only lets it grow ("pad" without resize):
// a chart fed a run's frames would keep the largest extent any frame had (a wider axis label, a
// longer title) and end a pixel off the same result embedded at once. `resize` lays it out again
// on every update, so the last frame is the chart a one-shot embed draws.
function resizing(autosize) {
  const given = typeof autosize === "string" ? {type: autosize} : (autosize || {});
  return {type: "pad", ...given, resize: true};
}

// Vega draws a chart's series (one group per line) in the order their keys first arrived. A chart fed
// frames keeps the groups it had and adds new ones at the end — a new seed's line drawn over the others —
// while the same rows embedded at once come in row order: the overlapping lines' stacking would depend on
// the chart's history. Every faceted group mark without a sort of its own is sorted by its keys, so
// the stacking depends on the rows only (Vega-Lite already sorts its own facet cells this way).
function sortFacets(node) {
  for (const mark of node.marks || []) {
    const facet = mark.from && mark.from.facet;
    if (facet && !mark.sort && Array.isArray(facet.groupby) && facet.groupby.every(g => typeof g === "string")) {
      mark.sort = {field: [...new Set(facet.groupby)].map(g => `datum[${JSON.stringify(g)}]`)};
    }
    sortFacets(mark);
  }
  return node;
}

function withData(spec, data) {
  const datasets = {};
  for (const [name, columns] of Object.entries(data)) datasets[name] = records(columns);
  return {...spec, autosize: resizing(spec.autosize), datasets: {...(spec.datasets || {}), ...datasets}};
}

export default {
  async render({model, el}) {
    const vegaEmbed = await loadVega(model.get("bundle"));
    el.classList.add("poisoncourse-live");
    const bar = document.createElement("div");
    bar.className = "live-bar";
    bar.style.cssText = "display:flex;gap:.8em;align-items:center;min-height:1.6em;font-size:.9em;color:#555";
    const note = document.createElement("span");
    const stop = document.createElement("button");
    stop.textContent = "Stop";
    stop.style.cssText = "display:none;padding:.1em .9em;border:1px solid #b33;border-radius:4px;" +
                         "background:#fff;color:#b33;cursor:pointer";
    bar.append(stop, note);
    const holder = document.createElement("div");
    el.append(bar, holder);

    let drawn = null;  // {key, view}: the spec on screen and its Vega view
    // For the browser tests (tests/test_browser_live.py): each frame drawn, when, and how many rows of
    // each dataset it carried (a run's later frames may carry only the table they change).
    // `digest`: a hash of the rows, so a test sees a frame that moved values without adding rows.
    el.poisoncourseLog = [];
    const digest = (text) => { let h = 0; for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0; return h; };
    const logged = (frame, how) => el.poisoncourseLog.push({
      t: performance.now(), note: frame.note || "", how, digest: digest(JSON.stringify(frame.data || {})),
      rows: Object.fromEntries(Object.entries(frame.data || {}).map(([name, c]) => [name, (Object.values(c)[0] || []).length])),
    });
    let latest = null, busy = false;  // frames coming faster than drawn: only the newest is drawn

    async function apply(frame) {
      note.textContent = frame.note || "";
      if (!frame.spec) return;
      const key = JSON.stringify(frame.spec);
      if (drawn && drawn.key === key) {
        const view = drawn.view;
        for (const [name, value] of Object.entries(frame.signals || {})) view.signal(name, value);
        // view.data(name, rows): a change set that removes every row and inserts the new ones
        // (the bundle's vega-embed does not expose vega.changeset itself).
        for (const [name, columns] of Object.entries(frame.data || {})) view.data(name, records(columns));
        await view.runAsync();
        logged(frame, "changed");
        return;
      }
      const target = document.createElement("div");
      const spec = withData(frame.spec, frame.data || {});
      for (const p of spec.params || []) {
        if (p.name in (frame.signals || {})) p.value = frame.signals[p.name];
      }
      const result = await vegaEmbed(target, spec, {actions: false, renderer: "svg", patch: sortFacets});
      const old = drawn;
      holder.replaceChildren(target);
      drawn = {key, view: result.view};
      el.poisoncourseView = result.view;
      if (old) old.view.finalize();
      logged(frame, "embedded");
    }

    async function pump() {
      if (busy) return;
      busy = true;
      let frame = null;
      while (latest) {
        frame = latest;
        latest = null;
        try {
          await apply(frame);
        } catch (err) {
          note.textContent = "This chart could not be drawn: " + err;
        }
      }
      busy = false;
      el.dataset.frame = frame && frame.final === false ? "partial" : "final";
    }
    const onFrame = () => {
      latest = model.get("frame");
      el.dataset.frame = "drawing";
      pump();
    };
    const onStop = () => {
      const url = model.get("stop_url");
      stop.style.display = url ? "" : "none";
      stop.disabled = false;
      stop.textContent = "Stop";
    };
    stop.addEventListener("click", async () => {
      const url = model.get("stop_url");
      if (!url) return;
      stop.disabled = true;
      stop.textContent = "Stopping…";
      try {
        // marimo refuses a POST to its server (401) unless it carries the page's server token, as its own
        // requests do: the token marimo writes into every page it serves.
        const token = document.querySelector("marimo-server-token")?.dataset?.token;
        const response = await fetch(new URL(url, document.baseURI).href,
                                     {method: "POST", headers: token ? {"Marimo-Server-Token": token} : {}});
        if (!response.ok && response.status !== 404) throw new Error(`Stop answered ${response.status}`);
      } catch (err) {
        stop.disabled = false;
        stop.textContent = "Stop";
      }
    });
    model.on("change:frame", onFrame);
    model.on("change:stop_url", onStop);
    onFrame();
    onStop();
    return () => {
      model.off("change:frame", onFrame);
      model.off("change:stop_url", onStop);
      if (drawn) drawn.view.finalize();
    };
  },
};
