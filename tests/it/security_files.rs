//! Trust nothing promptrun did not create: configs and prompt files of other
//! users, hostile log and state directories, FIFOs, held locks, symlinks,
//! `ulimit -f`, torn lines, bad salts, unbounded files, output file modes.
//!
//! Cases with a second user need root (files are chowned to `nobody`, uid
//! 65534); without root they say so and return. Cases that hung before their
//! fix run under a deadline, so a regression fails instead of hanging.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

const NOBODY: u32 = 65534;

/// True when the tests can play a second user; otherwise prints why not.
fn can_chown(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("{test}: skipped, needs root to chown files to a second user (uid {NOBODY})");
    }
    root
}

fn give_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs `command` to completion, killing it and failing after `limit`.
fn run_within(mut command: Command, limit: Duration) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_within(child, limit)
}

const LIMIT: Duration = Duration::from_secs(20);

fn today_file(env: &TestEnv) -> std::path::PathBuf {
    let day = chrono::Utc::now().format("%Y-%m-%d");
    env.log_dir().join(format!("events-{day}.jsonl"))
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Every line of `path`, each parsed if it parses.
fn lines(path: &Path) -> Vec<Option<Value>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).ok())
        .collect()
}

const CONFIG: &str = r#"{ "prompts": { "p": { "file": "p.md", "command": ["true"] } } }"#;

