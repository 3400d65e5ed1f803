// Keeps the cards live, as the seed's hook did: subscribe on creation,
// resume every open card with `since` = its last seq on each (re)connect,
// resubscribe on a gap, and poll GET /api/v1/workflows/{id} while the
// socket is not connected. Every path feeds WorkflowCard.apply, which drops
// what it has already seen.

import { ConnectionState, SocketIOClient } from "../client/socketio-client.js";
import { WorkflowStore } from "./workflow-store.js";

const POLL_INTERVAL_MS = 1500;

export class API {
  constructor(base, token) { this.base = base; this.token = token; }

  async call(method, path, body) {
    const headers = { Authorization: "Bearer " + this.token() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(new URL(path, this.base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    let json = null;
    try { json = await r.json(); } catch (_) { /* empty body */ }
    return { status: r.status, json };
  }

  createSearch(query) { return this.call("POST", "/api/v1/workflows", { type: "search", query }); }
  read(id) { return this.call("GET", "/api/v1/workflows/" + encodeURIComponent(id)); }
  cancel(id) { return this.call("POST", "/api/v1/workflows/" + encodeURIComponent(id) + "/cancel"); }
  stats() { return this.call("GET", "/api/v1/websocket/stats"); }
}

export class LiveCards {
  /** `onChange(card|null)` re-renders one card (or everything when null). */
  constructor(base, { onChange, onState, transports, path }) {
    this.base = base;
    this.token = "";
    this.onChange = onChange;
    this.onState = onState;
    this.store = new WorkflowStore();
    this.api = new API(base, () => this.token);
    this.pollTimer = null;
    this.resumes = 0;
    this.socket = new SocketIOClient(base, { auth: () => ({ token: this.token }), transports, path });
    this.socket.on("state", (s) => { this.onState(s); this.updatePolling(); });
    this.socket.on("connect", () => this.resumeAll());
    this.socket.on("event", (name, e) => this.receive(name, e));
  }

  /** A new token: a new user, a new socket session, that user's cards only. */
  async useToken(token) {
    this.token = token.trim();
    this.socket.disconnect();
    const ids = this.store.useUser(userOf(this.token));
    this.onChange(null);
    if (!this.store.user) { this.onState(ConnectionState.unauthorized); return; }
    this.socket.connect();
    for (const id of ids) {
      const r = await this.api.read(id);
      if (r.status !== 200 || r.json.user_id !== this.store.user) continue; // gone, or not this user's
      const card = this.store.add(r.json);
      if (!card) continue;
      card.applyView(r.json);
      this.onChange(card);
      if (!card.terminal && this.socket.connected) this.subscribe(card);
    }
    this.store.save();
  }

  async startSearch(query) {
    const r = await this.api.createSearch(query);
    if (r.status !== 202) throw new Error(errorText(r));
    const card = this.store.add(r.json);
    if (!card) throw new Error("the server created the workflow for another user");
    this.onChange(card);
    if (this.socket.connected) this.subscribe(card);
    else this.updatePolling();
    return card;
  }

  async cancel(id) {
    const r = await this.api.cancel(id);
    if (r.status !== 202 && r.status !== 409) throw new Error(errorText(r));
    // The cancelled status arrives as an event; when sockets are down, poll it now.
    if (!this.socket.connected) await this.pollOnce();
  }

  receive(name, e) {
    const card = e && this.store.get(e.workflow_id);
    if (!card) return; // never shown: not one of this user's cards
    const result = card.apply(name, e);
    if (result === "gap") this.subscribe(card);
    else if (result === "applied") this.onChange(card);
  }

  /** After any (re)connect, recovered or not: `since` is exact, recovery only a head start. */
  resumeAll() {
    this.resumes += 1;
    for (const card of this.store.open) this.subscribe(card);
  }

  async subscribe(card) {
    try {
      const ack = await this.socket.request("subscribe", { workflow_id: card.id, since: card.lastSeq });
      if (ack && ack.ok === false) {
        card.error = card.error || ack.error.message;
        this.onChange(card);
      } else if (ack && ack.truncated) {
        const r = await this.api.read(card.id);
        if (r.status === 200) { card.applyView(r.json); this.onChange(card); }
      }
    } catch (_) {
      // Not connected or no ack: the next connect resumes it, polling covers the meantime.
    }
  }

  updatePolling() {
    const down = this.socket.state !== ConnectionState.connected && this.store.user;
    if (down && !this.pollTimer) this.pollTimer = setInterval(() => this.pollOnce(), POLL_INTERVAL_MS);
    if (!down && this.pollTimer) { clearInterval(this.pollTimer); this.pollTimer = null; }
  }

  async pollOnce() {
    for (const card of this.store.open) {
      try {
        const r = await this.api.read(card.id);
        if (r.status === 200) { card.applyView(r.json); this.onChange(card); }
      } catch (_) { /* the network is down too: try again next tick */ }
    }
  }
}

/** The `sub` claim of a JWT (the server verifies it; this only picks whose cards to show). */
export function userOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "===".slice((part.length + 3) % 4))).sub || null;
  } catch (_) { return null; }
}

export function errorText(r) {
  const e = r.json && r.json.error;
  return e ? `${r.status} ${e.code}: ${e.message}` : `HTTP ${r.status}`;
}
