#!/usr/bin/env bash
# The report benchmark: `promptrun report --format json` against DuckDB computing
# the same per-prompt aggregates on the same ~1 GiB generated log, in one run.
# Prints the medians, the ratio and the peak RSS of both.
#
# Also times promptrun's general parser, which logs from other writers take: on
# the same events written in another layout (`gen_logs --layout other`: keys in
# another order, unread fields left out, `1` for `1.0`), on a lean layout with
# half-length lines (`gen_logs --layout lean`: also without user, host, command
# and prompt hash, about 4 M lines per GiB, generated at twice SIZE_MIB so that
# the file is about SIZE_MIB), each against DuckDB reading that same file, and on
# promptrun's own log with the fast path switched off (PROMPTRUN_NO_FAST_PARSE=1).
#
#   benches/report.sh [SIZE_MIB]     (default 1024)
#
# Installs hyperfine and GNU time (apt) and DuckDB (pip, in a virtualenv under
# target/) when missing. Needs about 4 GiB of free disk under target/.
# RUNS=N sets hyperfine's runs (default 5). On a shared machine, run it when the
# machine is otherwise idle: both tools use every core.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${1:-1024}"
OUT=target/bench
mkdir -p "$OUT"
LOG="$OUT/events-${SIZE_MIB}MiB.jsonl"
LOG_OTHER="$OUT/events-${SIZE_MIB}MiB-other-layout.jsonl"
LOG_LEAN="$OUT/events-${SIZE_MIB}MiB-lean-layout.jsonl"

