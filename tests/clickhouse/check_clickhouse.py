#!/usr/bin/env python3
"""Checks that docs/clickhouse.sql, run in chDB, gives the numbers `promptrun report` gives.

    check_clickhouse.py --promptrun target/debug/promptrun --gen-logs target/debug/examples/gen_logs

1. Makes logs: a few thousand generated runs (benches/gen_logs.rs: interleaved events,
   duplicates, incomplete runs, re-ratings, failures, metrics), a few dozen real runs of the
   promptrun binary (every status, metrics, tags, variants, aliases, routes, ad hoc runs,
   ratings and a re-rating with `promptrun rate`), and a file of edge cases (a rating of a
   run that is in no log, a run_end without its run_start, lines promptrun skips, a cut
   last line).
2. Runs `promptrun report usage|performance|feedback --format json` on them.
3. Runs the statements of docs/clickhouse.sql (split at its `-- @name NAME` lines) in a
   chDB session: `table`, `insert` once per file, `runs`, then the three queries; and again
   through the `otel_events` view over an otel_logs table holding each line as its Body.
4. Compares every field of every group and of the totals, and the order of the groups.
   Numbers must be equal to the bit (no tolerance).
5. Self-check: deliberately wrong queries (run_start counted as a run twice; the first
   rating winning instead of the latest) must be reported as mismatches.

Exit status: 0 when everything agrees, 1 on a mismatch, 2 when chDB or a tool is missing.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SQL_FILE = REPO / "docs" / "clickhouse.sql"
REPORTS = ("usage", "performance", "feedback")

# SQL column -> path in a promptrun.report/v1 group (or totals), per report.
FIELDS = {
    "usage": {
        "runs": "runs",
        "share": "share",
        "users": "users",
        "first_ts": "first_ts",
        "last_ts": "last_ts",
        "resolutions": "resolutions",
    },
    "performance": {
        "runs": "runs",
        "ok": "ok",
        "success_rate": "success_rate",
        "incomplete": "incomplete",
        "statuses": "statuses",
        "duration_total_ms": "duration_ms.total",
        "duration_mean_ms": "duration_ms.mean",
        "duration_p50_ms": "duration_ms.p50",
        "duration_p90_ms": "duration_ms.p90",
        "duration_p95_ms": "duration_ms.p95",
        "duration_p99_ms": "duration_ms.p99",
        "duration_max_ms": "duration_ms.max",
        "metric_sum": "metrics.*.sum",
        "metric_mean": "metrics.*.mean",
        "metric_count": "metrics.*.count",
    },
    "feedback": {
        "runs": "runs",
        "ratings": "ratings.count",
        "rating_mean": "ratings.mean",
        "rating_dist": "ratings.dist",
        "participation": "participation",
    },
}
KEY_COLUMNS = ("is_total", "prompt", "variant")


def die(message, code=2):
    print(f"check_clickhouse: {message}", file=sys.stderr)
    sys.exit(code)


# ---------------------------------------------------------------- the SQL file


def statements(path=SQL_FILE):
    """The named statements of docs/clickhouse.sql: {name: sql}.

    A statement runs from its `-- @name NAME` line to the next one. Comment lines are
    dropped, except `--: ` lines, which are statement lines kept out of a whole-file run.
    """
    named = {}
    name = None
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines() + ["-- @name <end>"]:
        marker = re.match(r"^-- @name (\S+)\s*$", line)
        if marker:
            if name is not None:
                named[name] = "\n".join(lines).strip().rstrip(";").strip()
            name, lines = marker.group(1), []
        elif name is None:
            continue
        elif line.startswith("--: "):
            lines.append(line[4:])
        elif line.startswith("--:"):
            lines.append(line[3:])
        elif not line.lstrip().startswith("--"):
            lines.append(line)
    for key, sql in named.items():
        if not sql or ";" in sql.replace("';'", ""):
            die(f"{path}: section {key} must hold exactly one statement")
    want = {"table", "insert", "runs", "otel_events", *REPORTS}
    if set(named) != want:
        die(f"{path}: sections {sorted(named)}, expected {sorted(want)}")
    return named


def whole_file_statements(path=SQL_FILE):
    """The statements a `clickhouse-client --multiquery < file` run executes."""
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("--")
    )
    return [s.strip() for s in text.split(";") if s.strip()]


# ---------------------------------------------------------------- logs


def gen_logs(gen_logs_bin, out, mib, seed):
    subprocess.run([str(gen_logs_bin), str(out), str(mib), str(seed)], check=True)


def real_runs(promptrun, root, log_dir):
    """Runs the real binary a few dozen times: every status, metrics, ratings."""
    work = root / "work"
    plain = root / "plain"  # no config anywhere above: ad hoc runs
    for d in (work / "prompts", plain, root / "home", root / "state", root / "config"):
        d.mkdir(parents=True, exist_ok=True)
    (work / "prompts" / "summarize.md").write_text("Summarize in three bullets.\n")
    (work / "prompts" / "review.md").write_text("Review this diff.\n")
    (work / "router-config.json").write_text(
        json.dumps(
            {
                "prompts": {
                    "summarize": {
                        "file": "prompts/summarize.md",
                        "aliases": ["sum"],
                        "variants": {"terse": {"weight": 1}, "bullets": {"weight": 1}},
                    },
                    "review": {"file": "prompts/review.md", "aliases": ["cr"]},
                },
                "routes": [{"match": "review-*", "prompt": "review"}],
                "defaults": {"command": ["sh", "-c", "exit 0"]},
            }
        )
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root / "home"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "PROMPTRUN_LOG_DIR": str(log_dir),
        "CI": "true",
    }

    def run(cwd, *args, check_status=None):
        done = subprocess.run(
            [str(promptrun), *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
        )
        if check_status is not None and done.returncode != check_status:
            die(f"promptrun {' '.join(args)}: exit {done.returncode}, expected {check_status}: {done.stderr.decode()}")
        return done

    metric = 'for m in "$@"; do echo "$m" >> "$PROMPTRUN_METRICS_FILE"; done'
    for i in range(12):
        run(
            work,
            "summarize" if i % 3 else "sum",
            "--variant",
            "terse" if i % 2 else "bullets",
            "--tag",
            f"team={'ml' if i % 2 else 'web'}",
            "--",
            "sh",
            "-c",
            metric,
            "sh",
            f"tokens_in={100 + 37 * i}",
            f"cost_usd={0.0031 * (i + 1):.6f}",
            *(["zero=0"] if i % 4 == 0 else []),
            *(["delta=-0.25"] if i % 5 == 0 else []),
            check_status=0,
        )
    for i in range(3):
        run(work, "sum", "--variant", "bullets", "--", "sh", "-c", f"exit {i + 1}", check_status=i + 1)
    run(work, "review-python", "--", "sh", "-c", "kill -TERM $$", check_status=143)
    run(work, "cr", "--timeout", "150ms", "--kill-grace", "100ms", "--", "sleep", "5", check_status=124)
    run(work, "review", check_status=0)  # the default command
    run(work, "review", "--", "/nonexistent/command", check_status=127)
    for i in range(4):
        run(plain, "adhoc-check", "--", "sh", "-c", f"exit {i % 2}", check_status=i % 2)
    run(plain, "adhoc-check", "--", "/nonexistent/command", check_status=127)

    run_ids = []
    for path in sorted(log_dir.glob("events-*.jsonl")):
        for line in path.read_text().splitlines():
            event = json.loads(line)
            if event["type"] == "run_end":
                run_ids.append(event["run_id"])
    if len(run_ids) != 24:
        die(f"expected 24 runs from the real binary, found {len(run_ids)}")
    for n, run_id in enumerate(run_ids[::3]):
        run(work, "rate", run_id, str(n % 5 + 1), check_status=0)
    time.sleep(0.01)  # a later ts, so the re-rating is the latest
    run(work, "rate", run_ids[0], "2", "--comment", "changed my mind", check_status=0)
    run(work, "rate", "last", "5", check_status=0)
    return len(run_ids)


def edge_cases(bulk_path, out):
    """Lines the rules have to handle, using real run ids from the generated logs."""
    starts = {}
    ends = {}
    for line in bulk_path.read_text().splitlines():
        event = json.loads(line)
        if event["type"] == "run_start":
            starts.setdefault(event["run_id"], event)
        elif event["type"] == "run_end":
            ends.setdefault(event["run_id"], event)
    complete = [rid for rid in ends if rid in starts]
    end_only = dict(ends[complete[0]])
    end_only["run_id"] = "01a0c450-0000-7000-8000-00000000e0d1"
    end_only["duration_ms"] = 1234.5  # a half: rounded away from zero for the start time
    rerated = ends[complete[1]]
    later = "2027-01-01T00:00:00.000Z"
    lines = [
        json.dumps(end_only),
        # A rating of a run in no log: counts as a rating of its prompt, not as a run.
        json.dumps(
            {"v": 1, "type": "feedback", "ts": "2026-09-22T10:00:00.000Z",
             "run_id": "01a0c450-0000-7000-8000-0000000000f1", "prompt": "orphan-prompt",
             "variant": "x", "prompt_sha256": None, "rating": 3, "comment": None,
             "source": "cli", "user": "someone"}
        ),
        # A later re-rating of a generated run, as 4.0 (a whole number).
        '{"v":1,"type":"feedback","ts":"%s","run_id":"%s","prompt":"%s","variant":%s,'
        '"prompt_sha256":null,"rating":4.0,"comment":"again","source":"cli","user":"u"}'
        % (later, rerated["run_id"], rerated["prompt"], json.dumps(rerated["variant"])),
        # Lines promptrun skips.
        "this is not json",
        json.dumps({**end_only, "type": "run_paused", "run_id": "01a0c450-0000-7000-8000-0000000000a1"}),
        json.dumps({**end_only, "v": 7, "run_id": "01a0c450-0000-7000-8000-0000000000a2"}),
        json.dumps({**end_only, "duration_ms": None, "run_id": "01a0c450-0000-7000-8000-0000000000a3"}),
        json.dumps({**end_only, "status": "exploded", "run_id": "01a0c450-0000-7000-8000-0000000000a4"}),
        json.dumps({**end_only, "ts": "yesterday", "run_id": "01a0c450-0000-7000-8000-0000000000a5"}),
        '{"v":1,"type":"feedback","ts":"%s","run_id":"%s","prompt":"p","variant":null,"rating":4.5}'
        % (later, rerated["run_id"]),
        '{"v":1,"type":"feedback","ts":"%s","run_id":"%s","prompt":"p","variant":null,"rating":9}'
        % (later, rerated["run_id"]),
        # The whole of the generated file's first run_end again: a duplicate.
        json.dumps(ends[complete[2]]),
    ]
    cut = json.dumps(starts[complete[3]])
    out.write_text("\n".join(lines) + "\n" + cut[: len(cut) // 2])  # a cut last line


# ---------------------------------------------------------------- promptrun and chDB


def promptrun_reports(promptrun, log_dir):
    reports = {}
    for kind in REPORTS:
        done = subprocess.run(
            [str(promptrun), "report", kind, "--format", "json", str(log_dir)],
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(log_dir.parent / "home")},
            capture_output=True,
            check=True,
        )
        reports[kind] = json.loads(done.stdout)
    return reports


def query(session, sql):
    result = session.query(sql + " SETTINGS output_format_json_quote_64bit_integers = 0", "JSONEachRow")
    text = result.bytes().decode() if hasattr(result, "bytes") else str(result)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load_events(session, sql, files):
    session.query(sql["table"])
    for path in files:
        session.query(sql["insert"] + "\n" + path.read_text(encoding="utf-8"))
    session.query(sql["runs"])


def load_otel(session, sql, files):
    # The columns of the OpenTelemetry Collector ClickHouse exporter's otel_logs that
    # matter here; each line of the files is one log record's Body.
    session.query(
        "CREATE TABLE otel_logs (Timestamp DateTime64(9) DEFAULT now64(9), ServiceName LowCardinality(String),"
        " SeverityText LowCardinality(String), Body String,"
        " LogAttributes Map(LowCardinality(String), String)) ENGINE = MergeTree ORDER BY Timestamp"
    )
    for path in files:
        session.query("INSERT INTO otel_logs (Body) FORMAT LineAsString\n" + path.read_text(encoding="utf-8"))
    session.query(sql["otel_events"])
    session.query(sql["runs"])


# ---------------------------------------------------------------- comparing


def json_value(group, path, metric=None):
    value = group
    for part in path.split("."):
        if part == "*":
            return {name: stats[path.split(".")[-1]] for name, stats in value.items()}
        value = value.get(part) if isinstance(value, dict) else None
    return value


def same(a, b):
    """Equal to the bit: 1 and 1.0 are equal, 0.30000000000000004 and 0.3 are not."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b) and (not isinstance(a, int) or not isinstance(b, int) or a == b)
    return a == b


