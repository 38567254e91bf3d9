//! Spawns the command, times it on a monotonic clock, forwards signals, enforces
//! the timeout and reports how it ended.

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use super::signals::SignalPipe;
use super::spawn::{SpawnRequest, spawn};
use crate::error::exit;
use crate::record::event::RunStatus;

/// How long a command gets between SIGTERM and SIGKILL after a timeout, by default.
pub const KILL_GRACE: Duration = Duration::from_secs(5);

/// What to run.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    /// argv, program first (placeholders already replaced); any bytes.
    pub argv: Vec<OsString>,
    /// Extra environment variables for the command.
    pub env: Vec<(&'static str, OsString)>,
    /// A file to connect to the command's standard input instead of promptrun's.
    pub stdin_file: Option<PathBuf>,
    /// Stop the command after this long.
    pub timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL after a timeout.
    pub kill_grace: Duration,
}

/// How a command ended.
#[derive(Debug)]
pub struct RunOutcome {
    /// Spawn to exit, monotonic.
    pub duration: Duration,
    /// The event status.
    pub status: RunStatus,
    /// The exit code, when the command exited normally.
    pub exit_code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
    /// Why it could not start, when it did not.
    pub spawn_error: Option<std::io::Error>,
    /// SIGINT or SIGQUIT that the terminal (not a process) sent while the command ran.
    pub terminal_interrupt: Option<libc::c_int>,
}

impl RunOutcome {
    /// The exit status promptrun passes on: the command's code, 128+N for a
    /// signal, 124 for a timeout, 126/127 when it could not start.
    pub fn exit_code(&self) -> i32 {
        match self.status {
            RunStatus::Ok | RunStatus::Error => self.exit_code.unwrap_or(1),
            RunStatus::Signal => exit::SIGNAL_BASE + self.signal.unwrap_or(0),
            RunStatus::Timeout => exit::TIMEOUT,
            RunStatus::SpawnFailed => match self.spawn_error.as_ref().map(|e| e.kind()) {
                Some(std::io::ErrorKind::NotFound) => exit::NOT_FOUND,
                _ => exit::NOT_EXECUTABLE,
            },
        }
    }

    fn from_status(status: ExitStatus, duration: Duration, timed_out: bool) -> Self {
        let (run_status, exit_code, signal) = match (status.code(), status.signal()) {
            (_, Some(signal)) if timed_out => (RunStatus::Timeout, None, Some(signal)),
            (Some(code), _) if timed_out => (RunStatus::Timeout, Some(code), None),
            (Some(0), _) => (RunStatus::Ok, Some(0), None),
            (Some(code), _) => (RunStatus::Error, Some(code), None),
            (None, signal) => (RunStatus::Signal, None, signal),
        };
        RunOutcome {
            duration,
            status: run_status,
            exit_code,
            signal,
            spawn_error: None,
            terminal_interrupt: None,
        }
    }

    /// The signal promptrun should die of after recording the run: the command
    /// died of the SIGINT or SIGQUIT the user typed at the terminal.
    pub fn interrupt_to_pass_on(&self) -> Option<libc::c_int> {
        (self.status == RunStatus::Signal && self.signal == self.terminal_interrupt)
            .then_some(self.terminal_interrupt)
            .flatten()
    }
}

