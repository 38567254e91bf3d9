#!/usr/bin/env bash
# promptrun adapter for Claude Code in print mode (`claude -p --output-format json`).
#
#   promptrun PROMPT -- examples/clients/claude.sh [CLAUDE OPTIONS...] [< INPUT]
#
# Hands the prompt to `claude -p` on its standard input, prints Claude's answer (the
# result's `result` text) on standard output, and appends to $PROMPTRUN_METRICS_FILE:
#
#   model=claude-sonnet-4-5-20250929  provider=anthropic
#   input_tokens=49271  cached_input_tokens=36391  output_tokens=1181  cost_usd=0.013645
#
# The message is the prompt file ($PROMPTRUN_PROMPT_FILE), followed by a blank line and
# the input when there is input on standard input (not a terminal, /dev/null or the
# prompt file itself). Without a prompt file (an ad hoc run) standard input is the
# message. Other arguments go to claude as they are: --model sonnet, --max-turns 3, ...
#
# Metrics, from the final `result` object of `--output-format json` (Claude Code's
# headless mode, https://docs.anthropic.com/en/docs/claude-code/sdk/sdk-headless; with
# --verbose the output is an array of messages ending in that object):
#   model              the `modelUsage` entry that cost the most (Claude Code also calls a
#                      small model for chores); else the model of the `init` message
#   provider           anthropic; `modelUsage.*.provider` or CLAUDE_CODE_USE_BEDROCK /
#                      CLAUDE_CODE_USE_VERTEX name another
#   input_tokens       every input token of every model, cache reads and writes included
#   cached_input_tokens  the part of them read from the prompt cache
#   output_tokens      every output token of every model
#   cost_usd           `total_cost_usd`, Claude Code's own estimate
# A result with `is_error` makes the exit status 1 even when claude exited 0, so the run
# is recorded as an error. Otherwise the exit status is claude's.
#
# Needs bash and python3. Nothing here prints, logs or stores the prompt text.
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

raw = sys.stdin.read()
try:
    doc = json.loads(raw)
except ValueError:
    doc = None
if isinstance(doc, list):  # --verbose: every message, the result last
    init = next((m for m in doc if isinstance(m, dict) and m.get("subtype") == "init"), {})
    result = next((m for m in reversed(doc) if isinstance(m, dict) and m.get("type") == "result"), None)
else:
    init, result = {}, doc if isinstance(doc, dict) else None
if result is None:
    sys.stdout.write(raw)
    if raw.strip():
        print("claude.sh: warning: claude did not print --output-format json output; "
              "no usage recorded", file=sys.stderr)
    sys.exit(0)

failed = bool(result.get("is_error"))
text = result.get("result")
if isinstance(text, str) and text:
    try:
        (sys.stderr if failed else sys.stdout).write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")
if failed:
    print(f"claude.sh: claude reported an error ({result.get('subtype', 'error')})",
          file=sys.stderr)


def number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def clean(text):
    return "".join(c for c in str(text) if c.isprintable() and not c.isspace())


per_model = result.get("modelUsage") if isinstance(result.get("modelUsage"), dict) else {}
per_model = {name: u for name, u in per_model.items() if isinstance(u, dict)}
usage = result.get("usage") if isinstance(result.get("usage"), dict) else {}

model = max(per_model, key=lambda name: (number(per_model[name].get("costUSD")),
                                         number(per_model[name].get("outputTokens"))),
            default=init.get("model"))
provider = "anthropic"
if os.environ.get("CLAUDE_CODE_USE_BEDROCK"):
    provider = "bedrock"
elif os.environ.get("CLAUDE_CODE_USE_VERTEX"):
    provider = "vertex"
reported = model in per_model and per_model[model].get("provider")
if reported and reported != "firstParty":
    provider = reported


def summed(camel):
    return sum(number(u.get(camel)) for u in per_model.values())


# `usage` covers the main model only, `modelUsage` every model; some versions left
# modelUsage's input counts at 0, so the larger of the two wins.
cached = max(summed("cacheReadInputTokens"), number(usage.get("cache_read_input_tokens")))
written = max(summed("cacheCreationInputTokens"),
              number(usage.get("cache_creation_input_tokens")))
fresh = max(summed("inputTokens"), number(usage.get("input_tokens")))
output = max(summed("outputTokens"), number(usage.get("output_tokens")))
cost = result.get("total_cost_usd")
if not isinstance(cost, (int, float)):
    cost = sum(number(u.get("costUSD")) for u in per_model.values()) if per_model else None

lines = [f"provider={provider}"]
if model:
    lines.insert(0, f"model={clean(model)}")
if per_model or usage:
    lines += [f"input_tokens={fresh + cached + written}", f"cached_input_tokens={cached}",
              f"output_tokens={output}"]
if cost is not None:
    lines.append(f"cost_usd={cost}")
if os.environ.get("PROMPTRUN_METRICS_FILE"):
    with open(os.environ["PROMPTRUN_METRICS_FILE"], "a", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
sys.exit(1 if failed else 0)
PY

prompt_file=${PROMPTRUN_PROMPT_FILE:-}
set +e
if [[ -n "$prompt_file" ]]; then
    message | claude -p --output-format json "$@" | python3 -c "$parse"
    statuses=("${PIPESTATUS[@]:1}")
else
    claude -p --output-format json "$@" | python3 -c "$parse"
    statuses=("${PIPESTATUS[@]}")
fi
set -e
if [[ "${statuses[0]}" -ne 0 ]]; then
    exit "${statuses[0]}"
fi
exit "${statuses[1]}"
