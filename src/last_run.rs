//! The latest run by this user on this machine, for `promptrun rate last`.
//!
//! Each run rewrites a small state file, so finding the last run never scans the logs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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

/// `<state dir>/last-run.json`.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("last-run.json")
}

impl LastRun {
    /// Saves atomically (write a temporary file, then rename), 0600.
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(state_dir)?;
        let target = path(state_dir);
        let temporary = state_dir.join(format!(".last-run.{}.tmp", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(&serde_json::to_vec(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(&temporary, &target)
    }

    /// Loads the last run, if any run was recorded.
    pub fn load(state_dir: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read(path(state_dir)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(std::io::Error::other),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }
}
