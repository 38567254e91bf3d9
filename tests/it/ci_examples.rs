//! The CI examples: the commands the GitHub and GitLab workflows run, read out of
//! the YAML and run here against the real binary, as CI would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::support::{TestEnv, binary, repo_root, stderr};

/// The shell commands of a workflow: GitHub `run:` values, GitLab `script:` items.
fn workflow_commands(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("examples/ci").join(file)).unwrap();
    let mut commands = Vec::new();
    let mut in_script = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(run) = trimmed
            .strip_prefix("run: ")
            .or_else(|| trimmed.strip_prefix("- run: "))
        {
            commands.push(run.trim().to_string());
        } else if trimmed == "script:" {
            in_script = true;
        } else if in_script && trimmed.starts_with("- ") {
            commands.push(trimmed[2..].trim().to_string());
        } else if in_script && !trimmed.starts_with('#') && !trimmed.is_empty() {
            in_script = false;
        }
    }
    commands
}

const EXPECTED: [&str; 4] = [
    "cargo install --locked --path .",
    "examples/ci/run-prompts.sh promptrun-logs",
    "examples/ci/compact-logs.sh promptrun-logs",
    "examples/ci/report.sh promptrun-logs promptrun-report",
];

#[test]
fn both_workflows_run_the_same_commands() {
    assert_eq!(workflow_commands("github-actions.yml"), EXPECTED);
    assert_eq!(workflow_commands("gitlab-ci.yml"), EXPECTED);
    let github =
        std::fs::read_to_string(repo_root().join("examples/ci/github-actions.yml")).unwrap();
    assert!(github.contains("path: promptrun-logs/"), "keeps the JSONL");
    assert!(
        github.contains("promptrun-report/dashboard.html"),
        "publishes the dashboard"
    );
    assert!(
        github.matches("if: always()").count() >= 2,
        "artifacts also when the check fails"
    );
}

/// Runs a workflow command the way CI does (from the repository, `promptrun` on
/// PATH) but with its outputs in `env`'s working directory.
fn ci_step(env: &TestEnv, command: &str, config: &Path, summary: &Path) -> Output {
    let script = command.replacen(
        "examples/ci/",
        &format!("{}/examples/ci/", repo_root().display()),
        1,
    );
    let bin_dir = binary().parent().unwrap().to_path_buf();
    let mut path = vec![bin_dir];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Command::new("sh")
        .args(["-c", &script])
        .current_dir(env.work())
        .env_clear()
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("HOME", env.path("home"))
        .env("USER", "ci")
        .env("XDG_STATE_HOME", env.path("state"))
        .env("XDG_CONFIG_HOME", env.path("config"))
        .env("PROMPTRUN_CONFIG", config)
        .env("GITHUB_STEP_SUMMARY", summary)
        .stdin(Stdio::null())
        .output()
        .expect("run the CI step")
}

fn run_workflow(env: &TestEnv, config: &Path) -> (Output, Output, PathBuf) {
    let summary = env.path("step-summary.md");
    let prompts = ci_step(env, EXPECTED[1], config, &summary);
    let compact = ci_step(env, EXPECTED[2], config, &summary);
    assert!(compact.status.success(), "{}", stderr(&compact));
    let report = ci_step(env, EXPECTED[3], config, &summary);
    (prompts, report, summary)
}

#[test]
fn the_workflow_passes_with_the_shipped_config_and_writes_every_artifact() {
    let env = TestEnv::new();
    let (prompts, report, summary) =
        run_workflow(&env, &repo_root().join("config/router-config.json"));
    assert!(prompts.status.success(), "{}", stderr(&prompts));
    let events = crate::support::read_events(&env.work().join("promptrun-logs"));
    assert_eq!(
        events.iter().filter(|e| e["type"] == "run_end").count(),
        4,
        "the four eval prompts ran"
    );
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let out = env.work().join("promptrun-report");
    let dashboard = std::fs::read_to_string(out.join("dashboard.html")).unwrap();
    assert!(dashboard.contains("<svg") && dashboard.contains("hello"));
    let breaches: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("breaches.json")).unwrap()).unwrap();
    assert_eq!(breaches["breaches"], json!([]));
    assert_eq!(breaches["checked"], 1, "hello ran 4 times (min_runs 3)");
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(
        summary.contains("hello"),
        "the Markdown report is in the job summary: {summary}"
    );
    assert!(
        summary.contains("## Alert check") && summary.contains("no breach"),
        "{summary}"
    );
}

#[test]
fn the_workflow_fails_on_a_breach_but_still_writes_the_artifacts() {
    let env = TestEnv::new();
    let prompt_file = repo_root().join("examples/prompts/summarize.md");
    let config = env.write(
        "ci-config.json",
        &json!({
            "prompts": {"hello": {"file": prompt_file, "aliases": ["demo"], "command": ["cat", "{prompt_file}"]}},
            "alerts": {"max_p95_ms": 0}
        })
        .to_string(),
    );
    let (prompts, report, summary) = run_workflow(&env, &config);
    assert!(prompts.status.success(), "{}", stderr(&prompts));
    assert_eq!(
        report.status.code(),
        Some(1),
        "the job fails on the breach: {}",
        stderr(&report)
    );
    let out = env.work().join("promptrun-report");
    assert!(out.join("dashboard.html").is_file() && out.join("report.md").is_file());
    let breaches: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("breaches.json")).unwrap()).unwrap();
    assert_eq!(breaches["breaches"][0]["rule"], "max_p95_ms");
    assert!(
        std::fs::read_to_string(summary)
            .unwrap()
            .contains("| hello | max_p95_ms |")
    );
}

