#!/usr/bin/env bash
# Routing benchmark: what a learning router costs per run, and what rebuilding
# its statistics cache costs, over a log directory of ~1 M events.
#
#   benches/routing.sh [SIZE_MIB]     (default 500: about 1 M events)
#
# 1. Generates SIZE_MIB of events (benches/gen_logs.rs) as one day file of a
#    scratch log directory.
# 2. Cold rebuild: the first `bandit` run with no cache folds the whole log;
#    timed (RUNS_COLD times, the cache removed before each) against
#    `promptrun report --format json` over the same log.
# 3. Warm cache: `promptrun w -- true` (weighted) and `promptrun bd -- true`
#    (bandit) run alternately, each timed; per round the median of the pairs'
#    differences, and the median over ROUNDS rounds (target <= 0.1 ms). Each
#    bandit run reads the cache before the command and folds its new lines
#    after it. Then the CPU time per run of each (perf task-clock), if perf works.
#
# The cold phase uses hyperfine when installed, else a loop timing each run
# with `date +%s%N`. RUNS=N pairs per round (default 200), ROUNDS=N (default 5);
# BENCH_NO_BUILD=1 uses the release binaries already in target/<host>/release.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${1:-500}"
RUNS="${RUNS:-200}"
ROUNDS="${ROUNDS:-5}"
RUNS_COLD="${RUNS_COLD:-3}"
OUT="$PWD/target/bench"
mkdir -p "$OUT"

[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin promptrun --example gen_logs
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release"
PROMPTRUN="$(cd "$release" && pwd)/promptrun"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/logs" "$scratch/work" "$scratch/state"
$release/examples/gen_logs "$scratch/logs/events-2026-01-01.jsonl" "$SIZE_MIB" 42
events=$(wc -l < "$scratch/logs/events-2026-01-01.jsonl")
echo "log: $SIZE_MIB MiB, $events lines"

cd "$scratch/work"
printf 'Answer.\n' > a.md
printf 'Answer, with an example.\n' > b.md
cat > router-config.json <<'JSON'
{"prompts": {
  "w":  {"file": "a.md", "variants": {"a": {}, "b": {"file": "b.md"}}},
  "bd": {"file": "a.md", "variants": {"a": {}, "b": {"file": "b.md"}},
         "selection": {"strategy": "bandit"}}}}
JSON
export XDG_STATE_HOME="$scratch/state" PROMPTRUN_LOG_DIR="$scratch/logs"
unset PROMPTRUN_NO_LOG DO_NOT_TRACK PROMPTRUN_CONFIG
TRUE=$(command -v true)
CACHE_DIR="$scratch/state/promptrun/selection"

median_ms() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.3f", m / 1e6}'; }

# time_runs N PREPARE CMD...: N wall times in ns, one a line.
time_runs() {
    local n=$1 prepare=$2; shift 2
    for _ in $(seq "$n"); do
        eval "$prepare"
        local t0 t1
        t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
        echo $(( t1 - t0 ))
    done
}

echo
echo "== cold rebuild (no cache) vs report, $RUNS_COLD runs each"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --shell=none --runs "$RUNS_COLD" --style basic \
        --prepare "rm -rf $CACHE_DIR" --command-name "bandit run, cold cache" "$PROMPTRUN bd -- $TRUE" \
        --export-json "$OUT/routing-cold.json" >/dev/null
    hyperfine --shell=none --runs "$RUNS_COLD" --style basic \
        --command-name "report --format json" "$PROMPTRUN report --format json" \
        --export-json "$OUT/routing-report.json" >/dev/null
    cold=$(python3 -c 'import json,statistics,sys; print("%.1f" % (statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"])*1000))' "$OUT/routing-cold.json")
    report=$(python3 -c 'import json,statistics,sys; print("%.1f" % (statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"])*1000))' "$OUT/routing-report.json")
else
    cold=$(time_runs "$RUNS_COLD" "rm -rf $CACHE_DIR" "$PROMPTRUN" bd -- "$TRUE" | median_ms)
    report=$(time_runs "$RUNS_COLD" ":" "$PROMPTRUN" report --format json | median_ms)
fi
echo "  bandit run with a cold rebuild: $cold ms (median)"
echo "  promptrun report --format json: $report ms (median)"
/usr/bin/time -f "  cold rebuild peak RSS: %M KiB" sh -c "rm -rf $CACHE_DIR; $PROMPTRUN bd -- $TRUE"

echo
echo "== warm cache: bandit over weighted, $ROUNDS rounds of $RUNS interleaved pairs"
"$PROMPTRUN" bd -- "$TRUE"   # the cache is warm from here on
# Runs of the two commands alternate (the order flipping every pair), each timed
# with bash's $EPOCHREALTIME (no extra process), so load that drifts over
# seconds hits both alike; the added time is the median of the pairs'
# differences.
us() { local t=${1/./}; echo "${t#0}"; }
added=()
for round in $(seq "$ROUNDS"); do
    : > "$OUT/routing-pairs.txt"
    for i in $(seq "$RUNS"); do
        if (( i % 2 )); then order=(w bd); else order=(bd w); fi
        declare -A took=()
        for c in "${order[@]}"; do
            t0=$EPOCHREALTIME; "$PROMPTRUN" "$c" -- "$TRUE" >/dev/null; t1=$EPOCHREALTIME
            took[$c]=$(( $(us "$t1") - $(us "$t0") ))
        done
        echo "${took[w]} ${took[bd]}" >> "$OUT/routing-pairs.txt"
    done
    read -r w b d < <(python3 -c '
import statistics, sys
pairs = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
w = statistics.median(p[0] for p in pairs) / 1000
b = statistics.median(p[1] for p in pairs) / 1000
d = statistics.median(p[1] - p[0] for p in pairs) / 1000
print("%.3f %.3f %.3f" % (w, b, d))' "$OUT/routing-pairs.txt")
    added+=("$d")
    echo "  round $round: weighted $w ms, bandit $b ms (medians), added $d ms (median of pair differences)"
done
med=$(printf '%s\n' "${added[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
verdict=$(awk -v m="$med" 'BEGIN { print (m <= 0.1) ? "OK" : "OVER" }')
echo "  median over rounds of the added time of bandit over weighted: $med ms (target <= 0.1 ms) $verdict"
# Wall times on a loaded machine carry scheduler delays; the CPU time each run
# uses (perf's task-clock) does not.
if command -v perf >/dev/null 2>&1 && perf stat -e task-clock true >/dev/null 2>&1; then
    cpu() { perf stat -x, -r "$RUNS" -e task-clock "$PROMPTRUN" "$1" -- "$TRUE" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'; }
    cw=$(cpu w); cb=$(cpu bd)
    echo "  CPU per run (perf task-clock, mean of $RUNS): weighted $cw ms, bandit $cb ms, added $(awk -v w="$cw" -v b="$cb" 'BEGIN { printf "%.3f", b - w }') ms"
fi
ls -l "$CACHE_DIR" | awk 'NR > 1 { print "  cache file: " $NF " " $5 " bytes" }'
