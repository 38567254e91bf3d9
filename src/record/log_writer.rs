//! The log directory: one append-only JSONL file per UTC day.
//!
//! Each event is one `write` on a descriptor opened with O_APPEND, under an
//! exclusive advisory lock, so any number of promptrun processes can append to
//! the same file without losing, tearing or interleaving a line.
//!
//! Nothing in the directory is trusted (see [`crate::files`]): the directory must
//! be the user's (or root's) and not writable by others unless sticky; the day
//! file is opened without following a symlink and without blocking, must be a
//! regular file of the user's that nobody else can write; the lock is waited for
//! at most [`LOCK_WAIT`]. A line torn by a full disk is neither left behind nor
//! allowed to swallow the next event.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::files::open::CheckedDir;

/// How long an append waits for another process's lock on the day file before
/// giving up (the run then goes on unlogged).
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

/// The file name for events written on `day`: `events-YYYY-MM-DD.jsonl`.
pub fn file_name(day: DateTime<Utc>) -> String {
    format!("events-{}.jsonl", day.format("%Y-%m-%d"))
}

/// Appends events to the day's file in a log directory.
#[derive(Debug)]
pub struct EventWriter {
    dir: PathBuf,
    checked: Option<CheckedDir>,
    open: Option<(String, File)>,
}

impl EventWriter {
    /// A writer for `dir`; nothing is touched until the first append.
    pub fn new(dir: PathBuf) -> Self {
        EventWriter {
            dir,
            checked: None,
            open: None,
        }
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
            let file = self.open_day_file(&name, &path)?;
            self.open = Some((name.clone(), file));
        }
        lock_open_file(self.open.as_ref().map(|(_, file)| file), &path)?;
        // `merge` or `purge` may have replaced the file while this one waited
        // for its lock: append to the file the path names now.
        for _ in 0..8 {
            let (_, file) = self.open.as_ref().expect("opened above");
            if !replaced(file, &path) {
                break;
            }
            let _ = file.unlock();
            let reopened = self.open_day_file(&name, &path)?;
            lock_open_file(Some(&reopened), &path)?;
            self.open = Some((name.clone(), reopened));
        }
        let (_, file) = self.open.as_mut().expect("opened above");
        let written = append_whole_line(file, line);
        let _ = file.unlock();
        written.map_err(|err| format!("cannot write to {}: {err}", path.display()))?;
        Ok(path)
    }

    fn open_day_file(&mut self, name: &str, path: &Path) -> Result<File, String> {
        if self.checked.is_none() {
            let dir = CheckedDir::open_or_create(&self.dir).map_err(|err| {
                format!(
                    "refusing log directory {}: {err}; use a directory of your own (--log-dir)",
                    self.dir.display()
                )
            })?;
            self.checked = Some(dir);
        }
        let dir = self.checked.as_ref().expect("checked above");
        dir.open_file(name, libc::O_RDWR | libc::O_APPEND | libc::O_CREAT, 0o600)
            .map_err(|err| format!("refusing log file {}: {err}", path.display()))
    }
}

/// Locks the open day file, waiting at most [`LOCK_WAIT`].
fn lock_open_file(file: Option<&File>, path: &Path) -> Result<(), String> {
    let file = file.expect("a day file is open");
    if lock_within(|| file.try_lock(), LOCK_WAIT)
        .map_err(|err| format!("cannot lock {}: {err}", path.display()))?
    {
        return Ok(());
    }
    Err(format!(
        "{} is locked by another process for more than {} s",
        path.display(),
        LOCK_WAIT.as_secs()
    ))
}

/// Whether `path` no longer names the open `file` (renamed over or removed).
fn replaced(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => (open.dev(), open.ino()) != (named.dev(), named.ino()),
        _ => true,
    }
}

/// Takes a lock with `try_lock` (`File::try_lock` or `try_lock_shared`), trying
/// for at most `wait`; `false` when another process held it all that time.
pub fn lock_within(
    try_lock: impl Fn() -> Result<(), std::fs::TryLockError>,
    wait: Duration,
) -> std::io::Result<bool> {
    let started = Instant::now();
    let mut pause = Duration::from_micros(100);
    loop {
        match try_lock() {
            Ok(()) => return Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
        }
        let waited = started.elapsed();
        if waited >= wait {
            return Ok(false);
        }
        std::thread::sleep(pause.min(wait - waited));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Appends `line` so that it stands on a line of its own, with the lock held:
/// after a file that does not end in `\n` (a line torn by a crash or a full
/// disk) it starts with `\n`, so the torn line is the only one lost; a write
/// that fails part-way is cut back to the old length, so it leaves no torn line.
fn append_whole_line(file: &mut File, line: &[u8]) -> std::io::Result<()> {
    let old_len = file.metadata()?.len();
    let mut last = [b'\n'];
    if old_len > 0 {
        file.read_exact_at(&mut last, old_len - 1)?;
    }
    let mut joined;
    let bytes = if last[0] == b'\n' {
        line
    } else {
        joined = Vec::with_capacity(line.len() + 1);
        joined.push(b'\n');
        joined.extend_from_slice(line);
        &joined
    };
    file.write_all(bytes).inspect_err(|_| {
        let _ = file.set_len(old_len);
    })
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

    #[test]
    fn a_torn_last_line_costs_only_itself() {
        let root = tempfile::tempdir().unwrap();
        let day = DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .unwrap()
            .to_utc();
        let path = root.path().join(file_name(day));
        std::fs::write(&path, "{\"a\":1}\n{\"torn\":").unwrap();
        let mut writer = EventWriter::new(root.path().to_path_buf());
        writer.append(day, b"{\"a\":2}\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"torn\":\n{\"a\":2}\n"
        );
    }

    #[test]
    fn a_held_lock_is_waited_for_only_so_long() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("held");
        let holder = File::create(&path).unwrap();
        holder.lock().unwrap();
        let other = File::open(&path).unwrap();
        let started = Instant::now();
        let wait = Duration::from_millis(100);
        assert!(!lock_within(|| other.try_lock_shared(), wait).unwrap());
        assert!(started.elapsed() < Duration::from_secs(2));
        holder.unlock().unwrap();
        assert!(lock_within(|| other.try_lock_shared(), wait).unwrap());
    }

    #[test]
    fn links_and_fifos_in_place_of_the_day_file_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let day = Utc::now();
        let target = root.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, root.path().join(file_name(day))).unwrap();
        let mut writer = EventWriter::new(root.path().to_path_buf());
        let err = writer.append(day, b"{}\n").unwrap_err();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(!target.exists());
    }
}
