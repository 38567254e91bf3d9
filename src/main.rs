//! The binary only starts the library.
//!
//! `no_main`: Rust's usual start-up reads /proc/self/maps on every start to place
//! a stack-overflow guard, and promptrun starts in front of every prompt, so it
//! starts itself: `process_setup` does the two things it relies on from Rust's
//! start-up (standard descriptors open, SIGPIPE ignored), and `process::exit`
//! flushes standard output as a normal return from `main` would.
#![no_main]

use std::ffi::{c_char, c_int};

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    promptrun::process_setup();
    std::process::exit(promptrun::run());
}
