#!/bin/sh
# Runs the evaluation prompts through promptrun, so every run lands in the JSONL log.
# Usage: examples/ci/run-prompts.sh [LOG_DIR]        (default: promptrun-logs)
#
# Each line of examples/ci/eval-prompts.txt is `PROMPT INPUT_FILE`; the prompt's
# configured command gets the input on stdin. A failed run does not stop the others:
# the report and `--check` judge the runs afterwards.
set -u
log_dir=${1:-promptrun-logs}
here=$(dirname "$0")
export PROMPTRUN_LOG_DIR="$log_dir"
export PROMPTRUN_RATE=never
mkdir -p "$log_dir"
failed=0
while read -r prompt input; do
    case $prompt in '' | '#'*) continue ;; esac
    if ! promptrun "$prompt" < "$here/$input" > /dev/null; then
        failed=$((failed + 1))
        echo "run-prompts: $prompt failed" >&2
    fi
done < "$here/eval-prompts.txt"
echo "run-prompts: done, $failed failed run(s); logs in $log_dir" >&2
