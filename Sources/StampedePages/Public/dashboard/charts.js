// Small SVG line charts for the live dashboard: a few series over time and
// dashed horizontal budget lines. Redrawn whole each second (a few hundred
// points at most): simpler than patching, and cheap.

const NS = "http://www.w3.org/2000/svg";
const W = 600, H = 200, PAD = { l: 48, r: 10, t: 10, b: 22 };

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

const fmt = (v) => (v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 0 : 1) + "k" : v >= 10 ? v.toFixed(0) : v.toFixed(v >= 1 ? 1 : 2));

/**
 * series: [{ name, color, points: [[t, value|null], …] }]
 * lines:  [{ label, value, color }] — budget limits, drawn dashed
 */
export function drawLineChart(svg, series, lines = []) {
  const all = series.flatMap((s) => s.points);
  const ts = all.map((p) => p[0]);
  const t0 = Math.min(0, ...ts), t1 = Math.max(10, ...ts);
  // Scaled to the data: a budget far above it is pinned to the top edge (and says so)
  // instead of flattening every series to the floor.
  const dataMax = Math.max(0, ...all.map((p) => p[1] ?? 0));
  const near = lines.filter((l) => l.value <= dataMax * 4 || dataMax === 0).map((l) => l.value);
  const vmax = niceMax(Math.max(dataMax, ...near) * 1.05);
  const x = (t) => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v) => H - PAD.b - (v / vmax) * (H - PAD.t - PAD.b);
  const kids = [];
  for (let i = 0; i <= 4; i++) {
    const v = (vmax * i) / 4;
    kids.push(el("line", { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: "grid" }));
    kids.push(el("text", { x: PAD.l - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, fmt(v)));
  }
  kids.push(el("text", { x: W - PAD.r, y: H - 6, "text-anchor": "end", class: "tick" }, `${Math.round(t1)} s`));
  kids.push(el("text", { x: PAD.l, y: H - 6, class: "tick" }, `${Math.round(t0)} s`));
  for (const l of lines) {
    const above = l.value > vmax;
    const ly = y(Math.min(l.value, vmax));
    kids.push(el("line", { x1: PAD.l, x2: W - PAD.r, y1: ly, y2: ly, class: "budget", stroke: l.color || "#b42318" }));
    kids.push(el("text", { x: W - PAD.r - 4, y: ly + (above ? 12 : -4), "text-anchor": "end", class: "budget-label" },
      above ? `↑ ${l.label} (above the scale)` : l.label));
  }
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p[1] != null).map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`);
    if (pts.length) kids.push(el("polyline", { points: pts.join(" "), fill: "none", stroke: s.color, "stroke-width": 2, "data-series": s.name }));
    kids.push(el("text", { x: PAD.l + 8 + i * 110, y: PAD.t + 12, fill: s.color, class: "legend" }, s.name));
  });
  svg.replaceChildren(...kids);
  svg.dataset.points = String(all.length);
}
