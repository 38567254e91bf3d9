//! Signals that reach promptrun while its command runs.
//!
//! Handlers (installed with SA_SIGINFO) write two bytes to a self-pipe: the signal
//! number and whether another process sent it (`kill`) rather than the kernel (the
//! terminal's Ctrl-C, Ctrl-\ or hang-up, which already reached the command's process
//! group too). The wait loop reads the pipe and forwards only what the command did
//! not already get. Handlers, unlike SIG_IGN, are reset when the command execs, so
//! the command starts with default dispositions.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The signals promptrun forwards to its command. Besides the terminal's and
/// TERM, the ones whose default is to end a process that others send to a job
/// (USR1, USR2, ALRM): forwarded, the command decides, and the run is recorded
/// instead of promptrun dying without a run_end.
pub const FORWARDED: [libc::c_int; 7] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
];

static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(signo: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: only async-signal-safe calls (errno access, write) on a valid descriptor.
    unsafe {
        let saved = *libc::__errno_location();
        let from_process = !info.is_null() && (*info).si_code <= 0;
        let message = [signo as u8, from_process as u8];
        let fd = PIPE_WRITE.load(Ordering::Relaxed);
        if fd >= 0 {
            libc::write(fd, message.as_ptr().cast(), message.len());
        }
        *libc::__errno_location() = saved;
    }
}

/// A signal promptrun received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// The signal number.
    pub signal: libc::c_int,
    /// Sent by a process with kill(2), not by the terminal or the kernel.
    pub from_process: bool,
}

/// The installed handlers; dropping it restores the dispositions found at install.
pub struct SignalPipe {
    read: OwnedFd,
    _write: OwnedFd,
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl std::fmt::Debug for SignalPipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalPipe")
            .field("read", &self.read)
            .finish()
    }
}

impl SignalPipe {
    /// Creates the self-pipe and installs handlers for FORWARDED and SIGCHLD.
    /// A signal that was ignored when promptrun started (`nohup`, a background
    /// job) stays ignored, so the command inherits that protection as it would
    /// without promptrun.
    pub fn install() -> std::io::Result<Self> {
        let mut fds = [0; 2];
        // SAFETY: fds is valid for two descriptors.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: pipe2 just returned these descriptors, owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        PIPE_WRITE.store(write.as_raw_fd(), Ordering::Relaxed);
        let mut pipe = SignalPipe {
            read,
            _write: write,
            previous: Vec::new(),
        };
        for signal in FORWARDED.into_iter().chain([libc::SIGCHLD]) {
            let old = set_handler(
                signal,
                on_signal as *const () as usize,
                libc::SA_SIGINFO | libc::SA_RESTART,
            )?;
            if old.sa_sigaction == libc::SIG_IGN && signal != libc::SIGCHLD {
                // SAFETY: putting back the disposition sigaction just returned.
                unsafe { libc::sigaction(signal, &old, std::ptr::null_mut()) };
            } else {
                pipe.previous.push((signal, old));
            }
        }
        Ok(pipe)
    }

    /// Waits up to `timeout_ms` (-1: forever) for a signal; returns those received.
    pub fn wait(&self, timeout_ms: i32) -> Vec<Received> {
        let mut poll = libc::pollfd {
            fd: self.read.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut poll, 1, timeout_ms) };
        let mut received = Vec::new();
        let mut buffer = [0u8; 64];
        loop {
            // SAFETY: reading into a buffer of the given length.
            let n = unsafe {
                libc::read(
                    self.read.as_raw_fd(),
                    buffer.as_mut_ptr().cast(),
                    buffer.len(),
                )
            };
            if n <= 0 {
                break;
            }
            for pair in buffer[..n as usize].chunks_exact(2) {
                received.push(Received {
                    signal: libc::c_int::from(pair[0]),
                    from_process: pair[1] == 1,
                });
            }
        }
        received
    }
}

impl Drop for SignalPipe {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: restoring a disposition sigaction returned at install.
            unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        }
        PIPE_WRITE.store(-1, Ordering::Relaxed);
    }
}

/// Installs `handler` for `signal`; returns the disposition it replaced.
fn set_handler(
    signal: libc::c_int,
    handler: usize,
    flags: libc::c_int,
) -> std::io::Result<libc::sigaction> {
    // SAFETY: zeroed sigactions are valid; we set the handler, flags and an empty mask.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = flags;
        libc::sigemptyset(&mut action.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(signal, &action, &mut old) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(old)
    }
}

/// Ends promptrun the way the command ended: by `signal`, with the default
/// disposition. Shells stop a loop only when the process they waited for died
/// of SIGINT or SIGQUIT, so after a Ctrl-C promptrun must die of it too.
pub fn die_of(signal: libc::c_int) {
    // SAFETY: resetting a disposition and raising a signal have no memory preconditions.
    unsafe {
        let _ = set_handler(signal, libc::SIG_DFL, 0);
        let mut unblock: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut unblock);
        libc::sigaddset(&mut unblock, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &unblock, std::ptr::null_mut());
        libc::raise(signal);
    }
}

/// Sends `signal` to process `pid`.
pub fn send(pid: u32, signal: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// Sends `signal` to every process in the group `pgid`.
pub fn send_group(pgid: u32, signal: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(-(pgid as libc::pid_t), signal) };
}

/// True while a live process is left in the group `pgid`. A zombie (dead, not
/// yet reaped by its parent, say an init that never reaps) still makes the group
/// exist for kill(2) but has nothing left to stop, so it does not count; /proc
/// tells them apart, and without /proc kill(2) decides.
pub fn group_alive(pgid: u32) -> bool {
    // SAFETY: signal 0 only checks that the group exists and may be signalled.
    let exists = unsafe { libc::kill(-(pgid as libc::pid_t), 0) == 0 };
    if !exists {
        return false;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .any(|stat| live_in_group(&stat, pgid))
}

/// From a `/proc/<pid>/stat` line: the process is in group `pgid` and not a
/// zombie. The command name may hold spaces and `)`, so fields are read after
/// the last `)`: state, ppid, pgrp.
fn live_in_group(stat: &str, pgid: u32) -> bool {
    let Some(close) = stat.rfind(')') else {
        return false;
    };
    let mut fields = stat[close + 1..].split_whitespace();
    let state = fields.next().unwrap_or("");
    let group = fields.nth(1).and_then(|g| g.parse::<u32>().ok());
    group == Some(pgid) && !matches!(state, "Z" | "X" | "x")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_of_zombies_is_not_alive() {
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new("sh")
            .args(["-c", "exit 0"])
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = child.id();
        // Not reaped: the child is a zombie in a group of its own.
        let zombie = (0..500).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit(')')
                    .next()
                    .unwrap()
                    .trim_start()
                    .starts_with('Z')
            })
        });
        assert!(zombie, "the child did not become a zombie");
        // SAFETY: signal 0 only checks existence.
        assert_eq!(unsafe { libc::kill(-(pid as libc::pid_t), 0) }, 0);
        assert!(!group_alive(pid));
        child.wait().unwrap();
        assert!(!group_alive(pid));
    }

    #[test]
    fn live_members_are_read_from_stat_lines() {
        assert!(live_in_group("12 (sh) S 1 12 12 0", 12));
        assert!(!live_in_group("12 (sh) Z 1 12 12 0", 12));
        assert!(!live_in_group("12 (sh) S 1 13 13 0", 12));
        assert!(live_in_group("12 (a) b) R 1 12 12 0", 12));
    }
}
