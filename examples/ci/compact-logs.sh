#!/bin/sh
# Keeps the cached logs from growing: folds everything below LOG_DIR (the restored
# cache, this job's runs, downloaded artifacts, .jsonl.gz) into one file per UTC day,
# each event once, and drops the events older than PROMPTRUN_KEEP (default 30d: the
# check compares the window with the one before, 2 x 7d by default).
# Usage: examples/ci/compact-logs.sh [LOG_DIR]        (default: promptrun-logs)
set -eu
log_dir=${1:-promptrun-logs}
keep=${PROMPTRUN_KEEP:-30d}
[ -d "$log_dir" ] || exit 0
merged="$log_dir.compact.$$"
rm -rf "$merged"
promptrun merge "$log_dir" -o "$merged"
promptrun purge --log-dir "$merged" --before "$keep" > /dev/null
rm -rf "$log_dir"
mv "$merged" "$log_dir"
