#!/usr/bin/env bash
# Renders a report.html in headless Chromium, keeps a screenshot, prints it to PDF, and fails when
# the page logged anything to the console (script errors, CSP refusals) or when
# a chart in the file did not make it into the rendered DOM.
#
# Usage: scripts/render-check.sh REPORT_HTML OUT_PNG
# Env:   CHROMIUM=/path/to/chromium (default: chromium, chromium-browser or google-chrome on PATH)
# Exit:  0 ok, 1 the page failed a check, 2 usage or no browser.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 REPORT_HTML OUT_PNG" >&2
  exit 2
fi
html=$1
png=$2
[[ -f $html ]] || { echo "render-check: no such file: $html" >&2; exit 2; }

browser=${CHROMIUM:-}
if [[ -z $browser ]]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
  done
fi
[[ -n $browser ]] || { echo "render-check: chromium not found on PATH" >&2; exit 2; }

url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-extensions
       --hide-scrollbars --user-data-dir="$work/profile" --virtual-time-budget=3000)

# 1. The DOM after the page's script ran, and everything it logged.
timeout 60 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "$url" \
  >"$work/dom.html" 2>"$work/browser.log" || { echo "render-check: chromium failed (--dump-dom)" >&2; cat "$work/browser.log" >&2; exit 1; }

# 2. The screenshot CI keeps: tall enough for the tables and the first charts.
mkdir -p "$(dirname "$png")"
timeout 60 "$browser" "${flags[@]}" --window-size=1280,6000 --screenshot="$png" "$url" \
  >"$work/shot.log" 2>&1 || { echo "render-check: chromium failed (--screenshot)" >&2; cat "$work/shot.log" >&2; exit 1; }

# 3. The page must also print (the report is attached to reviews as PDF).
timeout 60 "$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$work/report.pdf" "$url" \
  >"$work/pdf.log" 2>&1 || { echo "render-check: chromium failed (--print-to-pdf)" >&2; cat "$work/pdf.log" >&2; exit 1; }

status=0
if [[ $(head -c 5 "$work/report.pdf" 2>/dev/null) != "%PDF-" ]]; then
  echo "render-check: printing to PDF produced no PDF" >&2
  status=1
fi
# The report page never writes to the console, so any console line is a fault.
if grep -E ':CONSOLE[(:]' "$work/browser.log" >"$work/console.txt"; then
  echo "render-check: console messages:" >&2
  cat "$work/console.txt" >&2
  status=1
fi

expected=$(grep -o 'class="chart" data-chart="[^"]*"' "$html" | sed 's/.*data-chart="\([^"]*\)"/\1/' | sort)
rendered_count=$(grep -o 'data-rendered="[0-9]*"' "$work/dom.html" | grep -o '[0-9]*' || true)
rendered=$(grep -o 'data-charts="[^"]*"' "$work/dom.html" | sed 's/data-charts="\(.*\)"/\1/' | tr ' ' '\n' | sed '/^$/d' | sort || true)
if [[ -z $rendered_count ]]; then
  echo "render-check: the page's script did not run (no data-rendered on <body>)" >&2
  status=1
elif [[ $rendered != "$expected" ]]; then
  echo "render-check: charts in the file and in the rendered page differ" >&2
  diff <(echo "$expected") <(echo "$rendered") >&2 || true
  status=1
elif [[ -z $expected ]]; then
  echo "render-check: the page has no charts" >&2
  status=1
fi

if [[ ! -s $png ]] || [[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') != "89504e470d0a1a0a" ]]; then
  echo "render-check: no PNG screenshot at $png" >&2
  status=1
fi

if [[ $status -eq 0 ]]; then
  echo "render-check: ok — $rendered_count charts rendered, no console messages, printable, screenshot $png"
fi
exit $status
