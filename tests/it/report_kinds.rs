//! Several reports at once (`report usage performance`), and the drop-in
//! examples/prompt-analytics.sh that the old quick start called.

use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
use crate::support::*;

fn env_with_runs() -> TestEnv {
    let env = TestEnv::new();
    let runs: Vec<FixtureRun> = (0..4u32)
        .map(|i| FixtureRun::ok("alpha", &nov(20, 10, i), 250.0).rated(4))
        .collect();
    env.write("logs-in/events.jsonl", &jsonl(&runs));
    env
}

fn section_titles(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| line.strip_prefix("### "))
        .collect()
}

#[test]
fn several_report_kinds_show_their_sections_in_order() {
    let env = env_with_runs();
    let output = env.run([
        "report", "usage", "feedback", "logs-in", "--format", "markdown",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(section_titles(&text), ["Usage", "Feedback"], "{text}");
    let output = env.run(["report", "usage", "--report", "feedback", "logs-in"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn prompt_analytics_sh_takes_the_old_flags_and_several_reports() {
    let env = env_with_runs();
    let script = repo_root().join("examples/prompt-analytics.sh");
    let run = |args: &str| {
        env.shell(&format!(
            "PROMPTRUN=\"$PROMPTRUN\" '{}' {args}",
            script.display()
        ))
        .output()
        .unwrap()
    };
    let output = run("--report performance --report usage logs-in --format markdown");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(section_titles(&text), ["Performance", "Usage"], "{text}");
    let all = run("logs-in --format markdown");
    assert_eq!(
        section_titles(&stdout(&all)),
        ["Usage", "Performance", "Feedback"]
    );
    let bad = run("--report speed logs-in");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown report `speed`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn time_groups_come_out_in_time_order() {
    let env = TestEnv::new();
    // The latest week has the most runs: ordering by run count would invert time.
    let mut runs = Vec::new();
    for (day, count) in [(3u32, 1u32), (10, 3), (17, 5)] {
        runs.extend((0..count).map(|i| FixtureRun::ok("alpha", &nov(day, 9, i), 100.0)));
    }
    env.write("logs-in/events.jsonl", &jsonl(&runs));
    let output = env.run([
        "report",
        "usage",
        "logs-in",
        "--group-by",
        "prompt,week",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let weeks: Vec<&str> = document["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"]["week"].as_str().unwrap())
        .collect();
    assert_eq!(weeks.len(), 3, "{weeks:?}");
    let mut sorted = weeks.clone();
    sorted.sort();
    assert_eq!(weeks, sorted);
    let by_runs = env.run([
        "report",
        "usage",
        "logs-in",
        "--group-by",
        "prompt,week",
        "--format",
        "json",
        "--sort",
        "runs",
    ]);
    let document: serde_json::Value = serde_json::from_slice(&by_runs.stdout).unwrap();
    assert_eq!(document["groups"][0]["runs"], 5);
}
