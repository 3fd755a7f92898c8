// simnet explorer, the playground's panel: a decision map for every neuron (features, hidden layers, output),
// the points on the output's map and the two losses. Present when the page data has `playground` (a 2-D run);
// it hooks into the explorer through window.simnetExtensions (init, render at time T, each live frame).
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189]; // Playground's orange, grey, blue
  const CLASS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75],
    [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
  const PAGE_MAPS = 48; // a hidden layer's maps sent to the page: its first 48 neurons' (simnet/playground/panel.py)
  const MAX_SNAPSHOTS = 400; // the live page keeps at most this many maps in memory (the oldest go first)
  let P = null, D = null, shown = null;
  const canvases = []; // {canvas, layer, i}
  let outCanvas = null, lossHost = null, caption = null;

  const g3 = (x) => String(+Number(x).toPrecision(3));
  function decode(m) { // base64 bytes -> values in [-scale, scale]
    const s = atob(m.data), n = s.length, v = new Float32Array(n);
    for (let k = 0; k < n; k++) v[k] = (s.charCodeAt(k) / 255 * 2 - 1) * m.scale;
    return v;
  }
  function rgb(x) { // x in [-1, 1] -> Playground's colour
    const c = x < 0 ? NEG : POS, a = Math.min(1, Math.abs(x));
    return [0, 1, 2].map((i) => Math.round(MID[i] + (c[i] - MID[i]) * a));
  }
  function paint(canvas, m, k) { // map k of the encoded maps m (res x res each)
    const r = m.res, v = m._v || (m._v = decode(m)), img = canvas.getContext("2d").createImageData(r, r);
    let sum = 0;
    for (let p = 0; p < r * r; p++) {
      const x = v[k * r * r + p] / m.scale, c = rgb(x);
      img.data[4 * p] = c[0]; img.data[4 * p + 1] = c[1]; img.data[4 * p + 2] = c[2]; img.data[4 * p + 3] = 255;
      sum += v[k * r * r + p];
    }
    canvas.width = r; canvas.height = r; canvas.getContext("2d").putImageData(img, 0, 0);
    canvas.setAttribute("data-sum", sum.toFixed(4));
  }
  function paintClasses(canvas, m, k) { // several classes: the winner's colour, paler where less sure
    const r = m.res, v = m._v || (m._v = decode(m)), img = canvas.getContext("2d").createImageData(r, r), n = r * r;
    let sum = 0;
    for (let p = 0; p < n; p++) {
      let best = 0, bp = -1;
      for (let c = 0; c < k; c++) { const q = (v[c * n + p] / m.scale + 1) / 2; if (q > bp) { bp = q; best = c; } }
      const s = Math.max(0, Math.min(1, (bp - 1 / k) / (1 - 1 / k))), col = CLASS[best % CLASS.length];
      for (let i = 0; i < 3; i++) img.data[4 * p + i] = Math.round(255 - s * (255 - col[i]));
      img.data[4 * p + 3] = 255; sum += best + s;
    }
    canvas.width = r; canvas.height = r; canvas.getContext("2d").putImageData(img, 0, 0);
    canvas.setAttribute("data-sum", sum.toFixed(4));
  }
  function el(tag, attrs, parent, html) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (html !== undefined) e.textContent = html;
    if (parent) parent.appendChild(e);
    return e;
  }
  function svg(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function build() {
    const sec = el("section", { id: "playground" });
    el("h2", {}, sec, "Decision maps · every neuron over [" + P.domain[0] + ", " + P.domain[1] + "]² (orange −, blue +" + (P.task === "multiclass" ? "; the output: the winning class, paler where less sure)" : ")"));
    const row = el("div", { style: "display:flex;gap:10px;align-items:flex-start;overflow-x:auto" }, sec);
    const col = (title, sub) => { const c = el("div", { class: "pg-col", style: "display:flex;flex-direction:column;gap:4px;align-items:center" }, row);
      el("div", { style: "font-size:11px;font-weight:600;text-align:center" }, c, title); if (sub) el("div", { class: "pg-scale", style: "font-size:10px;color:#777" }, c, sub); return c; };
    const thumb = (parent, layer, i, label) => {
      const f = el("figure", { style: "margin:0;text-align:center;font-size:9px" }, parent);
      const c = el("canvas", { "data-layer": layer, "data-neuron": i, title: label, style: "width:56px;height:56px;image-rendering:pixelated;border:1px solid #ccc" }, f);
      el("figcaption", {}, f, label); return c;
    };
    const fc = col("features");
    P.features.forEach((name, i) => { const c = thumb(fc, "input", i, name + " ±" + g3(P.feature_maps[i].scale)); paint(c, P.feature_maps[i], 0); });
    const hidden = P.layers.slice(0, -1);
    hidden.forEach((l) => {
      const c = col(l.name, l.activation); const n = P.n[l.name], shown = Math.min(n, PAGE_MAPS);
      for (let i = 0; i < shown; i++) canvases.push({ canvas: thumb(c, l.name, i, l.name + "[" + i + "]"), layer: l.name, i: i, col: c });
      if (shown < n) el("div", { class: "pg-more", style: "font-size:10px;color:#555" }, c, "+" + (n - shown) + " more");
    });
    const out = P.layers[P.layers.length - 1];
    const oc = el("div", { style: "display:flex;flex-direction:column;gap:4px" }, row);
    caption = el("div", { id: "pg-caption", class: "kv", style: "font-size:12px" }, oc, "");
    const wrap = el("div", { style: "position:relative;width:300px;height:300px" }, oc);
    outCanvas = el("canvas", { id: "pg-output", "data-layer": out.name, "data-neuron": "all", style: "position:absolute;left:0;top:0;width:300px;height:300px;image-rendering:pixelated" }, wrap);
    const pts = svg("svg", { viewBox: "0 0 300 300", width: "300", height: "300", style: "position:absolute;left:0;top:0", role: "img", "aria-label": "training and test points" }, wrap);
    const [lo, hi] = P.domain, X = (x) => (x - lo) / (hi - lo) * 300, Y = (y) => (hi - y) / (hi - lo) * 300;
    const fill = (lab) => {
      if (P.task === "multiclass") { const c = CLASS[lab % CLASS.length]; return "rgb(" + c.join(",") + ")"; }
      const c = rgb(Math.max(-1, Math.min(1, lab))); return "rgb(" + c.join(",") + ")";
    };
    [["train", "#fff"], ["test", "#000"]].forEach(([k, edge]) => P[k].forEach((p) => svg("circle", { cx: X(p[0]).toFixed(1), cy: Y(p[1]).toFixed(1), r: 2.6, fill: fill(p[2]), stroke: edge, "stroke-width": 0.8, class: "pg-" + k }, pts)));
    const legend = el("div", { style: "font-size:11px;color:#555" }, oc);
    legend.textContent = "points: training (white edge) " + P.train.length + ", test (black edge) " + P.test.length +
      (P.task === "multiclass" ? " · classes: " + P.classes.join(", ") + " (paler: less sure)" : "");
    lossHost = el("div", { id: "pg-loss" }, oc);
    const main = document.querySelector("main > div");
    main.insertBefore(sec, main.firstChild);
  }
  function snapshotAt(T) {
    const s = P.snapshots; if (!s.length) return null;
    let r = 0; for (let k = 0; k < s.length; k++) if (s[k].t <= T) r = k;
    return s[r];
  }
  function drawLoss(T) {
    lossHost.textContent = "";
    const w = 300, h = 110, L = 40, B = 18, loss = P.loss.filter((x) => x[1] !== null);
    const g = svg("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, role: "img", "aria-label": "training and test loss" }, lossHost);
    if (!loss.length) return;
    const xs = loss.map((x) => x[0]), ys = loss.flatMap((x) => [x[1], x[2]]).filter((v) => v !== null && isFinite(v));
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y1 = Math.max(...ys, 1e-9);
    const X = (x) => L + (x - x0) / (x1 - x0) * (w - L - 4), Y = (y) => 4 + (1 - y / y1) * (h - B - 4);
    [["#333", 1, "training loss"], ["#d62728", 2, "test loss"]].forEach(([c, k, name], n) => {
      svg("path", { d: loss.map((x, j) => (j ? "L" : "M") + X(x[0]).toFixed(1) + "," + Y(x[k]).toFixed(1)).join(""), fill: "none", stroke: c, "stroke-width": 1.3, class: "pg-loss-line", "data-name": name }, g);
      const t = svg("text", { x: w - 4, y: 12 + 11 * n, "text-anchor": "end", "font-size": 9, fill: c }, g); t.textContent = name;
    });
    [0, y1].forEach((v) => { const t = svg("text", { x: L - 3, y: Y(v) + 3, "text-anchor": "end", "font-size": 9, fill: "#666" }, g); t.textContent = v.toPrecision(2); });
    const t = svg("text", { x: (w + L) / 2, y: h - 3, "text-anchor": "middle", "font-size": 9, fill: "#666" }, g); t.textContent = "steps · loss: " + (P.task === "multiclass" ? "cross-entropy" : "mean ½(output − label)²");
    if (T !== undefined) svg("line", { x1: X(Math.min(T, x1)), x2: X(Math.min(T, x1)), y1: 4, y2: h - B, stroke: "#ff6f00" }, g);
  }
  function render(T) {
    if (!P) return;
    const s = snapshotAt(T);
    drawLoss(T);
    if (!s || s === shown) return;
    shown = s;
    canvases.forEach((o) => { const m = s.maps[o.layer]; if (m) paint(o.canvas, m, o.i); });
    P.layers.slice(0, -1).forEach((l) => { const m = s.maps[l.name]; const c = canvases.find((o) => o.layer === l.name); if (m && c) c.col.querySelector(".pg-scale").textContent = l.activation + " · ±" + g3(m.scale); });
    const out = P.layers[P.layers.length - 1], m = s.maps[out.name];
    if (m) { if (P.task === "multiclass") paintClasses(outCanvas, m, P.n[out.name]); else paint(outCanvas, m, 0); }
    outCanvas.setAttribute("data-t", s.t);
    let last = null; P.loss.forEach((x) => { if (x[0] <= s.t) last = x; });
    caption.textContent = "output after " + s.t + " steps" + (last ? " · test loss " + last[2].toFixed(4) + ", training loss " + last[1].toFixed(4) : "") + (m ? " · colour ±" + g3(m.scale) : "");
    caption.setAttribute("data-t", s.t);
  }
  function frame(fr) {
    const part = fr.panels && fr.panels.playground;
    if (!P || !part) return;
    if (part.loss) part.loss.forEach((x) => P.loss.push(x));
    if (part.maps) { P.snapshots.push({ t: part.t, maps: part.maps }); if (P.snapshots.length > MAX_SNAPSHOTS) P.snapshots.splice(0, P.snapshots.length - MAX_SNAPSHOTS); }
  }
  function init(data) {
    D = data; P = D.playground;
    if (!P) return;
    P.n = {}; D.layers.forEach((l) => { P.n[l.name] = l.n; });
    P.loss = P.loss || [];
    build();
  }
  (window.simnetExtensions = window.simnetExtensions || []).push({ init: init, render: render, frame: frame });
})();
