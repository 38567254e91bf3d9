#!/bin/sh
# Turns the JSONL logs into the CI outputs, then fails the job on an alert breach.
# Usage: examples/ci/report.sh [LOG_DIR] [OUT_DIR]   (defaults: promptrun-logs, promptrun-report)
#
# Writes OUT_DIR/report.md (also appended to $GITHUB_STEP_SUMMARY when set),
# OUT_DIR/dashboard.html, OUT_DIR/breaches.json and OUT_DIR/check.md, then exits with the status of
# `promptrun report --check`: 0 no breach, 1 breach, 5 the alerts command failed,
# 2/3/4 a usage, input or I/O error. PROMPTRUN_WINDOW sets the window (default 7d).
set -u
log_dir=${1:-promptrun-logs}
out_dir=${2:-promptrun-report}
window=${PROMPTRUN_WINDOW:-7d}
mkdir -p "$out_dir"

promptrun report "$log_dir" --since "$window" --format markdown -o "$out_dir/report.md" || exit $?
promptrun dashboard "$log_dir" --since "$window" -o "$out_dir/dashboard.html" || exit $?
# One check writes both the JSON and the Markdown, so alerts.command posts each breach once;
# --require-runs fails the job when the check saw no run (a wrong log directory).
promptrun report "$log_dir" --since "$window" --check --require-runs --format json -o "$out_dir/breaches.json" \
    --check-markdown "$out_dir/check.md"
status=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat "$out_dir/report.md" >> "$GITHUB_STEP_SUMMARY"
    [ -f "$out_dir/check.md" ] && cat "$out_dir/check.md" >> "$GITHUB_STEP_SUMMARY"
fi
exit $status
