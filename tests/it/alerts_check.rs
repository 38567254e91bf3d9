//! `promptrun report --check`: every rule just at and just past its threshold,
//! min_runs, per-prompt overrides, alerts.command, exit codes, config check.

use serde_json::{Value, json};

use crate::dashboard_fixtures::{FixtureRun, jsonl, nov};
use crate::support::{TestEnv, stderr, stdout};

const WINDOW: [&str; 4] = ["--since", "2026-11-17", "--until", "2026-11-24"];

/// `alpha` in the window: 11 runs (9 ok, 1 error, 1 incomplete), 500 ms each,
/// 5 asked for a rating, 4 rated 4 stars. In the previous window: 10 ok runs of
/// 400 ms, each rated 5. So: success 0.9, p95 500, mean 4.0, participation 0.8,
/// incomplete 1/11, p95 +25%, rating drop 1.0.
fn alpha_log() -> String {
    let mut runs = Vec::new();
    for i in 0..11u32 {
        let mut run = FixtureRun::ok("alpha", &nov(20, 10, i), 500.0);
        match i {
            0..=3 => run = run.rated(4),
            4 => run = run.asked(),
            9 => run = run.status("error"),
            10 => run = run.status("incomplete"),
            _ => {}
        }
        runs.push(run);
    }
    for i in 0..10u32 {
        runs.push(FixtureRun::ok("alpha", &nov(12, 10, i), 400.0).rated(5));
    }
    jsonl(&runs)
}

fn env_with(log: &str, alerts: Value) -> TestEnv {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", log);
    env.config(&json!({ "alerts": alerts }).to_string());
    env
}

fn check(env: &TestEnv, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["report", "logs-in", "--check"];
    args.extend_from_slice(&WINDOW);
    args.extend_from_slice(extra);
    env.run(&args)
}

fn breaches(output: &std::process::Output) -> Vec<Value> {
    let document: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", stdout(output)));
    assert_eq!(document["schema"], "promptrun.breaches/v1");
    document["breaches"].as_array().unwrap().clone()
}

