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

/// True when keys typed during the run wait unread on stdin: the user went on
/// to the next command, and a question would swallow what they typed.
pub fn typed_ahead() -> bool {
    let mut pending: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the valid pointer.
    let result = unsafe { libc::ioctl(std::io::stdin().as_raw_fd(), libc::FIONREAD, &mut pending) };
    result == 0 && pending > 0
}

/// The terminal on stdin in non-canonical mode without echo or signal keys, so
/// that every key (Ctrl-C too) arrives as input at once. Dropping it restores
/// the settings it found.
pub struct RawMode {
    fd: BorrowedFd<'static>,
    original: libc::termios,
}

impl RawMode {
    /// Switches stdin to raw input, keeping any key already typed (the question is
    /// not asked when keys were typed during the run: see [`typed_ahead`]).
    /// Output processing stays on.
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
        if unsafe { libc::tcsetattr(fd.as_raw_fd(), libc::TCSANOW, &raw) } != 0 {
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

impl RawMode {
    /// Asks the terminal where the cursor is (`ESC [ 6 n`) and returns its
    /// 1-based column, or `None` when the terminal does not answer within `limit`.
    pub fn cursor_column(&self, limit: Duration) -> Option<u16> {
        use std::io::Write;
        let mut stderr = std::io::stderr();
        stderr
            .write_all(b"\x1b[6n")
            .and_then(|_| stderr.flush())
            .ok()?;
        let deadline = std::time::Instant::now() + limit;
        let mut answer = Vec::with_capacity(16);
        while !answer.ends_with(b"R") && answer.len() < 32 {
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            if !self.wait_for_key(left) {
                return None;
            }
            let mut byte = [0u8; 1];
            // SAFETY: reading one byte into a one-byte buffer.
            let read = unsafe { libc::read(self.fd.as_raw_fd(), byte.as_mut_ptr().cast(), 1) };
            if read != 1 {
                return None;
            }
            answer.push(byte[0]);
        }
        parse_cursor_report(&answer)
    }
}

/// The column of a cursor position report `ESC [ row ; column R`.
fn parse_cursor_report(answer: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(answer).ok()?;
    let inner = text.strip_prefix("\x1b[")?.strip_suffix('R')?;
    inner.split_once(';')?.1.parse().ok()
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: fd is valid; original came from tcgetattr.
        unsafe { libc::tcsetattr(self.fd.as_raw_fd(), libc::TCSADRAIN, &self.original) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_reports_parse() {
        assert_eq!(parse_cursor_report(b"\x1b[12;1R"), Some(1));
        assert_eq!(parse_cursor_report(b"\x1b[3;41R"), Some(41));
        assert_eq!(parse_cursor_report(b"4\x1b[3;41R"), None);
        assert_eq!(parse_cursor_report(b"\x1b[3R"), None);
    }
}
