//! Without a controlling terminal (CI) the command runs in a process group of its
//! own, and a timeout stops the whole group; on a terminal it stays in the terminal's job.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// `command` in a new session: no controlling terminal, as in CI or cron.
fn without_terminal(mut command: Command) -> Command {
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    command
}

/// The process group of the command (`$$`) and of its parent, promptrun.
const PRINT_GROUPS: &str =
    r#"echo "GROUPS $(cut -d' ' -f5 /proc/$$/stat) $(cut -d' ' -f5 /proc/$PPID/stat) $$""#;

fn groups(text: &str) -> (String, String, String) {
    let line = text
        .lines()
        .find(|l| l.starts_with("GROUPS "))
        .expect("GROUPS line");
    let fields: Vec<String> = line.split_whitespace().skip(1).map(String::from).collect();
    (fields[0].clone(), fields[1].clone(), fields[2].clone())
}

#[test]
fn without_a_terminal_the_command_leads_its_own_process_group() {
    let env = TestEnv::new();
    let out = without_terminal(env.cmd(["p", "--", "sh", "-c", PRINT_GROUPS]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (command_group, promptrun_group, command_pid) = groups(&stdout(&out));
    assert_eq!(command_group, command_pid, "the command leads a group");
    assert_ne!(command_group, promptrun_group);
}

#[test]
fn on_a_terminal_the_command_stays_in_the_terminals_job() {
    let env = TestEnv::new();
    let mut command = env.cmd(["p", "--no-rate", "--", "sh", "-c", PRINT_GROUPS]);
    command
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    let (_, line) = session.exp_regex(r"GROUPS \d+ \d+ \d+").unwrap();
    let (command_group, promptrun_group, _) = groups(&line);
    assert_eq!(command_group, promptrun_group, "{line}");
    session.exp_eof().unwrap();
}

#[test]
fn a_timeout_without_a_terminal_stops_the_commands_children_too() {
    // `sleep 30 | cat`: if only sh were stopped, cat would hold the output pipe open
    // for 30 s and a CI step reading it would hang.
    let env = TestEnv::new();
    let started = Instant::now();
    let mut command = without_terminal(env.cmd([
        "p",
        "--timeout",
        "300ms",
        "--",
        "sh",
        "-c",
        "sleep 30 | cat; echo never",
    ]));
    let out = command.stdout(Stdio::piped()).output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the output stayed open for {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(!stdout(&out).contains("never"));
    assert_eq!(only_run_end(&env)["status"], "timeout");
}

#[test]
fn children_that_ignore_sigterm_get_sigkill_when_the_grace_period_ends() {
    let env = TestEnv::new();
    let pid_file = env.work().join("stubborn.pid");
    let script = format!(
        "(trap '' TERM; exec sleep 30 >/dev/null 2>&1) & echo $! > {}; wait",
        pid_file.display()
    );
    let out = without_terminal(env.cmd([
        "p",
        "--timeout",
        "300ms",
        "--kill-grace",
        "400ms",
        "--",
        "sh",
        "-c",
        &script,
    ]))
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let stat = format!("/proc/{}/stat", pid.trim());
    let gone = (0..200).any(|_| {
        let alive = std::fs::read_to_string(&stat)
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false);
        if alive {
            std::thread::sleep(Duration::from_millis(10));
        }
        !alive
    });
    assert!(gone, "the child that ignored SIGTERM outlived promptrun");
}
