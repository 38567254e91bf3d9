#!/usr/bin/env bash
# promptrun adapter for Simon Willison's llm (https://llm.datasette.io), 0.32 or later.
#
#   promptrun PROMPT -- examples/clients/llm.sh [LLM PROMPT OPTIONS...] [< INPUT]
#
# Hands the prompt to `llm prompt`, prints the answer on standard output, and appends
# the run's model, provider and token counts to $PROMPTRUN_METRICS_FILE:
#
#   model=gpt-4o  provider=openai  input_tokens=812  output_tokens=96
#
# How the prompt reaches the model ($PROMPTRUN_PROMPT_FILE, set by promptrun):
#   - with input on standard input (a file or a pipe), the prompt file is the system
#     prompt and the input is the message: `llm --sf PROMPT_FILE < INPUT`;
#   - with no input (standard input is a terminal, /dev/null, or the prompt file itself,
#     as with `promptrun --stdin`), the prompt file is the message;
#   - without a prompt file (an ad hoc run), arguments and standard input are the
#     prompt, as for llm itself.
# Other arguments go to `llm prompt` as they are: -m MODEL, -o KEY VALUE, -n (keep the
# exchange out of llm's own log database), ...
#
# The token counts come from `llm prompt --json` (llm 0.32 and later), which prints the
# answer once it is complete instead of streaming it. The provider is the first word of
# the model's label in `llm models list` ("OpenAI Chat: gpt-4o" gives openai), looked up
# while the prompt runs; set PROMPTRUN_LLM_PROVIDER to name it and skip the look-up.
# Outside promptrun ($PROMPTRUN_METRICS_FILE unset) this is plain, streaming `llm prompt`.
#
# Needs bash and python3. The exit status is llm's. Nothing here prints, logs or
# stores the prompt text anywhere.
set -eu -o pipefail

prompt_file=${PROMPTRUN_PROMPT_FILE:-}
if [[ -n "$prompt_file" ]]; then
    if [[ -t 0 || /dev/stdin -ef /dev/null || /dev/stdin -ef "$prompt_file" ]]; then
        exec <"$prompt_file"
    else
        set -- --sf "$prompt_file" "$@"
    fi
fi

if [[ -z "${PROMPTRUN_METRICS_FILE:-}" ]]; then
    exec llm prompt "$@"
fi

# Reads `llm prompt --json` on stdin: prints each response's text as llm would, and
# appends the usage to $PROMPTRUN_METRICS_FILE. Anything that is not that JSON passes
# through untouched, with a warning and no metrics.
read -r -d '' parse <<'PY' || true
import json, os, subprocess, sys

provider = os.environ.get("PROMPTRUN_LLM_PROVIDER", "")
models = None
if not provider:
    try:
        models = subprocess.Popen(["llm", "models", "list"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    except OSError:
        pass

raw = sys.stdin.read()
try:
    rows = json.loads(raw)
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError("not a list of responses")
except ValueError:
    rows = None

try:
    if rows is None:
        sys.stdout.write(raw)
    else:
        for row in rows:
            if row.get("response"):
                sys.stdout.write(row["response"] + "\n")
    sys.stdout.flush()
except BrokenPipeError:
    # The reader went away (`| head`): still record the usage.
    sys.stdout = open(os.devnull, "w")

if rows is None:
    if models:
        models.kill()
    if raw.strip():
        print("llm.sh: warning: llm did not print `llm prompt --json` output; "
              "no usage recorded", file=sys.stderr)
    sys.exit(0)


def total(key):
    values = [row[key] for row in rows if isinstance(row.get(key), (int, float))]
    return sum(values) if values else None


def clean(text):
    return "".join(c for c in str(text) if c.isprintable() and not c.isspace())


model = next((row["model"] for row in reversed(rows) if row.get("model")), None)
if models:
    listing, _ = models.communicate()
    # Lines read "OpenAI Chat: gpt-4o (aliases: 4o)"; the last one "Default: ID".
    for line in listing.splitlines():
        label, sep, rest = line.partition(": ")
        if sep and model and rest.split(" (aliases: ")[0] == model and label.split():
            provider = label.split()[0].lower()
            break

lines = []
if model:
    lines.append(f"model={clean(model)}")
if clean(provider):
    lines.append(f"provider={clean(provider)}")
for key in ("input_tokens", "output_tokens"):
    value = total(key)
    if value is not None:
        lines.append(f"{key}={value}")
if lines:
    with open(os.environ["PROMPTRUN_METRICS_FILE"], "a", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
PY

set +e
llm prompt --json "$@" | python3 -c "$parse"
statuses=("${PIPESTATUS[@]}")
set -e
if [[ "${statuses[0]}" -eq 2 ]]; then
    echo "llm.sh: llm rejected its arguments (exit status 2); note that llm.sh needs llm 0.32 or later for \`llm prompt --json\` (see \`llm --version\`)" >&2
fi
if [[ "${statuses[0]}" -ne 0 ]]; then
    exit "${statuses[0]}"
fi
exit "${statuses[1]}"
