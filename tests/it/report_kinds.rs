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
