//! How `report`, `trends`, `report --check` and the dashboard are wired: one
//! config load per command, the check's exit status whatever happens to stdout,
//! and `trends` as a subcommand of its own.

use serde_json::json;

use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
use crate::support::{TestEnv, stderr, stdout};

/// A log where `alpha` fails half its runs in the window of 2026-11-17 to -24.
fn failing_log() -> String {
    let runs: Vec<FixtureRun> = (0..10u32)
        .map(|i| {
            let run = FixtureRun::ok("alpha", &nov(20, 10, i), 300.0);
            if i % 2 == 0 { run.status("error") } else { run }
        })
        .collect();
    jsonl(&runs)
}

#[test]
fn a_check_piped_into_a_closed_reader_still_fails_and_still_alerts() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &failing_log());
    let marker = env.path("alert-ran");
    env.config(
        &json!({
            "alerts": {
                "min_success_rate": 0.9,
                "command": ["sh", "-c", format!("cat > '{}'", marker.display())]
            }
        })
        .to_string(),
    );
    // `| true`: the reader exits at once, so every write to stdout fails with EPIPE.
    let script = "exec 3>&1; { \"$PROMPTRUN\" report logs-in --check --since 2026-11-17 \
                  --until 2026-11-24; echo \"status=$?\" >&3; } | true";
    let output = env.shell(script).output().unwrap();
    let out = stdout(&output);
    assert!(out.contains("status=1"), "{out}{}", stderr(&output));
    let delivered = std::fs::read_to_string(&marker).expect("alerts.command ran");
    let document: serde_json::Value = serde_json::from_str(&delivered).unwrap();
    assert_eq!(document["breaches"][0]["rule"], "min_success_rate");
}

#[test]
fn the_dashboard_warns_about_an_unknown_config_key_once() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &failing_log());
    env.config(&json!({"alerts": {"min_success_rate": 0.5}, "colour": "blue"}).to_string());
    for args in [
        vec!["report", "logs-in", "--format", "html", "-o", "page.html"],
        vec!["dashboard", "logs-in", "-o", "page.html"],
        vec!["trends", "logs-in"],
    ] {
        let output = env.run(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        let warnings = stderr(&output).matches("colour").count();
        assert_eq!(warnings, 1, "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn trends_is_a_subcommand_of_its_own_and_of_report() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &failing_log());
    let window = [
        "--since",
        "2026-11-17",
        "--until",
        "2026-11-24",
        "--format",
        "json",
    ];
    let top = env.run(["trends", "logs-in"].iter().chain(&window));
    let nested = env.run(["report", "trends", "logs-in"].iter().chain(&window));
    assert_eq!(top.status.code(), Some(0), "{}", stderr(&top));
    assert_eq!(nested.status.code(), Some(0), "{}", stderr(&nested));
    let strip = |text: String| -> serde_json::Value {
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value.as_object_mut().unwrap().remove("generated");
        value
    };
    let (top, nested) = (strip(stdout(&top)), strip(stdout(&nested)));
    assert_eq!(top, nested);
    assert_eq!(top["changes"][0]["prompt"], "alpha", "{top}");
    let help = env.run(["report", "trends", "--help"]);
    assert!(stdout(&help).contains("--bucket"), "{}", stdout(&help));
}

#[test]
fn report_flags_before_trends_are_refused_by_name() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &failing_log());
    let output = env.run(["report", "--check", "trends", "logs-in"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("report trends does not take --check"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_dashboard_and_the_check_judge_the_same_default_window() {
    let now = chrono::Utc::now();
    let at = |days_ago: i64, minute: i64| {
        (now - chrono::Duration::days(days_ago) + chrono::Duration::minutes(minute))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    // Failing runs three weeks ago, good runs two days ago.
    let mut runs: Vec<FixtureRun> = (0..6)
        .map(|i| FixtureRun::ok("alpha", &at(21, i), 100.0).status("error"))
        .collect();
    runs.extend((0..6).map(|i| FixtureRun::ok("alpha", &at(2, i), 100.0)));
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &jsonl(&runs));
    env.config(&json!({"alerts": {"min_success_rate": 0.9}}).to_string());
    let check = env.run(["report", "logs-in", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let summary = stdout(&check);
    assert!(
        summary.contains("no breach: 1 prompt(s) checked; window "),
        "{summary}"
    );
    let page = env.run(["dashboard", "logs-in", "-o", "-"]);
    assert_eq!(page.status.code(), Some(0), "{}", stderr(&page));
    let html = stdout(&page);
    let summary_line = summary.lines().last().unwrap();
    assert!(
        html.contains(summary_line),
        "the page says something else than: {summary_line}"
    );
}