#[test]
fn a_discovered_config_of_another_user_is_refused_unless_named() {
    if !can_chown("a_discovered_config_of_another_user_is_refused_unless_named") {
        return;
    }
    let env = TestEnv::new();
    env.write("p.md", "Hi.\n");
    let config = env.config(CONFIG);
    give_to_nobody(&config);
    let out = env.run(["p"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&config.display().to_string()), "{err}");
    assert!(err.contains("owned by nobody (uid 65534)"), "{err}");
    assert!(
        err.contains("--config") && err.contains("PROMPTRUN_SAFE_DIRS"),
        "{err}"
    );
    assert!(env.events().is_empty());
    let out = env.run(["config", "check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("promptrun: error: refusing "), "{err}");
    assert!(err.contains(&config.display().to_string()), "{err}");
    // Named explicitly, or listed as safe, it is used.
    let out = env.run(["--config", config.to_str().unwrap(), "p"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = env
        .cmd(["p"])
        .env("PROMPTRUN_SAFE_DIRS", env.work())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_config_others_can_write_is_refused_when_discovered_and_warned_when_named() {
    let env = TestEnv::new();
    env.write("p.md", "Hi.\n");
    let config = env.config(CONFIG);
    chmod(&config, 0o666);
    let out = env.run(["p"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("writable by every user"), "{err}");
    assert!(err.contains(", owned by "), "the owner is named: {err}");
    let out = env.run(["--config", config.to_str().unwrap(), "p"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains("writable by every user"), "{err}");
    // Mine, but in a directory every user can write and that is not sticky.
    chmod(&config, 0o644);
    chmod(&env.work(), 0o777);
    let out = env.run(["p"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not sticky"), "{err}");
    // Sticky, like /tmp, and the file is mine: used.
    chmod(&env.work(), 0o1777);
    let out = env.run(["p"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = env.run(["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&config.display().to_string()),
        "config check names the config in use: {}",
        stdout(&out)
    );
    chmod(&env.work(), 0o755);
}

#[test]
fn a_prompt_file_of_another_user_is_refused_for_a_discovered_config() {
    if !can_chown("a_prompt_file_of_another_user_is_refused_for_a_discovered_config") {
        return;
    }
    let env = TestEnv::new();
    let prompt = env.write("p.md", "Hi.\n");
    let config = env.config(CONFIG);
    give_to_nobody(&prompt);
    let out = env.run(["p"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&prompt.display().to_string()), "{err}");
    assert!(err.contains("owned by nobody"), "{err}");
    let out = env.run(["--config", config.to_str().unwrap(), "p"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn prompt_files_that_are_devices_or_fifos_are_errors_not_endless_reads() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink("/dev/zero", env.work().join("p.md")).unwrap();
    env.config(CONFIG);
    let out = run_within(env.cmd(["p"]), LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("p.md") && err.contains("not a regular file"),
        "{err}"
    );
    std::fs::remove_file(env.work().join("p.md")).unwrap();
    mkfifo(&env.work().join("p.md"));
    let out = run_within(env.cmd(["p"]), LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("FIFO"), "{err}");
    std::fs::remove_file(env.work().join("p.md")).unwrap();
    let big = std::fs::File::create(env.work().join("p.md")).unwrap();
    big.set_len(17 << 20).unwrap();
    let out = run_within(env.cmd(["p"]), LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("16 MiB"), "{err}");
}

#[test]
fn a_log_directory_or_day_file_of_another_user_is_refused() {
    if !can_chown("a_log_directory_or_day_file_of_another_user_is_refused") {
        return;
    }
    let env = TestEnv::new();
    give_to_nobody(&env.log_dir());
    let out = env.run(["p", "--", "true"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(
        err.contains("refusing log directory") && err.contains("nobody"),
        "{err}"
    );
    assert!(env.events().is_empty());
    // My directory, their day file.
    std::os::unix::fs::lchown(env.log_dir(), Some(0), Some(0)).unwrap();
    std::fs::write(today_file(&env), "").unwrap();
    give_to_nobody(&today_file(&env));
    let out = env.run(["p", "--", "true"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("refusing log file") && err.contains("nobody"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(today_file(&env)).unwrap().len(), 0);
}

#[test]
fn a_log_directory_others_can_write_needs_the_sticky_bit() {
    let env = TestEnv::new();
    chmod(&env.log_dir(), 0o777);
    let out = env.run(["p", "--", "true"]);
    let err = stderr(&out);
    assert!(
        err.contains("refusing log directory") && err.contains("not sticky"),
        "{err}"
    );
    assert!(env.events().is_empty());
    chmod(&env.log_dir(), 0o1777);
    let out = env.run(["p", "--", "true"]);
    assert_eq!(warning_count(&stderr(&out)), 0, "{}", stderr(&out));
    assert_eq!(checked_events(&env).len(), 2);
    let mode = std::fs::metadata(today_file(&env))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_symlink_in_place_of_the_day_file_is_not_followed() {
    let env = TestEnv::new();
    let target = env.path("elsewhere.jsonl");
    std::os::unix::fs::symlink(&target, today_file(&env)).unwrap();
    let out = env.run(["p", "--", "true"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!target.exists());
}

#[test]
fn a_fifo_in_place_of_the_day_file_blocks_neither_a_run_nor_rate() {
    let env = TestEnv::new();
    mkfifo(&today_file(&env));
    let out = run_within(env.cmd(["p", "--", "true"]), LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains("FIFO"), "{err}");
    let out = run_within(env.cmd(["rate", "--pending"]), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_within(env.cmd(["rate", "0190", "3"]), LIMIT);
    assert_ne!(out.status.code(), None);
}

#[test]
fn a_held_lock_on_the_day_file_delays_the_run_only_briefly() {
    let env = TestEnv::new();
    let holder = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(today_file(&env))
        .unwrap();
    holder.lock().unwrap();
    let started = Instant::now();
    let out = run_within(env.cmd(["p", "--", "echo", "ran"]), LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&out), "ran\n");
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains("locked"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    holder.unlock().unwrap();
}

#[test]
fn ulimit_f_turns_into_a_warning_and_the_command_still_runs() {
    let env = TestEnv::new();
    let big = vec![b'\n'; 1 << 20];
    std::fs::write(today_file(&env), &big).unwrap();
    let out = run_within(
        env.shell(r#"ulimit -f 1; exec "$PROMPTRUN" p -- echo ran"#),
        LIMIT,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(stdout(&out), "ran\n");
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains("too large"), "{err}");
    assert_eq!(std::fs::metadata(today_file(&env)).unwrap().len(), 1 << 20);
    // The command itself gets SIGXFSZ's default action again: it dies of it.
    let out = run_within(
        env.shell(
            r#"ulimit -f 1; exec "$PROMPTRUN" --log-dir "$HOME/logs" p -- sh -c 'exec head -c 65536 /dev/zero > big'"#,
        ),
        LIMIT,
    );
    assert_eq!(
        out.status.code(),
        Some(128 + libc::SIGXFSZ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_write_cut_short_by_a_full_disk_leaves_no_torn_line() {
    let env = TestEnv::new();
    // Just under the 1 KiB that `ulimit -f 2` (dash: 512-byte blocks) allows.
    let mut text = String::new();
    while text.len() < 1000 {
        text.push_str("{\"pad\":1}\n");
    }
    std::fs::write(today_file(&env), &text).unwrap();
    let out = run_within(
        env.shell(r#"ulimit -f 2; exec "$PROMPTRUN" p -- echo ran"#),
        LIMIT,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(warning_count(&err), 1, "{err}");
    let after = std::fs::read_to_string(today_file(&env)).unwrap();
    assert!(after.ends_with('\n'), "a torn line was left behind");
    assert!(lines(&today_file(&env)).iter().all(Option::is_some));
    let out = env.run(["p", "--", "true"]);
    assert_eq!(warning_count(&stderr(&out)), 0, "{}", stderr(&out));
}

#[test]
fn a_torn_last_line_does_not_swallow_the_next_event() {
    let env = TestEnv::new();
    std::fs::write(today_file(&env), "{\"v\":1,\"type\":\"run_st").unwrap();
    let out = env.run(["p", "--", "true"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parsed = lines(&today_file(&env));
    assert_eq!(parsed.len(), 3, "{parsed:?}");
    assert!(parsed[0].is_none());
    assert_eq!(parsed[1].as_ref().unwrap()["type"], "run_start");
    assert_eq!(parsed[2].as_ref().unwrap()["type"], "run_end");
    let out = env.run(["report", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\"runs\": 1") || stdout(&out).contains("\"runs\":1"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_empty_salt_is_replaced_once_with_a_warning() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.state_dir()).unwrap();
    let salt = env.state_dir().join("salt");
    std::fs::write(&salt, "").unwrap();
    let out = env.run(["p", "--", "true"]);
    let err = stderr(&out);
    assert_eq!(warning_count(&err), 1, "{err}");
    assert!(err.contains("salt"), "{err}");
    assert_eq!(std::fs::read(&salt).unwrap().len(), 32);
    let mode = std::fs::metadata(&salt).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let out = env.run(["p", "--", "true"]);
    assert_eq!(warning_count(&stderr(&out)), 0, "{}", stderr(&out));
    let users: Vec<Value> = of_type(&env.events(), "run_start")
        .iter()
        .map(|e| e["user"].clone())
        .collect();
    assert_eq!(users[0], users[1]);
}

#[test]
fn a_state_directory_of_another_user_is_refused() {
    if !can_chown("a_state_directory_of_another_user_is_refused") {
        return;
    }
    let env = TestEnv::new();
    std::fs::create_dir_all(env.state_dir()).unwrap();
    std::fs::write(env.state_dir().join("salt"), [7u8; 32]).unwrap();
    give_to_nobody(&env.state_dir());
    let out = env.run(["p", "--", "true"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("refusing state directory") && err.contains("nobody"),
        "{err}"
    );
    assert!(!env.state_dir().join("last-run.json").exists());
}

#[test]
fn metrics_files_that_are_fifos_or_devices_are_skipped_with_a_warning() {
    let env = TestEnv::new();
    for plant in [
        r#"rm -f "$PROMPTRUN_METRICS_FILE"; mkfifo "$PROMPTRUN_METRICS_FILE""#,
        r#"ln -sf /dev/zero "$PROMPTRUN_METRICS_FILE""#,
    ] {
        let out = run_within(env.cmd(["p", "--", "sh", "-c", plant]), LIMIT);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{plant}: {err}");
        assert!(err.contains("ignored the metrics file"), "{plant}: {err}");
    }
    let out = run_within(
        env.cmd([
            "p",
            "--",
            "sh",
            "-c",
            r#"head -c 2000000 /dev/zero | tr '\0' 'x' > "$PROMPTRUN_METRICS_FILE""#,
        ]),
        LIMIT,
    );
    assert!(stderr(&out).contains("1 MiB"), "{}", stderr(&out));
}

#[test]
fn output_files_are_at_most_0644_under_umask_000() {
    let env = TestEnv::new();
    env.run(["p", "--", "true"]);
    let out = env
        .shell(r#"umask 000; exec "$PROMPTRUN" report -o out.txt"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = std::fs::metadata(env.work().join("out.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn output_is_not_written_through_a_link_another_user_planted_in_a_sticky_dir() {
    if !can_chown("output_is_not_written_through_a_link_another_user_planted_in_a_sticky_dir") {
        return;
    }
    let env = TestEnv::new();
    env.run(["p", "--", "true"]);
    let shared = env.path("shared");
    std::fs::create_dir(&shared).unwrap();
    chmod(&shared, 0o1777);
    let target = env.path("victim.txt");
    let link = shared.join("report.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    give_to_nobody(&link);
    let out = env.run(["report", "-o", link.to_str().unwrap()]);
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("symbolic link owned by nobody"), "{err}");
    assert!(!target.exists());
    // A link of one's own is written through.
    std::os::unix::fs::lchown(&link, Some(0), Some(0)).unwrap();
    let out = env.run(["report", "-o", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(target.exists());
}
