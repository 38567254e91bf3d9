//! Runs `alerts.command` with the breaches as JSON on its stdin.
//!
//! The command's stdout and stderr both go to promptrun's stderr, so a machine
//! format on promptrun's stdout stays clean. A command that cannot start, exits
//! non-zero, dies by a signal or runs past [`TIMEOUT`] is a failure, described
//! in one line for the caller to report.
//!
//! The command runs in its own process group, so on a timeout the whole group
//! is stopped (SIGTERM, then SIGKILL): a `sh -c 'curl ...'` leaves no curl behind.

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the command may run before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `argv` with `json` on its stdin and waits for it (at most `timeout`).
/// `Err` says what went wrong in words, naming the program.
pub fn run(argv: &[String], json: &[u8], timeout: Duration) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("alerts.command is empty".into());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .map_err(|err| {
            format!(
                "alerts.command `{program}` could not start: {}",
                crate::error::describe_io(&err)
            )
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let json = json.to_vec();
        // A command that never reads its stdin must not block us: write from a thread.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&json);
        });
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let how = match (status.code(), status.signal()) {
                    (Some(code), _) => format!("exit status {code}"),
                    (None, Some(signal)) => format!("signal {}", signal_name(signal)),
                    (None, None) => "an unknown status".to_string(),
                };
                return Err(format!("alerts.command `{program}` failed with {how}"));
            }
            Ok(None) if started.elapsed() >= timeout => {
                stop_group(&mut child);
                return Err(format!(
                    "alerts.command `{program}` ran longer than {}s and was stopped",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(err) => return Err(format!("alerts.command `{program}`: {err}")),
        }
    }
}

/// Stops the command's process group: SIGTERM, up to a second to end, then SIGKILL.
fn stop_group(child: &mut std::process::Child) {
    let Ok(group) = libc::pid_t::try_from(child.id()) else {
        let _ = child.kill();
        let _ = child.wait();
        return;
    };
    // SAFETY: kill(2) with a negative pid signals the group we created for the child.
    unsafe { libc::kill(-group, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // The leader may be gone while others in its group are not.
    // SAFETY: as above.
    unsafe { libc::kill(-group, libc::SIGKILL) };
    let _ = child.wait();
}

/// `SIGTERM (15)` for 15, or the bare number for a signal without a common name.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        _ => return signal.to_string(),
    };
    format!("{name} ({signal})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_command_reads_the_json_and_failures_are_described() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got.json");
        let script = format!("cat > '{}'", out.display());
        run(&argv(&["sh", "-c", &script]), b"{\"breaches\":[]}", TIMEOUT).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"breaches\":[]}");
        let failed = run(&argv(&["sh", "-c", "exit 3"]), b"{}", TIMEOUT).unwrap_err();
        assert_eq!(failed, "alerts.command `sh` failed with exit status 3");
        let missing = run(&argv(&["/nonexistent/notify"]), b"{}", TIMEOUT).unwrap_err();
        assert!(
            missing.contains("could not start: no such file"),
            "{missing}"
        );
        let slow = run(&argv(&["sleep", "5"]), b"{}", Duration::from_millis(100)).unwrap_err();
        assert!(slow.contains("ran longer than"), "{slow}");
        let killed = run(&argv(&["sh", "-c", "kill -TERM $$"]), b"{}", TIMEOUT).unwrap_err();
        assert_eq!(
            killed,
            "alerts.command `sh` failed with signal SIGTERM (15)"
        );
    }

    #[test]
    fn a_timeout_stops_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild.pid");
        // The shell starts a grandchild that would outlive a kill of the shell alone.
        let script = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        let slow = run(
            &argv(&["sh", "-c", &script]),
            b"{}",
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(slow.contains("ran longer than"), "{slow}");
        let pid: libc::pid_t = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // The grandchild is not ours to reap; once killed it is gone or a zombie of init.
        std::thread::sleep(Duration::from_millis(200));
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let alive = state
            .split(") ")
            .nth(1)
            .is_some_and(|rest| !rest.starts_with('Z'));
        assert!(!alive, "the grandchild sleep {pid} still runs: {state}");
    }
}
