#!/usr/bin/env bash
# The dashboard benchmark: what rendering the HTML dashboard costs on top of the
# report itself, on the same ~1 GiB generated log as benches/report.sh.
#
#   benches/dashboard.sh [SIZE_MIB]     (default 1024)
#
# Times, in one hyperfine run:
#   report      promptrun report --format json LOG            (one view)
#   dashboard   promptrun dashboard LOG -o page.html          (3 views: window, variants, timeline)
#   report-win  promptrun report --format json --since MID LOG
#   dash-win    promptrun dashboard --since MID LOG -o ...    (4 views: + the previous window)
# MID is the middle of the log's time span, so the previous window is as long as the window.
# Target: dashboard - report <= 0.5 s (and dash-win - report-win <= 0.5 s).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${1:-1024}"
OUT=target/bench
mkdir -p "$OUT"
LOG="$OUT/events-${SIZE_MIB}MiB.jsonl"

if ! command -v hyperfine >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi
cargo build --release --quiet --bin promptrun --example gen_logs
[ -s "$LOG" ] || target/release/examples/gen_logs "$LOG" "$SIZE_MIB" 42
P=target/release/promptrun

MID=$(python3 - "$LOG" <<'PY'
import datetime, json, os, sys
path = sys.argv[1]
def ts_of(line):
    try:
        return datetime.datetime.fromisoformat(json.loads(line)["ts"].replace("Z", "+00:00"))
    except Exception:
        return None
with open(path, "rb") as f:
    first = next(t for t in (ts_of(l) for l in f) if t)
    f.seek(max(0, os.path.getsize(path) - (1 << 16)))
    last = [t for t in (ts_of(l) for l in f.readlines()[1:]) if t][-1]
print((first + (last - first) / 2).strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
)
echo "== input: $(du -hL "$LOG" | cut -f1) $LOG; window split at $MID"
$P dashboard "$LOG" --since "$MID" -o "$OUT/dashboard.html" 2>/dev/null
echo "== page: $(du -h "$OUT/dashboard.html" | cut -f1) $OUT/dashboard.html, $(grep -o '<svg' "$OUT/dashboard.html" | wc -l) charts"

hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/dashboard-hyperfine.json" \
  -n report "$P report --format json $LOG > /dev/null" \
  -n dashboard "$P dashboard $LOG -o $OUT/dash-all.html 2> /dev/null" \
  -n report-win "$P report --format json --since $MID $LOG > /dev/null" \
  -n dash-win "$P dashboard --since $MID $LOG -o $OUT/dash-win.html 2> /dev/null"

python3 - "$OUT/dashboard-hyperfine.json" <<'PY'
import json, sys
m = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
all_extra = m["dashboard"] - m["report"]
win_extra = m["dash-win"] - m["report-win"]
print(f"median: report {m['report']:.3f} s, dashboard {m['dashboard']:.3f} s -> +{all_extra:.3f} s ({m['dashboard'] / m['report']:.2f}x)")
print(f"median: report --since {m['report-win']:.3f} s, dashboard --since {m['dash-win']:.3f} s -> +{win_extra:.3f} s ({m['dash-win'] / m['report-win']:.2f}x)")
print("target (dashboard at most 0.5 s on top of the report):", "MET" if max(all_extra, win_extra) <= 0.5 else "NOT MET")
PY
