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
#    (bandit) timed alternately in ROUNDS rounds; the median added time of
#    bandit over weighted (target <= 0.1 ms). Each bandit run reads the cache
#    before the command and folds its own two new lines after it.
#
# Uses hyperfine when installed, else a loop timing each run with `date +%s%N`.
# RUNS=N runs per command and round (default 200), ROUNDS=N (default 5);
# BENCH_NO_BUILD=1 uses the release binaries already in target/release.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${1:-500}"
RUNS="${RUNS:-200}"
ROUNDS="${ROUNDS:-5}"
RUNS_COLD="${RUNS_COLD:-3}"
OUT="$PWD/target/bench"
mkdir -p "$OUT"

[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin promptrun --example gen_logs
PROMPTRUN="$PWD/target/release/promptrun"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/logs" "$scratch/work" "$scratch/state"
target/release/examples/gen_logs "$scratch/logs/events-2026-01-01.jsonl" "$SIZE_MIB" 42
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
echo "== warm cache: bandit over weighted, $ROUNDS rounds of $RUNS runs each"
"$PROMPTRUN" bd -- "$TRUE"   # the cache is warm from here on
added=()
for round in $(seq "$ROUNDS"); do
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --shell=none --warmup 20 --runs "$RUNS" --style none \
            --command-name weighted "$PROMPTRUN w -- $TRUE" \
            --command-name bandit "$PROMPTRUN bd -- $TRUE" \
            --export-json "$OUT/routing-warm-$round.json" >/dev/null
        read -r w b < <(python3 -c '
import json, statistics, sys
r = {x["command"]: statistics.median(x["times"]) * 1000 for x in json.load(open(sys.argv[1]))["results"]}
print("%.4f %.4f" % (r["weighted"], r["bandit"]))' "$OUT/routing-warm-$round.json")
    else
        w=$(time_runs "$RUNS" ":" "$PROMPTRUN" w -- "$TRUE" | median_ms)
        b=$(time_runs "$RUNS" ":" "$PROMPTRUN" bd -- "$TRUE" | median_ms)
    fi
    d=$(awk -v w="$w" -v b="$b" 'BEGIN { printf "%.3f", b - w }')
    added+=("$d")
    echo "  round $round: weighted $w ms, bandit $b ms, added $d ms"
done
med=$(printf '%s\n' "${added[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
verdict=$(awk -v m="$med" 'BEGIN { print (m <= 0.1) ? "OK" : "OVER" }')
echo "  median added time of bandit over weighted: $med ms (target <= 0.1 ms) $verdict"
# Wall times on a loaded machine carry scheduler delays; the CPU time each run
# uses (perf's task-clock) does not.
if command -v perf >/dev/null 2>&1 && perf stat -e task-clock true >/dev/null 2>&1; then
    cpu() { perf stat -x, -r "$RUNS" -e task-clock "$PROMPTRUN" "$1" -- "$TRUE" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'; }
    cw=$(cpu w); cb=$(cpu bd)
    echo "  CPU per run (perf task-clock, mean of $RUNS): weighted $cw ms, bandit $cb ms, added $(awk -v w="$cw" -v b="$cb" 'BEGIN { printf "%.3f", b - w }') ms"
fi
ls -l "$CACHE_DIR" | awk 'NR > 1 { print "  cache file: " $NF " " $5 " bytes" }'
