#!/usr/bin/env python3
"""netns-lab's verdict: the merged report of the shards against the single process.

    netns-lab-compare.py OUT_DIR SHARDS SINGLE_EXIT MERGE_EXIT

Prints a markdown summary (per-shard, merged and single p50/p99; merge exactness, i.e. the
merged histogram equals the bucket-by-bucket sum of the shards'), and exits 1 unless the
deliveries and the check observations agree within 1% and every check has the same outcome.
"""
import base64
import json
import sys
from collections import Counter

METRICS = ["connect", "subscribe_ack", "event_delivery"]


def load(path):
    with open(path) as f:
        return json.load(f)


def buckets(hist):
    """hdr-sparse-varint-v1: base64 of LEB128 varints (value delta, count)."""
    data = base64.b64decode(hist["buckets"])
    out, i, value = Counter(), 0, 0

    def varint():
        nonlocal i
        shift, v = 0, 0
        while True:
            b = data[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v

    while i < len(data):
        value += varint()
        out[value] += varint()
    return out


def observations(report):
    return sum(v for k, v in report["counters"].items() if k.startswith("checked."))


def within(a, b, ratio=0.01):
    return abs(a - b) <= ratio * max(a, b, 1)


def main():
    out, shards = sys.argv[1], int(sys.argv[2])
    single_rc, merge_rc = sys.argv[3], sys.argv[4]
    single = load(f"{out}/single/report.json")
    merged = load(f"{out}/merged/report.json")
    parts = [load(f"{out}/shard-{i}/report.json") for i in range(shards)]
    ok = True

    print(f"## netns lab: {shards} shards in {shards} network namespaces vs one process\n")
    print(f"scenario `{merged['scenario_name']}`; single process exit {single_rc}, merge exit {merge_rc}\n")
    print("| run | host | start lag ms | clock offset ms | " + " | ".join(f"{m} p50 / p99 ms" for m in METRICS) + " |")
    print("|---|---|---|---|" + "---|" * len(METRICS))
    rows = [(f"shard {i}/{shards}", p) for i, p in enumerate(parts)] + [("merged", merged), ("single process", single)]
    for name, r in rows:
        shard = r.get("shard") or {}
        lag = shard.get("start_lag_ms")
        offset = shard.get("clock_offset_ms")
        cells = []
        for m in METRICS:
            s = r["metrics"].get(m)
            cells.append(f"{s['p50']:.2f} / {s['p99']:.2f}" if s else "–")
        print(f"| {name} | {r['environment']['host']} | {'' if lag is None else f'{lag:.1f}'} "
              f"| {'' if offset is None else f'{offset:.2f}'} | " + " | ".join(cells) + " |")

    print("\n### merge exactness (merged histogram == sum of the shards' buckets)\n")
    print("| metric | shard samples | merged samples | buckets equal |")
    print("|---|---|---|---|")
    for m in sorted(merged["metrics"]):
        total = Counter()
        for p in parts:
            if m in p["metrics"]:
                total.update(buckets(p["metrics"][m]["histogram"]))
        got = buckets(merged["metrics"][m]["histogram"])
        equal = +total == +got
        ok &= equal
        print(f"| {m} | {sum(total.values())} | {sum(got.values())} | {'yes' if equal else 'NO'} |")

    print("\n### agreement with the single process\n")
    print("| quantity | single | merged | agree |")
    print("|---|---|---|---|")
    for label, a, b in [
        ("deliveries (events_received)", single["counters"].get("events_received", 0), merged["counters"].get("events_received", 0)),
        ("check observations (checked.*)", observations(single), observations(merged)),
        ("sessions started", single["counters"].get("sessions.started", 0), merged["counters"].get("sessions.started", 0)),
    ]:
        agree = within(a, b)
        ok &= agree
        print(f"| {label} | {a} | {b} | {'yes (within 1%)' if agree else 'NO'} |")
    checks_single = {c["name"]: c["passed"] for c in single["checks"]}
    checks_merged = {c["name"]: c["passed"] for c in merged["checks"]}
    for name in sorted(set(checks_single) | set(checks_merged)):
        a, b = checks_single.get(name), checks_merged.get(name)
        ok &= a == b
        fmt = lambda v: "missing" if v is None else ("passed" if v else "FAILED")
        print(f"| check {name} | {fmt(a)} | {fmt(b)} | {'yes' if a == b else 'NO'} |")
    for b in merged["budgets"]:
        actual = "no data" if b.get("actual") is None else f"{b['actual']:.3f}"
        print(f"| budget {b['expression']} (merged) | | {actual} {'passed' if b['passed'] else 'FAILED'} | |")
    print(f"\n**{'AGREE' if ok else 'DISAGREE'}**")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