/// Runs `spec` to completion. Standard output and error are inherited untouched;
/// standard input too unless `stdin_file` is set. `signals` are the caller's
/// handlers, kept installed until the run is recorded (without them promptrun
/// cannot forward signals and polls the command every 5 ms).
///
/// On a terminal the command stays in promptrun's job, so it can read the terminal
/// and gets Ctrl-C from it directly. Without a controlling terminal (CI, cron) it
/// runs in a process group of its own, and a timeout or a forwarded signal reaches
/// the whole group: a script's children too, so none of them outlives a timeout
/// holding the job's output open.
pub fn run(spec: &CommandSpec, signals: Option<&SignalPipe>) -> RunOutcome {
    let own_group = !has_controlling_terminal();
    let stdin = match &spec.stdin_file {
        Some(path) => match std::fs::File::open(path) {
            Ok(file) => Some(OwnedFd::from(file)),
            Err(source) => return spawn_failed(Instant::now(), source),
        },
        None => None,
    };
    let started = Instant::now();
    let pid = match spawn(&SpawnRequest {
        argv: &spec.argv,
        env: &spec.env,
        stdin: stdin.as_ref(),
        own_group,
    }) {
        Ok(pid) => pid,
        Err(source) => return spawn_failed(started, source),
    };
    drop(stdin);
    let target = Target {
        pid: pid.unsigned_abs(),
        group: own_group,
    };
    // Checked: a deadline past what the clock can hold never comes.
    let deadline = spec
        .timeout
        .and_then(|timeout| started.checked_add(timeout));
    let mut kill_at: Option<Instant> = None;
    let mut killed = false;
    let mut terminal_interrupt = None;
    loop {
        match try_wait(pid) {
            Ok(Some(status)) => {
                let mut outcome =
                    RunOutcome::from_status(status, started.elapsed(), kill_at.is_some());
                outcome.terminal_interrupt = terminal_interrupt;
                if let Some(kill_at) = kill_at {
                    target.outlast_grace(kill_at);
                }
                return outcome;
            }
            Ok(None) => {}
            Err(_) => {
                // Cannot poll the child: fall back to a blocking wait.
                let status = wait(pid);
                let duration = started.elapsed();
                return match status {
                    Ok(status) => RunOutcome::from_status(status, duration, kill_at.is_some()),
                    Err(source) => spawn_failed(started, source),
                };
            }
        }
        let now = Instant::now();
        if let Some(deadline) = deadline
            && kill_at.is_none()
            && now >= deadline
        {
            target.signal(libc::SIGTERM);
            // A grace past what the clock can hold means no grace, not a panic.
            kill_at = Some(now.checked_add(spec.kill_grace).unwrap_or(now));
        }
        if let Some(kill) = kill_at
            && now >= kill
            && !killed
        {
            target.signal(libc::SIGKILL);
            killed = true;
        }
        let next = if killed { None } else { kill_at.or(deadline) };
        let wait_ms = next.map_or(-1, |at| {
            let left = at.saturating_duration_since(Instant::now());
            // Clamped: a negative poll timeout would mean "forever".
            i32::try_from(left.as_millis())
                .unwrap_or(i32::MAX - 1)
                .saturating_add(1)
        });
        match signals {
            Some(pipe) => {
                for received in pipe.wait(wait_ms) {
                    if received.signal == libc::SIGCHLD {
                        continue;
                    }
                    if received.from_process || target.group {
                        // In its own group the command did not get the terminal's signals.
                        target.signal(received.signal);
                    } else if matches!(received.signal, libc::SIGINT | libc::SIGQUIT) {
                        terminal_interrupt = Some(received.signal);
                    }
                }
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// The command's exit status if it has ended, without waiting.
fn try_wait(pid: libc::pid_t) -> std::io::Result<Option<ExitStatus>> {
    let mut status = 0;
    // SAFETY: waitpid on promptrun's own child with a valid pointer.
    match unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } {
        0 => Ok(None),
        -1 => Err(std::io::Error::last_os_error()),
        _ => Ok(Some(ExitStatus::from_raw(status))),
    }
}

/// Waits for the command to end.
fn wait(pid: libc::pid_t) -> std::io::Result<ExitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid on promptrun's own child with a valid pointer.
        if unsafe { libc::waitpid(pid, &mut status, 0) } != -1 {
            return Ok(ExitStatus::from_raw(status));
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Who promptrun's signals reach: the command, or the process group it leads.
#[derive(Debug, Clone, Copy)]
struct Target {
    pid: u32,
    group: bool,
}

impl Target {
    fn signal(self, signal: libc::c_int) {
        if self.group {
            super::signals::send_group(self.pid, signal);
        } else {
            super::signals::send(self.pid, signal);
        }
    }

    /// After a timeout: the command is gone, but in its own group its children may
    /// still run (a SIGTERM they trapped). They get the rest of the grace period,
    /// then SIGKILL, as the command would have.
    fn outlast_grace(self, kill_at: Instant) {
        if !self.group {
            return;
        }
        while super::signals::group_alive(self.pid) {
            if Instant::now() >= kill_at {
                self.signal(libc::SIGKILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// True when promptrun has a controlling terminal (an interactive session), even if
/// its standard streams are redirected.
fn has_controlling_terminal() -> bool {
    // SAFETY: a valid C string; the descriptor, if any, is closed right away.
    let fd = unsafe {
        libc::open(
            c"/dev/tty".as_ptr(),
            libc::O_RDONLY | libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return false;
    }
    // SAFETY: closing the descriptor just opened.
    unsafe { libc::close(fd) };
    true
}

fn spawn_failed(started: Instant, source: std::io::Error) -> RunOutcome {
    RunOutcome {
        duration: started.elapsed(),
        status: RunStatus::SpawnFailed,
        exit_code: None,
        signal: None,
        spawn_error: Some(source),
        terminal_interrupt: None,
    }
}
