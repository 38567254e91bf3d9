//! Process start-up: what the binary needs from Rust's usual start-up, which it
//! skips (see `main.rs`), and the C maths symbols it provides itself.

/// Makes sure descriptors 0, 1 and 2 are open (on /dev/null when they were not), so
/// that no file promptrun opens, a log for instance, takes the place of standard
/// output; and ignores SIGPIPE, so that a closed pipe is an error promptrun handles
/// (`| head` ends quietly) rather than a silent death. Commands it runs start with
/// SIGPIPE at its default again, as std's process spawning resets it.
/// It also catches SIGXFSZ, so that `ulimit -f` costs a warning, not the run.
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
    catch_file_size_limit();
}

/// Under `ulimit -f`, a write past the limit sends SIGXFSZ, whose default action
/// kills promptrun before the command even runs. Caught by a handler that does
/// nothing, the write fails with EFBIG instead, which the log writer turns into
/// its usual warning. A handler, unlike SIG_IGN, is reset to the default when the
/// command execs, so the command still gets SIGXFSZ's default (no change to the
/// spawn path). Left alone when promptrun's own parent ignores it, so that the
/// command inherits the ignoring as before.
fn catch_file_size_limit() {
    extern "C" fn nothing(_: libc::c_int) {}
    // SAFETY: sigaction with valid pointers; the handler is async-signal-safe (empty).
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGXFSZ, std::ptr::null(), &mut old) != 0
            || old.sa_sigaction != libc::SIG_DFL
        {
            return;
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = nothing as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGXFSZ, &action, std::ptr::null_mut());
    }
}

/// The C maths functions the binary calls (through indicatif's rate estimate and
/// plotters' axis ticks and number printing), from the pure-Rust `libm` crate, so
/// that libm.so is not loaded and relocated at every start, in front of every
/// prompt. A test (`tests/it/run_startup.rs`) checks that it is not.
mod c_maths {
    /// Natural logarithm, for callers of the C `log`.
    #[unsafe(no_mangle)]
    pub extern "C" fn log(x: f64) -> f64 {
        libm::log(x)
    }

    /// `x` to the power `y`, for callers of the C `pow`.
    #[unsafe(no_mangle)]
    pub extern "C" fn pow(x: f64, y: f64) -> f64 {
        libm::pow(x, y)
    }

    /// Decimal logarithm, for callers of the C `log10` (plotters' number printing;
    /// without it a debug build, at least, loads libm.so).
    #[unsafe(no_mangle)]
    pub extern "C" fn log10(x: f64) -> f64 {
        libm::log10(x)
    }

    /// e to the power `x`, for callers of the C `exp` (the statistics in `learn`).
    #[unsafe(no_mangle)]
    pub extern "C" fn exp(x: f64) -> f64 {
        libm::exp(x)
    }

    /// Base-2 logarithm, for callers of the C `log2` (secret redaction's entropy).
    #[unsafe(no_mangle)]
    pub extern "C" fn log2(x: f64) -> f64 {
        libm::log2(x)
    }

    /// ln(1 + x), for callers of the C `log1p` (the statistics in `learn`).
    #[unsafe(no_mangle)]
    pub extern "C" fn log1p(x: f64) -> f64 {
        libm::log1p(x)
    }

    #[cfg(test)]
    mod tests {
        // `f64::ln` and `powf` call these very symbols, so the checks use exact values.
        #[test]
        fn log_and_pow_give_the_textbook_values() {
            assert_eq!(super::log(1.0), 0.0);
            assert!((super::log(std::f64::consts::E) - 1.0).abs() < 1e-15);
            assert!((super::log(1e6) - 6.0 * std::f64::consts::LN_10).abs() < 1e-13);
            assert!(super::log(-1.0).is_nan());
            assert_eq!(super::pow(2.0, 10.0), 1024.0);
            assert_eq!(super::pow(10.0, -3.0), 0.001);
            assert_eq!(super::pow(2.25, 0.5), 1.5);
            assert_eq!(super::pow(0.0, 0.0), 1.0);
            assert_eq!(super::log10(1000.0), 3.0);
            assert_eq!(super::log10(1.0), 0.0);
            assert!(super::log10(-1.0).is_nan());
        }
    }
}
