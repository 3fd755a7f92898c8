// simnet explorer: plain JavaScript and SVG, no library, no request except to the live server.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("simnet-data").textContent);
  const LIVE = D.mode === "live";
  const NS = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const UNITS = D.unit === "batch" ? "batches" : D.unit + "s";
  const S = { f: 0, playing: false, speed: 1, sel: null, follow: true, status: null, dirty: true };

  function el(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
    return v.toFixed(a >= 100 ? 1 : 3);
  }
  // ---- diverging colour scale (coolwarm-like: blue negative, white 0, red positive) ----
  function colour(v, max) {
    if (v === null || v === undefined) return "#ffffff";
    let x = max > 0 ? Math.max(-1, Math.min(1, v / max)) : 0;
    const lo = [59, 76, 192], mid = [221, 221, 221], hi = [180, 4, 38];
    const c = x < 0 ? lo : hi, a = Math.abs(x);
    return "rgb(" + [0, 1, 2].map((i) => Math.round(mid[i] + (c[i] - mid[i]) * a)).join(",") + ")";
  }

  // ---- index of the series: (layer, variable, i[, j]) -> [series, column] ----
  const IDX = {};
  function indexSeries() {
    D.series.forEach((s) => {
      if (s.variable === "weights") s.pairs.forEach((p, c) => { const k = s.layer + "|weights|" + p[0] + "|" + p[1]; if (!(k in IDX)) IDX[k] = [s, c]; });
      else s.idx.forEach((i, c) => { const k = s.layer + "|" + s.variable + "|" + i; if (!(k in IDX)) IDX[k] = [s, c]; });
    });
  }
  function at(s, T) { // index of the last snapshot taken at or before T, or -1
    const t = s.t; let lo = 0, hi = t.length - 1, r = -1;
    while (lo <= hi) { const m = (lo + hi) >> 1; if (t[m] <= T) { r = m; lo = m + 1; } else hi = m - 1; }
    return r;
  }
  function value(layer, variable, i, j, T) {
    const k = layer + "|" + variable + "|" + i + (j === undefined ? "" : "|" + j);
    const e = IDX[k]; if (!e) return undefined; // not recorded
    const r = at(e[0], T); return r < 0 ? null : e[0].v[r][e[1]];
  }
  function history(layer, variable, i, j) {
    const k = layer + "|" + variable + "|" + i + (j === undefined ? "" : "|" + j);
    const e = IDX[k]; if (!e) return null;
    return { x: e[0].t.slice(), y: e[0].v.map((row) => row[e[1]]) };
  }
  let WMAX = 0; const NMAX = {}; // one scale for all weights; neuron colours: one scale per layer, labelled under it
  function scales() {
    D.series.forEach((s) => s.v.forEach((row) => row.forEach((v) => {
      if (v === null) return;
      if (s.variable === "weights") WMAX = Math.max(WMAX, Math.abs(v)); else if (s.variable === "neurons") NMAX[s.layer] = Math.max(NMAX[s.layer] || 0, Math.abs(v));
    })));
    if (!WMAX) WMAX = 1;
  }
  const nmax = (layer) => NMAX[layer] || 1;
  const T = () => (D.frames.length ? D.frames[Math.min(S.f, D.frames.length - 1)] : 0);

  // ---- the diagram ----
  const W = 860, LAYERS = D.layers, POS = {}, NODES = [], LINES = [], COLS = [], SCALE_LABELS = [];
  let H = 300;
  function buildDiagram() {
    const host = $("diagram-svg"); host.textContent = "";
    const most = Math.max(...LAYERS.map((l) => l.shown.length + (l.shown.length < l.n ? 1 : 0)));
    const gap = most > 24 ? 14 : most > 12 ? 22 : 44, r = most > 24 ? 5.5 : most > 12 ? 9 : 17;
    H = Math.max(220, most * gap + 84);
    const svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "network diagram" }, host);
    const gHl = el("g", {}, svg), gW = el("g", {}, svg), gN = el("g", {}, svg);
    const x0 = 70, dx = LAYERS.length > 1 ? (W - 140) / (LAYERS.length - 1) : 0;
    LAYERS.forEach((l, k) => {
      const x = x0 + k * dx, rows = l.shown.length + (l.shown.length < l.n ? 1 : 0);
      COLS.push(el("rect", { x: x - dx / 2.4, y: 4, width: dx / 1.2 || 80, height: H - 8, class: "hl", visibility: "hidden", "data-layer-column": l.name }, gHl));
      l.shown.forEach((i, r0) => { POS[l.name + "|" + i] = [x, 20 + gap / 2 + r0 * gap + (most - rows) * gap / 2]; });
      if (l.shown.length < l.n) {
        const y = 20 + gap / 2 + l.shown.length * gap + (most - rows) * gap / 2;
        const t = el("text", { x: x, y: y + 4, class: "more" }, gN); t.textContent = "+" + (l.n - l.shown.length);
        el("title", {}, t).textContent = (l.n - l.shown.length) + " more neurons not drawn";
      }
      const lab = el("text", { x: x, y: H - 22, class: "llabel" }, gN);
      lab.textContent = l.name + " (" + l.n + ")";
      const lab2 = el("text", { x: x, y: H - 8, class: "llabel", "font-size": "10" }, gN);
      lab2.textContent = (l.activation || "") + (l.bias ? ", bias" : "");
      SCALE_LABELS.push([l.name, el("text", { x: x, y: H - 36, class: "llabel", "font-size": "9", fill: "#777" }, gN)]);
    });
    D.connections.forEach((c) => c.pairs.forEach((p) => {
      const a = POS[c.source + "|" + p[0]], b = POS[c.target + "|" + p[1]];
      if (!a || !b) return;
      const line = el("line", { x1: a[0] + r, y1: a[1], x2: b[0] - r, y2: b[1], class: "weight", "stroke-linecap": "round",
        "data-source": c.source, "data-target": c.target, "data-i": p[0], "data-j": p[1], "data-value": "" }, gW);
      const title = el("title", {}, line);
      line.addEventListener("click", () => select({ type: "weight", layer: c.source, target: c.target, i: p[0], j: p[1] }));
      LINES.push({ line, title, c, p });
    }));
    LAYERS.forEach((l) => l.shown.forEach((i) => {
      const [x, y] = POS[l.name + "|" + i];
      const g = el("g", {}, gN);
      const circ = el("circle", { cx: x, cy: y, r: r, class: "neuron", "data-layer": l.name, "data-neuron": i, tabindex: 0,
        role: "button", "aria-label": l.name + " neuron " + i }, g);
      const small = r < 12;
      const txt = el("text", small ? { x: x + r + 2, y: y, class: "vside", "data-value": "" }
        : { x: x, y: y, class: "vlabel", "data-value": "" }, g);
      const title = el("title", {}, circ);
      let btxt = null;
      if (l.bias) btxt = el("text", { x: x + r + 2, y: y + r, "font-size": "9", fill: "#555" }, g);
      const pick = () => select({ type: "neuron", layer: l.name, i: i });
      circ.addEventListener("click", pick);
      circ.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") pick(); });
      NODES.push({ circ, txt, title, btxt, l, i, small });
    }));
  }
  function drawDiagram() {
    const t = T();
    LINES.forEach((o) => {
      const v = value(o.c.source, "weights", o.p[0], o.p[1], t);
      o.line.setAttribute("stroke", v === null || v === undefined ? "#ccc" : colour(v, WMAX));
      o.line.setAttribute("stroke-width", v === null || v === undefined ? 0.5 : (0.6 + 5 * Math.min(1, Math.abs(v) / WMAX)).toFixed(2));
      o.line.setAttribute("data-value", v === null || v === undefined ? "" : v);
      o.title.textContent = "weight " + o.c.source + ":" + o.c.target + "[" + o.p[0] + ":" + o.p[1] + "] = " + fmt(v);
    });
    NODES.forEach((o) => {
      const v = value(o.l.name, "neurons", o.i, undefined, t);
      const known = v !== undefined && v !== null;
      o.circ.setAttribute("fill", known ? colour(v, nmax(o.l.name)) : "#fff");
      o.circ.classList.toggle("unknown", v === undefined);
      o.txt.textContent = known ? fmt(v) : "";
      o.txt.setAttribute("data-value", known ? v : "");
      const d = value(o.l.name, "delta", o.i, undefined, t);
      o.title.textContent = o.l.name + " neuron " + o.i + ": " + (v === undefined ? "not recorded" : fmt(v)) +
        (d !== undefined && d !== null ? ", delta " + fmt(d) : "");
      const b = value(o.l.name, "bias", o.i, undefined, t);
      if (b !== undefined && b !== null) o.title.textContent += ", bias " + fmt(b);
      if (o.btxt && !o.small) o.btxt.textContent = b === undefined || b === null ? "" : "b=" + fmt(b);
    });
    SCALE_LABELS.forEach(([name, t]) => { const m = NMAX[name]; t.textContent = m ? "colour ±" + fmt(m) : ""; t.setAttribute("data-value", m || ""); });
    const ph = S.status && S.status.phase;
    COLS.forEach((c, k) => c.setAttribute("visibility", ph && ph.layer === LAYERS[k].name && S.f === D.frames.length - 1 ? "visible" : "hidden"));
  }
  function legend() {
    const host = $("legend-svg"); host.textContent = "";
    const svg = el("svg", { viewBox: "0 0 320 90", width: "320", height: "90", role: "img", "aria-label": "colour scales" }, host);
    [["weight: line colour and width (one scale for the whole run)", WMAX, 8], ["neuron value: circle colour, one scale per layer (± under it)", 1, 52]].forEach(([name, m, y]) => {
      for (let i = 0; i < 60; i++) el("rect", { x: 20 + i * 4.5, y: y + 12, width: 4.6, height: 10, fill: colour((i / 59 * 2 - 1) * m, m) }, svg);
      const t = el("text", { x: 20, y: y + 8, class: "tick" }, svg); t.textContent = name;
      [[-m, 20], [0, 155], [m, 290]].forEach(([v, x]) => { const tt = el("text", { x: x, y: y + 34, class: "tick", "text-anchor": "middle", "data-value": v }, svg); tt.textContent = fmt(v); });
    });
  }

  // ---- charts (curves, histories) ----
  function niceStep(raw) {
    if (!(raw > 0) || !Number.isFinite(raw)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }
  function chart(host, lines, cursorT, ylabel, opts) {
    host.textContent = "";
    const w = Math.max(320, Math.min(900, host.clientWidth || 420)), h = 196, L = 52, R = 8, TOP = 8, B = 34;
    const LOG = !!(opts && opts.log);
    const svg = el("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", role: "img", "aria-label": ylabel }, host);
    let xs = [], ys = [];
    const ok = (y) => y !== null && y !== undefined && (!LOG || y > 0);
    lines.forEach((l) => { l.x.forEach((x, k) => { if (ok(l.y[k])) { xs.push(x); ys.push(LOG ? Math.log10(l.y[k]) : l.y[k]); } }); });
    if (!xs.length) { const t = el("text", { x: 20, y: 40, class: "tick" }, svg); t.textContent = "nothing recorded yet"; return; }
    let x0 = Math.min(...xs, 0), x1 = Math.max(...xs, cursorT || 0), y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (x1 === x0) x1 = x0 + 1; if (y1 === y0) { y1 += Math.abs(y1) * 0.1 + 1e-9; y0 -= Math.abs(y0) * 0.1 + 1e-9; }
    // nice ticks: round steps (1, 2 or 5 times a power of ten) and the axis widened to them, so a loss that
    // reaches 2.7e-22 is labelled 0, not 2.71e-22; on a log scale, whole powers of ten
    let ticks;
    if (LOG) { y0 = Math.floor(y0); y1 = Math.max(Math.ceil(y1), y0 + 1); const n = y1 - y0, st = Math.ceil(n / 5); ticks = []; for (let v = y0; v <= y1; v += st) ticks.push(v); }
    else { const st = niceStep((y1 - y0) / 4); y0 = Math.floor(y0 / st) * st; y1 = Math.ceil(y1 / st) * st; ticks = []; for (let v = y0; v <= y1 + st / 2; v += st) ticks.push(Math.abs(v) < st / 1e6 ? 0 : v); }
    const X = (x) => L + (x - x0) / (x1 - x0) * (w - L - R), Y = (y) => TOP + (1 - (y - y0) / (y1 - y0)) * (h - TOP - B);
    el("line", { x1: L, y1: h - B, x2: w - R, y2: h - B, class: "axis" }, svg);
    el("line", { x1: L, y1: TOP, x2: L, y2: h - B, class: "axis" }, svg);
    ticks.forEach((v) => { const t = el("text", { x: L - 4, y: Y(v) + 3, class: "tick ytick", "text-anchor": "end", "data-value": LOG ? Math.pow(10, v) : v }, svg); t.textContent = LOG ? "1e" + v : fmt(v); });
    [x0, x1].forEach((v) => { const t = el("text", { x: X(v), y: h - B + 12, class: "tick", "text-anchor": "middle" }, svg); t.textContent = Math.round(v); });
    const xl = el("text", { x: (w + L) / 2, y: h - 8, class: "tick xlabel", "text-anchor": "middle" }, svg); xl.textContent = UNITS + " done";
    const palette = ["#000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"];
    lines.forEach((l, n) => {
      let d = "";
      l.x.forEach((x, k) => { const y = l.y[k]; if (!ok(y)) return; d += (d ? "L" : "M") + X(x).toFixed(1) + "," + Y(LOG ? Math.log10(y) : y).toFixed(1); });
      if (l.x.length === 1 && ok(l.y[0])) el("circle", { cx: X(l.x[0]), cy: Y(LOG ? Math.log10(l.y[0]) : l.y[0]), r: 2.5, fill: palette[n % 10] }, svg);
      el("path", { d: d, fill: "none", stroke: palette[n % 10], "stroke-width": n === 0 ? 2 : 1, opacity: n === 0 ? 1 : 0.7 }, svg);
      // the legend: a swatch of the line's colour beside its name (style, so the tick class cannot grey it)
      const ly = TOP + 10 + 11 * n;
      el("line", { x1: w - R - 16, y1: ly - 3, x2: w - R - 2, y2: ly - 3, stroke: palette[n % 10], "stroke-width": n === 0 ? 2 : 1.5 }, svg);
      const lt = el("text", { x: w - R - 20, y: ly, class: "tick", "text-anchor": "end", style: "fill:" + palette[n % 10] }, svg);
      lt.textContent = l.name;
    });
    if (cursorT !== undefined) el("line", { x1: X(cursorT), y1: TOP, x2: X(cursorT), y2: h - B, class: "cursor" }, svg);
  }
  function drawCurves() {
    const cs = D.curves.filter((c) => !c.accuracy);
    $("curves-title").textContent = D.loss === "cross_entropy" || D.unit === "batch" ? "Loss" : "Error";
    chart($("curve-svg"), cs.slice(0, 6), T(), "error or loss curve", { log: $("log-scale").checked });
  }
  function select(sel) {
    S.sel = sel;
    document.querySelectorAll(".selected").forEach((e) => e.classList.remove("selected"));
    if (sel.type === "neuron") { const c = document.querySelector('circle[data-layer="' + sel.layer + '"][data-neuron="' + sel.i + '"]'); if (c) c.classList.add("selected"); }
    else { const l = document.querySelector('line[data-source="' + sel.layer + '"][data-i="' + sel.i + '"][data-j="' + sel.j + '"]'); if (l) l.classList.add("selected"); }
    if (LIVE) {
      $("edit-what").value = sel.type === "weight" ? "weight" : (LAYERS[0].name === sel.layer ? "input" : "bias");
      $("edit-layer").value = sel.layer; $("edit-i").value = sel.i; $("edit-j").value = sel.type === "weight" ? sel.j : 0;
    }
    drawDetail();
  }
  function drawDetail() {
    const sel = S.sel, body = $("detail-body"), t = T();
    if (!sel) return;
    body.textContent = "";
    const row = (label, v, attrs) => { const d = document.createElement("div"); d.className = "kv"; d.textContent = label + " "; const s = document.createElement("span"); s.textContent = fmt(v); s.setAttribute("data-value", v === null || v === undefined ? "" : v); for (const k in attrs || {}) s.setAttribute(k, attrs[k]); d.appendChild(s); body.appendChild(d); };
    const lines = [];
    if (sel.type === "neuron") {
      const v = value(sel.layer, "neurons", sel.i, undefined, t), d = value(sel.layer, "delta", sel.i, undefined, t);
      const b = value(sel.layer, "bias", sel.i, undefined, t);
      row(sel.layer + " neuron " + sel.i + ": value", v === undefined ? null : v, { id: "sel-value" });
      if (d !== undefined) row("delta", d, { id: "sel-delta" });
      if (b !== undefined) row("bias", b, { id: "sel-bias" });
      if (v === undefined) body.appendChild(document.createTextNode("(its value was not recorded)"));
      const hv = history(sel.layer, "neurons", sel.i), hd = history(sel.layer, "delta", sel.i);
      if (hv) lines.push(Object.assign(hv, { name: "value" }));
      if (hd) lines.push(Object.assign(hd, { name: "delta" }));
    } else {
      const v = value(sel.layer, "weights", sel.i, sel.j, t);
      row("weight " + sel.layer + ":" + sel.target + "[" + sel.i + ":" + sel.j + "] =", v, { id: "sel-value" });
      const hw = history(sel.layer, "weights", sel.i, sel.j);
      if (hw) lines.push(Object.assign(hw, { name: "weight" }));
    }
    chart($("detail-svg"), lines, t, "history of the selection");
  }
  function drawSample() {
    const body = $("sample-body"), t = T(); body.textContent = "";
    const live = LIVE && S.samples ? S.samples[S.f] : null;
    const line = (label, v) => { const d = document.createElement("div"); d.className = "kv"; d.textContent = label; if (v !== undefined) { const s = document.createElement("span"); s.textContent = Array.isArray(v) ? "[" + v.map(fmt).join(", ") + "]" : fmt(v); s.setAttribute("data-value", JSON.stringify(v)); d.appendChild(s); } body.appendChild(d); };
    if (live && live.image) {
      const c = document.createElement("canvas"); c.width = live.image_shape[1]; c.height = live.image_shape[0];
      const ctx = c.getContext("2d"), img = ctx.createImageData(c.width, c.height);
      live.image.forEach((p, k) => { img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = 255 - p; img.data[4 * k + 3] = 255; });
      ctx.putImageData(img, 0, 0); body.appendChild(c);
      const names = D.class_names || [];
      const cls = (c) => (c === null || c === undefined ? "not computed yet" : (names[c] || c));
      line("first image of the batch · predicted: " + cls(live.predicted) + " · goal: " + cls(live.goal));
      return;
    }
    const inp = LAYERS[0], out = LAYERS[LAYERS.length - 1];
    const xs = inp.shown.map((i) => value(inp.name, "neurons", i, undefined, t));
    const ys = out.shown.map((i) => value(out.name, "neurons", i, undefined, t));
    const ds = out.shown.map((i) => value(out.name, "delta", i, undefined, t));
    if (t === 0 || ys.some((v) => v === undefined || v === null)) { line(t === 0 ? "before the first step (initial weights)" : "the output was not recorded"); return; }
    if (D.unit === "sample" && D.samples && D.samples.length) {
      const k = live ? live.sample : (Math.ceil(t) - 1) % D.samples.length;
      line("sample " + k + ": " + D.samples[k]);
    }
    if (D.images && D.images.t.length) { // a saved image run: test images, classified by the weights of then
      const im = D.images, names = D.class_names || [];
      let r = -1; im.t.forEach((x, k) => { if (x <= t) r = k; }); if (r < 0) r = 0;
      line(im.final_only ? "test images the run recorded, classified by its final weights (after " + im.t[r] + " " + UNITS + "):"
        : "test images, classified by the weights after " + im.t[r] + " " + UNITS + " (the nearest full snapshot):");
      const grid = document.createElement("div"); grid.style.display = "flex"; grid.style.flexWrap = "wrap"; grid.style.gap = "6px";
      im.images.forEach((pix, n) => {
        const cell = document.createElement("figure"); cell.style.margin = "0"; cell.style.textAlign = "center"; cell.style.fontSize = "11px";
        const c = document.createElement("canvas"); c.width = im.shape[1]; c.height = im.shape[0]; c.style.width = c.style.height = "56px";
        const ctx = c.getContext("2d"), img = ctx.createImageData(c.width, c.height);
        pix.forEach((p, k) => { img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = 255 - p; img.data[4 * k + 3] = 255; });
        ctx.putImageData(img, 0, 0); cell.appendChild(c);
        const p = im.predicted[r][n], ok = p === im.labels[n];
        const cap = document.createElement("figcaption"); cap.style.color = ok ? "#1b5e20" : "#b71c1c";
        cap.textContent = (names[p] || p) + (ok ? "" : " (is " + (names[im.labels[n]] || im.labels[n]) + ")");
        cap.setAttribute("data-value", p); cap.className = "predicted"; cell.appendChild(cap); grid.appendChild(cell);
      });
      body.appendChild(grid);
    }
    if (D.unit !== "sample") { // a mini-batch run records its neurons as means over the batch
      line("output neurons, mean over the batch: ", ys);
      const names = D.class_names || [];
      if (ys.length === out.n && names.length === out.n) line("largest: " + names[ys.indexOf(Math.max(...ys))]);
      if (!LIVE && !D.images && !D.playground) line("(this run's test images are not at hand: its --save folder and data set give them; --live shows the training images)");
      return;
    }
    if (inp.shown.length === inp.n && xs.every((v) => v !== undefined && v !== null)) line("input ", xs);
    if (live && live.prediction_fresh === false) { line("prediction and goal: not computed yet for this sample (step its phases on)"); return; }
    line("prediction ", ys);
    if (live && live.goal_fresh === false) { line("goal: known after calc_delta"); return; }
    if (ds.every((v) => v !== undefined && v !== null)) line("goal ", ys.map((y, k) => Math.round((y + ds[k]) * 1e6) / 1e6));
  }
  // ---- layer health: one row per layer, the newest window at or before the frame's time ----
  const HEALTH = ["dead", "saturated", "mean", "std", "grad_norm", "update_ratio"];
  const HEALTH_WORDS = { dead: "dead", saturated: "saturated", mean: "mean", std: "spread (std)", grad_norm: "gradient norm", update_ratio: "update / weight" };
  function drawHealth() {
    const H = D.health || {}, names = Object.keys(H);
    $("health").hidden = !names.length;
    if (!names.length) return;
    const t = T(), body = $("health-body"); body.textContent = "";
    const table = document.createElement("table"), head = document.createElement("tr");
    ["layer"].concat(HEALTH.map((h) => HEALTH_WORDS[h])).forEach((h) => { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
    table.appendChild(head);
    let when = null;
    names.forEach((layer) => {
      const s = H[layer]; let r = -1;
      for (let k = 0; k < s.t.length; k++) if (s.t[k] <= t) r = k;
      const tr = document.createElement("tr"), name = document.createElement("td"); name.textContent = layer; tr.appendChild(name);
      HEALTH.forEach((h, c) => {
        const td = document.createElement("td"), v = r < 0 ? null : s.v[r][c];
        td.textContent = v === null || v === undefined ? "–" : (c < 2 ? Math.round(v * 100) + "%" : fmt(v));
        td.setAttribute("data-layer", layer); td.setAttribute("data-health", h); td.setAttribute("data-value", v === null || v === undefined ? "" : v);
        if ((h === "dead" || h === "saturated") && v > 0.5) td.className = "bad";
        if (S.fired && S.fired.some((f) => f.layer === layer && f.name === h)) td.classList.add("fired");
        tr.appendChild(td);
      });
      if (r >= 0) when = s.t[r];
      table.appendChild(tr);
    });
    body.appendChild(table);
    const note = document.createElement("div"); note.className = "kv"; note.style.fontSize = "11px"; note.style.color = "#666";
    note.textContent = when === null ? "no window finished yet" : "the window that ended after " + when + " " + UNITS + " (dead: never active in it; saturated: stuck at an end in it)";
    body.appendChild(note);
  }
  // ---- run diff (simnet view RUN --diff OTHER): where the other run parts from this one ----
  function drawDiff() {
    const d = D.diff; $("diff").hidden = !d; if (!d) return;
    const body = $("diff-body"); body.textContent = "";
    const line = (text, attrs) => { const e = document.createElement("div"); e.className = "kv"; e.textContent = text; for (const k in attrs || {}) e.setAttribute(k, attrs[k]); body.appendChild(e); };
    if (d.first_step === null) { line("against " + d.other + ": no weight or bias differs at any of the " + d.steps.length + " common steps", { id: "diff-first", "data-step": "" }); return; }
    line("against " + d.other + ": first difference after " + d.first_step + " " + UNITS + ": " + d.first_weights.map((w) => w[0] + " (" + fmt(w[1]) + " vs " + fmt(w[2]) + ")").join(", "), { id: "diff-first", "data-step": d.first_step });
    line("weights that differ most at the end: " + d.top_weights.slice(0, 5).map((w) => w[0] + " (" + fmt(w[1]) + " vs " + fmt(w[2]) + ")").join(", "));
    if (d.top_neurons.length) line("neurons that differ most: " + d.top_neurons.map((w) => w[0]).join(", "));
    chart($("diff-svg"), Object.keys(d.distance).map((c) => ({ name: "||W - W_" + d.other + "|| " + c, x: d.steps, y: d.distance[c] })), T(), "distance per connection");
  }
  function drawWhere() {
    const n = D.frames.length, s = $("slider");
    s.max = Math.max(0, n - 1); s.value = S.f;
    s.setAttribute("aria-valuemin", 0); s.setAttribute("aria-valuemax", Math.max(0, n - 1)); s.setAttribute("aria-valuenow", S.f);
    const t = T(), where = $("where");
    where.textContent = ""; const sp = document.createElement("span"); sp.id = "step-value"; sp.setAttribute("data-value", t);
    // mid-step (phase by phase) the time is the step done plus the phase: say so in words, not as a fraction
    sp.textContent = UNITS + " done: " + (Number.isInteger(t) ? t : Math.floor(t) + " (then phase " + Math.round((t - Math.floor(t)) * 100) + " of the next)"); where.appendChild(sp);
    where.appendChild(document.createTextNode(" · snapshot " + (S.f + 1) + " of " + n));
    $("play").disabled = LIVE ? !!(S.status && (!S.status.paused || S.status.finished)) : S.playing;
    $("pause").disabled = LIVE ? !!(S.status && (S.status.paused || S.status.finished)) : !S.playing;
  }
  function render() {
    if (document.hidden) { S.dirty = true; return; } // nothing is drawn while the page is hidden
    S.dirty = false;
    drawDiagram(); drawCurves(); drawDetail(); drawSample(); drawHealth(); drawDiff(); drawWhere();
    EXT.forEach((x) => x.render && x.render(T())); // extra panels (maps.js) draw the same moment
  }
  // one drawing per animation frame, however many answers and clicks came in meanwhile: the page stays responsive
  function later() { if (!S.raf) S.raf = requestAnimationFrame(() => { S.raf = 0; render(); }); }
  function go(f) { S.f = Math.max(0, Math.min(D.frames.length - 1, f)); S.follow = S.f === D.frames.length - 1; render(); }

  // ---- offline playback ----
  let timer = null;
  function tick() {
    timer = null;
    if (!S.playing) return;
    if (!document.hidden) {
      if (S.f >= D.frames.length - 1) { S.playing = false; render(); return; }
      go(S.f + Math.max(1, Math.round(S.speed / 4)));
    }
    timer = setTimeout(tick, Math.max(16, 120 / Math.min(S.speed, 4)));
  }
  function play() { if (S.f >= D.frames.length - 1) S.f = 0; S.playing = true; render(); if (!timer) tick(); }
  function pause() { S.playing = false; render(); }

  // ---- live: polling and commands ----
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  function api(path, body) {
    const opt = body === undefined ? { method: "GET" } : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    return fetch(path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN), opt)
      .then((r) => r.json().then((j) => ({ ok: r.ok, j })));
  }
  let seen = -1, polling = false;
  function addFrame(fr) {
    D.frames.push(fr.t);
    fr.values.forEach((vals, k) => { const s = D.series[k]; s.t.push(fr.t); s.v.push(vals);
      vals.forEach((v) => { if (v === null) return; if (s.variable === "weights" && Math.abs(v) > WMAX) { WMAX = Math.abs(v) * 1.25; S.rescale = true; } if (s.variable === "neurons" && Math.abs(v) > (NMAX[s.layer] || 0)) { NMAX[s.layer] = Math.abs(v) * 1.25; S.rescale = true; } }); });
    S.samples.push(fr.sample || null);
    if (fr.error !== null && fr.error !== undefined) { D.curves[0].x.push(fr.t); D.curves[0].y.push(fr.error); }
    EXT.forEach((x) => x.frame && x.frame(fr));
    if (fr.health) { D.health = D.health || {}; for (const layer in fr.health) { const h = D.health[layer] = D.health[layer] || { t: [], v: [] }; h.t.push(fr.health[layer][0]); h.v.push(fr.health[layer][1]); if (h.t.length > 4000) { h.t.splice(0, 1000); h.v.splice(0, 1000); } } }
    if (D.frames.length > 4000) { // keep the page's memory bounded: drop the oldest 1000 frames
      const cut = D.frames[1000]; D.frames.splice(0, 1000); S.samples.splice(0, 1000);
      D.series.forEach((s) => { const r = s.t.findIndex((x) => x >= cut); if (r > 0) { s.t.splice(0, r); s.v.splice(0, r); } });
      const c = D.curves[0], r = c.x.findIndex((x) => x >= cut); if (r > 0) { c.x.splice(0, r); c.y.splice(0, r); }
      S.f = Math.max(0, S.f - 1000);
    }
  }
  function poll() {
    if (polling || document.hidden) return; // a hidden page asks for nothing, so the run captures nothing
    polling = true;
    api("/state?since=" + seen).then(({ ok, j }) => {
      polling = false;
      if (!ok) { $("status").textContent = j.error || "error"; return; }
      j.frames.forEach(addFrame);
      if (j.frames.length) seen = j.frames[j.frames.length - 1].n;
      S.status = j.status;
      if (S.rescale) { S.rescale = false; legend(); }
      if (S.follow) S.f = D.frames.length - 1;
      showStatus(); later();
    }).catch(() => { polling = false; $("status").textContent = "the run has ended (server closed)"; S.status = { finished: true, paused: true }; drawWhere(); });
  }
  function showStatus() {
    const st = S.status || {};
    $("status").textContent = st.finished ? "finished" : st.stopping ? "stopping…" : st.paused ? "paused" : "running";
    const ph = st.phase;
    $("phaseinfo").textContent = ph ? "at " + ph.name + "(" + (ph.layer || "") + ")" + (st.step !== undefined ? " · step " + st.step : "") : "";
    ["step", "phase", "stop"].forEach((b) => { $(b).disabled = !!(st.finished || st.stopping) || (b !== "stop" && !st.paused); });
    // watchpoints: the active ones (each with a remove button) and, while paused by one, what fired
    const wl = $("watch-list"), have = (st.watchpoints || []).join("\n");
    if (wl.dataset.have !== have) {
      wl.dataset.have = have; wl.textContent = "";
      (st.watchpoints || []).forEach((w) => { const b = document.createElement("button"); b.type = "button"; b.className = "watchpoint"; b.textContent = w + " ×"; b.title = "remove this watchpoint"; b.setAttribute("data-condition", w); b.addEventListener("click", () => command("unwatch", { condition: w })); wl.appendChild(b); });
    }
    S.fired = st.paused && st.fired && st.fired.length ? st.fired : null;
    $("fired").textContent = S.fired ? S.fired.map((f) => f.what).join("; ") : "";
    $("fired").className = "msg" + (S.fired ? " fired" : "");
    const pace = st.pace === null || st.pace === undefined ? "full" : String(st.pace);
    if (st.pace !== undefined && $("pace").value !== pace && !S.paceSent) setPaceOption(pace);
  }
  function setPaceOption(v) {
    const sel = $("pace");
    if (![...sel.options].some((o) => o.value === v)) { const o = document.createElement("option"); o.value = v; o.textContent = v + " /s"; sel.appendChild(o); }
    sel.value = v;
  }
  function command(action, extra) {
    // the answer comes back asynchronously: the buttons and the timeline stay usable meanwhile
    api("/control", Object.assign({ action: action }, extra || {})).then(({ ok, j }) => { S.paceSent = false; if (!ok || !j.ok) { $("edit-msg").textContent = j.error; $("edit-msg").className = "msg error"; } S.follow = true; poll(); });
  }
  function applyEdit() {
    const body = { what: $("edit-what").value, layer: $("edit-layer").value, i: Number($("edit-i").value), j: Number($("edit-j").value), value: $("edit-value").value };
    // the value goes as typed: the run reads it as Python's float() does and checks it as the API does
    api("/edit", body).then(({ ok, j }) => {
      const m = $("edit-msg");
      const done = ok && j.ok;
      m.className = "msg " + (done ? "ok" : "error");
      m.textContent = done ? "set " + j.what + " " + j.where + " to " + j.value : "refused (nothing changed): " + j.error;
      S.follow = true; poll();
    });
  }

  // ---- wiring ----
  // extra panels, added by scripts before this one (maps.js: the playground's maps): init(D), render(T), frame(fr)
  const EXT = window.simnetExtensions || [];
  function init() {
    EXT.forEach((x) => x.init && x.init(D));
    $("title").textContent = D.title + (LIVE ? " · live" : " · recorded");
    const sm = D.summary || {}; $("summary").textContent = Object.keys(sm).map((k) => k + ": " + sm[k]).join(" · ");
    indexSeries(); scales(); buildDiagram(); legend();
    S.samples = D.frames.map(() => null);
    $("log-scale").addEventListener("change", () => drawCurves());
    if (!LIVE && D.states && D.states.steps.length) { // fork: the command that continues the run from the kept state
      $("fork-box").hidden = false;
      const quote = (x) => /^[\w\/.\-]+$/.test(x) ? x : "'" + x.replace(/'/g, "'\\''") + "'";
      $("fork").addEventListener("click", () => {
        const t = T(); let at = D.states.steps[0];
        D.states.steps.forEach((s) => { if (s <= t) at = s; });
        const edit = $("fork-edit").value.trim();
        const cmd = "simnet fork " + quote(D.states.run) + " --at " + at + (edit ? " --edit " + quote(edit) : "");
        $("fork-cmd").textContent = cmd; $("fork-cmd").setAttribute("data-at", at);
        if (navigator.clipboard) navigator.clipboard.writeText(cmd).catch(() => {});
      });
    }
    if (LIVE && D.fork) { // fork a paused live run: the server starts simnet fork from its kept state at (or before) this moment
      $("fork-box").hidden = false;
      $("fork").addEventListener("click", () => {
        const c = $("fork-cmd"); c.textContent = "forking..."; c.removeAttribute("data-at");
        // at the paused step itself while the timeline follows the run (its last frame may lag), else the moment shown
        const at = S.follow && S.status && S.status.paused ? S.status.step : Math.floor(T());
        api("/control", { action: "fork", at: at, edit: $("fork-edit").value.trim() }).then(({ ok, j }) => {
          if (!ok || !j.ok) { c.textContent = "refused (nothing forked): " + j.error; return; }
          c.textContent = "forked after " + j.at + " steps into " + j.folder + " (pid " + j.pid + ", output in " + j.log + "): " + j.command;
          c.setAttribute("data-at", j.at); c.setAttribute("data-folder", j.folder);
        });
      });
    }
    $("slider").addEventListener("input", (e) => { S.playing = false; go(Number(e.target.value)); });
    $("back").addEventListener("click", () => { S.playing = false; go(S.f - 1); });
    $("speed").addEventListener("change", (e) => { S.speed = Number(e.target.value); });
    if (!LIVE) {
      $("play").addEventListener("click", play); $("pause").addEventListener("click", pause);
      $("step").addEventListener("click", () => { S.playing = false; go(S.f + 1); });
      S.f = D.frames.length - 1;
    } else {
      ["phase", "stop"].forEach((b) => { $(b).hidden = false; }); $("edit").hidden = false;
      $("speed").parentElement.hidden = true; // the run sets the pace: steps a second, chosen below
      $("pace").parentElement.hidden = false;
      setPaceOption(D.pace === null || D.pace === undefined ? "full" : String(D.pace));
      $("pace").addEventListener("change", (e) => { S.paceSent = true; const v = e.target.value; command("pace", { pace: v === "full" ? null : Number(v) }); });
      D.layers.forEach((l) => { const o = document.createElement("option"); o.value = o.textContent = l.name; $("edit-layer").appendChild(o); });
      $("play").addEventListener("click", () => command("resume")); $("pause").addEventListener("click", () => command("pause"));
      $("step").addEventListener("click", () => command("step")); $("phase").addEventListener("click", () => command("phase"));
      $("watch-box").hidden = false;
      const addWatch = () => api("/control", { action: "watch", condition: $("watch-text").value }).then(({ ok, j }) => {
        const m = $("edit-msg"); m.className = "msg " + (ok && j.ok ? "ok" : "error");
        m.textContent = ok && j.ok ? "pause when " + $("watch-text").value : "watchpoint refused: " + j.error; poll();
      });
      $("watch-add").addEventListener("click", addWatch);
      $("watch-text").addEventListener("keydown", (e) => { if (e.key === "Enter") addWatch(); });
      $("stop").addEventListener("click", () => command("stop")); $("edit-apply").addEventListener("click", applyEdit);
      S.f = D.frames.length - 1;
      setInterval(poll, D.poll_ms || 250); poll();
    }
    document.addEventListener("visibilitychange", () => { if (!document.hidden) { if (S.dirty) render(); if (LIVE) poll(); } });
    render();
  }
  init();
})();
