//! "Trust nothing it did not create": secrets in logged arguments, formulas in
//! CSV, control sequences on the terminal, durations and tags past any sense,
//! signals, and config text that is not what it should be.

use std::time::Duration;

use serde_json::{Value, json};

use crate::report_support::{end, start};
use crate::support::*;

/// A name that tries everything: OSC 52 (set the clipboard), a 7-bit and a C1
/// CSI, BEL, bidi overrides and isolates, and a CR LF that forges a line.
const HOSTILE: &str = "ev\u{1b}]52;c;aGVsbG8=\u{7}il\u{1b}[2J\u{9b}31m\u{202e}gnp.exe\u{2066}x\u{2069}\r\nBREACH forged";

/// Fails when `text` holds a raw control character other than a newline, or a
/// bidi control: every such character must have been escaped.
fn assert_neutral(text: &str) {
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !(bidi || (c.is_control() && c != '\n')),
            "raw {:?} reached the terminal in {text:?}",
            c
        );
    }
    assert!(
        !text.lines().any(|line| line.starts_with("BREACH")),
        "a forged line in {text:?}"
    );
}

fn env_with_hostile_prompt() -> TestEnv {
    let env = TestEnv::new();
    env.write("hello.md", "Say hello.\n");
    env.config(
        &json!({ "prompts": {
            HOSTILE: { "file": "hello.md", "variants": { HOSTILE: {} }, "default_variant": HOSTILE },
            "hello": { "file": "hello.md" } } })
        .to_string(),
    );
    env
}

