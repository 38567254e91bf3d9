#!/usr/bin/env bash
# A team's year of logs: one large generated log (default 10 GiB, PROMPTS=4000
# prompts, a `ticket` tag with TICKETS=40000 values), reported by prompt and by
# tag:ticket. Prints wall time, CPU time and peak RSS of each report.
# Targets (2 cores): each report under 10 s and under 1 GiB.
#
# LAYOUT picks the generator's layout: `lean` (default: short lines as a `jq`
# pipeline keeps them: 10.4 GiB and 19 M runs at 10240, the issue's "~20 M runs"),
# `own` (promptrun's own lines, about 8.6 M runs in 10 GiB) or `other`.
#
#   benches/team_year.sh [SIZE_MIB]     (default 10240; needs SIZE_MIB of free disk
#                                        under target/bench, and the time to write it)
#
# The log is generated once and kept (target/bench/team-year-<SIZE>MiB.jsonl);
# delete it afterwards. RUNS=N times each report N times (default 3) and prints the
# median. Installs GNU time (apt) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${1:-10240}"
PROMPTS="${PROMPTS:-4000}"
TICKETS="${TICKETS:-40000}"
RUNS="${RUNS:-3}"
LAYOUT="${LAYOUT:-lean}"
OUT=target/bench
mkdir -p "$OUT"
LOG="$OUT/team-year-${SIZE_MIB}MiB-p${PROMPTS}-t${TICKETS}-${LAYOUT}.jsonl"
# gen_logs sizes a log by its events as promptrun writes them; lean lines are
# about 0.45 of that, so asking for 2.2 times as much gives about SIZE_MIB.
case "$LAYOUT" in
  own) GEN_MIB="$SIZE_MIB" ;;
  other) GEN_MIB=$((SIZE_MIB * 11 / 10)) ;;
  lean) GEN_MIB=$((SIZE_MIB * 22 / 10)) ;;
  *) echo "LAYOUT must be own, other or lean" >&2; exit 2 ;;
esac

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
cargo build --release --quiet --bin promptrun --example gen_logs
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release"
# Cargo puts the binaries under CARGO_TARGET_DIR when it is set.
BIN="$release"
PROMPTRUN="$BIN/promptrun"
if [ ! -s "$LOG" ]; then
  echo "== generating about $SIZE_MIB MiB, $LAYOUT layout ($PROMPTS prompts, $TICKETS tickets) into $LOG" >&2
  "$BIN/examples/gen_logs" "$LOG" "$GEN_MIB" 7 --prompts "$PROMPTS" --tickets "$TICKETS" --layout "$LAYOUT"
fi
echo "== input: $(du -h "$LOG" | cut -f1), $(wc -l <"$LOG") lines; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

for by in prompt tag:ticket; do
  walls=()
  for _ in $(seq "$RUNS"); do
    # GNU time: wall seconds, user+sys seconds, peak RSS in KiB.
    stats=$(/usr/bin/time -f '%e %U %S %M' "$PROMPTRUN" report --format json --group-by "$by" "$LOG" 2>&1 >"$OUT/team-year-$by.json" | tail -1)
    read -r wall user sys rss <<<"$stats"
    walls+=("$wall")
    echo "  --group-by $by: ${wall} s wall, $(echo "$user + $sys" | bc) s CPU, $((rss / 1024)) MiB peak RSS"
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  groups=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["groups"]), "groups,", r["totals"]["runs"], "runs,", r["inputs"]["lines"], "lines")' "$OUT/team-year-$by.json")
  echo "--group-by $by: median ${median} s over $RUNS runs ($groups); targets: < 10 s, < 1 GiB"
done
# Another job on the cores shows in the wall times: the load after the runs too.
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