def compare(kind, report, rows):
    """Mismatches between a promptrun report and the query's rows, as text; and a count."""
    mapping = FIELDS[kind]
    problems = []
    compared = 0
    columns = set(rows[0]) if rows else set()
    unknown = columns - set(mapping) - set(KEY_COLUMNS)
    missing = set(mapping) - columns
    if unknown or missing:
        problems.append(f"columns: unexpected {sorted(unknown)}, missing {sorted(missing)}")
        return problems, compared
    totals = [r for r in rows if r["is_total"]]
    groups = [r for r in rows if not r["is_total"]]
    if len(totals) != 1:
        problems.append(f"{len(totals)} totals rows")
        return problems, compared
    want_keys = [(g["key"]["prompt"], g["key"]["variant"]) for g in report["groups"]]
    got_keys = [(r["prompt"], r["variant"]) for r in groups]
    if sorted(want_keys) != sorted(got_keys):
        only_p = sorted(set(want_keys) - set(got_keys))[:5]
        only_c = sorted(set(got_keys) - set(want_keys))[:5]
        problems.append(f"groups: {len(want_keys)} vs {len(got_keys)}; only promptrun {only_p}, only SQL {only_c}")
    elif want_keys != got_keys:
        first = next(i for i, (a, b) in enumerate(zip(want_keys, got_keys)) if a != b)
        problems.append(f"group order differs from position {first}: {want_keys[first]} vs {got_keys[first]}")
    by_key = {(r["prompt"], r["variant"]): r for r in groups}
    pairs = [("totals", report["totals"], totals[0])]
    pairs += [(k, g, by_key[k]) for k, g in zip(want_keys, report["groups"]) if k in by_key]
    for label, group, row in pairs:
        for column, path in mapping.items():
            want = json_value(group, path)
            got = row[column]
            compared += 1
            if not same(want, got):
                problems.append(f"{label} {column}: promptrun {want!r}, SQL {got!r}")
    return problems, compared