#[test]
fn every_rule_passes_at_its_threshold_and_fires_just_past_it() {
    let cases: [(&str, f64, f64, f64); 7] = [
        ("min_success_rate", 0.9, 0.91, 0.9),
        ("max_p95_ms", 500.0, 499.0, 500.0),
        ("min_mean_rating", 4.0, 4.01, 4.0),
        ("min_participation", 0.8, 0.81, 0.8),
        ("max_incomplete_rate", 0.1, 0.09, 1.0 / 11.0),
        ("max_p95_increase_pct", 25.0, 24.9, 25.0),
        ("max_rating_drop", 1.0, 0.99, 1.0),
    ];
    for (rule, at, past, value) in cases {
        let env = env_with(&alpha_log(), json!({ rule: at }));
        let output = check(&env, &["--format", "json"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{rule} at {at}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        assert!(breaches(&output).is_empty(), "{rule} at {at}");

        let env = env_with(&alpha_log(), json!({ rule: past }));
        let output = check(&env, &["--format", "json"]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{rule} at {past}: {}",
            stderr(&output)
        );
        let found = breaches(&output);
        assert_eq!(found.len(), 1, "{rule}: {found:?}");
        assert_eq!(found[0]["prompt"], "alpha");
        assert_eq!(found[0]["rule"], rule);
        assert_eq!(found[0]["threshold"].as_f64(), Some(past));
        let measured = found[0]["value"].as_f64().unwrap();
        assert!(
            (measured - value).abs() < 1e-9,
            "{rule}: measured {measured}, expected {value}"
        );
    }
}

#[test]
fn the_text_output_names_prompt_rule_value_threshold_and_window() {
    let env = env_with(&alpha_log(), json!({ "min_success_rate": 0.95 }));
    let output = check(&env, &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("BREACH alpha: min_success_rate 90.0% < 95.0% (11 runs, window 2026-11-17 00:00 to 2026-11-24 00:00 UTC)"),
        "{text}"
    );
    assert!(
        text.contains("1 breach(es) in 1 prompt(s) checked"),
        "{text}"
    );
}

#[test]
fn min_runs_exempts_prompts_with_fewer_runs() {
    let env = env_with(&alpha_log(), json!({ "min_runs": 11, "max_p95_ms": 1 }));
    assert_eq!(check(&env, &[]).status.code(), Some(1));
    let env = env_with(&alpha_log(), json!({ "min_runs": 12, "max_p95_ms": 1 }));
    let output = check(&env, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["skipped_few_runs"], json!(["alpha"]));
}

#[test]
fn per_prompt_overrides_replace_only_the_rules_they_set() {
    let mut runs: Vec<FixtureRun> = (0..5)
        .map(|i| FixtureRun::ok("alpha", &nov(20, 9, i), 500.0))
        .collect();
    runs.extend((0..5).map(|i| FixtureRun::ok("beta", &nov(20, 9, i), 500.0)));
    runs.extend((0..5).map(|i| FixtureRun::ok("gamma", &nov(20, 9, i), 500.0)));
    let alerts = json!({
        "max_p95_ms": 1000,
        "min_success_rate": 0.99,
        "prompts": {
            "[ab]*": { "max_p95_ms": 100 },
            "beta": { "max_p95_ms": 2000 }
        }
    });
    let env = env_with(&jsonl(&runs), alerts);
    let output = check(&env, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let found: Vec<(String, String)> = breaches(&output)
        .iter()
        .map(|b| {
            (
                b["prompt"].as_str().unwrap().into(),
                b["rule"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("alpha".to_string(), "max_p95_ms".to_string())],
        "glob for alpha, exact name for beta, defaults for gamma"
    );
}

#[test]
fn alerts_command_gets_the_breaches_json_on_stdin() {
    let env = env_with(
        &alpha_log(),
        json!({ "min_success_rate": 0.95, "command": ["sh", "-c", "cat > hook.json; echo hook-ran"] }),
    );
    let output = check(&env, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let heard: Value =
        serde_json::from_str(&std::fs::read_to_string(env.work().join("hook.json")).unwrap())
            .unwrap();
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        heard, printed,
        "the command hears what --format json prints"
    );
    assert!(
        stderr(&output).contains("hook-ran"),
        "the command's output goes to stderr"
    );

    let quiet = env_with(
        &alpha_log(),
        json!({ "min_success_rate": 0.5, "command": ["sh", "-c", "cat > hook.json"] }),
    );
    assert_eq!(check(&quiet, &[]).status.code(), Some(0));
    assert!(
        !quiet.work().join("hook.json").exists(),
        "no breach, no command"
    );
}

#[test]
fn a_failing_alerts_command_is_reported_and_exits_5() {
    let env = env_with(
        &alpha_log(),
        json!({ "min_success_rate": 0.95, "command": ["sh", "-c", "cat > /dev/null; exit 22"] }),
    );
    let output = check(&env, &[]);
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stdout(&output).contains("BREACH alpha"),
        "the breaches are still printed"
    );
    assert!(
        stderr(&output).contains("promptrun: error: alerts.command `sh` failed with exit status 22; the breaches were not delivered"),
        "{}",
        stderr(&output)
    );
    let env = env_with(
        &alpha_log(),
        json!({ "min_success_rate": 0.95, "command": ["/nonexistent/notify"] }),
    );
    let output = check(&env, &[]);
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr(&output).contains("could not start"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_without_rules_is_a_usage_error() {
    let env = env_with(&alpha_log(), json!({}));
    let output = check(&env, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("report --check needs alert rules"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn config_check_points_at_bad_alert_rules() {
    let env = TestEnv::new();
    env.config("{\n  \"alerts\": {\n    \"min_success_rate\": 95,\n    \"prompts\": {\"x\": {\"max_p95_ms\": -5}, \"[ab\": {}},\n    \"command\": []\n  }\n}\n");
    let output = env.run(["config", "check"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "router-config.json:3:25: min_success_rate must be a fraction from 0 to 1, got 95"
        ),
        "{err}"
    );
    assert!(
        err.contains("router-config.json:4:37: max_p95_ms must be milliseconds, 0 or more, got -5"),
        "{err}"
    );
    assert!(
        err.contains("router-config.json:5:16: alerts.command needs at least a program name"),
        "{err}"
    );
    assert!(
        err.contains("router-config.json:4:42: glob `[ab` has an unclosed `[`"),
        "a bad glob is pointed at by its key: {err}"
    );
}

#[test]
fn check_and_dashboard_refuse_an_invalid_alerts_config_with_positions() {
    let env = TestEnv::new();
    env.write("logs-in/events.jsonl", &alpha_log());
    env.config("{\n  \"alerts\": {\n    \"min_success_rate\": 95,\n    \"command\": []\n  }\n}\n");
    for args in [
        vec!["report", "logs-in", "--check"],
        vec!["report", "logs-in", "--format", "html", "-o", "r.html"],
        vec!["dashboard", "logs-in", "-o", "d.html"],
    ] {
        let output = env.run(&args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(
                "router-config.json:3:25: min_success_rate must be a fraction from 0 to 1, got 95"
            ),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("router-config.json:4:16: alerts.command needs at least a program name"),
            "{args:?}: {err}"
        );
        assert!(
            stdout(&output).is_empty(),
            "{args:?}: no breach list on stdout"
        );
    }
}

#[test]
fn a_report_kind_word_is_not_taken_for_a_log_path() {
    let env = env_with(&alpha_log(), json!({"min_success_rate": 0.95}));
    let output = check(&env, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let mut args = vec!["report", "usage", "logs-in", "--check"];
    args.extend_from_slice(&WINDOW);
    let output = env.run(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("BREACH alpha"),
        "{}",
        stdout(&output)
    );
    let mut args = vec![
        "report",
        "performance",
        "logs-in",
        "--format",
        "html",
        "-o",
        "p.html",
    ];
    args.extend_from_slice(&WINDOW);
    let output = env.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = std::fs::read_to_string(env.work().join("p.html")).unwrap();
    assert!(html.contains("alpha"), "the page shows the log's prompt");
}

#[test]
fn without_since_trends_and_change_rules_compare_the_last_7_days_with_the_7_before() {
    let env = env_with(&alpha_log(), json!({"max_p95_increase_pct": 10}));
    for args in [
        vec!["report", "trends", "logs-in", "--format", "json"],
        vec!["report", "logs-in", "--check", "--format", "json"],
    ] {
        let output = env.run(&args);
        let document: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{args:?}: {err}: {}", stderr(&output)));
        let at = |v: &Value| {
            chrono::DateTime::parse_from_rfc3339(
                v.as_str().unwrap_or_else(|| panic!("{args:?}: {document}")),
            )
            .unwrap()
        };
        let (start, end) = (
            at(&document["window"]["start"]),
            at(&document["window"]["end"]),
        );
        assert_eq!(end - start, chrono::Duration::days(7), "{args:?}");
        assert_eq!(at(&document["previous_window"]["end"]), start, "{args:?}");
    }
}

#[test]
fn a_check_that_sees_nothing_says_so_on_stderr() {
    let env = env_with(
        &alpha_log(),
        json!({"min_success_rate": 0.5, "max_rating_drop": 0.5}),
    );
    let output = env.run(["report", "--check", "--log-dir", "missing-dir"]);
    let err = stderr(&output);
    assert!(
        err.contains("promptrun: warning: no run in the window"),
        "{err}"
    );
    let output = env.run([
        "report",
        "logs-in",
        "--check",
        "--since",
        "2026-11-19",
        "--until",
        "2026-11-21",
    ]);
    let err = stderr(&output);
    assert!(
        err.contains("no run in the previous window")
            && err.contains("max_rating_drop cannot fire"),
        "the previous window (Nov 17-19) is empty: {err}"
    );
    let output = check(&env, &[]);
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}

#[test]
fn the_markdown_check_names_the_window_and_the_one_compared_with() {
    let env = env_with(&alpha_log(), json!({"min_success_rate": 0.95}));
    let output = check(&env, &["--format", "markdown"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "Window: 2026-11-17 00:00 to 2026-11-24 00:00 UTC, compared with 2026-11-10 00:00 to 2026-11-17 00:00 UTC."
        ),
        "{text}"
    );
}

#[test]
fn flags_the_windowed_reports_would_ignore_are_usage_errors() {
    let env = env_with(&alpha_log(), json!({"min_success_rate": 0.95}));
    for (args, expected) in [
        (
            vec!["report", "logs-in", "--check", "--group-by", "user"],
            "report --check does not take --group-by",
        ),
        (
            vec!["report", "trends", "logs-in", "--top", "3"],
            "unexpected argument '--top'",
        ),
        (
            vec!["report", "logs-in", "--format", "html", "--comments"],
            "report --format html does not take --comments",
        ),
        (
            vec!["report", "logs-in", "--bucket", "hour"],
            "--bucket applies to `report trends`",
        ),
    ] {
        let output = env.run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn config_check_lists_problems_in_file_order() {
    let env = TestEnv::new();
    env.config(
        "{\n  \"alerts\": {\"min_success_rate\": 95},\n  \"prompts\": {\"x\": {\"file\": \"/nonexistent/x.md\", \"command\": [\"cat\"]}}\n}\n",
    );
    let output = env.run(["config", "check"]);
    let err = stderr(&output);
    let lines: Vec<usize> = err
        .lines()
        .filter_map(|l| l.split(':').nth(1)?.parse().ok())
        .collect();
    assert!(lines.len() >= 2, "{err}");
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "by line: {err}");
}

#[test]
fn a_zero_length_window_is_a_usage_error_not_an_empty_report() {
    let env = env_with(&alpha_log(), json!({"min_success_rate": 0.95}));
    for args in [
        vec!["report", "trends", "logs-in", "--since", "0d"],
        vec!["report", "logs-in", "--check", "--since", "0m"],
        vec!["dashboard", "logs-in", "--since", "0h", "-o", "d.html"],
        vec![
            "report",
            "trends",
            "logs-in",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-20",
        ],
    ] {
        let output = env.run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&output)
        );
        assert!(
            stderr(&output).contains("the window is empty: --since must be before --until"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn require_runs_fails_a_check_that_checked_nothing() {
    let env = env_with(&alpha_log(), json!({"min_success_rate": 0.5}));
    let output = env.run(["report", "--check", "--log-dir", "missing-dir"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = env.run([
        "report",
        "--check",
        "--require-runs",
        "--log-dir",
        "missing-dir",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("no prompt was checked (--require-runs)"));
    let output = check(&env, &["--require-runs"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "alpha was checked: {}",
        stderr(&output)
    );
}
