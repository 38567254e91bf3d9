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

#[test]
fn the_first_run_says_where_it_logs_once() {
    let env = TestEnv::new();
    let logs = env.path("fresh-logs");
    let run = || {
        env.cmd(["hello", "--", "true"])
            .env("PROMPTRUN_LOG_DIR", &logs)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let said = stderr(&first);
    assert!(
        said.contains(&format!("logging runs to {}", logs.display())),
        "{said}"
    );
    let second = run();
    assert_eq!(stderr(&second), "", "said again");
}

#[test]
fn promptrun_alone_in_a_script_is_a_usage_error_not_an_orientation() {
    let env = TestEnv::new();
    let output = env.run(Vec::<&str>::new());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no prompt given"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn promptrun_alone_on_a_terminal_says_where_things_are() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(r#"{"prompts": {"hello": {"file": "hello.md"}}}"#);
    env.run(["hello", "--", "true"]);
    let session = crate::feedback_support::spawn_pty(crate::feedback_support::pty_cmd(
        &env,
        Vec::<&str>::new(),
    ));
    let (output, code) = crate::feedback_support::pty_finish(session);
    assert_eq!(code, Some(0), "{output}");
    assert!(
        output.contains("router-config.json (1 prompts)"),
        "{output}"
    );
    assert!(output.contains("(1 run(s) logged)"), "{output}");
    assert!(output.contains("promptrun hello --dry-run"), "{output}");
}
