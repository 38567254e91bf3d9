//! The log directory: one append-only JSONL file per UTC day.
//!
//! Each event is one `write` on a descriptor opened with O_APPEND, under an
//! exclusive advisory lock, so any number of promptrun processes can append to
//! the same file without losing, tearing or interleaving a line.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// The file name for events written on `day`: `events-YYYY-MM-DD.jsonl`.
pub fn file_name(day: DateTime<Utc>) -> String {
    format!("events-{}.jsonl", day.format("%Y-%m-%d"))
}

/// Appends events to the day's file in a log directory.
#[derive(Debug)]
pub struct EventWriter {
    dir: PathBuf,
    open: Option<(String, File)>,
}

impl EventWriter {
    /// A writer for `dir`; nothing is touched until the first append.
    pub fn new(dir: PathBuf) -> Self {
        EventWriter { dir, open: None }
    }

    /// The log directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one serialised event (a line ending in `\n`) to the file of `at`'s day.
    /// Creates the directory (0700) and the file (0600) when needed.
    pub fn append(&mut self, at: DateTime<Utc>, line: &[u8]) -> Result<PathBuf, String> {
        let name = file_name(at);
        let path = self.dir.join(&name);
        if self.open.as_ref().is_none_or(|(open, _)| *open != name) {
            let file = open_log(&self.dir, &path)?;
            self.open = Some((name, file));
        }
        let (_, file) = self.open.as_mut().expect("opened above");
        file.lock()
            .map_err(|err| format!("cannot lock {}: {err}", path.display()))?;
        // `merge` or `purge` may have replaced the file while this one waited
        // for its lock: append to the file the path names now.
        for _ in 0..8 {
            if !replaced(file, &path) {
                break;
            }
            let _ = file.unlock();
            *file = open_log(&self.dir, &path)?;
            file.lock()
                .map_err(|err| format!("cannot lock {}: {err}", path.display()))?;
        }
        let written = file.write_all(line);
        let _ = file.unlock();
        written.map_err(|err| format!("cannot write to {}: {err}", path.display()))?;
        Ok(path)
    }
}

/// Whether `path` no longer names the open `file` (renamed over or removed).
fn replaced(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => (open.dev(), open.ino()) != (named.dev(), named.ino()),
        _ => true,
    }
}

fn open_log(dir: &Path, path: &Path) -> Result<File, String> {
    let open = || {
        OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
    };
    match open() {
        Ok(file) => Ok(file),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|err| format!("cannot create log directory {}: {err}", dir.display()))?;
            open().map_err(|err| format!("cannot open {}: {err}", path.display()))
        }
        Err(err) => Err(format!("cannot open {}: {err}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn creates_private_day_files_and_appends() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs/nested");
        let mut writer = EventWriter::new(dir.clone());
        let day = DateTime::parse_from_rfc3339("2026-11-24T23:59:59Z")
            .unwrap()
            .to_utc();
        let path = writer.append(day, b"{\"a\":1}\n").unwrap();
        writer.append(day, b"{\"a\":2}\n").unwrap();
        assert_eq!(path, dir.join("events-2026-11-24.jsonl"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n"
        );
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        let next = writer
            .append(day + chrono::Duration::seconds(1), b"{}\n")
            .unwrap();
        assert_eq!(next, dir.join("events-2026-11-25.jsonl"));
    }
}
