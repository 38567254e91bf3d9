//! Edge cases of the run path: inherited signal dispositions, Ctrl-C in shell
//! loops, option placement, config read errors, timeouts turned off.

use crate::support::*;

#[test]
fn signals_ignored_by_the_caller_stay_ignored_for_the_command() {
    let env = TestEnv::new();
    // As under nohup or in a background job: SIGHUP and SIGINT ignored.
    let out = env
        .shell(r#"trap "" HUP INT; exec "$PROMPTRUN" p -- sh -c 'grep SigIgn /proc/self/status'"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mask = stdout(&out);
    let bits = u64::from_str_radix(mask.split_whitespace().nth(1).unwrap(), 16).unwrap();
    // Bit N-1 stands for signal N: SIGHUP is 1, SIGINT is 2.
    assert_ne!(bits & 0b01, 0, "SIGHUP not ignored: {mask}");
    assert_ne!(bits & 0b10, 0, "SIGINT not ignored: {mask}");
    assert_eq!(of_type(&checked_events(&env), "run_end").len(), 1);
}

#[test]
fn ctrl_c_stops_a_shell_loop_around_promptrun() {
    let env = TestEnv::new();
    let started = env.path("started");
    let script = format!(
        r#"for i in 1 2 3; do "$PROMPTRUN" p --no-rate -- sh -c 'touch {}; sleep 5'; echo "after-$i"; done; echo finished"#,
        started.display()
    );
    // bash, because it implements "stop the loop when the child died of SIGINT".
    let mut bash = env.shell_with("bash", &script);
    bash.stdin(std::process::Stdio::inherit())
        .env("TERM", "xterm");
    let mut session = rexpect::session::spawn_command(bash, Some(20_000)).unwrap();
    assert!(wait_for_file(&started, std::time::Duration::from_secs(20)));
    session.send_control('c').unwrap();
    let output = session.exp_eof().unwrap();
    assert!(!output.contains("after-1"), "the loop went on: {output}");
    assert!(!output.contains("finished"), "the loop went on: {output}");
    let end = only_run_end(&env);
    assert_eq!(end["status"], "signal");
    assert_eq!(end["signal"], 2);
}

#[test]
fn run_options_before_a_subcommand_are_refused() {
    let env = TestEnv::new();
    for args in [
        vec!["--timeout", "1s", "run", "p", "--", "true"],
        vec!["hello", "prompts"],
        vec!["--dry-run", "prompts"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("promptrun run [OPTIONS] <PROMPT>"),
            "{}",
            stderr(&out)
        );
    }
    assert!(env.events().is_empty());
}

#[test]
fn a_config_that_cannot_be_read_is_a_config_error() {
    let env = TestEnv::new();
    let dir = env.work();
    let out = env.run(["--config", dir.to_str().unwrap(), "p", "--", "true"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read config file"),
        "{}",
        stderr(&out)
    );
    let not_utf8 = env.work().join("latin1.json");
    std::fs::write(&not_utf8, b"{\"prompts\": {\"caf\xe9\": {}}}").unwrap();
    let out = env.run(["--config", not_utf8.to_str().unwrap(), "p", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn timeout_zero_turns_off_the_configured_default() {
    let env = TestEnv::new();
    env.config(r#"{"prompts": {"p": {}}, "defaults": {"timeout": "300ms"}}"#);
    let limited = env.run(["p", "--", "sleep", "1"]);
    assert_eq!(limited.status.code(), Some(124));
    let unlimited = env.run(["p", "--timeout", "0", "--", "sleep", "1"]);
    assert_eq!(unlimited.status.code(), Some(0), "{}", stderr(&unlimited));
}

#[test]
fn dry_run_refuses_what_a_real_run_refuses() {
    let env = TestEnv::new();
    let out = env.run(["adhoc", "--stdin", "--dry-run", "--", "cat"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--stdin needs a prompt file"));
}

#[test]
fn the_metrics_file_is_private() {
    let env = TestEnv::new();
    let probe = r#"echo tokens=1 >> "$PROMPTRUN_METRICS_FILE"; stat -c '%a' "$PROMPTRUN_METRICS_FILE" "$(dirname "$PROMPTRUN_METRICS_FILE")""#;
    // First run: no state directory yet, so the file is made 0600 in the shared temp dir.
    let first = stdout(&env.run(["p", "--", "sh", "-c", probe]));
    assert_eq!(first.lines().next(), Some("600"), "{first}");
    // Later runs: the file lives in promptrun's own 0700 state directory.
    let later = stdout(&env.run(["p", "--", "sh", "-c", probe]));
    assert_eq!(later.lines().nth(1), Some("700"), "{later}");
    let ends = of_type(&checked_events(&env), "run_end")
        .iter()
        .map(|e| e["metrics"]["tokens"].clone())
        .collect::<Vec<_>>();
    assert_eq!(ends, [serde_json::json!(1.0), serde_json::json!(1.0)]);
    assert!(
        std::fs::read_dir(env.state_dir()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".metrics")),
        "metrics files are removed"
    );
}

#[test]
fn rate_last_finds_a_run_logged_to_a_relative_directory() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.work().join("a")).unwrap();
    std::fs::create_dir_all(env.work().join("b")).unwrap();
    let mut run = env.cmd(["p", "--log-dir", "rel", "--", "true"]);
    run.current_dir(env.work().join("a"))
        .env_remove("PROMPTRUN_LOG_DIR");
    assert!(run.status().unwrap().success());
    let mut rate = env.cmd(["rate", "last", "4"]);
    rate.current_dir(env.work().join("b"))
        .env_remove("PROMPTRUN_LOG_DIR");
    let out = rate.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events = read_events(&env.work().join("a/rel"));
    assert_eq!(of_type(&events, "feedback").len(), 1);
    assert!(!env.work().join("b/rel").exists());
}
