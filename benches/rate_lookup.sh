#!/usr/bin/env bash
# How fast `promptrun rate` finds a run in a large log directory.
#
# A UUID v7 run id starts with its creation time, so `rate <id or prefix>` reads
# only the day files that can hold the run. This measures, in one hyperfine run:
#   - `rate last`          the floor: the run comes from the last-run state file
#   - `rate <12-hex prefix>` in DAYS day files (narrowed to two of them)
#   - the same prefix when every event sits in one merged file (a full scan)
#   - `rate --pending`     this user's unrated runs of the last 7 days
#
# Usage: benches/rate_lookup.sh [DAYS] [RUNS_PER_DAY]   (defaults 30, 4000)
set -euo pipefail

days=${1:-30}
runs=${2:-4000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v hyperfine >/dev/null; then
    sudo apt-get update && sudo apt-get install -y hyperfine
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-$root/target}/$(rustc -vV | sed -n 's/^host: //p')/release"
bin="$release/promptrun"

export HOME="$work/home" XDG_STATE_HOME="$work/state" USER=bench PROMPTRUN_LOG_DIR="$work/days"
mkdir -p "$HOME" "$work/days" "$work/merged"
cd "$work" # no router-config.json above: ad hoc runs

# One real run, so the salt (and this user's hash) and last-run exist.
"$bin" bench -- true
user=$(grep -o '"user":"[0-9a-f]*"' "$work"/days/*.jsonl | head -1 | cut -d'"' -f4)
rm "$work"/days/*.jsonl

python3 - "$work/days" "$days" "$runs" "$user" <<'PY'
import datetime, os, random, sys
out, days, runs, user = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sha = "a" * 64
today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
for back in range(days):
    day = today - datetime.timedelta(days=back)
    lines = []
    for i in range(runs):
        ms = int(day.timestamp() * 1000) + i * (86_400_000 // runs)
        h = f"{ms:012x}{random.getrandbits(80):020x}"
        run_id = f"{h[:8]}-{h[8:12]}-7{h[13:16]}-{'89ab'[random.getrandbits(2)]}{h[17:20]}-{h[20:32]}"
        ts = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        common = f'"v":1,"ts":"{ts}","run_id":"{run_id}","prompt":"p{i % 7}","variant":null,"prompt_sha256":"{sha}","user":"{user}","host":"{sha}","tags":{{}}'
        lines.append(f'{{"type":"run_start",{common},"requested":"p","resolution":"name","prompt_file":null,"command":"llm"}}\n')
        lines.append(f'{{"type":"run_end",{common},"duration_ms":812.5,"status":"ok","exit_code":0,"signal":null,"metrics":{{}},"feedback_asked":false,"resolution":"name","command":"llm"}}\n')
    with open(os.path.join(out, f"events-{day:%Y-%m-%d}.jsonl"), "w") as f:
        f.writelines(lines)
PY
cat "$work"/days/events-*.jsonl > "$work/merged/events-merged.jsonl"

# A run from the middle of the period, by a 12-hex-digit prefix (its creation millisecond).
target=$(sed -n 1p "$(ls "$work"/days/events-*.jsonl | sed -n "$((days / 2))p")" | grep -o '"run_id":"[^"]*"' | cut -d'"' -f4)
prefix=${target:0:13}
"$bin" rate "$prefix" 5 >/dev/null

echo "$(ls "$work/days" | wc -l) day files, $(cat "$work"/days/*.jsonl | wc -l) lines, $(du -sh "$work/days" | cut -f1); prefix $prefix"
hyperfine --warmup 3 --min-runs 20 -N --export-json "$work/results.json" \
    -n "rate last" "$bin rate last 5" \
    -n "rate <prefix>, day files" "$bin rate $prefix 5" \
    -n "rate <prefix>, one merged file" "$bin rate --log-dir $work/merged $prefix 5" \
    -n "rate --pending (no terminal)" "$bin rate --pending"

python3 - "$work/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["median"]
print("\nmedians:")
for r in results:
    print(f"  {r['command']:<32} {r['median'] * 1000:8.2f} ms  ({r['median'] / floor:5.1f}x rate last)")
PY
