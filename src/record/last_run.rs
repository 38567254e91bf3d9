//! The latest run by this user on this machine, for `promptrun rate last`.
//!
//! Each run rewrites a small state file, so finding the last run never scans the logs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::open::{CheckedDir, Links, open_regular, read_limited};
use crate::files::owner::untrusted_file;
use crate::record::log_writer::{LOCK_WAIT, lock_within};

/// What `rate last` needs to know about the latest run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    pub run_id: String,
    pub prompt: String,
    pub variant: Option<String>,
    pub prompt_sha256: Option<String>,
    /// When the run ended.
    pub ts: String,
    /// The log directory the run was written to.
    pub log_dir: Option<PathBuf>,
}

const FILE_NAME: &str = "last-run.json";

/// `<state dir>/last-run.json`.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE_NAME)
}

/// The error with the file it is about in front.
fn annotate(err: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

/// The file is rewritten in place, padded with spaces to a multiple of this size.
const RECORD: usize = 4096;

impl LastRun {
    /// Saves the run, 0600. The file is overwritten in place under an exclusive
    /// lock, padded with spaces: replacing it by truncation or rename would make
    /// ext4 flush it to disk first (auto_da_alloc), which costs every run about
    /// 0.2 ms, most of promptrun's overhead budget. The state directory and the
    /// file must be the user's own, and a lock held elsewhere is waited for at
    /// most [`LOCK_WAIT`].
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let dir = CheckedDir::open_or_create(state_dir)?;
        let mut record = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        record.push(b'\n');
        let padded = record.len().div_ceil(RECORD) * RECORD;
        record.resize(padded, b' ');
        let file = dir
            .open_file(FILE_NAME, libc::O_WRONLY | libc::O_CREAT, 0o600)
            .map_err(|err| annotate(err, &path(state_dir)))?;
        if !lock_within(|| file.try_lock(), LOCK_WAIT)? {
            return Err(std::io::Error::other(format!(
                "{} is locked by another process",
                path(state_dir).display()
            )));
        }
        let written = file.write_all_at(&record, 0).and_then(|()| {
            if file.metadata()?.len() > padded as u64 {
                file.set_len(padded as u64)?;
            }
            Ok(())
        });
        let _ = file.unlock();
        written
    }

    /// Loads the last run, if any run was recorded.
    pub fn load(state_dir: &Path) -> std::io::Result<Option<Self>> {
        let path = path(state_dir);
        let mut file = match open_regular(&path, Links::Refuse) {
            Ok((file, meta)) => match untrusted_file(&meta) {
                None => file,
                Some(why) => {
                    let err = std::io::Error::new(std::io::ErrorKind::PermissionDenied, why);
                    return Err(annotate(err, &path));
                }
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(annotate(err, &path)),
        };
        if !lock_within(|| file.try_lock_shared(), LOCK_WAIT)? {
            return Err(std::io::Error::other(format!(
                "{} is locked by another process",
                path.display()
            )));
        }
        let read = read_limited(&mut file, 1 << 20);
        let _ = file.unlock();
        let bytes = read?;
        let end = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        if end == 0 {
            return Ok(None);
        }
        serde_json::from_slice(&bytes[..end])
            .map(Some)
            .map_err(std::io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, prompt: &str) -> LastRun {
        LastRun {
            run_id: id.into(),
            prompt: prompt.into(),
            variant: None,
            prompt_sha256: None,
            ts: "2026-11-24T10:15:02.123Z".into(),
            log_dir: None,
        }
    }

    #[test]
    fn a_shorter_record_replaces_a_longer_one() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(LastRun::load(dir.path()).unwrap(), None);
        let long = run("1", &"p".repeat(9000));
        long.save(dir.path()).unwrap();
        assert_eq!(LastRun::load(dir.path()).unwrap(), Some(long));
        let short = run("2", "short");
        short.save(dir.path()).unwrap();
        assert_eq!(LastRun::load(dir.path()).unwrap(), Some(short));
        let size = std::fs::metadata(path(dir.path())).unwrap().len();
        assert_eq!(size, RECORD as u64);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
