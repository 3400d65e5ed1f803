#!/usr/bin/env python3
"""Cluster publish throughput: 8 publishers (keep-alive HTTP, one thread
each) spread over the given nodes, each POSTing to random workflows for a
fixed time. Prints one JSON line: events/s acknowledged (201) and request
latency p50/p99. Used by scripts/bench-cluster-publish.sh."""
import base64, hashlib, hmac, http.client, json, random, sys, threading, time, urllib.parse

def token(secret, user, role=None):
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    now = int(time.time())
    claims = {"sub": user, "iat": now, "exp": now + 3600}
    if role: claims["role"] = role
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + enc(json.dumps(claims).encode())
    return head + "." + enc(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())

def main():
    secret, seconds, per_request, workflows = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    nodes = [urllib.parse.urlparse(u) for u in sys.argv[5:]]
    conn = lambda n: http.client.HTTPConnection(n.hostname, n.port, timeout=10)
    ids = []
    for i in range(workflows):
        c = conn(nodes[i % len(nodes)])
        c.request("POST", "/api/v1/workflows", body='{"type":"external"}',
                  headers={"Authorization": "Bearer " + token(secret, "bench%d" % i), "Content-Type": "application/json"})
        r = c.getresponse(); body = r.read()
        if r.status != 202: sys.exit("create failed: %d %s" % (r.status, body))
        ids.append(json.loads(body)["workflow_id"]); c.close()
    svc = "Bearer " + token(secret, "svc", "service")
    body = "[" + ",".join(['{"type":"node_update","node":"n","status":"executing"}'] * per_request) + "]"
    acked, latencies, errors, lock = [0], [], [0], threading.Lock()
    deadline = time.monotonic() + seconds
    def publisher(k):
        c, mine, errs, n = conn(nodes[k % len(nodes)]), [], 0, 0
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            c.request("POST", "/api/v1/workflows/%s/events" % random.choice(ids), body=body,
                      headers={"Authorization": svc, "Content-Type": "application/json"})
            r = c.getresponse(); r.read()
            if r.status == 201: n += per_request; mine.append(time.monotonic() - t0)
            else: errs += 1
        with lock:
            acked[0] += n; latencies.extend(mine); errors[0] += errs
    threads = [threading.Thread(target=publisher, args=(k,)) for k in range(8)]
    start = time.monotonic()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - start
    latencies.sort()
    q = lambda p: round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else None
    print(json.dumps({"events_per_s": round(acked[0] / elapsed), "requests": len(latencies), "errors": errors[0],
                      "p50_ms": q(0.5), "p99_ms": q(0.99), "seconds": round(elapsed, 1)}))

main()
