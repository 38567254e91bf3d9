//! Helpers for the report tests: event lines, a fixture log, running `report --format json`.

#![allow(dead_code)]

use serde_json::{Value, json};

use crate::support::{TestEnv, stderr};

/// A UUID-shaped run id for run number `n`.
pub fn run_id(n: u64) -> String {
    format!("0192f3a1-0000-7000-8000-{n:012x}")
}

/// A run_start line.
pub fn start(
    n: u64,
    ts: &str,
    prompt: &str,
    variant: Option<&str>,
    user: &str,
    tags: Value,
) -> String {
    json!({"v": 1, "type": "run_start", "ts": ts, "run_id": run_id(n), "prompt": prompt,
        "variant": variant, "requested": prompt, "resolution": "name", "prompt_file": null,
        "prompt_sha256": format!("sha-{prompt}"), "command": "llm", "user": user, "host": "h1",
        "tags": tags, "promptrun": "0.1.0"})
    .to_string()
}

/// A run_end line.
#[allow(clippy::too_many_arguments)]
pub fn end(
    n: u64,
    ts: &str,
    prompt: &str,
    variant: Option<&str>,
    user: &str,
    tags: Value,
    status: &str,
    duration_ms: f64,
    asked: bool,
    metrics: Value,
) -> String {
    json!({"v": 1, "type": "run_end", "ts": ts, "run_id": run_id(n), "prompt": prompt,
        "variant": variant, "duration_ms": duration_ms, "status": status, "exit_code": null,
        "signal": null, "metrics": metrics, "feedback_asked": asked,
        "prompt_sha256": format!("sha-{prompt}"), "resolution": "name", "command": "llm",
        "user": user, "host": "h1", "tags": tags})
    .to_string()
}

/// A feedback line.
pub fn feedback(
    n: u64,
    ts: &str,
    prompt: &str,
    variant: Option<&str>,
    rating: u8,
    comment: Option<&str>,
) -> String {
    json!({"v": 1, "type": "feedback", "ts": ts, "run_id": run_id(n), "prompt": prompt,
        "variant": variant, "prompt_sha256": format!("sha-{prompt}"), "rating": rating,
        "comment": comment, "source": "prompt", "user": "u1"})
    .to_string()
}

/// A small log with known numbers (see the comments), a duplicate and two bad lines.
pub fn fixture() -> String {
    let ml = json!({"team": "ml"});
    let web = json!({"team": "web"});
    let lines = [
        // r1: summarize/a, ok, 100 ms, asked, rated 4 then 5 (5 wins), tokens 10.
        start(1, "2026-11-20T10:00:00.000Z", "summarize", Some("a"), "u1", ml.clone()),
        end(1, "2026-11-20T10:00:00.100Z", "summarize", Some("a"), "u1", ml.clone(), "ok", 100.0, true, json!({"tokens": 10})),
        feedback(1, "2026-11-20T10:00:05.000Z", "summarize", Some("a"), 4, Some("first thoughts")),
        // r2: summarize/a, error, 300 ms, asked, not rated.
        start(2, "2026-11-21T10:00:00.000Z", "summarize", Some("a"), "u2", web.clone()),
        end(2, "2026-11-21T10:00:00.300Z", "summarize", Some("a"), "u2", web.clone(), "error", 300.0, true, json!({})),
        // r3: summarize/b, ok, 200 ms, not asked, rated 2 later.
        start(3, "2026-11-22T10:00:00.000Z", "summarize", Some("b"), "u1", ml.clone()),
        end(3, "2026-11-22T10:00:00.200Z", "summarize", Some("b"), "u1", ml.clone(), "ok", 200.0, false, json!({})),
        feedback(3, "2026-11-22T11:00:00.000Z", "summarize", Some("b"), 2, None),
        // r4: review, started, never ended (incomplete).
        start(4, "2026-11-23T10:00:00.000Z", "review", None, "u2", web.clone()),
        // r5: review, timeout, 1000 ms, asked, rated 3, tokens 30.
        start(5, "2026-11-23T11:00:00.000Z", "review", None, "u1", ml.clone()),
        end(5, "2026-11-23T11:00:01.000Z", "review", None, "u1", ml.clone(), "timeout", 1000.0, true, json!({"tokens": 30})),
        feedback(5, "2026-11-23T11:00:09.000Z", "review", None, 3, Some("slow")),
        // r1's newer rating replaces the first.
        feedback(1, "2026-11-24T09:00:00.000Z", "summarize", Some("a"), 5, Some("great after all")),
        // r1's run_end again (an artifact merged twice): counted once.
        end(1, "2026-11-20T10:00:00.100Z", "summarize", Some("a"), "u1", ml, "ok", 100.0, true, json!({"tokens": 10})),
        // Line 15: not JSON; line 16: an unknown event type.
        "{\"v\":1,\"type\":\"run_start\",\"ts\":".to_string(),
        json!({"v": 1, "type": "run_paused", "ts": "2026-11-24T09:00:00.000Z", "run_id": run_id(9), "prompt": "x"}).to_string(),
    ];
    lines.join("\n") + "\n"
}

/// Runs `report --format json ARGS` and parses its output; asserts exit 0.
pub fn report_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let output = env.run(&all);
    assert!(
        output.status.success(),
        "report failed: {}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("report JSON")
}

/// The group whose key matches all of `key`'s pairs.
pub fn group<'a>(report: &'a Value, key: &[(&str, &str)]) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| key.iter().all(|(k, v)| g["key"][*k] == *v))
        .unwrap_or_else(|| panic!("no group {key:?} in {report:#}"))
}

/// `bytes` gzipped.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Runs `report --format json -` with `input` on its stdin; asserts exit 0.
pub fn report_json_from_stdin(env: &TestEnv, input: &[u8]) -> Value {
    use std::io::Write;
    let mut child = env
        .cmd(["report", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn promptrun");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "report - failed");
    serde_json::from_slice(&output.stdout).expect("report JSON")
}