fn run_hostile(env: &TestEnv) -> String {
    let out = env.run([HOSTILE, "--", "true"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_neutral(&stderr(&out));
    env.events()
        .into_iter()
        .rfind(|e| e["type"] == "run_start")
        .unwrap()["run_id"]
        .as_str()
        .unwrap()
        .to_string()
}

// Item 5: names from logs, configs and file names never reach the terminal raw.

#[test]
fn rate_and_pending_print_hostile_names_escaped() {
    let env = env_with_hostile_prompt();
    let first = run_hostile(&env);
    let second = run_hostile(&env);

    let out = env.run(["rate", "--pending"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_neutral(&stdout(&out));
    assert_neutral(&stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    assert!(stdout(&out).contains("\\x1b]52"), "{}", stdout(&out));

    // Both ids start alike: the ambiguous-prefix error lists both runs.
    let common = first
        .chars()
        .zip(second.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let prefix = &first[..common.clamp(4, 8)];
    let out = env.run(["rate", prefix, "5"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ambiguous"), "{err}");
    assert_neutral(&err);
    assert_eq!(err.lines().count(), 3, "{err}");

    let out = env.run(["rate", "last", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_neutral(&stdout(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
}

#[test]
fn prompts_and_dry_run_escape_names() {
    let env = env_with_hostile_prompt();
    let out = env.run(["prompts"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_neutral(&stdout(&out));
    let out = env.run([HOSTILE, "--dry-run", "--", "echo", HOSTILE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_neutral(&stdout(&out));
    // config, prompt, variant, strategy, chances, file, command, timeout, log dir.
    assert_eq!(stdout(&out).lines().count(), 9, "{}", stdout(&out));
}

#[test]
fn skip_warnings_escape_file_names() {
    let env = TestEnv::new();
    let name = "logs-in/ev\u{1b}[2Jil\u{202e}\r\nBREACH.jsonl";
    env.write(name, "not json\n");
    let out = env.run(["report", "logs-in"]);
    let err = stderr(&out);
    assert!(err.contains("skipped"), "{err}");
    assert_neutral(&err);
    assert_neutral(&stdout(&out));
}

#[test]
fn config_check_escapes_keys_and_route_targets() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(
        &json!({
            "prompts": { "hello": { "file": "hello.md" } },
            "routes": [ { "match": "x*", "prompt": HOSTILE } ],
            HOSTILE: 1,
            "bad\rkey": 2
        })
        .to_string(),
    );
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_neutral(&err);
    assert!(err.contains("bad\\rkey"), "{err}");
    // Two warnings, one error, one summary: four lines, none split.
    assert_eq!(err.lines().count(), 4, "{err}");

    // Item 15: at run time, the unknown key's warning stays one line too.
    let out = env.run(["hello", "--", "cat", "{prompt_file}"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_neutral(&err);
    assert_eq!(warning_count(&err), 2, "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");
}

// Item 3: secrets in logged arguments.

#[test]
fn logged_arguments_hide_secret_shapes_and_configured_patterns() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(
        r#"{ "prompts": { "hello": { "file": "hello.md" } },
             "logging": { "log_args": true, "redact": ["acme_*"] } }"#,
    );
    let out = env.run([
        "hello",
        "--",
        "true",
        "-phunter2",
        "-u",
        "alice:hunter3",
        "https://bob:hunter4@db.example/x?a=1&token=hunter5",
        "Basic",
        "hunter6",
        "acme_hunter7",
        "--model",
        "gpt-4o",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events = checked_events(&env);
    let args = &of_type(&events, "run_start")[0]["args"];
    let text = args.to_string();
    for n in 2..=7 {
        assert!(!text.contains(&format!("hunter{n}")), "hunter{n} in {text}");
    }
    assert!(text.contains("alice:[REDACTED]"), "{text}");
    assert_eq!(args[args.as_array().unwrap().len() - 1], "gpt-4o");

    // A pattern that is not a glob is a config check error with its position.
    env.config(
        r#"{ "prompts": { "hello": { "file": "hello.md" } },
             "logging": { "log_args": true, "redact": ["[oops"] } }"#,
    );
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("router-config.json:2:56: glob `[oops` has an unclosed `[`"),
        "{}",
        stderr(&out)
    );
}

// Item 4: formulas in CSV.

#[test]
fn csv_text_cells_that_look_like_formulas_are_quoted() {
    let env = TestEnv::new();
    let ts = "2026-11-20T10:00:00.000Z";
    let mut log = String::new();
    for (n, prompt) in [
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-1.5",
        "@SUM(A1)",
        "\tx",
        "safe",
    ]
    .iter()
    .enumerate()
    {
        let n = n as u64 + 1;
        log.push_str(&start(n, ts, prompt, None, "u1", json!({})));
        log.push('\n');
        let metrics = json!({ "delta": -1.5 });
        log.push_str(&end(
            n,
            ts,
            prompt,
            None,
            "u1",
            json!({}),
            "ok",
            10.0,
            false,
            metrics,
        ));
        log.push('\n');
    }
    env.write("logs-in/events.jsonl", &log);
    let out = env.run([
        "report",
        "logs-in",
        "--format",
        "csv",
        "--group-by",
        "prompt",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    let first_cells: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap())
        .collect();
    for cell in &first_cells {
        assert!(
            !cell
                .trim_start_matches('"')
                .starts_with(['=', '+', '-', '@', '\t']),
            "{cell} in {csv}"
        );
    }
    assert!(csv.contains("'-1.5"), "{csv}");
    assert!(csv.contains("'\\tx"), "{csv}");
    // Numbers promptrun writes stay numbers: the metric mean is -1.5, unquoted.
    assert!(csv.lines().nth(1).unwrap().ends_with(",-1.5,-1.5"), "{csv}");

    let out = env.run([
        "report",
        "trends",
        "logs-in",
        "--since",
        "2026-11-19",
        "--until",
        "2026-11-21",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
}

// Item 15: an overflowing sum says so.

#[test]
fn an_overflowing_metric_sum_says_overflow() {
    let env = TestEnv::new();
    let ts = "2026-11-20T10:00:00.000Z";
    let mut log = String::new();
    for n in 1..=2 {
        log.push_str(&start(n, ts, "p", None, "u1", json!({})));
        log.push('\n');
        let metrics = json!({ "big": 1.7e308 });
        log.push_str(&end(
            n,
            ts,
            "p",
            None,
            "u1",
            json!({}),
            "ok",
            10.0,
            false,
            metrics,
        ));
        log.push('\n');
    }
    env.write("logs-in/events.jsonl", &log);
    let out = env.run(["report", "logs-in", "--report", "performance"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("overflow"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("inf"), "{}", stdout(&out));
    let out = env.run(["report", "logs-in", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let big = &report["totals"]["metrics"]["big"];
    assert_eq!(big["sum"], Value::Null, "{big}");
    assert_eq!(big["overflow"], true, "{big}");
}

// Item 9: durations past any sense are refused, not a panic.

#[test]
fn huge_durations_are_refused_with_a_clear_error() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(r#"{ "prompts": { "hello": { "file": "hello.md" } } }"#);
    for args in [
        ["--timeout", "2562047788015215h"],
        ["--kill-grace", "2562047788015215h"],
        ["--timeout", "366d"],
    ] {
        let out = env.run(["hello", args[0], args[1], "--", "true"]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("365 days"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert!(env.events().is_empty());
    }
    let out = env
        .cmd(["hello", "--", "true"])
        .env("PROMPTRUN_KILL_GRACE", "2562047788015215h")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("365 days"), "{}", stderr(&out));

    // The config's defaults.timeout: config check and the run both name its place.
    env.config(
        "{ \"prompts\": { \"hello\": { \"file\": \"hello.md\" } },\n  \"defaults\": { \"timeout\": \"2562047788015215h\" } }",
    );
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("router-config.json:2:28: duration"),
        "{}",
        stderr(&out)
    );
    let out = env.run(["hello", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("router-config.json:2:28: defaults.timeout: duration"),
        "{}",
        stderr(&out)
    );
}

// Item 11: what a run writes, its own report reads.

#[test]
fn huge_tags_are_cut_so_report_reads_every_line() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(r#"{ "prompts": { "hello": { "file": "hello.md" } } }"#);
    let mut args: Vec<String> = vec!["hello".into()];
    for n in 0..10 {
        args.push("--tag".into());
        args.push(format!("k{n}={}", "v".repeat(120 * 1024)));
    }
    args.extend(["--".into(), "true".into()]);
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut to 1024"), "{}", stderr(&out));
    let out = env.run(["report", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"]["skipped"], 0, "{}", stderr(&out));
    assert_eq!(report["inputs"]["events"], 2);
    let events = checked_events(&env);
    let tags = events[0]["tags"].as_object().unwrap();
    assert_eq!(tags.len(), 10);
    assert!(tags.values().all(|v| v.as_str().unwrap().len() == 1024));
}

#[test]
fn a_tag_key_given_twice_is_a_usage_error_naming_it() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(r#"{ "prompts": { "hello": { "file": "hello.md" } } }"#);
    let out = env.run(["hello", "--tag", "team=a", "--tag", "team=b", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--tag `team` is given more than once"),
        "{}",
        stderr(&out)
    );
    assert!(env.events().is_empty());
}

// Item 13: signals.

#[test]
fn a_killed_promptrun_does_not_leave_its_command_running() {
    let env = TestEnv::new();
    env.write("hello.md", "hi\n");
    env.config(r#"{ "prompts": { "hello": { "file": "hello.md" } } }"#);
    let ready = env.path("ready");
    let termed = env.path("termed");
    let script = format!(
        "trap 'echo term > {}; exit 0' TERM; echo $$ > {}; while :; do sleep 0.05; done",
        termed.display(),
        ready.display()
    );
    let mut child = env
        .cmd(["hello", "--", "sh", "-c", &script])
        .spawn()
        .unwrap();
    assert!(wait_for_file(&ready, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(50));
    child.kill().unwrap();
    child.wait().unwrap();
    let stopped = wait_for_file(&termed, Duration::from_secs(10));
    if !stopped {
        // Do not leave the orphan holding the test's output open.
        let pid: i32 = std::fs::read_to_string(&ready)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert!(stopped, "the command ran on after promptrun was killed");
}

#[test]
fn usr1_usr2_and_alrm_are_forwarded_and_the_run_recorded() {
    for signal in [libc::SIGUSR1, libc::SIGUSR2, libc::SIGALRM] {
        let env = TestEnv::new();
        env.write("hello.md", "hi\n");
        env.config(r#"{ "prompts": { "hello": { "file": "hello.md" } } }"#);
        let ready = env.path("ready");
        let script = format!("echo go > {}; exec sleep 30", ready.display());
        let mut child = env
            .cmd(["hello", "--", "sh", "-c", &script])
            .spawn()
            .unwrap();
        assert!(wait_for_file(&ready, Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(100));
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(128 + signal), "signal {signal}");
        let end = only_run_end(&env);
        assert_eq!(end["status"], "signal", "{end}");
        assert_eq!(end["signal"], signal, "{end}");
    }
}

// Item 15: a config that is not UTF-8.

#[test]
fn a_config_that_is_not_utf8_is_named_with_the_byte_offset() {
    let env = TestEnv::new();
    std::fs::write(
        env.work().join("router-config.json"),
        b"{ \"prompts\": { \"h\xe9llo\": {} } }",
    )
    .unwrap();
    let out = env.run(["hello", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("router-config.json:1: not UTF-8 at byte offset 17"),
        "{}",
        stderr(&out)
    );
    let out = env.run(["config", "check"]);
    assert!(
        stderr(&out).contains("not UTF-8 at byte offset 17"),
        "{}",
        stderr(&out)
    );
}
