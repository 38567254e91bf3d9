//! Rewriting a log file without losing a concurrent append.
//!
//! A file is rewritten under its exclusive lock (the lock `EventWriter` takes
//! for every append): read, filter, write a temporary file beside it, fsync, and
//! rename it over the old one, so a crash leaves either the old or the new file,
//! never half of one. An appender that opened the old file waits for the lock,
//! then sees that the path now names another file and reopens it (see
//! `EventWriter::append`), so its event lands in the new file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::lines::{self, Line};

/// How long to wait for a file's lock before giving up with a message.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(10);

/// What a rewrite did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The contents were already what was asked: the file was not touched.
    Unchanged,
    /// The file was replaced.
    Rewritten,
    /// Nothing was left: the file was removed.
    Removed,
}

/// Takes `file`'s exclusive lock, waiting up to [`LOCK_PATIENCE`].
pub fn lock(file: &File, path: &Path) -> Result<(), String> {
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_PATIENCE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "{} is locked by another promptrun (a run writing to it?) for over {}s; \
                     nothing was changed, try again",
                    path.display(),
                    LOCK_PATIENCE.as_secs()
                ));
            }
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(format!("cannot lock {}: {err}", path.display()));
            }
        }
    }
}

/// Rewrites the file at `path` (gzip stays gzip) under its lock: `change` gets
/// its events and returns the events to keep, in the order to write them.
/// Lines that are not events are kept, after the events. With `create`, a
/// missing file is created (0600) first; else a missing file is left alone.
/// With `dry_run` the file is read but never written.
pub fn rewrite(
    path: &Path,
    create: bool,
    dry_run: bool,
    change: impl FnOnce(Vec<Line>) -> Vec<Line>,
) -> Result<Outcome, String> {
    let opened = OpenOptions::new()
        .read(true)
        .append(true)
        .create(create && !dry_run)
        .mode(0o600)
        .open(path);
    let mut file = match opened {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && dry_run => {
            change(Vec::new());
            return Ok(Outcome::Unchanged);
        }
        Err(err) => return Err(format!("cannot open {}: {err}", path.display())),
    };
    lock(&file, path)?;
    let result = rewrite_locked(&mut file, path, dry_run, change);
    let _ = file.unlock();
    result
}

fn rewrite_locked(
    file: &mut File,
    path: &Path,
    dry_run: bool,
    change: impl FnOnce(Vec<Line>) -> Vec<Line>,
) -> Result<Outcome, String> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let gzip = lines::is_gzip(&bytes);
    let text =
        lines::decode(&bytes).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let (events, others) = split(&text);
    let kept = change(events);
    let mut out = lines::join(&kept);
    for other in &others {
        out.extend_from_slice(other);
        out.push(b'\n');
    }
    if out == text {
        return Ok(Outcome::Unchanged);
    }
    if out.is_empty() {
        if !dry_run {
            std::fs::remove_file(path)
                .map_err(|err| format!("cannot remove {}: {err}", path.display()))?;
        }
        return Ok(Outcome::Removed);
    }
    if dry_run {
        return Ok(Outcome::Rewritten);
    }
    let out = if gzip { gzip_bytes(&out) } else { out };
    replace(path, &out)?;
    Ok(Outcome::Rewritten)
}

/// The events of a text and its other non-blank lines.
fn split(text: &[u8]) -> (Vec<Line>, Vec<Vec<u8>>) {
    let text = text
        .strip_prefix(&crate::record::log_files::BOM)
        .unwrap_or(text);
    let mut events = Vec::new();
    let mut others = Vec::new();
    for raw in text.split(|&b| b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match Line::parse(raw) {
            Some(line) => events.push(line),
            None => others.push(raw.to_vec()),
        }
    }
    (events, others)
}

fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Replaces `path` with `bytes` atomically: a temporary file beside it (0600),
/// fsync, rename, fsync of the directory.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp: PathBuf = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok::<(), std::io::Error>(())
    })();
    written.map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {err}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = r#"{"type":"run_end","ts":"2026-11-24T10:00:00.000Z","run_id":"a"}"#;
    const B: &str = r#"{"type":"run_end","ts":"2026-11-24T11:00:00.000Z","run_id":"b"}"#;

    #[test]
    fn a_rewrite_keeps_what_is_asked_and_removes_an_emptied_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events-2026-11-24.jsonl");
        std::fs::write(&path, format!("{A}\n{B}\n")).unwrap();
        let outcome = rewrite(&path, false, false, |lines| {
            lines
                .into_iter()
                .filter(|l| l.run_id.as_deref() == Some("b"))
                .collect()
        });
        assert_eq!(outcome, Ok(Outcome::Rewritten));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{B}\n"));
        assert_eq!(rewrite(&path, false, false, |l| l), Ok(Outcome::Unchanged));
        assert_eq!(
            rewrite(&path, false, true, |_| vec![]),
            Ok(Outcome::Removed)
        );
        assert!(path.exists(), "a dry run changes nothing");
        assert_eq!(
            rewrite(&path, false, false, |_| vec![]),
            Ok(Outcome::Removed)
        );
        assert!(!path.exists());
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 0, "no temporary file is left behind");
    }

    #[test]
    fn a_locked_file_is_waited_for_then_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events-2026-11-24.jsonl");
        std::fs::write(&path, format!("{A}\n")).unwrap();
        let holder = File::open(&path).unwrap();
        holder.lock().unwrap();
        let other = File::open(&path).unwrap();
        // Refused only after LOCK_PATIENCE; check the quick path instead.
        assert!(matches!(
            other.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        holder.unlock().unwrap();
        assert!(lock(&other, &path).is_ok());
    }
}
