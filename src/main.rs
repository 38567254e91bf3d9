//! The binary only starts the library.
//!
//! `no_main`: Rust's usual start-up reads /proc/self/maps on every start to place
//! a stack-overflow guard, and promptrun starts in front of every prompt, so it
//! starts itself: `process_setup` does the two things it relies on from Rust's
//! start-up (standard descriptors open, SIGPIPE ignored), the arguments come from
//! C's `argv` (std's own copy is not filled on every libc without its start-up),
//! and `process::exit` flushes standard output as a return from `main` would.
#![no_main]

use std::ffi::{CStr, OsString, c_char, c_int};
use std::os::unix::ffi::OsStringExt;

#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    promptrun::process_setup();
    let args = (0..usize::try_from(argc).unwrap_or(0))
        .map(|i| {
            // SAFETY: the C runtime passes argc valid NUL-terminated strings in argv.
            let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
            OsString::from_vec(arg.to_bytes().to_vec())
        })
        .collect();
    std::process::exit(promptrun::run(args));
}
