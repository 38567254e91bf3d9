//! Writing to stdout so that a closed pipe (`| head`) ends promptrun quietly.
//!
//! Nothing here exits the process: a closed pipe is [`Error::StdoutClosed`],
//! which the caller may ignore (the check still runs its alert command) or pass
//! up, where it ends promptrun with status 0 and no message.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::files::owner;

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
            write_file(path, bytes).map_err(|err| Error::io(path, err))
        }
        _ => write_all(bytes),
    }
}

/// Creates or replaces `path`, mode 0644 at most (the umask applies on top).
/// A symlink is followed, as users write through links on purpose, except one
/// that another user owns in a sticky directory every user can write (/tmp):
/// the rule of Linux's `protected_symlinks`, kept even where that is off.
fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    if let Ok(link) = std::fs::symlink_metadata(path)
        && link.file_type().is_symlink()
        && !owner::is_ours(link.uid())
    {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if std::fs::metadata(dir).is_ok_and(|meta| owner::is_shared_sticky(&meta)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "a symbolic link owned by {} in the shared directory {}; not written through",
                    owner::describe_user(link.uid()),
                    dir.display()
                ),
            ));
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(path)?;
    file.write_all(bytes)
}
