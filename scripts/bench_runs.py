"""What the benchmark scripts' report steps share: the runs a script recorded, and each
process's /proc samples (`sample_rss` in bench-lib.sh writes "epoch kb ticks fds" twice a
second). Imported by the python steps of bench-floor-ratio.sh and bench-connects.sh."""
import json
import os
from datetime import datetime

TCK = os.sysconf("SC_CLK_TCK")


def epoch(iso):
    """A report's ISO-8601 time as seconds since the epoch."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def runs(out):
    """(name, binary, directory, report.json, extra fields) for each line of OUT/runs.txt."""
    for line in open(f"{out}/runs.txt"):
        name, binary, *extra = line.split()
        d = f"{out}/{name}"
        yield name, binary, d, json.load(open(f"{d}/report.json")), extra


def samples(path, start=float("-inf"), end=float("inf")):
    """(epoch, kb, ticks) rows of a sample file between START and END."""
    rows = [l.split() for l in open(path)]
    return [(float(r[0]), int(r[1]), int(r[2])) for r in rows if len(r) > 2 and start <= float(r[0]) <= end]


def cpu_us(rows):
    """The process's CPU (user + system) from the first row to the last, in µs."""
    return (rows[-1][2] - rows[0][2]) / TCK * 1e6 if len(rows) > 1 else 0.0
