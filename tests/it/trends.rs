//! `promptrun report trends` on a log with known changes, in every format.

use serde_json::{Value, json};

use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
use crate::support::{TestEnv, stderr, stdout};

/// Previous window (Nov 10-17) against the window (Nov 17-24):
/// steady stays the same; slower goes from 1000 to 1300 ms (+30%); worse drops
/// from 5 to 4 stars; new only runs now; gone only ran before.
fn known_changes() -> String {
    let mut runs = Vec::new();
    for i in 0..4 {
        runs.push(FixtureRun::ok("steady", &nov(12, 9, i), 1000.0).rated(4));
        runs.push(FixtureRun::ok("steady", &nov(20, 9, i), 1000.0).rated(4));
        runs.push(FixtureRun::ok("slower", &nov(12, 9, i), 1000.0));
        runs.push(FixtureRun::ok(
            "slower",
            &nov(if i < 2 { 19 } else { 21 }, 9, i),
            1300.0,
        ));
        runs.push(FixtureRun::ok("worse", &nov(12, 9, i), 800.0).rated(5));
        runs.push(FixtureRun::ok("worse", &nov(20, 9, i), 800.0).rated(4));
        runs.push(FixtureRun::ok("gone", &nov(13, 9, i), 800.0));
    }
    for i in 0..3 {
        runs.push(
            FixtureRun::ok("new", &nov(22, 9, i), 700.0).status(if i == 0 {
                "error"
            } else {
                "ok"
            }),
        );
    }
    jsonl(&runs)
}

fn trends(env: &TestEnv, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "report",
        "trends",
        "logs-in",
        "--since",
        "2026-11-17",
        "--until",
        "2026-11-24",
    ];
    args.extend_from_slice(extra);
    let output = env.run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    output
}

fn setup(config: Option<Value>) -> TestEnv {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &known_changes());
    if let Some(config) = config {
        env.config(&config.to_string());
    }
    env
}

fn change<'a>(document: &'a Value, prompt: &str) -> &'a Value {
    document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["prompt"] == prompt)
        .unwrap()
}

