//! What the binary needs from Rust's usual start-up, which it skips (see `main.rs`).

/// Makes sure descriptors 0, 1 and 2 are open (on /dev/null when they were not), so
/// that no file promptrun opens, a log for instance, takes the place of standard
/// output; and ignores SIGPIPE, so that a closed pipe is an error promptrun handles
/// (`| head` ends quietly) rather than a silent death. Commands it runs start with
/// SIGPIPE at its default again, as std's process spawning resets it.
pub fn process_setup() {
    for fd in 0..3 {
        // SAFETY: fcntl(F_GETFD) only queries the descriptor table.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        if closed {
            // SAFETY: a valid C string; the lowest free descriptor, `fd`, is the one opened.
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
    // SAFETY: installing SIG_IGN for SIGPIPE has no preconditions.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}
