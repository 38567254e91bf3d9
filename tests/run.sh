#!/usr/bin/env bash
# The test command (README, "Tests"): installs what the end-to-end tests drive, then
# runs `cargo test --locked` with them. Everything goes under target/, nothing is
# installed system-wide except Chromium (with apt, only when running as root).
#
#   tests/run.sh [CARGO TEST ARGS...]
#
# What it provides, each in a virtualenv of its own, reused while its version matches:
#   - Simon Willison's llm with the offline llm-echo model  -> PROMPTRUN_TEST_LLM
#   - chDB (ClickHouse embedded), for docs/clickhouse.sql    -> PROMPTRUN_TEST_PYTHON
#   - Arize Phoenix, a real OTLP receiver                     -> PROMPTRUN_TEST_PHOENIX
#   - headless Chromium for the dashboard                     -> found on PATH
# A tool that is already pointed at by its variable is used as it is. Set
# PROMPTRUN_SKIP_LLM=1, PROMPTRUN_SKIP_CHDB=1 or PROMPTRUN_SKIP_PHOENIX=1 to leave one
# out: its tests then say they were skipped, and why.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s ==\n' "$*" >&2; }

# venv DIR PACKAGES... : a virtualenv at DIR with exactly these pinned packages.
venv() {
  local dir=$1
  shift
  local stamp="$dir/.promptrun-packages"
  if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$*" ]]; then
    return
  fi
  log "installing $* into $dir"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  printf '%s' "$*" >"$stamp"
}

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
  ! command -v google-chrome >/dev/null 2>&1 && [[ -z "${PROMPTRUN_TEST_CHROMIUM:-}" ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  else
    log "no Chromium: install it (Debian: sudo apt-get install chromium) or set PROMPTRUN_TEST_CHROMIUM"
  fi
fi

if [[ -z "${PROMPTRUN_TEST_LLM:-}" && "${PROMPTRUN_SKIP_LLM:-}" != 1 ]]; then
  venv target/test-tools/llm 'llm==0.36' 'llm-echo==0.5'
  export PROMPTRUN_TEST_LLM="$PWD/target/test-tools/llm/bin/llm"
fi
if [[ -z "${PROMPTRUN_TEST_PYTHON:-}" && "${PROMPTRUN_SKIP_CHDB:-}" != 1 ]]; then
  venv target/test-tools/chdb 'chdb==4.4.0'
  export PROMPTRUN_TEST_PYTHON="$PWD/target/test-tools/chdb/bin/python"
fi
if [[ -z "${PROMPTRUN_TEST_PHOENIX:-}" && "${PROMPTRUN_SKIP_PHOENIX:-}" != 1 ]]; then
  venv target/test-tools/phoenix 'arize-phoenix==20.26.1'
  export PROMPTRUN_TEST_PHOENIX="$PWD/target/test-tools/phoenix/bin/phoenix"
fi

log "cargo test"
exec cargo test --locked "$@"