need_apt() {
  if ! command -v "$1" >/dev/null 2>&1; then
    [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
need_apt hyperfine hyperfine
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
VENV=target/duckdb-venv
if ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
  need_apt python3 python3
  python3 -m venv "$VENV" 2>/dev/null || { need_apt never-there python3-venv; python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install -q duckdb
fi

cargo build --release --quiet --bin promptrun --example gen_logs
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release"
[ -s "$LOG" ] || $release/examples/gen_logs "$LOG" "$SIZE_MIB" 42
[ -s "$LOG_OTHER" ] || $release/examples/gen_logs "$LOG_OTHER" "$SIZE_MIB" 42 --layout other
[ -s "$LOG_LEAN" ] || $release/examples/gen_logs "$LOG_LEAN" "$((SIZE_MIB * 2))" 42 --layout lean
PROMPTRUN=$release/promptrun

# The same aggregates per prompt and variant: runs (deduplicated by run_id), ok,
# duration mean/p50/p90/p95/p99/max/total, and the latest rating per run.
cat > "$OUT/duckdb_report.py" <<'PY'
import sys, duckdb
path = sys.argv[1]
con = duckdb.connect()
rows = con.sql(f"""
WITH ev AS (
  SELECT * FROM read_json('{path}', format = 'newline_delimited', ignore_errors = true,
    columns = {{v: 'INTEGER', type: 'VARCHAR', ts: 'VARCHAR', run_id: 'VARCHAR', prompt: 'VARCHAR',
               variant: 'VARCHAR', duration_ms: 'DOUBLE', status: 'VARCHAR', rating: 'INTEGER'}})
  WHERE v = 1
),
ends AS (SELECT DISTINCT ON (run_id) * FROM ev WHERE type = 'run_end'),
rated AS (SELECT run_id, arg_max(rating, ts) AS rating FROM ev WHERE type = 'feedback' GROUP BY run_id)
SELECT e.prompt, e.variant, count(*) AS runs, count(*) FILTER (WHERE status = 'ok') AS ok,
  avg(duration_ms) AS mean, quantile_cont(duration_ms, [0.5, 0.9, 0.95, 0.99]) AS pcts,
  max(duration_ms) AS max, sum(duration_ms) AS total, count(r.rating) AS ratings, avg(r.rating) AS rating
FROM ends e LEFT JOIN rated r USING (run_id)
GROUP BY ALL ORDER BY runs DESC
""").fetchall()
print(len(rows), "groups; top:", rows[0][:6])
PY

echo "== input: $(du -h "$LOG" | cut -f1) $LOG; other layout: $(du -h "$LOG_OTHER" | cut -f1)"
echo "== one run each, for a look at the outputs (the two layouts hold the same events)"
summary='import json,sys; r=json.load(sys.stdin); g=r["groups"][0]; print(sys.argv[1], len(r["groups"]), "groups; inputs", r["inputs"]["lines"], "lines", r["inputs"]["skipped"], "skipped; top:", g["prompt"], g["variant"], g["runs"], g["ok"], round(g["duration_ms"]["mean"],3), g["duration_ms"]["p95"])'
$PROMPTRUN report --format json "$LOG" 2>/dev/null | python3 -c "$summary" "promptrun:"
$PROMPTRUN report --format json "$LOG_OTHER" 2>/dev/null | python3 -c "$summary" "promptrun, other layout:"
"$VENV/bin/python" "$OUT/duckdb_report.py" "$LOG"

echo "== wall time (hyperfine)"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/report-hyperfine.json" \
  -n promptrun "$PROMPTRUN report --format json $LOG > /dev/null" \
  -n promptrun-other-layout "$PROMPTRUN report --format json $LOG_OTHER > /dev/null" \
  -n promptrun-no-fast-parse "PROMPTRUN_NO_FAST_PARSE=1 $PROMPTRUN report --format json $LOG > /dev/null" \
  -n duckdb "$VENV/bin/python $OUT/duckdb_report.py $LOG > /dev/null"

echo "== other writers' layouts, each file read by both (hyperfine)"
echo "   other layout: $(du -h "$LOG_OTHER" | cut -f1), $(wc -l <"$LOG_OTHER") lines; lean: $(du -h "$LOG_LEAN" | cut -f1), $(wc -l <"$LOG_LEAN") lines"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/layouts-hyperfine.json" \
  -n promptrun-other "$PROMPTRUN report --format json $LOG_OTHER > /dev/null" \
  -n duckdb-other "$VENV/bin/python $OUT/duckdb_report.py $LOG_OTHER > /dev/null" \
  -n promptrun-lean "$PROMPTRUN report --format json $LOG_LEAN > /dev/null" \
  -n duckdb-lean "$VENV/bin/python $OUT/duckdb_report.py $LOG_LEAN > /dev/null"
python3 - "$OUT/layouts-hyperfine.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
for layout in ("other", "lean"):
    p, d = results[f"promptrun-{layout}"]["median"], results[f"duckdb-{layout}"]["median"]
    print(f"{layout} layout: promptrun {p:.3f} s, duckdb {d:.3f} s -> {d / p:.2f}x faster",
          "(target >= 2x:", "MET)" if d / p >= 2 else "NOT MET)")
PY

echo "== compare against report: one engine pass each (hyperfine)"
# compare groups by prompt, variant and version in a single view and then runs the
# verdicts on the groups, so it must not take longer than report over the same log.
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/compare-hyperfine.json" \
  -n report "$PROMPTRUN report --format json $LOG > /dev/null" \
  -n compare "$PROMPTRUN compare --format json $LOG > /dev/null"
python3 - "$OUT/compare-hyperfine.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
r, c = results["report"]["median"], results["compare"]["median"]
print(f"median wall time: report {r:.3f} s, compare {c:.3f} s -> compare/report = {c / r:.2f}",
      "(target <= 1.00 within noise:", "MET)" if c <= r * 1.05 else "NOT MET)")
PY

peak_rss_kib() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}
echo "== peak RSS (GNU time -v)"
RSS_P=$(peak_rss_kib "$PROMPTRUN" report --format json "$LOG")
RSS_D=$(peak_rss_kib "$VENV/bin/python" "$OUT/duckdb_report.py" "$LOG")
python3 - "$OUT/report-hyperfine.json" "$RSS_P" "$RSS_D" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
p, d = results["promptrun"]["median"], results["duckdb"]["median"]
rss_p, rss_d = int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024
print(f"median wall time: promptrun {p:.3f} s, duckdb {d:.3f} s -> promptrun is {d / p:.2f}x faster")
pm, dm = results["promptrun"]["min"], results["duckdb"]["min"]
print(f"fastest run: promptrun {pm:.3f} s, duckdb {dm:.3f} s -> {dm / pm:.2f}x")
cpu = {k: r["user"] + r["system"] for k, r in results.items()}
print(f"mean CPU time (user+sys): promptrun {cpu['promptrun']:.3f} s, duckdb {cpu['duckdb']:.3f} s")
for name in ("promptrun-other-layout", "promptrun-no-fast-parse"):
    m = results[name]["median"]
    print(f"general parser, {name[10:]}: median {m:.3f} s, {m / p:.2f}x promptrun's own layout, {d / m:.2f}x faster than duckdb")
print(f"peak RSS: promptrun {rss_p:.1f} MiB, duckdb {rss_d:.1f} MiB -> {rss_p / rss_d:.2f} of DuckDB's")
print("targets (>= 2x faster, < 128 MiB, < 1/4 of DuckDB):",
      "MET" if d / p >= 2 and rss_p < 128 and rss_p < rss_d / 4 else "NOT MET")
PY
