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

/// Streams what `render` writes to stdout through a buffer, so a large report is
/// never held whole in memory (with many groups the rendered text was the largest
/// thing a report kept: about 1.5 KB of JSON per group, in a doubling buffer).
/// Errors are told apart as before: a failed write to stdout is `<stdout>` (a
/// closed pipe [`Error::StdoutClosed`]), any other is the renderer's, `<report>`.
pub fn stream(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    /// Notes whether stdout itself refused a write.
    struct Watched<W> {
        inner: W,
        failed: bool,
    }
    impl<W: Write> Write for Watched<W> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let written = self.inner.write(bytes);
            self.failed |= written.is_err();
            written
        }
        fn flush(&mut self) -> std::io::Result<()> {
            let flushed = self.inner.flush();
            self.failed |= flushed.is_err();
            flushed
        }
    }
    let watched = Watched {
        inner: std::io::stdout().lock(),
        failed: false,
    };
    let mut out = std::io::BufWriter::with_capacity(64 << 10, watched);
    let result = render(&mut out).and_then(|()| out.flush());
    match result {
        Ok(()) => Ok(()),
        Err(err) if out.get_ref().failed => Err(match err.kind() {
            std::io::ErrorKind::BrokenPipe => Error::StdoutClosed,
            _ => Error::io("<stdout>", err),
        }),
        Err(err) => Err(Error::io("<report>", err)),
    }
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
