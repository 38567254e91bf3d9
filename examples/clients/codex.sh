#!/usr/bin/env bash
# promptrun adapter for the OpenAI Codex CLI (`codex exec --json`).
#
#   promptrun PROMPT -- examples/clients/codex.sh [CODEX EXEC OPTIONS...] [< INPUT]
#
# Hands the prompt to `codex exec` on its standard input, prints the agent's last
# message on standard output (as `codex exec` does), and appends to
# $PROMPTRUN_METRICS_FILE:
#
#   model=gpt-5-codex  provider=openai
#   input_tokens=24763  cached_input_tokens=24448  output_tokens=122
#
# The message is the prompt file ($PROMPTRUN_PROMPT_FILE), followed by a blank line and
# the input when there is input on standard input (not a terminal, /dev/null or the
# prompt file itself). Without a prompt file (an ad hoc run) standard input and the
# arguments are the prompt. Other arguments go to `codex exec` as they are: -m MODEL,
# --skip-git-repo-check (outside a Git repository), --sandbox MODE, ...
#
# Metrics, from the JSONL events of `codex exec --json` (docs/exec.md in
# https://github.com/openai/codex; codex-rs/exec/src/exec_events.rs):
#   input_tokens, cached_input_tokens, output_tokens
#                the `usage` of every `turn.completed` event, added up (cached input
#                tokens are part of the input tokens)
#   model        the events do not name it: -m/--model, else `-c model=...`, else
#                `model` in the --profile's section or at the top of
#                $CODEX_HOME/config.toml (default ~/.codex); none when codex's
#                built-in default was used
#   provider     `model_provider` found the same way, else openai
# A `turn.failed` or `error` event prints its message on standard error and makes the
# exit status 1 even when codex exited 0. Otherwise the exit status is codex's.
#
# Needs bash and python3 (3.11 or later to read config.toml). Nothing here prints,
# logs or stores the prompt text.
set -eu -o pipefail

# The message on standard output: the prompt file, then the input if there is any.
message() {
    cat -- "$prompt_file"
    if [[ ! -t 0 && ! /dev/stdin -ef /dev/null && ! /dev/stdin -ef "$prompt_file" ]]; then
        [[ -z "$(tail -c 1 -- "$prompt_file")" ]] || echo
        echo
        cat
    fi
}

read -r -d '' parse <<'PY' || true
import json, os, sys

args = sys.argv[1:]


def setting(key, flags):
    """The value of KEY from codex's arguments, its profile or its config.toml."""
    value = profile = None
    i = 0
    while i < len(args):
        arg = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        for flag in flags:
            if arg == flag and nxt is not None:
                value, i = nxt, i + 1
            elif arg.startswith(flag + "=") and flag.startswith("--"):
                value = arg[len(flag) + 1:]
        if arg in ("-c", "--config") and nxt is not None:
            name, _, raw = nxt.partition("=")
            if name.strip() == key and value is None:
                value = raw.strip().strip("\"'")
            i += 1
        elif arg in ("-p", "--profile") and nxt is not None:
            profile, i = nxt, i + 1
        elif arg.startswith("--profile="):
            profile = arg[len("--profile="):]
        i += 1
    if value:
        return value
    try:
        import tomllib
        home = os.environ.get("CODEX_HOME") or os.path.expanduser("~/.codex")
        with open(os.path.join(home, "config.toml"), "rb") as f:
            config = tomllib.load(f)
    except Exception:
        return None
    profile = profile or config.get("profile")
    section = config.get("profiles", {}).get(profile, {}) if profile else {}
    found = section.get(key) if isinstance(section, dict) else None
    found = found or config.get(key)
    return found if isinstance(found, str) else None


answer, failures, usage = None, [], {}
raw_lines, events = [], 0
for line in sys.stdin:
    try:
        event = json.loads(line)
    except ValueError:
        event = None
    if not isinstance(event, dict) or "type" not in event:
        if line.strip():
            raw_lines.append(line)
        continue
    events += 1
    kind = event.get("type")
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    if kind == "item.completed" and item.get("type") == "agent_message":
        answer = item.get("text")
    elif kind == "turn.completed" and isinstance(event.get("usage"), dict):
        for key, value in event["usage"].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                usage[key] = usage.get(key, 0) + value
    elif kind == "turn.failed":
        error = event.get("error") if isinstance(event.get("error"), dict) else {}
        failures.append(str(error.get("message", "turn failed")))
    elif kind == "error":
        failures.append(str(event.get("message", "error")))

try:
    if answer:
        sys.stdout.write(answer if answer.endswith("\n") else answer + "\n")
    elif not events:
        # Not `--json` events: pass codex's output through.
        sys.stdout.write("".join(raw_lines))
    sys.stdout.flush()
except BrokenPipeError:
    sys.stdout = open(os.devnull, "w")
for failure in failures:
    print(f"codex: {failure}", file=sys.stderr)


def clean(text):
    return "".join(c for c in str(text) if c.isprintable() and not c.isspace())


if events and os.environ.get("PROMPTRUN_METRICS_FILE"):
    lines = []
    model = setting("model", ("-m", "--model"))
    if model:
        lines.append(f"model={clean(model)}")
    lines.append(f"provider={clean(setting('model_provider', ()) or 'openai')}")
    for key in ("input_tokens", "cached_input_tokens", "output_tokens"):
        if key in usage:
            lines.append(f"{key}={usage[key]}")
    with open(os.environ["PROMPTRUN_METRICS_FILE"], "a", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
elif raw_lines and not events:
    print("codex.sh: warning: codex did not print `codex exec --json` events; "
          "no usage recorded", file=sys.stderr)
sys.exit(1 if failures else 0)
PY

prompt_file=${PROMPTRUN_PROMPT_FILE:-}
set +e
if [[ -n "$prompt_file" ]]; then
    message | codex exec --json "$@" | python3 -c "$parse" "$@"
    statuses=("${PIPESTATUS[@]:1}")
else
    codex exec --json "$@" | python3 -c "$parse" "$@"
    statuses=("${PIPESTATUS[@]}")
fi
set -e
if [[ "${statuses[0]}" -ne 0 ]]; then
    exit "${statuses[0]}"
fi
exit "${statuses[1]}"
