// The project's own small browser Socket.IO v5 client (Engine.IO v4), namespace "/":
// WebSocket first, long-polling when the WebSocket cannot open, heartbeat
// watchdog, reconnection with backoff, and connection state recovery (the
// CONNECT carries the last `pid` and offset; the reply says whether the
// session came back). Resuming each workflow with `since` is the caller's
// job (see cards/workflow-store.js): recovery alone may repeat or miss
// nothing only inside its window, `since` is exact.

import { PollingTransport, WebSocketTransport } from "./engine-transports.js";

/** Connection states the pages show: what a person needs to know. */
export const ConnectionState = Object.freeze({
  connecting: "connecting",
  connected: "connected",
  reconnecting: "reconnecting",
  offline: "offline",
  unauthorized: "unauthorized",
  closed: "closed",
});

export class SocketIOClient {
  /**
   * @param {string} base server origin, e.g. `location.origin`
   * @param {object} options
   *   auth: () => object            the CONNECT payload (e.g. {token}), asked for on every attempt
   *   path: "/socket.io/"           the server's Engine.IO path
   *   transports: ["websocket","polling"]  tried in this order on each attempt
   *   reconnectDelayMs: 250, reconnectDelayMaxMs: 4000, offlineAfterAttempts: 3
   *   ackTimeoutMs: 5000
   */
  constructor(base, options = {}) {
    this.base = base;
    this.options = Object.assign({
      auth: () => ({}), path: "/socket.io/", transports: ["websocket", "polling"], reconnectDelayMs: 250, reconnectDelayMaxMs: 4000,
      offlineAfterAttempts: 3, ackTimeoutMs: 5000,
    }, options);
    this.listeners = new Map();
    this.state = ConnectionState.closed;
    this.transport = null;
    this.pid = null;
    this.offset = null;
    this.sid = null;
    this.nextAckID = 1;
    this.pendingAcks = new Map();
    this.failedAttempts = 0;
    this.wanted = false;
    this.timers = { heartbeat: null, reconnect: null };
  }

  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(fn);
    return this;
  }

  fire(name, ...args) {
    for (const fn of this.listeners.get(name) || []) {
      try { fn(...args); } catch (e) { setTimeout(() => { throw e; }); }
    }
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    this.fire("state", s);
  }

  get connected() { return this.state === ConnectionState.connected; }
  get transportName() { return this.transport ? this.transport.name : null; }

  connect() {
    this.wanted = true;
    if (this.transport) return;
    this.setState(this.failedAttempts === 0 && this.sid === null ? ConnectionState.connecting : ConnectionState.reconnecting);
    this.open(0);
  }

  /** Ends the session on purpose (no recovery), e.g. when the token changes. */
  disconnect() {
    this.wanted = false;
    clearTimeout(this.timers.reconnect);
    if (this.transport) {
      this.transport.send(["41"]);
      this.drop("client disconnect");
    }
    this.pid = null;
    this.offset = null;
    this.sid = null;
    this.failedAttempts = 0;
    this.setState(ConnectionState.closed);
  }

  /** Opens transport number `index` of `options.transports` for one attempt. */
  open(index) {
    const kind = this.options.transports[index];
    const Transport = kind === "polling" ? PollingTransport : WebSocketTransport;
    let opened = false;
    const t = new Transport(this.base, this.options.path, {
      onPacket: (p) => {
        if (t !== this.transport) return;
        if (p[0] === "0") opened = true;
        this.receive(p);
      },
      onClose: (reason) => {
        if (t !== this.transport) return;
        this.transport = null;
        clearTimeout(this.timers.heartbeat);
        // The WebSocket never opened: fall back to the next transport at once.
        if (!opened && index + 1 < this.options.transports.length && this.wanted) { this.open(index + 1); return; }
        this.lost(reason);
      },
    });
    this.transport = t;
  }

  drop(reason) {
    const t = this.transport;
    this.transport = null;
    clearTimeout(this.timers.heartbeat);
    if (t) t.close();
    this.rejectAcks(reason);
  }

  lost(reason) {
    this.rejectAcks(reason);
    const wasConnected = this.state === ConnectionState.connected;
    if (wasConnected) this.fire("disconnect", reason);
    if (!this.wanted || this.state === ConnectionState.unauthorized) return;
    this.failedAttempts += wasConnected ? 0 : 1;
    this.setState(this.failedAttempts >= this.options.offlineAfterAttempts ? ConnectionState.offline : ConnectionState.reconnecting);
    const base = Math.min(this.options.reconnectDelayMaxMs, this.options.reconnectDelayMs * 2 ** Math.min(this.failedAttempts, 6));
    const delay = base / 2 + Math.random() * base / 2;
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = setTimeout(() => { if (this.wanted && !this.transport) this.open(0); }, delay);
  }

  rejectAcks(reason) {
    for (const [, pending] of this.pendingAcks) { clearTimeout(pending.timer); pending.reject(new Error(reason)); }
    this.pendingAcks.clear();
  }

  /** No ping within pingInterval + pingTimeout: the connection is dead even if the socket looks open. */
  armHeartbeat() {
    clearTimeout(this.timers.heartbeat);
    const wait = (this.pingInterval || 25000) + (this.pingTimeout || 20000);
    this.timers.heartbeat = setTimeout(() => {
      const t = this.transport;
      this.transport = null;
      if (t) t.close();
      this.lost("ping timeout");
    }, wait);
  }

  receive(packet) {
    switch (packet[0]) {
      case "0": {
        const open = JSON.parse(packet.slice(1));
        this.pingInterval = open.pingInterval;
        this.pingTimeout = open.pingTimeout;
        this.armHeartbeat();
        const auth = Object.assign({}, this.options.auth());
        if (this.pid !== null) { auth.pid = this.pid; if (this.offset !== null) auth.offset = this.offset; }
        this.transport.send(["40" + JSON.stringify(auth)]);
        return;
      }
      case "2": this.armHeartbeat(); this.transport.send(["3"]); return;
      case "1": { const t = this.transport; this.transport = null; if (t) t.close(); this.lost("transport close"); return; }
      case "4": this.receiveSocketIO(packet.slice(1)); return;
      default: return;
    }
  }

  receiveSocketIO(text) {
    const type = text[0];
    let rest = text.slice(1);
    if (rest[0] === "/") return; // other namespaces: not ours
    let id = "";
    while (rest.length && rest[0] >= "0" && rest[0] <= "9") { id += rest[0]; rest = rest.slice(1); }
    const data = rest ? JSON.parse(rest) : undefined;
    switch (type) {
      case "0": {
        const recovered = this.pid !== null && data.pid === this.pid;
        this.sid = data.sid;
        this.pid = data.pid || null;
        if (!recovered) this.offset = null;
        this.failedAttempts = 0;
        this.setState(ConnectionState.connected);
        this.fire("connect", { recovered, transport: this.transport.name });
        return;
      }
      case "1": // the server disconnected this socket (shutdown, limits): come back with since
        this.pid = null;
        this.offset = null;
        this.drop("io server disconnect");
        this.lost("io server disconnect");
        return;
      case "2": {
        const [name, ...args] = data;
        // With recovery, the server appends the event's offset as a last string argument.
        if (this.pid !== null && args.length > 1 && typeof args[args.length - 1] === "string") this.offset = args.pop();
        this.fire("event", name, ...args);
        this.fire("event:" + name, ...args);
        return;
      }
      case "3": {
        const pending = this.pendingAcks.get(Number(id));
        if (!pending) return;
        this.pendingAcks.delete(Number(id));
        clearTimeout(pending.timer);
        pending.resolve(data[0]);
        return;
      }
      case "4": {
        // A refused token will not get better by retrying; a per-user cap might.
        const code = data && data.data && data.data.code;
        const unauthorized = data && data.message === "unauthorized" && code !== "too_many_connections";
        this.fire("connect_error", data);
        this.drop("connect error");
        if (unauthorized) { this.wanted = false; this.setState(ConnectionState.unauthorized); }
        else this.lost("connect error");
        return;
      }
      default: return;
    }
  }

  /** Emits `name` with one argument and resolves with the ack's first argument. */
  request(name, arg) {
    return new Promise((resolve, reject) => {
      if (!this.connected || !this.transport) { reject(new Error("not connected")); return; }
      const id = this.nextAckID++;
      const timer = setTimeout(() => { this.pendingAcks.delete(id); reject(new Error("ack timeout")); }, this.options.ackTimeoutMs);
      this.pendingAcks.set(id, { resolve, reject, timer });
      this.transport.send(["42" + id + JSON.stringify([name, arg])]);
    });
  }
}
