// Engine.IO v4 transports for the browser: a WebSocket and HTTP long-polling.
// Each transport delivers whole Engine.IO packet texts ("0{...}", "2", "42[...]")
// to `onPacket`, and reports its end once through `onClose(reason)`.
// No third-party code: this is the part of engine.io-client the pages need.

const RECORD_SEPARATOR = "\x1e";

/** `http://host:port` → the Engine.IO URL for `transport` (and `sid`, if any) under `path`. */
export function engineURL(base, path, transport, sid) {
  const url = new URL(path, base);
  url.searchParams.set("EIO", "4");
  url.searchParams.set("transport", transport);
  if (sid) url.searchParams.set("sid", sid);
  if (transport === "websocket") url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  else url.searchParams.set("t", Date.now().toString(36) + Math.random().toString(36).slice(2, 6));
  return url.toString();
}

/** One WebSocket: one Engine.IO packet per text frame. */
export class WebSocketTransport {
  constructor(base, path, handlers) {
    this.name = "websocket";
    this.handlers = handlers;
    this.closed = false;
    this.ws = new WebSocket(engineURL(base, path, "websocket"));
    this.ws.onmessage = (m) => {
      if (typeof m.data === "string") handlers.onPacket(m.data);
    };
    this.ws.onerror = () => this.finish("transport error");
    this.ws.onclose = () => this.finish("transport close");
  }

  send(packets) {
    if (this.closed) return;
    for (const p of packets) this.ws.send(p);
  }

  close() {
    this.finish("client close");
    try { this.ws.close(); } catch (_) { /* already closing */ }
  }

  finish(reason) {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(reason);
  }
}

/**
 * HTTP long-polling: a GET is always pending while the session lives;
 * writes go out as one POST at a time, queued packets joined by the record
 * separator, as SOCKETIO.md describes.
 */
export class PollingTransport {
  constructor(base, path, handlers) {
    this.name = "polling";
    this.base = base;
    this.path = path;
    this.handlers = handlers;
    this.closed = false;
    this.sid = null;
    this.outbox = [];
    this.posting = false;
    this.abort = new AbortController();
    this.poll();
  }

  async poll() {
    while (!this.closed) {
      let text;
      try {
        const r = await fetch(engineURL(this.base, this.path, "polling", this.sid), { signal: this.abort.signal, cache: "no-store" });
        if (!r.ok) throw new Error("HTTP " + r.status);
        text = await r.text();
      } catch (_) {
        this.finish("transport error");
        return;
      }
      for (const packet of text.split(RECORD_SEPARATOR)) {
        if (packet === "") continue;
        if (this.sid === null && packet[0] === "0") {
          try { this.sid = JSON.parse(packet.slice(1)).sid; } catch (_) { this.finish("parse error"); return; }
        }
        if (packet === "1") { this.finish("transport close"); return; }
        if (packet === "6") continue;
        this.handlers.onPacket(packet);
        if (this.closed) return;
      }
    }
  }

  send(packets) {
    if (this.closed) return;
    this.outbox.push(...packets);
    this.flush();
  }

  async flush() {
    if (this.posting || this.outbox.length === 0 || this.sid === null || this.closed) return;
    this.posting = true;
    const body = this.outbox.splice(0).join(RECORD_SEPARATOR);
    try {
      const r = await fetch(engineURL(this.base, this.path, "polling", this.sid), {
        method: "POST", body, signal: this.abort.signal, headers: { "Content-Type": "text/plain;charset=UTF-8" },
      });
      if (!r.ok) throw new Error("HTTP " + r.status);
    } catch (_) {
      this.finish("transport error");
      return;
    } finally {
      this.posting = false;
    }
    this.flush();
  }

  close() {
    if (this.closed) return;
    if (this.sid !== null) {
      // Tell the server the session ends (a transport close: recoverable).
      fetch(engineURL(this.base, this.path, "polling", this.sid), { method: "POST", body: "1", keepalive: true }).catch(() => {});
    }
    this.finish("client close");
  }

  finish(reason) {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.handlers.onClose(reason);
  }
}
