//! Pseudo-terminal helpers for the feedback tests (rexpect).

use std::process::{Command, Stdio};

use crate::support::TestEnv;

/// A promptrun command whose stdin, stdout and stderr will be a pseudo-terminal
/// (see [`spawn_pty`]), in the test environment, with TERM set as a terminal would.
pub fn pty_cmd<I, S>(env: &TestEnv, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = env.cmd(args);
    command.stdin(Stdio::inherit()).env("TERM", "xterm");
    command
}

/// Starts `command` on a new pseudo-terminal (its controlling terminal, in the
/// foreground). Every expectation times out after 10 s, so a hang fails the test.
pub fn spawn_pty(command: Command) -> rexpect::session::PtySession {
    rexpect::session::spawn_command(command, Some(10_000)).expect("spawn on a pty")
}

/// Waits for the end of output and the exit code of a pty session.
pub fn pty_finish(mut session: rexpect::session::PtySession) -> (String, Option<i32>) {
    let output = session.exp_eof().expect("promptrun ends");
    let code = match session.process().wait() {
        Ok(rexpect::process::WaitStatus::Exited(_, code)) => Some(code),
        _ => None,
    };
    (output, code)
}

/// Types `keys` on the pty session's terminal (rexpect buffers `send` until a flush).
pub fn press(session: &mut rexpect::session::PtySession, keys: &str) {
    session.send(keys).expect("write to the pty");
    session.flush().expect("flush the pty");
}
