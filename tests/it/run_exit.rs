//! Exit status: the child's own code, 128+N for signals, 124 timeouts, 126/127
//! spawn failures, and signals sent to promptrun itself.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

fn sh(env: &TestEnv, script: &str) -> std::process::Output {
    env.run(["p", "--", "sh", "-c", script])
}

#[test]
fn the_childs_exit_code_passes_through_and_is_recorded() {
    for (code, status) in [(0, "ok"), (1, "error"), (7, "error"), (255, "error")] {
        let env = TestEnv::new();
        let out = sh(&env, &format!("exit {code}"));
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        let end = only_run_end(&env);
        assert_eq!(end["status"], status);
        assert_eq!(end["exit_code"], code);
        assert_eq!(end["signal"], serde_json::Value::Null);
        assert!(end["duration_ms"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn a_child_killed_by_a_signal_gives_128_plus_n() {
    for (signal, name) in [(15, "TERM"), (9, "KILL")] {
        let env = TestEnv::new();
        let out = sh(&env, &format!("kill -{name} $$"));
        assert_eq!(out.status.code(), Some(128 + signal), "{}", stderr(&out));
        let end = only_run_end(&env);
        assert_eq!(end["status"], "signal");
        assert_eq!(end["signal"], signal);
        assert_eq!(end["exit_code"], serde_json::Value::Null);
    }
}

#[test]
fn timeout_stops_the_command_with_124() {
    let env = TestEnv::new();
    let started = Instant::now();
    let out = env.run(["p", "--timeout", "200ms", "--", "sleep", "30"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    let end = only_run_end(&env);
    assert_eq!(end["status"], "timeout");
    assert_eq!(end["signal"], 15, "SIGTERM first");
    let ms = end["duration_ms"].as_f64().unwrap();
    assert!((190.0..5000.0).contains(&ms), "duration {ms}");
}

#[test]
fn timeout_sends_sigkill_after_the_grace_period_to_a_command_that_traps_sigterm() {
    let env = TestEnv::new();
    let marker = env.work().join("got-term");
    let script = format!(
        "trap 'echo TERM >> {}' TERM; while :; do sleep 0.05; done",
        marker.display()
    );
    let out = env.run([
        "p",
        "--timeout",
        "300ms",
        "--kill-grace",
        "400ms",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    let end = only_run_end(&env);
    assert_eq!(end["status"], "timeout");
    assert_eq!(end["signal"], 9, "SIGKILL after the grace period");
    let ms = end["duration_ms"].as_f64().unwrap();
    assert!(ms >= 690.0, "killed before the grace period ended: {ms} ms");
    let trapped = std::fs::read_to_string(&marker).unwrap_or_default();
    assert!(trapped.contains("TERM"), "the command never saw SIGTERM");
}

#[test]
fn a_command_that_does_not_exist_gives_127_and_is_recorded_as_spawn_failed() {
    let env = TestEnv::new();
    let out = env.run(["p", "--", "no-such-command-promptrun-test"]);
    assert_eq!(out.status.code(), Some(127));
    let err = stderr(&out);
    assert!(err.contains("promptrun: error:"), "{err}");
    assert!(err.contains("command not found"), "{err}");
    let end = only_run_end(&env);
    assert_eq!(end["status"], "spawn_failed");
    assert_eq!(end["exit_code"], serde_json::Value::Null);
}

#[test]
fn a_file_that_is_not_executable_gives_126() {
    let env = TestEnv::new();
    let script = env.write("not-executable.sh", "#!/bin/sh\necho hi\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.run(["p", "--", "./not-executable.sh"]);
    assert_eq!(out.status.code(), Some(126), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("permission denied"));
    let end = only_run_end(&env);
    assert_eq!(end["status"], "spawn_failed");
    assert_eq!(end["command"], "not-executable.sh");
}

/// Sends `signal` to promptrun (not to the child) once the child is running; the
/// child records what it received.
fn signal_promptrun(signal: libc::c_int, name: &str) {
    let env = TestEnv::new();
    let ready = env.work().join("ready");
    let got = env.work().join("got");
    let script = format!(
        "trap 'echo {name} > {got}; exit 42' {name}; touch {ready}; while :; do sleep 0.05; done",
        got = got.display(),
        ready = ready.display()
    );
    let child = env
        .cmd(["p", "--", "sh", "-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_for_file(&ready, Duration::from_secs(20)),
        "child never started"
    );
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(42), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&got).unwrap().trim(), name);
    let end = only_run_end(&env);
    assert_eq!(end["status"], "error");
    assert_eq!(end["exit_code"], 42);
}

#[test]
fn sigint_sent_to_promptrun_is_forwarded_and_the_run_recorded() {
    signal_promptrun(libc::SIGINT, "INT");
}

#[test]
fn sigterm_sent_to_promptrun_is_forwarded_and_the_run_recorded() {
    signal_promptrun(libc::SIGTERM, "TERM");
}

#[test]
fn a_forwarded_signal_that_kills_the_child_gives_128_plus_n() {
    let env = TestEnv::new();
    let ready = env.work().join("ready");
    let script = format!("touch {}; exec sleep 30", ready.display());
    let child = env
        .cmd(["p", "--", "sh", "-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for_file(&ready, Duration::from_secs(20)));
    // `exec` may not have replaced the shell yet; give it a moment.
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGHUP) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(128 + libc::SIGHUP),
        "{}",
        stderr(&out)
    );
    let end = only_run_end(&env);
    assert_eq!(end["status"], "signal");
    assert_eq!(end["signal"], libc::SIGHUP);
}

#[test]
fn the_configured_default_timeout_applies_and_the_flag_overrides_it() {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}}, "defaults": {"timeout": "200ms"}}"#);
    let out = env.run(["p", "--", "sleep", "30"]);
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    let out = env.run([
        "p",
        "--timeout",
        "20s",
        "--",
        "sh",
        "-c",
        "sleep 0.4; exit 3",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "--timeout wins over defaults.timeout"
    );
    let events = checked_events(&env);
    let ends = of_type(&events, "run_end");
    assert_eq!(ends[0]["status"], "timeout");
    assert_eq!(ends[1]["status"], "error");
}