#[test]
fn buckets_and_window_changes_show_the_known_regressions() {
    let env = setup(None);
    let document: Value =
        serde_json::from_slice(&trends(&env, &["--format", "json"]).stdout).unwrap();
    assert_eq!(document["schema"], "promptrun.trends/v1");
    assert_eq!(document["bucket"], "day");
    assert_eq!(
        document["previous_window"]["start"],
        "2026-11-10T00:00:00.000Z"
    );
    let rows: Vec<(String, String, u64)> = document["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["bucket"].as_str().unwrap()[..10].to_string(),
                b["prompt"].as_str().unwrap().to_string(),
                b["runs"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("2026-11-19", "slower", 2),
        ("2026-11-20", "steady", 4),
        ("2026-11-20", "worse", 4),
        ("2026-11-21", "slower", 2),
        ("2026-11-22", "new", 3),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(d, p, n)| (d.to_string(), p.to_string(), *n))
        .collect();
    assert_eq!(rows, expected);

    let slower = change(&document, "slower");
    assert!(
        (slower["p95_change_pct"].as_f64().unwrap() - 30.0).abs() < 1e-9,
        "{slower}"
    );
    assert_eq!(slower["flags"], json!(["max_p95_increase_pct"]));
    let worse = change(&document, "worse");
    assert_eq!(worse["rating_change"].as_f64(), Some(-1.0));
    assert_eq!(worse["flags"], json!(["max_rating_drop"]));
    let steady = change(&document, "steady");
    assert_eq!(steady["flags"], json!([]));
    assert_eq!(steady["p95_change_pct"].as_f64(), Some(0.0));
    let new = change(&document, "new");
    assert_eq!(new["previous"], Value::Null);
    assert!((new["current"]["success_rate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    let gone = change(&document, "gone");
    assert_eq!(
        (
            gone["current"]["runs"].as_u64(),
            gone["previous"]["runs"].as_u64()
        ),
        (Some(0), Some(4))
    );
    assert_eq!(gone["flags"], json!([]));
}

#[test]
fn configured_alert_rules_replace_the_default_thresholds() {
    let env = setup(Some(json!({"alerts": {"max_p95_increase_pct": 50}})));
    let document: Value =
        serde_json::from_slice(&trends(&env, &["--format", "json"]).stdout).unwrap();
    assert_eq!(
        change(&document, "slower")["flags"],
        json!([]),
        "+30% is within 50%"
    );
    assert_eq!(
        change(&document, "worse")["flags"],
        json!([]),
        "no rating rule configured"
    );
}

#[test]
fn every_format_carries_the_flags() {
    let env = setup(None);
    let table = stdout(&trends(&env, &[]));
    let line = table
        .lines()
        .find(|l| l.starts_with("slower ") && l.contains("REGRESSION"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains("+30.0%") && line.contains("max_p95_increase_pct"),
        "{line}"
    );
    assert!(
        !table.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    assert!(table.contains("2026-11-19  slower"), "{table}");

    let markdown = stdout(&trends(&env, &["--format", "markdown"]));
    assert!(markdown.contains("| worse | 4 (4) |"), "{markdown}");
    assert!(
        markdown.contains("REGRESSION: max\\_rating\\_drop"),
        "{markdown}"
    );

    let csv_text = stdout(&trends(&env, &["--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "row");
    let flags_at = headers.iter().position(|h| h == "flags").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.iter().filter(|r| &r[0] == "bucket").count(), 5);
    let slower = records
        .iter()
        .find(|r| &r[0] == "change" && &r[2] == "slower")
        .unwrap();
    assert_eq!(&slower[flags_at], "max_p95_increase_pct");

    let html = stdout(&trends(&env, &["--format", "html", "--bucket", "week"]));
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg"),
        "{html}"
    );
    assert!(html.contains("max_rating_drop"));

    let out = env.work().join("trends.md");
    trends(&env, &["--format", "markdown", "-o", "trends.md"]);
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .contains("## Trends per day")
    );
}

#[test]
fn hour_and_week_buckets_group_by_their_start() {
    let env = setup(None);
    let weekly: Value =
        serde_json::from_slice(&trends(&env, &["--format", "json", "--bucket", "week"]).stdout)
            .unwrap();
    let starts: Vec<&str> = weekly["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bucket"].as_str().unwrap())
        .collect();
    assert!(!starts.is_empty(), "{weekly:#}");
    assert!(
        starts
            .iter()
            .all(|s| *s == "2026-11-16T00:00:00.000Z" || *s == "2026-11-23T00:00:00.000Z"),
        "weeks start on Monday: {starts:?}"
    );
    let hourly: Value =
        serde_json::from_slice(&trends(&env, &["--format", "json", "--bucket", "hour"]).stdout)
            .unwrap();
    let hours: Vec<&str> = hourly["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bucket"].as_str().unwrap())
        .collect();
    assert!(!hours.is_empty(), "{hourly:#}");
    assert!(
        hours.iter().all(|h| h.ends_with("T09:00:00.000Z")),
        "{hours:?}"
    );
}

#[test]
fn skipped_lines_are_reported_and_strict_refuses_them() {
    let env = setup(None);
    env.write(
        "logs-in/broken.jsonl",
        "{\"v\":1,\"type\":\"run_end\",\"ts\":\n",
    );
    let args = [
        "report",
        "trends",
        "logs-in",
        "--since",
        "2026-11-17",
        "--until",
        "2026-11-24",
    ];
    let output = env.run(args);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("skipped 1 line"),
        "{}",
        stderr(&output)
    );
    let output = env.run(args.iter().chain(&["--strict"]));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let output = env.run(["report", "logs-in", "--check", "--strict"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "no rules configured: a usage error first"
    );
}

/// Prompt names that would forge a line or recolour the terminal if printed raw.
const FORGING: [&str; 2] = ["evil\nBREACH forged: everything is fine", "\x1b[31mred"];

#[test]
fn control_characters_in_names_cannot_forge_lines_in_any_text_output() {
    let mut runs = Vec::new();
    for name in FORGING {
        for i in 0..3 {
            runs.push(FixtureRun::ok(name, &nov(20, 9, i), 900.0).status("error"));
        }
    }
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &jsonl(&runs));
    env.config(&json!({"alerts": {"min_success_rate": 0.5}}).to_string());
    let window = ["--since", "2026-11-17", "--until", "2026-11-24"];
    for kind in [
        vec!["report", "logs-in"],
        vec!["report", "logs-in", "--check"],
        vec!["report", "trends", "logs-in"],
        vec!["report", "logs-in", "--check", "--format", "markdown"],
        vec!["report", "trends", "logs-in", "--format", "markdown"],
        vec!["report", "logs-in", "--format", "markdown"],
    ] {
        let mut args = kind.clone();
        args.extend_from_slice(&window);
        let output = env.run(&args);
        let text = stdout(&output);
        assert!(!text.contains('\x1b'), "{kind:?}: raw ESC in {text}");
        assert!(
            !text.lines().any(|l| l.starts_with("BREACH forged")),
            "{kind:?}: a forged line: {text}"
        );
        assert!(
            text.contains("evil\\"),
            "{kind:?}: the name shows escaped: {text}"
        );
        assert!(
            text.contains("x1b") && text.contains("31mred"),
            "{kind:?}: {text}"
        );
    }
}

#[test]
fn on_a_terminal_an_empty_no_color_still_colours_and_a_set_one_does_not() {
    use crate::feedback_support::{pty_cmd, pty_finish, spawn_pty};
    let env = setup(None);
    let args = [
        "report",
        "trends",
        "logs-in",
        "--since",
        "2026-11-17",
        "--until",
        "2026-11-24",
    ];
    let run = |no_color: &str| {
        let mut command = pty_cmd(&env, args);
        command.env("NO_COLOR", no_color);
        pty_finish(spawn_pty(command))
    };
    let (text, code) = run("");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("\x1b[31m"),
        "no-color.org: an empty NO_COLOR does not disable colour: {text:?}"
    );
    let (text, code) = run("1");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("REGRESSION") && !text.contains('\x1b'),
        "{text:?}"
    );
}
