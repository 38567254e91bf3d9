#!/bin/sh
# prompt-analytics.sh: drop-in for the old analytics script, beside run-prompt.sh.
#
#   prompt-analytics.sh [--report usage|performance|feedback|all]... [promptrun report options]
#
# Each --report adds a report (several may be given: --report usage --report
# feedback); without one, all three. Every other argument goes to `promptrun report`
# as it is (--since 7d, --format json, --prompt 'summ*', log paths, ...). The exit
# status is promptrun's: 0, 2 for bad options, 4 when an input cannot be read.
#
# Set PROMPTRUN to the binary's path when promptrun is not on PATH.
set -eu

kinds=""
rest_file=$(mktemp)
trap 'rm -f "$rest_file"' EXIT
# Collect the --report words; keep every other argument, in order, NUL-free.
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h|--help)
            echo "usage: prompt-analytics.sh [--report usage|performance|feedback|all]... [promptrun report options]" >&2
            exit 0 ;;
        --report)
            [ "$#" -ge 2 ] || { echo "prompt-analytics.sh: --report needs a value" >&2; exit 2; }
            kinds="$kinds $2"; shift 2 ;;
        --report=*)
            kinds="$kinds ${1#--report=}"; shift ;;
        *)
            printf '%s\n' "$1" >> "$rest_file"; shift ;;
    esac
done
for kind in $kinds; do
    case "$kind" in
        usage|performance|feedback|all) ;;
        *) echo "prompt-analytics.sh: unknown report \`$kind\`: use usage, performance, feedback or all" >&2
           exit 2 ;;
    esac
done
# Rebuild "$@": the report words first, then the other arguments as given.
set --
for kind in $kinds; do set -- "$@" "$kind"; done
while IFS= read -r arg; do set -- "$@" "$arg"; done < "$rest_file"
exec "${PROMPTRUN:-promptrun}" report "$@"
