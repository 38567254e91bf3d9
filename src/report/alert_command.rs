//! Runs `alerts.command` with the breaches as JSON on its stdin.
//!
//! The command's stdout and stderr both go to promptrun's stderr, so a machine
//! format on promptrun's stdout stays clean. A command that cannot start, exits
//! non-zero, dies by a signal or runs past [`TIMEOUT`] is a failure, described
//! in one line for the caller to report.

use std::io::Write;
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
                let how = match status.code() {
                    Some(code) => format!("exit status {code}"),
                    None => "a signal".to_string(),
                };
                return Err(format!("alerts.command `{program}` failed with {how}"));
            }
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
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
    }
}