def check_all(session, sql, reports, label):
    failures = 0
    for kind in REPORTS:
        started = time.perf_counter()
        rows = query(session, sql[kind])
        problems, compared = compare(kind, reports[kind], rows)
        groups = len(reports[kind]["groups"])
        took = time.perf_counter() - started
        status = "ok" if not problems else f"{len(problems)} MISMATCHES"
        print(f"{label} {kind}: {groups} groups + totals, {compared} values compared, {status} ({took:.2f} s)")
        for line in problems[:15]:
            print(f"    {line}")
        failures += bool(problems)
    return failures


def wrong(sql, kind, old, new):
    """`sql[kind]` with one deliberate mistake."""
    if sql[kind].count(old) != 1:
        die(f"self-check: `{old}` is not in the {kind} query once; update the self-check", 1)
    return sql[kind].replace(old, new)


def self_check(session, sql, reports):
    """The comparison must catch wrong queries; returns how many it did not catch."""
    mistakes = [
        ("usage", "run_start counted as a run twice",
         "countIf(is_run) AS runs", "countIf(is_run) + countIf(has_start) AS runs"),
        ("performance", "run_start counted as a run twice",
         "countIf(is_run) AS runs", "countIf(is_run) + countIf(has_start) AS runs"),
    ]
    missed = 0
    for kind, what, old, new in mistakes:
        problems, _ = compare(kind, reports[kind], query(session, wrong(sql, kind, old, new)))
        caught = bool(problems)
        missed += not caught
        print(f"self-check {kind} ({what}): {'caught, ' + str(len(problems)) + ' mismatches' if caught else 'NOT CAUGHT'}")
    # The first rating winning instead of the latest: a change to the runs view.
    runs_first = sql["runs"].replace("argMaxIf(rating, ts,", "argMinIf(rating, ts,")
    if runs_first == sql["runs"]:
        die("self-check: the runs view has no argMaxIf(rating, ts, ...); update the self-check", 1)
    session.query(runs_first)
    try:
        problems, _ = compare("feedback", reports["feedback"], query(session, sql["feedback"]))
    finally:
        session.query(sql["runs"])
    caught = bool(problems)
    missed += not caught
    print(f"self-check feedback (first rating wins): {'caught, ' + str(len(problems)) + ' mismatches' if caught else 'NOT CAUGHT'}")
    # For the record: ClickHouse's own quantilesExactInclusive, same definition, other arithmetic.
    inclusive = sql["performance"].replace(
        "percentiles_ms[1] AS duration_p50_ms", "quantilesExactInclusive(0.5, 0.9, 0.95, 0.99)(duration_ms)[1] AS duration_p50_ms"
    ).replace(
        "percentiles_ms[2] AS duration_p90_ms", "quantilesExactInclusive(0.5, 0.9, 0.95, 0.99)(duration_ms)[2] AS duration_p90_ms"
    )
    problems, compared = compare("performance", reports["performance"], query(session, inclusive))
    worst = 0.0
    for line in problems:
        m = re.search(r"promptrun ([0-9.e+-]+), SQL ([0-9.e+-]+)$", line)
        if m:
            a, b = float(m.group(1)), float(m.group(2))
            worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
    print(
        f"note: quantilesExactInclusive for p50 and p90 differs in {len(problems)} of "
        f"{compared} values, by at most {worst:.1e} relative (the array form in the file: none)"
    )
    return missed


