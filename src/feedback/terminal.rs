//! The terminal around the question: whether there is one to ask on, and raw
//! mode for reading single keys, restored however the question ends.

use std::io::IsTerminal;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

/// True when stdin and stderr are terminals and promptrun is in the terminal's
/// foreground process group (a background job must not read the terminal).
pub fn is_interactive() -> bool {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    // SAFETY: tcgetpgrp and getpgrp only read process state.
    unsafe { libc::tcgetpgrp(stdin.as_raw_fd()) == libc::getpgrp() }
}

/// The terminal on stdin in non-canonical mode without echo or signal keys, so
/// that every key (Ctrl-C too) arrives as input at once. Dropping it restores
/// the settings it found.
pub struct RawMode {
    fd: BorrowedFd<'static>,
    original: libc::termios,
}

impl RawMode {
    /// Switches stdin to raw input, discarding keys typed ahead while the command
    /// ran (they were not meant as an answer). Output processing stays on.
    pub fn enter() -> std::io::Result<Self> {
        let fd = std::io::stdin().as_raw_fd();
        // SAFETY: stdin stays open for the life of the process.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        // SAFETY: a zeroed termios is a valid buffer for tcgetattr to fill.
        let mut original: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is valid; original is a valid termios.
        if unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut original) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut raw = original;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
        raw.c_iflag &= !(libc::IXON | libc::ICRNL | libc::INLCR);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: fd is valid; raw is a valid termios.
        if unsafe { libc::tcsetattr(fd.as_raw_fd(), libc::TCSAFLUSH, &raw) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(RawMode { fd, original })
    }

    /// Waits up to `limit` for input on stdin; true when a key can be read.
    /// Returns early (false) when a signal arrives.
    pub fn wait_for_key(&self, limit: Duration) -> bool {
        let mut poll = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = limit.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut poll, 1, millis) };
        ready > 0 && poll.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: fd is valid; original came from tcgetattr.
        unsafe { libc::tcsetattr(self.fd.as_raw_fd(), libc::TCSADRAIN, &self.original) };
    }
}
