#!/usr/bin/env python3
"""Samples processes' RSS, CPU and open files twice a second, in one process that stays
asleep between samples. The benchmarks used to fork `awk`, `ls | wc` and `date` for every
sample (and `pgrep` for the broadcast's workers): with 10,000 descriptors, `ls` alone took
~20 ms of a core each time, which landed inside the bursts being measured (docs/BENCHMARKS.md §20).

  proc_sample.py FILE PID                  lines "epoch_seconds kb ticks fds" until PID exits
  proc_sample.py --sum FILE PARENT PATTERN lines "epoch_seconds total_kb" over the processes
                                           whose command line holds PATTERN, while PARENT lives
"""
import os
import sys
import time


def status_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
    except (OSError, IndexError, ValueError):
        return None


def fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def alive(pid):
    return os.path.exists(f"/proc/{pid}")


def matching(pattern):
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{name}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if pattern in cmd and comm != "timeout" and int(name) != os.getpid():
            found.append(int(name))
    return found


def sample_one(path, pid):
    with open(path, "w", buffering=1) as out:
        while alive(pid):
            kb, t, n = status_kb(pid), ticks(pid), fds(pid)
            if kb is not None:
                out.write(f"{time.time():.6f} {kb} {t} {n}\n")
            time.sleep(0.5)


def sample_sum(path, parent, pattern):
    pids, found_at = [], 0.0
    with open(path, "w", buffering=1) as out:
        while alive(parent):
            now = time.time()
            if now - found_at > 5:  # workers start once; look again every 5 s, not per sample
                pids, found_at = matching(pattern), now
            total = sum(status_kb(p) or 0 for p in pids)
            out.write(f"{now:.6f} {total}\n")
            time.sleep(0.5)


if __name__ == "__main__":
    if sys.argv[1] == "--sum":
        sample_sum(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sample_one(sys.argv[1], int(sys.argv[2]))
