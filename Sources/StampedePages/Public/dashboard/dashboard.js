// The live page of `stampede run --dashboard`: the run's per-second samples
// arrive as server-sent events from /events (the whole run so far first),
// the charts redraw each second, and the final event shows the verdict with
// a link to report.html. What the page has seen is also kept on <body>
// (data-samples, data-clients, data-verdict) for a person or a test to read.

import { drawLineChart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const samples = [];
const COLORS = { a: "#1f5fbf", b: "#137a3a", c: "#a15c00", d: "#b42318", e: "#6941c6" };

function primaryMetric(s) {
  const names = Object.keys(s.latency || {});
  return names.includes("event_delivery") ? "event_delivery" : names[0] || null;
}

function series(name, color, pick) {
  return { name, color, points: samples.map((s) => [s.t, pick(s)]) };
}

function budgetLines(metric, last) {
  return (last.budgets || [])
    .filter((b) => b.unit === "ms" && metric && b.expression.startsWith(metric + "."))
    .map((b) => ({ label: `budget ${b.expression}`, value: b.limit }));
}

function render() {
  const last = samples[samples.length - 1];
  if (!last) return;
  document.body.dataset.samples = String(samples.length);
  document.body.dataset.clients = samples.map((s) => s.clients).join(",");
  $("status").textContent = `${last.phase} · ${last.t} s · ${last.left} s left`;

  const metric = primaryMetric(last) || "event_delivery";
  const lat = (s, p) => (s.latency && s.latency[metric] ? s.latency[metric][p] : null);
  $("n-clients").textContent = String(last.clients);
  $("n-deliveries").textContent = Math.round(last.deliveries_per_s).toLocaleString();
  $("n-p99").textContent = lat(last, "p99") == null ? "–" : `${lat(last, "p99").toFixed(1)} ms`;
  $("n-errors").textContent = String(last.errors_total);
  $("n-violations").textContent = String(last.violations_total);
  const h = last.health;
  $("n-health").textContent = h.saturated ? "SATURATED" : `lag ${h.loop_lag_p99_ms.toFixed(1)} ms · cpu ${Math.round(h.cpu_now_percent)} %`;
  $("n-health").className = h.saturated ? "bad" : "";

  drawLineChart($("chart-clients"), [
    series("clients", COLORS.a, (s) => s.clients),
    ...(samples.some((s) => s.server_clients != null) ? [series("server says", COLORS.b, (s) => s.server_clients)] : []),
  ]);
  drawLineChart($("chart-deliveries"), [series("deliveries/s", COLORS.a, (s) => s.deliveries_per_s)]);
  $("latency-caption").textContent = `Latency percentiles of ${metric} (ms), with budget lines`;
  drawLineChart($("chart-latency"), [
    series("p50", COLORS.b, (s) => lat(s, "p50")),
    series("p90", COLORS.c, (s) => lat(s, "p90")),
    series("p99", COLORS.d, (s) => lat(s, "p99")),
  ], budgetLines(metric, last));
  drawLineChart($("chart-errors"), [
    series("errors/s", COLORS.d, (s) => s.errors),
    series("violations", COLORS.e, (s) => s.violations_total),
  ]);
  drawLineChart($("chart-health"), [
    series("loop lag p99", COLORS.c, (s) => s.health.loop_lag_p99_ms),
    series("cpu %", COLORS.a, (s) => s.health.cpu_now_percent),
  ]);
  renderBudgets(last.budgets || []);
}

function renderBudgets(budgets) {
  $("budgets").replaceChildren(...budgets.map((b) => {
    const tr = document.createElement("tr");
    const cells = [b.expression, `${b.comparison} ${b.limit} ${b.unit}`, b.actual == null ? "no data" : `${b.actual.toFixed(2)} ${b.unit}`,
      b.actual == null ? "" : b.passed ? "ok" : "over"];
    for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
    tr.className = b.actual == null ? "" : b.passed ? "pass" : "fail";
    return tr;
  }));
}

function showFinal(f) {
  document.body.dataset.state = "finished";
  document.body.dataset.verdict = f.verdict;
  const box = $("verdict");
  box.hidden = false;
  box.className = "verdict verdict-" + f.verdict;
  $("verdict-text").textContent = `${f.verdict.toUpperCase()} (exit ${f.exit_code})`;
  $("verdict-detail").textContent = `${f.duration_s.toFixed(1)} s` + (f.abort_reason ? ` — ${f.abort_reason}` : "");
  const failing = [...f.checks.filter((c) => !c.passed).map((c) => `check ${c.name}: ${c.evidence.join("; ")}`),
    ...f.budgets.filter((b) => !b.passed).map((b) => `budget ${b.expression} ${b.comparison} ${b.limit} ${b.unit}: ${b.actual ?? "no data"}`)];
  const passedCount = f.checks.filter((c) => c.passed).length + f.budgets.filter((b) => b.passed).length;
  $("verdict-items").replaceChildren(...[...failing, `${passedCount} checks and budgets passed`].map((t) => {
    const li = document.createElement("li");
    li.textContent = t;
    return li;
  }));
  $("report-path").textContent = f.report_path ? f.report_path : "";
  $("report-link").hidden = !f.report_path;
  renderBudgets(f.budgets);
  $("status").textContent = "finished";
}

const source = new EventSource("/events");
source.onopen = () => { if (document.body.dataset.state !== "finished") document.body.dataset.state = "live"; };
source.onmessage = (m) => {
  samples.push(JSON.parse(m.data));
  render();
};
source.addEventListener("final", (m) => {
  showFinal(JSON.parse(m.data));
  source.close(); // the run is over: no reconnecting to a server about to stop
});
source.onerror = () => {
  if (document.body.dataset.state === "finished") return;
  document.body.dataset.state = "disconnected";
  $("status").textContent = "dashboard connection lost — retrying";
};
