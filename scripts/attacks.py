#!/usr/bin/env python3
"""Issue 8's attacks against a `stampede serve` binary, with figures.

Each attack starts a fresh server on a loopback port (so its peak RSS is
the attack's own), runs for a bounded time, and records the server's peak
RSS (VmHWM from /proc), its RSS after the attacker has gone, whether the
process is alive and /health answers, and what the attacker saw.

    python3 scripts/attacks.py --binary .build/release/stampede --label after \
        --out reports/attacks-after.json
    python3 scripts/attacks.py --table reports/attacks-before.json reports/attacks-after.json

Python 3 standard library only. Linux only (/proc). The attacker stops
feeding an attack once the server's RSS passes --rss-cap-mb (default 3000),
so an unbounded server cannot take the machine down with it.
"""

import argparse
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time

import hs256  # scripts/hs256.py, beside this file

SECRET = "attack-secret"
MASK = b"\x37\xfa\x21\x3d"


# --- tokens, HTTP, WebSocket -------------------------------------------------

def token(user, role=None):
    return hs256.mint(SECRET, user, role)


def connect(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request_bytes(method, path, port, tok=None, body=None, extra=""):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}"
    if tok:
        head += f"Authorization: Bearer {tok}\r\n"
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else body.encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    return (head + "\r\n").encode() + data


def read_response(s, timeout=5):
    """(status, body) of one response, or (None, b'') on close/timeout."""
    s.settimeout(timeout)
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return None, buf
            buf += chunk
        head, rest = buf.split(b"\r\n\r\n", 1)
        m = re.search(rb"content-length:\s*(\d+)", head, re.I)
        n = int(m.group(1)) if m else 0
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return int(head.split(b" ")[1]), rest[:n]
    except (socket.timeout, OSError):
        return None, buf


def http(port, method, path, tok=None, body=None, timeout=5):
    try:
        s = connect(port, timeout)
    except OSError:
        return None, b""
    try:
        s.sendall(request_bytes(method, path, port, tok, body, "Connection: close\r\n"))
        return read_response(s, timeout)
    except OSError:
        return None, b""
    finally:
        s.close()


def health(port, timeout=2):
    status, body = http(port, "GET", "/health", timeout=timeout)
    return status == 200 and b"ok" in body


def ws_frame(opcode, payload, masked=True):
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload)
    mb = 0x80 if masked else 0
    if n < 126:
        h = bytes([0x80 | opcode, mb | n])
    elif n <= 0xFFFF:
        h = bytes([0x80 | opcode, mb | 126]) + struct.pack(">H", n)
    else:
        h = bytes([0x80 | opcode, mb | 127]) + struct.pack(">Q", n)
    if not masked:
        return h + payload
    return h + MASK + bytes(c ^ MASK[i % 4] for i, c in enumerate(payload))


class WS:
    """A minimal client WebSocket on /socket.io/ (Engine.IO v4)."""

    def __init__(self, port, timeout=5):
        self.s = connect(port, timeout)
        self.s.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise OSError("closed during upgrade")
            buf += chunk
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise OSError("no 101: " + head.split(b"\r\n")[0].decode(errors="replace"))
        if not (self.text(timeout) or "").startswith("0"):
            raise OSError("no open packet")

    def send_text(self, t):
        self.s.sendall(ws_frame(1, t))

    def text(self, timeout=5):
        """Next text frame (answering Engine.IO pings), None on close/timeout."""
        deadline = time.time() + timeout
        while True:
            while len(self.buf) >= 2:
                op, n, h = self.buf[0] & 0x0F, self.buf[1] & 0x7F, 2
                if n == 126:
                    if len(self.buf) < 4:
                        break
                    n, h = struct.unpack(">H", self.buf[2:4])[0], 4
                elif n == 127:
                    if len(self.buf) < 10:
                        break
                    n, h = struct.unpack(">Q", self.buf[2:10])[0], 10
                if len(self.buf) < h + n:
                    break
                payload, self.buf = self.buf[h:h + n], self.buf[h + n:]
                if op == 8:
                    return None
                if op == 1:
                    t = payload.decode(errors="replace")
                    if t == "2":
                        self.send_text("3")
                        continue
                    return t
            left = deadline - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except (socket.timeout, OSError):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def join(self, tok):
        self.send_text('40{"token":"%s"}' % tok)
        while True:
            t = self.text(5)
            if t is None or t.startswith("44"):
                raise OSError("join refused: %r" % t)
            if t.startswith("40"):
                return


