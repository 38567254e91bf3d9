//! Writing to stdout so that a closed pipe (`| head`) ends promptrun quietly.
//!
//! Nothing here exits the process: a closed pipe is [`Error::StdoutClosed`],
//! which the caller may ignore (the check still runs its alert command) or pass
//! up, where it ends promptrun with status 0 and no message.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Prints `text` and a newline.
pub fn print_line(text: &str) -> Result<()> {
    write_all(format!("{text}\n").as_bytes())
}

/// Writes bytes to stdout.
pub fn write_all(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|_| stdout.flush())
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::BrokenPipe => Error::StdoutClosed,
            _ => Error::io("<stdout>", err),
        })
}

/// Writes `bytes` to `path`, or to stdout when `path` is `-` or absent.
pub fn write_to(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, bytes).map_err(|err| Error::io(path, err))
        }
        _ => write_all(bytes),
    }
}
