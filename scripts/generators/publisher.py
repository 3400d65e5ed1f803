"""The offered load of scripts/compare-generators.sh, apart from both generators so neither is
charged for it: RATE events/s per workflow (one event per POST, `sent_at_us` in each), for
SECONDS, over keep-alive connections. Prints one JSON line: requests sent, refused, seconds.
    publisher.py URL SECRET WORKFLOWS_JSON RATE SECONDS"""
import http.client, json, os, sys, threading, time, urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # scripts/hs256.py
from hs256 import mint

url, secret, workflows_file, rate, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
ids = json.load(open(workflows_file))["workflow_ids"]
token = mint(secret, "publisher", role="service")
target = urllib.parse.urlsplit(url)
THREADS = 4
sent = [0] * THREADS
refused = [0] * THREADS
start = time.monotonic() + 0.2


def publish(slot: int) -> None:
    mine = ids[slot::THREADS]
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    interval = 1.0 / rate
    tick = 0
    while True:
        due = start + tick * interval
        if due - start >= seconds:
            break
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for wf in mine:
            body = json.dumps({"type": "tool_update", "tool": "bench", "status": "executing",
                               "sent_at_us": int(time.time() * 1_000_000), "pad": "x" * 120})
            try:
                conn.request("POST", f"/api/v1/workflows/{wf}/events", body,
                             {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 201:
                    sent[slot] += 1
                else:
                    refused[slot] += 1
            except OSError:
                refused[slot] += 1
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        tick += 1


threads = [threading.Thread(target=publish, args=(i,)) for i in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"published": sum(sent), "refused": sum(refused), "seconds": time.monotonic() - start}))
