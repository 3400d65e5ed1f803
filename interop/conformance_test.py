"""`stampede conformance` against the python-socketio implementation in
interop/server: it must pass every contract check its design allows, and
fail exactly the wire checks DIVERGENCES.md documents — no more (a
regression), no fewer (the list would be lying).

Uses STAMPEDE_BIN, else .build/release/stampede, else .build/debug/stampede.
"""
import os
import re
import subprocess
import sys
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECRET = "interop-conformance-secret"


def stampede_binary():
    for candidate in (os.environ.get("STAMPEDE_BIN"), ROOT / ".build/release/stampede", ROOT / ".build/debug/stampede"):
        if candidate and pathlib.Path(candidate).exists():
            return str(candidate)
    pytest.skip("no stampede binary built")


def documented_failures():
    """The check names in the `expected-failures` block of DIVERGENCES.md."""
    text = (ROOT / "interop/DIVERGENCES.md").read_text()
    block = re.search(r"<!-- expected-failures -->(.*?)<!-- /expected-failures -->", text, re.S)
    assert block, "DIVERGENCES.md lost its expected-failures block"
    return set(re.findall(r"`([a-z_]+\.[a-z0-9_.]+)`", block.group(1)))


@pytest.fixture(scope="module")
def python_server():
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "interop/server/server.py"), "--port", "0", "--jwt-secret", SECRET,
         "--ping-interval", "1000", "--ping-timeout", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on "), line
    yield line.removeprefix("listening on ")
    proc.terminate()
    proc.wait(timeout=10)


def test_conformance_against_python_socketio(python_server):
    run = subprocess.run([stampede_binary(), "conformance", "--target", python_server, "--jwt-secret", SECRET],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    lines = run.stdout.splitlines()
    results = {m.group(2): m.group(1) for m in (re.match(r"(PASS|FAIL|WARN|SKIP) ([^:\s]+)", l) for l in lines) if m}
    assert len(results) > 50, run.stdout + run.stderr
    failed = {name for name, verdict in results.items() if verdict == "FAIL"}
    contract_failures = {n for n in failed if n.startswith("contract.") or n.startswith("auth.")}
    assert not contract_failures, "contract checks its design allows must pass:\n" + "\n".join(
        l for l in lines if l.startswith("FAIL"))
    assert failed == documented_failures(), (
        f"undocumented failures: {sorted(failed - documented_failures())}; "
        f"documented but passing: {sorted(documented_failures() - failed)}")
    # Connection state recovery is a SHOULD python-socketio lacks: it warns.
    assert results.get("contract.connection-state-recovery.recovery") == "WARN", lines