#[test]
fn the_workflow_posts_each_breach_once_and_summarises_that_same_check() {
    let env = TestEnv::new();
    let prompt_file = repo_root().join("examples/prompts/summarize.md");
    let posted = env.path("posted.txt");
    let config = env.write(
        "ci-config.json",
        &json!({
            "prompts": {"hello": {"file": prompt_file, "command": ["cat", "{prompt_file}"]}},
            "alerts": {
                "max_p95_ms": 0,
                "command": ["sh", "-c", format!("cat >/dev/null; echo posted >> '{}'", posted.display())]
            }
        })
        .to_string(),
    );
    let (prompts, report, summary) = run_workflow(&env, &config);
    assert!(prompts.status.success(), "{}", stderr(&prompts));
    assert_eq!(report.status.code(), Some(1), "{}", stderr(&report));
    let posts = std::fs::read_to_string(&posted).unwrap_or_default();
    assert_eq!(
        posts.lines().count(),
        1,
        "alerts.command ran once per job, not once per output format"
    );
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(summary.contains("| hello | max_p95_ms |"), "{summary}");
}

#[test]
fn both_workflows_restore_the_earlier_logs_before_the_check() {
    let github =
        std::fs::read_to_string(repo_root().join("examples/ci/github-actions.yml")).unwrap();
    let restore = github
        .find("actions/cache/restore@")
        .expect("restores the logs");
    let run = github.find("examples/ci/run-prompts.sh").unwrap();
    assert!(restore < run, "restored before the prompts run");
    assert!(github.contains("key: promptrun-logs-${{ github.ref_name }}-"));
    assert!(github.contains("restore-keys:"));
    let save = github.find("actions/cache/save@").expect("saves the logs");
    assert!(
        github[save.saturating_sub(200)..save].contains("if: always()"),
        "saved also when the check fails"
    );
    let gitlab = std::fs::read_to_string(repo_root().join("examples/ci/gitlab-ci.yml")).unwrap();
    assert!(
        gitlab.contains("cache:") && gitlab.contains("key: promptrun-logs-$CI_COMMIT_REF_SLUG")
    );
    assert!(gitlab.contains("when: always"));
}

#[test]
fn with_the_earlier_logs_restored_the_workflow_catches_a_slowdown() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl};
    let env = TestEnv::new();
    let prompt_file = repo_root().join("examples/prompts/summarize.md");
    let config = env.write(
        "ci-config.json",
        &json!({
            "prompts": {"hello": {"file": prompt_file, "aliases": ["demo"], "command": ["cat", "{prompt_file}"]}},
            "alerts": {"min_runs": 3, "max_p95_increase_pct": 50}
        })
        .to_string(),
    );
    // What the cache restores: last week's runs, far faster than any real run.
    let last_week = chrono::Utc::now() - chrono::Duration::days(8);
    let runs: Vec<FixtureRun> = (0..4)
        .map(|i| {
            let ts = (last_week + chrono::Duration::minutes(i))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            FixtureRun::ok("hello", &ts, 0.001)
        })
        .collect();
    env.write("promptrun-logs/restored.jsonl", &jsonl(&runs));
    let (prompts, report, _) = run_workflow(&env, &config);
    assert!(prompts.status.success(), "{}", stderr(&prompts));
    assert_eq!(report.status.code(), Some(1), "{}", stderr(&report));
    let out = env.work().join("promptrun-report");
    let breaches: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("breaches.json")).unwrap()).unwrap();
    assert_eq!(breaches["breaches"][0]["rule"], "max_p95_increase_pct");
}

#[test]
fn compacting_keeps_one_file_per_day_each_event_once_and_drops_old_days() {
    use crate::dashboard_fixtures::{FixtureRun, jsonl};
    let env = TestEnv::new();
    let ts = |days: i64| {
        (chrono::Utc::now() - chrono::Duration::days(days))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let recent = jsonl(&[FixtureRun::ok("hello", &ts(2), 0.5)]);
    let old = jsonl(&[FixtureRun::ok("hello", &ts(60), 0.5)]);
    // A restored cache, the same runs again from a downloaded artifact, an old day.
    env.write("promptrun-logs/restored/events.jsonl", &recent);
    env.write("promptrun-logs/artifact-1/events.jsonl", &recent);
    env.write("promptrun-logs/old.jsonl", &old);
    let summary = env.path("step-summary.md");
    let config = repo_root().join("config/router-config.json");
    let compact = ci_step(&env, EXPECTED[2], &config, &summary);
    assert!(compact.status.success(), "{}", stderr(&compact));
    let dir = env.work().join("promptrun-logs");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("events-") && names[0].ends_with(".jsonl"));
    let events = crate::support::read_events(&dir);
    assert_eq!(
        events.len(),
        recent.lines().count(),
        "each event once, the old day gone"
    );
    // Compacting again changes nothing.
    assert!(
        ci_step(&env, EXPECTED[2], &config, &summary)
            .status
            .success()
    );
    assert_eq!(crate::support::read_events(&dir), events);
}
