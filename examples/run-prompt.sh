#!/bin/sh
# run-prompt.sh: drop-in replacement for the old wrapper script.
#
#   run-prompt.sh <prompt> [<cmd> [args...]]
#
# Same arguments as before; promptrun now resolves the prompt, runs and times the
# command, and logs the run (see `promptrun --help`). Without <cmd> the prompt's
# configured command runs. The exit status is the command's own (128+N when a
# signal killed it, 124 on timeout, 126/127 when it cannot start, 2 for a bad
# prompt name or config).
#
# Set PROMPTRUN to the binary's path when promptrun is not on PATH. Options for
# promptrun itself go in the usual variables: PROMPTRUN_CONFIG, PROMPTRUN_LOG_DIR,
# PROMPTRUN_NO_LOG=1.
set -eu

if [ "$#" -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    echo "usage: run-prompt.sh <prompt> [<cmd> [args...]]" >&2
    exit 2
fi

prompt=$1
shift
if [ "$#" -eq 0 ]; then
    exec "${PROMPTRUN:-promptrun}" run "$prompt"
fi
exec "${PROMPTRUN:-promptrun}" run "$prompt" -- "$@"