def closed_by_peer(s, timeout):
    """True if the peer closed (EOF or reset) within `timeout`; drains data."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], min(0.5, max(0, deadline - time.time())))
        if r:
            try:
                if not s.recv(1 << 20):
                    return True
            except OSError:
                return True
    return False


def peer_closed_now(s):
    """True if the peer has closed (EOF or reset); drains what is waiting."""
    s.setblocking(False)
    try:
        while True:
            if not s.recv(65536):
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def send_until(s, chunk, stop, deadline, max_bytes=None):
    """Writes `chunk` repeatedly without reading, until `stop()`, the
    deadline, or the server closes / stops reading (a write blocked 1 s
    counts as stalled but keeps trying). Returns (bytes sent, outcome)."""
    s.setblocking(False)
    sent, stalled_since = 0, None
    while time.time() < deadline and not stop() and (max_bytes is None or sent < max_bytes):
        _, w, _ = select.select([], [s], [], 0.2)
        if not w:
            stalled_since = stalled_since or time.time()
            continue
        stalled_since = None
        try:
            sent += s.send(chunk)
        except BlockingIOError:
            continue
        except OSError as e:
            return sent, f"closed by server ({e.__class__.__name__}) after {sent / 1e6:.1f} MB sent"
    if stop():
        return sent, f"stopped at the RSS cap after {sent / 1e6:.1f} MB sent"
    if max_bytes is not None and sent >= max_bytes:
        return sent, f"all {sent / 1e6:.0f} MB accepted"
    if stalled_since:
        return sent, f"server stopped reading after {sent / 1e6:.1f} MB sent"
    return sent, f"still accepting after {sent / 1e6:.1f} MB sent"


# --- the server under attack ---------------------------------------------------

def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    def __init__(self, binary, cap_mb, log, fd_limit=None):
        self.cap_kb = cap_mb * 1024

        def limit_files():
            if fd_limit:
                import resource
                resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))
        self.p = subprocess.Popen([binary, "serve", "--port", "0", "--jwt-secret", SECRET,
                                   "--max-connections-per-user", "100000", "--step-delay", "0"],
                                  stdout=subprocess.PIPE, stderr=log, text=True, preexec_fn=limit_files)
        line = self.p.stdout.readline()
        m = re.search(r":(\d+)\s*$", line)
        if not m:
            raise RuntimeError(f"server did not start: {line!r}")
        self.port = int(m.group(1))
        self.peak_sampled = 0
        self.over_cap = False
        self._stop = False
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while not self._stop:
            kb = rss_kb(self.p.pid)
            if kb is None:
                return
            self.peak_sampled = max(self.peak_sampled, kb)
            if kb > self.cap_kb:
                self.over_cap = True
            time.sleep(0.05)

    def rss_mb(self):
        kb = rss_kb(self.p.pid)
        return None if kb is None else round(kb / 1024, 1)

    def peak_mb(self):
        kb = rss_kb(self.p.pid, "VmHWM") or self.peak_sampled
        return round(max(kb, self.peak_sampled) / 1024, 1)

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        self._stop = True
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def create_workflow(port, owner="alice"):
    status, body = http(port, "POST", "/api/v1/workflows", token(owner), '{"type":"external"}')
    if status != 202:
        raise RuntimeError(f"create workflow: {status} {body[:200]!r}")
    return json.loads(body)["workflow_id"]


def publish(port, wf, events):
    return http(port, "POST", f"/api/v1/workflows/{wf}/events", token("publisher", "service"), json.dumps(events))[0]


def blob_events(n, size, start=0):
    return [{"type": "blob", "i": start + i, "data": "x" * size} for i in range(n)]


# --- the attacks -----------------------------------------------------------------
# Each takes (server, seconds budget) and returns what the attacker saw.

def attack_since_overflow(srv, budget):
    wf = create_workflow(srv.port)
    publish(srv.port, wf, blob_events(5, 10))
    ws = WS(srv.port)
    ws.join(token("alice"))
    ws.send_text('421["subscribe",{"workflow_id":"%s","since":9223372036854775807}]' % wf)
    reply = ws.text(5)
    time.sleep(0.5)
    if reply is None:
        return "no reply; connection closed" + ("" if srv.alive() else " (the server process exited)")
    return "reply " + reply[:120]


def attack_ws_ping_flood(srv, budget):
    ws = WS(srv.port)
    s = ws.s
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # Empty pings: the most pongs (and pending writes) per byte sent.
    chunk = ws_frame(9, b"") * 100000  # 600 KB of pings per write
    sent, outcome = send_until(s, chunk, lambda: srv.over_cap, time.time() + budget, max_bytes=100_000_000)
    closed = closed_by_peer(s, 2)
    s.close()
    return f"{outcome}; pongs never read" + ("; closed" if closed else "")


def attack_metrics_pipelined(srv, budget):
    s = connect(srv.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    chunk = request_bytes("GET", "/metrics", srv.port) * 2000
    sent, outcome = send_until(s, chunk, lambda: srv.over_cap, time.time() + budget)
    n = sent // len(request_bytes("GET", "/metrics", srv.port))
    closed = closed_by_peer(s, 2)
    s.close()
    return f"{n} requests: {outcome}" + ("; closed" if closed else "")


def attack_workflow_reads_unread(srv, budget):
    wf = create_workflow(srv.port)
    for k in range(10):  # 1,000 events of 8 KiB: an ~8 MB workflow view
        publish(srv.port, wf, blob_events(100, 8192, k * 100))
    status, body = http(srv.port, "GET", f"/api/v1/workflows/{wf}", token("alice"), timeout=20)
    size = len(body)
    one = request_bytes("GET", f"/api/v1/workflows/{wf}", srv.port, token("alice"))
    conns, outcomes = [], []
    deadline = time.time() + budget
    for _ in range(8):
        s = connect(srv.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        conns.append(s)
    threads = []
    results = [None] * 8

    def run(i):
        results[i] = send_until(conns[i], one * 20, lambda: srv.over_cap, deadline)
    for i in range(8):
        t = threading.Thread(target=run, args=(i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    closed = sum(closed_by_peer(s, 0.2) for s in conns)
    for s in conns:
        s.close()
    reqs = sum(r[0] for r in results) // len(one)
    return f"view {size / 1e6:.1f} MB; {reqs} GETs sent on 8 connections; {closed}/8 closed by server; e.g. {results[0][1]}"


def attack_pipelined_long_polls(srv, budget):
    wf = create_workflow(srv.port)
    status, body = http(srv.port, "GET", "/socket.io/?EIO=4&transport=polling")
    sid = json.loads(body[1:])["sid"]
    path = f"/socket.io/?EIO=4&transport=polling&sid={sid}"
    http(srv.port, "POST", path, body='40{"token":"%s"}' % token("alice"))
    http(srv.port, "GET", path)
    http(srv.port, "POST", path, body='421["subscribe",{"workflow_id":"%s"}]' % wf)
    s = connect(srv.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(request_bytes("GET", path, srv.port) * 3000)
    stop = time.time() + budget
    published = 0
    while time.time() < stop and not srv.over_cap:  # 8 KiB events, ~400 KB/s
        if publish(srv.port, wf, blob_events(50, 8192, published)) not in (200, 201, 202):
            break
        published += 50
        time.sleep(0.1)
    closed = closed_by_peer(s, 2)
    s.close()
    return f"3000 GETs pipelined, {published} events of 8 KiB published, none read" + ("; closed by server" if closed else "; still open")


def attack_idle_connections(srv, budget, count):
    socks = []
    open_deadline = time.time() + 15
    try:
        for i in range(count):
            if time.time() > open_deadline:
                break
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=1))
    except OSError:
        pass  # the accept queue is full: what a file-starved server looks like
    opened = len(socks)
    dribblers, silent = socks[::2], socks[1::2]
    msg = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
    start = time.time()
    checks = []
    pos = 0
    next_check = start + 15
    while time.time() - start < budget:
        for s in dribblers:  # one byte per connection every second
            try:
                s.send(msg[pos:pos + 1])
            except OSError:
                pass
        pos += 1
        if time.time() >= next_check or time.time() - start >= budget - 1:
            t0 = time.time()
            ok = health(srv.port, 5)
            ms = round((time.time() - t0) * 1000)
            d = sum(peer_closed_now(s) for s in dribblers)
            q = sum(peer_closed_now(s) for s in silent)
            checks.append(f"at {round(t0 - start)} s: {d}/{len(dribblers)} dribbling and {q}/{len(silent)} silent closed, "
                          f"/health {'ok' if ok else 'FAILED'} in {ms} ms")
            next_check += 25
            if time.time() - start >= budget - 1:
                break
        time.sleep(1)
    for s in socks:
        s.close()
    return f"{opened} opened; " + "; ".join(checks)


def attack_upgrade_refusals(srv, budget):
    out = []
    for name, headers in [("no key", "Sec-WebSocket-Version: 13\r\n"),
                          ("version 8", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n")]:
        s = connect(srv.port)
        s.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                   f"Upgrade: websocket\r\nConnection: Upgrade\r\n{headers}\r\n").encode())
        status, _ = read_response(s, 3)
        closed = closed_by_peer(s, 2)
        s.close()
        out.append(f"{name}: {status or 'no answer in 3 s'}" + (", closed" if closed else ", left open"))
    return "; ".join(out)


def attack_slow_post(srv, budget):
    s = connect(srv.port)
    s.sendall(("POST /api/v1/workflows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n" % token("alice")).encode())
    start = time.time()
    s.setblocking(False)
    answer = b""
    while time.time() - start < budget:
        try:
            s.send(b"{")
        except OSError:
            return f"closed by server after {time.time() - start:.0f} s" + (f", answer {answer[:12]!r}" if answer else "")
        r, _, _ = select.select([s], [], [], 1)
        if r:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                return f"closed by server after {time.time() - start:.0f} s" + (f" (answered {answer[9:12].decode()})" if answer else "")
            answer += chunk
    s.close()
    return f"held for {budget} s" + (f" (answered {answer[9:12].decode()})" if answer else ", no answer")


def attack_big_header_handshakes(srv, budget):
    pad = "a" * 61440
    statuses = {}
    deadline = time.time() + budget
    lock = threading.Lock()
    done = [0]

    def run(n):
        for _ in range(n):
            if time.time() > deadline or srv.over_cap:
                return
            try:
                s = connect(srv.port)
                s.sendall(request_bytes("GET", "/socket.io/?EIO=4&transport=polling", srv.port, extra=f"X-Pad: {pad}\r\n"))
                status, _ = read_response(s, 5)
                s.close()
            except OSError:
                status = None
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                done[0] += 1
    threads = [threading.Thread(target=run, args=(750,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return f"{done[0]} handshakes with 60 KB headers: " + ", ".join(f"{k or 'no answer'}×{v}" for k, v in sorted(statuses.items(), key=str))


def attack_attachments_never(srv, budget):
    wf = create_workflow(srv.port)
    ws = WS(srv.port)
    ws.join(token("alice"))
    ws.send_text('4510-["subscribe",{"workflow_id":"%s","pad":"%s"}]' % (wf, "x" * 900_000))
    start = time.time()
    while time.time() - start < budget:
        t = ws.text(max(0.1, budget - (time.time() - start)))
        if t is None:
            break
    took = time.time() - start
    if took < budget - 0.5:
        return f"900 KB packet announcing 10 attachments, none sent: closed by server after {took:.0f} s"
    return f"900 KB packet announcing 10 attachments, none sent: still open after {budget} s"


ATTACKS = [
    ("since_overflow", "since=INT64_MAX subscribe", attack_since_overflow, 10),
    ("ws_ping_flood", "WebSocket ping flood (empty pings, up to 100 MB), pongs never read", attack_ws_ping_flood, 30),
    ("metrics_pipelined", "pipelined GET /metrics never read", attack_metrics_pipelined, 30),
    ("workflow_reads", "8 unread GET /api/v1/workflows/{id} of an 8 MB workflow (x20 each)", attack_workflow_reads_unread, 25),
    ("long_polls", "3,000 pipelined long-poll GETs, events flowing", attack_pipelined_long_polls, 20),
    ("idle_connections", "silent and dribbling connections (half each)", None, 65),
    ("idle_connections_low_fd", "the same with the server's file limit at 1,024", None, 65),
    ("upgrade_refusals", "WebSocket upgrade without key / version 8", attack_upgrade_refusals, 10),
    ("slow_post", "POST announcing 10 GB, a byte a second", attack_slow_post, 30),
    ("big_headers", "3,000 polling handshakes with 60 KB headers", attack_big_header_handshakes, 60),
    ("attachments_never", "binary packet whose attachments never arrive", attack_attachments_never, 20),
]


def run(binary, label, only, cap_mb, idle_count, log_path, speed):
    results = []
    with open(log_path, "a") as log:
        for key, title, fn, budget in ATTACKS:
            if only and key not in only:
                continue
            budget = max(5, int(budget * speed))
            srv = Server(binary, cap_mb, log, fd_limit=1024 if key == "idle_connections_low_fd" else None)
            try:
                time.sleep(0.5)
                base = srv.rss_mb()
                t0 = time.time()
                try:
                    if key.startswith("idle_connections"):
                        saw = attack_idle_connections(srv, budget, idle_count)
                    else:
                        saw = fn(srv, budget)
                except Exception as e:  # the attacker's own failure is a result too
                    saw = f"attacker error: {e.__class__.__name__}: {e}"
                elapsed = time.time() - t0
                time.sleep(2)
                ok = srv.alive() and health(srv.port, 3)
                if not ok:  # a trapped server spends a few seconds in the backtracer before it exits
                    for _ in range(30):
                        if not srv.alive():
                            break
                        time.sleep(0.5)
                alive = srv.alive()
                row = {"attack": key, "title": title, "rss_start_mb": base, "rss_peak_mb": srv.peak_mb(),
                       "rss_after_mb": srv.rss_mb(), "alive": alive, "health": ok, "capped": srv.over_cap,
                       "attacker_saw": saw, "seconds": round(elapsed, 1)}
            finally:
                code = srv.stop()
            if not row["alive"]:
                row["exit_code"] = code
            results.append(row)
            print(json.dumps(row), flush=True)
    return {"label": label, "binary": binary, "results": results}


def table(before_path, after_path):
    """Two markdown tables: peak RSS and liveness, then what the attacker saw."""
    before = {r["attack"]: r for r in json.load(open(before_path))["results"]}
    after = {r["attack"]: r for r in json.load(open(after_path))["results"]}

    def up(r):
        if r is None:
            return "—"
        if r["health"]:
            return "yes"
        return "**no: exited %s**" % r.get("exit_code") if not r["alive"] else "**no: /health hangs**"

    def rss(r):
        if r is None:
            return "—"
        after_attack = "gone" if r["rss_after_mb"] is None else f"{r['rss_after_mb']:.0f}"
        return f"{r['rss_start_mb']:.0f} → **{r['rss_peak_mb']:.0f}**{' (cap)' if r['capped'] else ''} → {after_attack}"

    def saw(r):
        return "—" if r is None else r["attacker_saw"].replace("|", "/")
    keys = [(k, t) for k, t, _, _ in ATTACKS if k in before or k in after]
    lines = ["| attack | before: RSS MB start → peak → after | before: up | after: RSS MB start → peak → after | after: up |",
             "|---|---|---|---|---|"]
    for k, t in keys:
        lines.append(f"| {t} | {rss(before.get(k))} | {up(before.get(k))} | {rss(after.get(k))} | {up(after.get(k))} |")
    lines += ["", "| attack | before: the attacker saw | after: the attacker saw |", "|---|---|---|"]
    for k, t in keys:
        lines.append(f"| {t} | {saw(before.get(k))} | {saw(after.get(k))} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", help="the stampede executable to attack")
    ap.add_argument("--label", default="run")
    ap.add_argument("--out", help="write the results here (JSON)")
    ap.add_argument("--only", nargs="*", help="attack keys: " + " ".join(k for k, *_ in ATTACKS))
    ap.add_argument("--rss-cap-mb", type=int, default=3000)
    ap.add_argument("--idle-connections", type=int, default=4000)
    ap.add_argument("--speed", type=float, default=1.0, help="scale every attack's time budget")
    ap.add_argument("--log", default="/tmp/stampede-attacks-server.log", help="the servers' stderr")
    ap.add_argument("--table", nargs=2, metavar=("BEFORE_JSON", "AFTER_JSON"), help="print the markdown table")
    args = ap.parse_args()
    if args.table:
        print(table(*args.table))
        return
    if not args.binary:
        ap.error("--binary is required")
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, args.idle_connections + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < args.idle_connections + 256:
        args.idle_connections = max(100, want - 256)
        print(f"file limit {want}: idle connections lowered to {args.idle_connections}", file=sys.stderr)
    out = run(args.binary, args.label, args.only, args.rss_cap_mb, args.idle_connections, args.log, args.speed)
    out["idle_connections"] = args.idle_connections
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