def whole_file_runs(chdb_session_cls, tmp):
    """The file runs whole (what `clickhouse-client --multiquery < file` does)."""
    with closing(chdb_session_cls(str(tmp / "whole"))) as session:
        for statement in whole_file_statements():
            session.query(statement)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promptrun", required=True, type=Path, help="the promptrun binary")
    parser.add_argument("--gen-logs", required=True, type=Path, help="the gen_logs example binary")
    parser.add_argument("--mib", type=int, default=3, help="size of the generated log (about 870 runs a MiB)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    try:
        import chdb
        from chdb import session as chdb_session
    except ImportError as err:
        die(f"chDB is not installed for {sys.executable} ({err}): python3 -m venv VENV && VENV/bin/pip install chdb")
    args.promptrun, args.gen_logs = args.promptrun.resolve(), args.gen_logs.resolve()
    for tool in (args.promptrun, args.gen_logs):
        if not tool.exists():
            die(f"{tool} does not exist (cargo build --bin promptrun --example gen_logs)")
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="promptrun-ch-")) if args.keep is None else args.keep
    if args.keep is not None:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    try:
        logs = tmp / "logs"
        logs.mkdir()
        bulk = logs / "generated.jsonl"
        gen_logs(args.gen_logs, bulk, args.mib, args.seed)
        real = real_runs(args.promptrun, tmp / "real", logs)
        edge_cases(bulk, logs / "edge-cases.jsonl")
        files = sorted(logs.glob("*.jsonl"))
        lines = sum(len(p.read_text().splitlines()) for p in files)
        reports = promptrun_reports(args.promptrun, logs)
        print(
            f"logs: {len(files)} files, {lines} lines; {reports['usage']['totals']['runs']} runs "
            f"({real} from the real binary), {reports['feedback']['totals']['ratings']['count']} rated; "
            f"promptrun skipped {reports['usage']['inputs']['skipped']} lines, "
            f"{reports['usage']['inputs']['duplicates']} duplicates"
        )
        print(f"chDB {chdb.__version__} (ClickHouse {chdb.query('SELECT version()', 'TSV').bytes().decode().strip()})")
        sql = statements()
        whole_file_runs(chdb_session.Session, tmp)
        print("docs/clickhouse.sql runs as a whole file: ok")

        # chDB serves one database directory per process at a time: one session after another.
        failures = 0
        with closing(chdb_session.Session(str(tmp / "events"))) as events:
            load_events(events, sql, files)
            failures += check_all(events, sql, reports, "table")
            missed = self_check(events, sql, reports)
        with closing(chdb_session.Session(str(tmp / "otel"))) as otel:
            load_otel(otel, sql, files)
            failures += check_all(otel, sql, reports, "otel")

        took = time.perf_counter() - started
        print(f"{6 - failures} agreed, {failures} disagreed; self-check missed {missed} wrong queries; {took:.1f} s")
        return 0 if failures == 0 and missed == 0 else 1
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
