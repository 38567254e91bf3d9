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

/// The signals promptrun forwards to its command.
pub const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

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

/// True while any process is left in the group `pgid`.
pub fn group_alive(pgid: u32) -> bool {
    // SAFETY: signal 0 only checks that the group exists and may be signalled.
    unsafe { libc::kill(-(pgid as libc::pid_t), 0) == 0 }
}
