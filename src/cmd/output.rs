//! Writing to stdout so that a closed pipe (`| head`) ends promptrun quietly.

use std::io::Write;

/// Prints `text` and a newline; exits quietly with status 0 if stdout is a closed pipe.
pub fn print_line(text: &str) {
    write_all(format!("{text}\n").as_bytes());
}

/// Writes bytes to stdout; exits quietly with status 0 if stdout is a closed pipe.
pub fn write_all(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("promptrun: error: cannot write to stdout: {err}");
        std::process::exit(crate::error::exit::IO);
    }
}
