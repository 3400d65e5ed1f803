#!/usr/bin/env bash
# Creates (once) the virtual environment the interop tests run in and installs
# interop/requirements.txt into it. Idempotent: a second run only checks that the
# pins are satisfied. Prints the venv path on stdout, nothing else.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${STAMPEDE_INTEROP_VENV:-$root/.venv-interop}"
requirements="$root/interop/requirements.txt"
stamp="$venv/.requirements.sha256"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2
fi
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    echo "$want" > "$stamp"
fi
echo "$venv"
