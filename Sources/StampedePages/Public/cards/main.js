// The task-cards page: a token, a search box, one live card per workflow,
// the connection state and a stats strip. State lives in LiveCards; this
// file only wires the DOM to it.

import { CardsView } from "./cards-view.js";
import { LiveCards, errorText, userOf } from "./live-cards.js";

const $ = (id) => document.getElementById(id);
const STATE_TEXT = {
  connecting: "connecting…", connected: "live", reconnecting: "reconnecting…",
  offline: "offline — showing polled updates", unauthorized: "token refused", closed: "not connected",
};

const params = new URLSearchParams(location.search);
// ?transports=polling forces long-polling (how the fallback is exercised by hand).
const transports = (params.get("transports") || "websocket,polling").split(",").filter(Boolean);

const view = new CardsView($("cards"), $("card-template"), {
  onCancel: async (id, el) => {
    el.querySelector(".cancel").disabled = true;
    try { await live.cancel(id); } catch (e) { showError(e.message); }
  },
});

const enginePath = document.querySelector('meta[name="stampede-engine-path"]').content;
const live = new LiveCards(location.origin, {
  transports,
  path: enginePath.startsWith("{{") ? "/socket.io/" : enginePath,
  onChange: (card) => {
    if (card === null) { view.clear(); for (const c of live.store.all) view.render(c); return; }
    view.render(card);
  },
  onState: (state) => {
    const el = $("connection");
    el.dataset.state = state;
    el.textContent = STATE_TEXT[state] || state;
    document.body.dataset.connection = state;
    document.body.dataset.transport = live.socket.transportName || "";
    document.body.dataset.resumes = String(live.resumes);
  },
});
live.socket.on("connect", ({ recovered, transport }) => {
  document.body.dataset.transport = transport;
  document.body.dataset.recovered = String(recovered);
  document.body.dataset.resumes = String(live.resumes);
});

function showError(text) {
  const el = $("form-error");
  el.hidden = !text;
  el.textContent = text || "";
}

async function applyToken(token) {
  const user = userOf(token);
  const dev = token === devToken ? " — development token (the server runs with dev-secret)" : "";
  $("token-note").textContent = user ? `cards of ${user}${dev}` : token ? "this does not look like a JWT" : "";
  sessionStorage.setItem("stampede.token", token);
  await live.useToken(token);
}

$("token").addEventListener("change", (e) => applyToken(e.target.value));

$("search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = $("query").value.trim();
  if (!q) return;
  showError("");
  try {
    await live.startSearch(q);
    $("query").value = "";
  } catch (err) {
    showError(err.message);
  }
});

async function refreshStats() {
  try {
    const r = await live.api.stats();
    const strip = $("stats");
    strip.dataset.ok = String(r.status === 200);
    if (r.status !== 200) { strip.title = errorText(r); return; }
    for (const b of strip.querySelectorAll("[data-stat]")) b.textContent = String(r.json[b.dataset.stat] ?? "–");
  } catch (_) {
    $("stats").dataset.ok = "false";
  }
}

const devToken = document.querySelector('meta[name="stampede-dev-token"]').content;
const initial = sessionStorage.getItem("stampede.token") || (devToken.startsWith("{{") ? "" : devToken);
if (initial) $("token").value = initial;
applyToken(initial).then(() => { document.body.dataset.ready = "true"; });
refreshStats();
setInterval(refreshStats, 2000);
