#!/bin/sh
# Renders the dashboard and takes a screenshot of it in headless Chromium, so a
# person can look at what the browser tests check.
# Usage: benches/dashboard-screenshot.sh [LOG_DIR|FILE] [OUT.png] [extra promptrun dashboard flags...]
#   LOG_DIR defaults to the log directory; OUT.png to target/dashboard.png.
#   DARK=1 renders the dark colour scheme; WIDTH/HEIGHT set the window (1280x2600).
# Needs Debian's chromium: apt-get update && apt-get install -y chromium
set -eu
cd "$(dirname "$0")/.."
input=${1:-}
out=${2:-target/dashboard.png}
[ $# -gt 2 ] && shift 2 || set --
command -v chromium > /dev/null || { echo "install chromium: apt-get update && apt-get install -y chromium" >&2; exit 1; }
cargo build --release --quiet
# Cargo builds for the host named explicitly (.cargo/config.toml): target/<host>/release.
release="${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release"
page=$(mktemp --suffix=.html)
profile=$(mktemp -d)
trap 'rm -rf "$page" "$profile"' EXIT
if [ -n "$input" ]; then
    "$release/promptrun" dashboard "$input" -o "$page" "$@"
else
    "$release/promptrun" dashboard -o "$page" "$@"
fi
scheme=""
[ "${DARK:-0}" = 1 ] && scheme="--force-dark-mode --blink-settings=preferredColorScheme=0"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars $scheme \
    --window-size="${WIDTH:-1280},${HEIGHT:-2600}" --screenshot="$out" "file://$page" 2> /dev/null
echo "wrote $out" >&2
