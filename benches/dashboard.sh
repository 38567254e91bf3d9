#!/usr/bin/env bash
# The dashboard benchmark: what rendering the HTML dashboard costs on top of the
# report itself, on the same ~1 GiB generated log as benches/report.sh.
#
#   benches/dashboard.sh [SIZE_MIB]     (default 1024)
#
# Times, in one run (alternating, medians of wall and CPU time):
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

cargo build --release --quiet --bin promptrun --example gen_logs
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release"
[ -s "$LOG" ] || $release/examples/gen_logs "$LOG" "$SIZE_MIB" 42
P=$release/promptrun

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

# Alternating runs (report, dashboard, report, dashboard, ...) so that load from
# other processes hits both sides alike; medians of wall time and of CPU time.
python3 - "$P" "$LOG" "$MID" "$OUT" "${RUNS:-9}" <<'PY'
import resource, statistics, subprocess, sys, time
p, log, mid, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
commands = {
    "report": [p, "report", "--format", "json", log],
    "dashboard": [p, "dashboard", log, "-o", f"{out}/dash-all.html"],
    "report-win": [p, "report", "--format", "json", "--since", mid, log],
    "dash-win": [p, "dashboard", "--since", mid, log, "-o", f"{out}/dash-win.html"],
}
def once(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
for argv in commands.values():
    once(argv)  # warm the page cache
wall = {name: [] for name in commands}
cpu = {name: [] for name in commands}
for _ in range(runs):
    for name, argv in commands.items():
        w, c = once(argv)
        wall[name].append(w)
        cpu[name].append(c)
med = {name: statistics.median(v) for name, v in wall.items()}
cmed = {name: statistics.median(v) for name, v in cpu.items()}
for name in commands:
    print(f"{name:11} median wall {med[name]:.3f} s (min {min(wall[name]):.3f}), median CPU {cmed[name]:.3f} s")
extra_all = med["dashboard"] - med["report"]
extra_win = med["dash-win"] - med["report-win"]
print(f"dashboard on top of the report: +{extra_all:.3f} s wall ({med['dashboard'] / med['report']:.2f}x), "
      f"+{cmed['dashboard'] - cmed['report']:.3f} s CPU; with --since: +{extra_win:.3f} s wall "
      f"({med['dash-win'] / med['report-win']:.2f}x), +{cmed['dash-win'] - cmed['report-win']:.3f} s CPU")
print("target (dashboard at most 0.5 s on top of the report):", "MET" if max(extra_all, extra_win) <= 0.5 else "NOT MET")
PY
