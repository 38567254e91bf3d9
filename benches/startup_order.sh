#!/usr/bin/env bash
# Regenerates .cargo/startup-order.txt: the functions `promptrun hello -- true`
# executes, in the order callgrind first meets them, which the linker (lld) places
# together at the start of the code (.cargo/config.toml). A plain run then touches
# a few 64 KiB windows of code instead of dozens, each a page fault.
#
# Run it after a toolchain or dependency update, or a large change to the run
# path: names that no longer exist are skipped by the linker, so a stale list only
# costs speed. The names are the release profile's own symbols (the profile keeps
# its symbol table for this), so the list is made from the release build itself.
#
#   benches/startup_order.sh        (installs valgrind with apt when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi
order=.cargo/startup-order.txt
release="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release"
bin="$release/promptrun"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_STATE_HOME="$scratch/state" PROMPTRUN_LOG_DIR="$scratch/logs"
unset PROMPTRUN_NO_LOG DO_NOT_TRACK PROMPTRUN_CONFIG
run=("$bin" --config config/router-config.json hello -- "$(command -v true)")

faults() {
  # Page faults of one run (the child's included), median of 50.
  for _ in $(seq 50); do
    /usr/bin/time -f '%R' "${run[@]}" 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 25p
}

cargo build --release --quiet --bin promptrun
"${run[@]}" >/dev/null 2>&1 # the state directory and its salt exist before the profiled run
before=$(faults)
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$scratch/cg.out" "${run[@]}" \
  >/dev/null 2>"$scratch/valgrind.log"
# Every function callgrind saw, as caller or callee, first sight first; kept when
# the binary has a code symbol of that name.
grep -E '^c?fn=' "$scratch/cg.out" | sed -E 's/^c?fn=\([0-9]+\) ?//' | grep -v '^$' |
  awk '!seen[$0]++' >"$scratch/seen.txt"
nm "$bin" | awk '$2 ~ /^[tTwWiI]$/ {print $3}' | sort -u >"$scratch/symbols.txt"
grep -Fxf "$scratch/symbols.txt" "$scratch/seen.txt" >"$order.new"
mv "$order.new" "$order"
# The list is not a cargo input: relink by hand.
touch src/main.rs
cargo build --release --quiet --bin promptrun
after=$(faults)
echo "$(wc -l <"$order") functions in $order; page faults per run (GNU time, median of 50): $before before, $after after"
