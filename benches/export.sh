#!/usr/bin/env bash
# Beyond one machine, measured: OTLP export of a large log, merge of many CI
# artifacts, and what on-exit export adds to a run.
#
#   benches/export.sh [SIZE_MIB]     (default 500 MiB, about 1 M runs)
#
# 1. `promptrun export` of SIZE_MIB of generated events to a local OTLP/HTTP receiver
#    (benches/otlp_sink.py: accepts every POST /v1/traces with 200 and counts bytes):
#    wall time, spans per second, peak RSS (/usr/bin/time -v).
# 2. `promptrun merge` of the same log cut into 100 artifacts (plain, as CI uploads
#    them) into one directory: wall time and peak RSS.
# 3. on-exit: `promptrun hello -- true` with export off, on-exit to the local receiver,
#    and on-exit to a closed port, interleaved (hyperfine), medians and the added time
#    over off; both on-exit cases are bounded by the 1 s timeout by design.
# hyperfine comes from apt when missing. Run on an otherwise idle machine for figures
# worth quoting; RUNS (default 200) sets the on-exit runs per command.
set -euo pipefail
SIZE_MIB=${1:-500}
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/target/bench/export"
mkdir -p "$out"
cd "$repo"

if ! command -v hyperfine >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null
fi
cargo build --release --quiet --bin promptrun --example gen_logs
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-$repo/target}/$(rustc -vV | sed -n 's/^host: //p')/release"
PROMPTRUN=$release/promptrun
LOG="$out/events-${SIZE_MIB}m.jsonl"
[ -s "$LOG" ] || $release/examples/gen_logs "$LOG" "$SIZE_MIB" 42

scratch=$(mktemp -d)
sink_pid=
cleanup() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
export XDG_STATE_HOME="$scratch/state" PROMPTRUN_LOG_DIR="$scratch/logs"
unset PROMPTRUN_NO_LOG DO_NOT_TRACK PROMPTRUN_CONFIG OTEL_SDK_DISABLED

python3 "$repo/benches/otlp_sink.py" 0 > "$scratch/sink.port" &
sink_pid=$!
for _ in $(seq 50); do [ -s "$scratch/sink.port" ] && break; sleep 0.1; done
port=$(cat "$scratch/sink.port")
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

runs=$(grep -c '"type":"run_end"' "$LOG")
echo "== input: $(du -h "$LOG" | cut -f1), $runs runs"

echo "== 1. export to a local receiver"
/usr/bin/time -v env PROMPTRUN_OTLP=batch OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port" \
  "$PROMPTRUN" export "$LOG" 2> "$scratch/export.time" > /dev/null
wall=$(grep 'Elapsed (wall clock)' "$scratch/export.time" | awk '{print $NF}')
rss=$(grep 'Maximum resident' "$scratch/export.time" | awk '{print $NF}')
python3 - "$wall" "$rss" "$runs" <<'PY'
import sys
wall, rss, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parts = [float(p) for p in wall.split(":")]
seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
print(f"export: {seconds:.2f} s wall, {runs / seconds:,.0f} spans/s, peak RSS {rss / 1024:.0f} MiB")
PY

echo "== 2. merge of 100 artifacts"
mkdir -p "$scratch/artifacts"
split -n l/100 -d -a 3 --additional-suffix=.jsonl "$LOG" "$scratch/artifacts/job-"
/usr/bin/time -v "$PROMPTRUN" merge "$scratch/artifacts" -o "$scratch/merged" \
  2> "$scratch/merge.time" > /dev/null
echo "merge: $(grep 'Elapsed (wall clock)' "$scratch/merge.time" | awk '{print $NF}') wall, peak RSS $(( $(grep 'Maximum resident' "$scratch/merge.time" | awk '{print $NF}') / 1024 )) MiB, $(ls "$scratch/merged" | wc -l) day files"

echo "== 3. what on-exit adds to a run (hyperfine, interleaved by command order)"
config="$repo/config/router-config.json"
hyperfine -N --warmup 20 --runs "${RUNS:-200}" --export-json "$out/on-exit.json" \
  -n off "$PROMPTRUN --config $config hello -- true" \
  -n on-exit-receiver "env PROMPTRUN_OTLP=on-exit OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$port $PROMPTRUN --config $config hello -- true" \
  -n on-exit-closed-port "env PROMPTRUN_OTLP=on-exit OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port $PROMPTRUN --config $config hello -- true" \
  > /dev/null
python3 - "$out/on-exit.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
off = r["off"]["median"]
for name in ("off", "on-exit-receiver", "on-exit-closed-port"):
    m = r[name]["median"]
    print(f"{name:20} median {m * 1000:7.3f} ms  added {(m - off) * 1000:+7.3f} ms")
PY
