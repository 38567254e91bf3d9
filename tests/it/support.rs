//! The test harness: runs the real binary in an isolated HOME, config and log directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_promptrun"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An isolated environment: its own HOME, XDG dirs, working directory and log dir.
pub struct TestEnv {
    pub root: tempfile::TempDir,
}

/// Puts SIGINT and SIGQUIT back to their default in the test process, once, so
/// the commands it starts can catch them. A shell starts a background job (`cmd &`
/// in a script, as a CI step may) with both ignored, every child inherits that,
/// and a command cannot trap a signal its shell found ignored, so the Ctrl-C
/// tests would test the job's launcher instead of promptrun. The tests of the
/// ignored case ignore the signals themselves.
fn default_interrupt_dispositions() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGQUIT] {
            // SAFETY: setting a disposition to the default has no preconditions.
            unsafe { libc::signal(signal, libc::SIG_DFL) };
        }
    });
}

impl TestEnv {
    pub fn new() -> Self {
        default_interrupt_dispositions();
        let root = tempfile::tempdir().expect("tempdir");
        for dir in ["home", "work", "state", "config", "logs"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        TestEnv { root }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    /// The working directory commands run in (no config above it unless written).
    pub fn work(&self) -> PathBuf {
        self.path("work")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.path("logs")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.path("state/promptrun")
    }

    /// Writes a file below the working directory, creating parents.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.work().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Writes `router-config.json` in the working directory (found by discovery).
    pub fn config(&self, json: &str) -> PathBuf {
        self.write("router-config.json", json)
    }

    /// A promptrun command with the isolated environment and no inherited stdin.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = self.isolated(binary());
        command.args(args);
        command
    }

    /// `program` in the working directory with only the isolated environment:
    /// nothing of the developer's (`PROMPTRUN_*`, `DO_NOT_TRACK`, `OTEL_*`,
    /// `NO_COLOR`, ...) reaches it.
    fn isolated(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(self.work())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("USER", "tester")
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("PROMPTRUN_LOG_DIR", self.log_dir())
            .stdin(Stdio::null());
        command
    }

    /// Runs promptrun to completion and captures its output.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd(args).output().expect("run promptrun")
    }

    /// Every event line in the log directory, parsed, in file then line order.
    pub fn events(&self) -> Vec<Value> {
        read_events(&self.log_dir())
    }
}

/// Every event in the `*.jsonl` files of `dir`, parsed.
pub fn read_events(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut events = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (index, line) in text.lines().enumerate() {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("{}:{}: {err}: {line}", file.display(), index + 1));
            events.push(value);
        }
    }
    events
}

/// Validates every event against `config/events.schema.json` with a real JSON
/// Schema validator; there must be some.
pub fn assert_valid_events(events: &[Value]) {
    assert!(!events.is_empty(), "no events to validate");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("config/events.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the events schema compiles");
    for event in events {
        let errors: Vec<String> = validator
            .iter_errors(event)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "invalid event {event}: {errors:?}");
    }
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every event in the log directory, each validated against the events JSON Schema.
pub fn checked_events(env: &TestEnv) -> Vec<Value> {
    let events = env.events();
    assert_valid_events(&events);
    events
}

/// The events of one type (`run_start`, `run_end`, `feedback`).
pub fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

/// The single run_end of a log holding exactly one run (start and end), validated.
pub fn only_run_end(env: &TestEnv) -> Value {
    let events = checked_events(env);
    assert_eq!(
        events.len(),
        2,
        "expected one run_start and one run_end: {events:?}"
    );
    assert_eq!(events[0]["type"], "run_start");
    assert_eq!(events[1]["type"], "run_end");
    assert_eq!(events[0]["run_id"], events[1]["run_id"]);
    events[1].clone()
}

/// Waits for `child` to end and collects its output; kills it and fails the
/// test if it still runs after `limit` (a regression that blocks fails
/// instead of hanging the suite).
pub fn wait_within(mut child: std::process::Child, limit: std::time::Duration) -> Output {
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?} (it blocks): {}",
                stderr(&out)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Waits (up to `limit`) for `path` to exist.
pub fn wait_for_file(path: &Path, limit: std::time::Duration) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if path.exists() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    path.exists()
}

/// The number of `promptrun: warning:` lines in a stderr text.
pub fn warning_count(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.starts_with("promptrun: warning:"))
        .count()
}

impl TestEnv {
    /// `sh -c SCRIPT` in the same isolated environment as `cmd`, with the binary
    /// under test in $PROMPTRUN, for loops and pipelines around promptrun.
    pub fn shell(&self, script: &str) -> Command {
        self.shell_with("sh", script)
    }

    /// [`TestEnv::shell`] with another shell (`bash`, for what only bash does).
    pub fn shell_with(&self, shell: &str, script: &str) -> Command {
        let mut command = self.isolated(shell);
        command.args(["-c", script]).env("PROMPTRUN", binary());
        command
    }
}

/// The developer's environment stays out of every command the harness starts
/// (run the suite with `DO_NOT_TRACK=1 PROMPTRUN_NO_LOG=1 ...` set to see it matter).
#[test]
fn the_harness_keeps_the_developers_environment_out() {
    let env = TestEnv::new();
    let out = env.shell("env").output().unwrap();
    let variables: Vec<String> = stdout(&out)
        .lines()
        .filter_map(|line| Some(line.split_once('=')?.0.to_string()))
        .collect();
    assert!(variables.contains(&"HOME".to_string()), "{variables:?}");
    let leaked: Vec<&String> = variables
        .iter()
        .filter(|name| {
            (name.starts_with("PROMPTRUN_") && *name != "PROMPTRUN_LOG_DIR")
                || name.starts_with("OTEL_")
                || ["DO_NOT_TRACK", "NO_COLOR", "CI", "TERM"].contains(&name.as_str())
        })
        .collect();
    assert!(leaked.is_empty(), "leaked into the test: {leaked:?}");
}
