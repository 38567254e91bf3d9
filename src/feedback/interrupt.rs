//! Signals while the question is on screen.
//!
//! The command is gone by then, so the runner's handlers are no longer
//! installed. A SIGINT, SIGTERM, SIGHUP or SIGQUIT at the question must neither
//! kill promptrun (its exit status is the command's) nor leave the terminal in
//! raw mode: while a [`QuestionSignals`] lives, they only end the question.

use std::sync::atomic::{AtomicBool, Ordering};

const CAUGHT: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

static RECEIVED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    RECEIVED.store(true, Ordering::SeqCst);
}

/// Handlers that turn those signals into "stop asking"; dropping restores the previous ones.
pub struct QuestionSignals {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl QuestionSignals {
    /// Installs the handlers (without SA_RESTART, so a waiting poll wakes up).
    pub fn install() -> Self {
        RECEIVED.store(false, Ordering::SeqCst);
        let mut previous = Vec::with_capacity(CAUGHT.len());
        for signal in CAUGHT {
            // SAFETY: zeroed sigactions are valid; the handler only stores an atomic.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        QuestionSignals { previous }
    }

    /// True once one of the signals arrived.
    pub fn received(&self) -> bool {
        RECEIVED.load(Ordering::SeqCst)
    }
}

impl Drop for QuestionSignals {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: restoring a disposition sigaction returned earlier.
            unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        }
    }
}
