//! When each prompt was last asked about on this machine, so that a burst of
//! runs of one prompt asks once (`feedback.cooldown`).
//!
//! A small JSON map, prompt name to the last question's time in milliseconds,
//! in the state directory; written whole to a temporary file and renamed, so a
//! reader never sees half of it. A missing, unreadable or oversized file means
//! "never asked": the worst case is one question too many.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file in the state directory.
const FILE: &str = "asked.json";
/// Larger files are not read (and are replaced on the next question).
const MAX_BYTES: u64 = 256 << 10;
/// Prompts kept in the file; the oldest go first.
const MAX_PROMPTS: usize = 500;

fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE)
}

fn load(state_dir: &Path) -> BTreeMap<String, i64> {
    let Ok(file) = std::fs::File::open(path(state_dir)) else {
        return BTreeMap::new();
    };
    let mut text = String::new();
    if file.take(MAX_BYTES).read_to_string(&mut text).is_err() {
        return BTreeMap::new();
    }
    serde_json::from_str(&text).unwrap_or_default()
}

/// Whether `prompt` was asked about less than `cooldown` before `now_ms`.
pub fn recently_asked(state_dir: &Path, prompt: &str, cooldown: Duration, now_ms: i64) -> bool {
    let window = i64::try_from(cooldown.as_millis()).unwrap_or(i64::MAX);
    load(state_dir)
        .get(prompt)
        .is_some_and(|&at| now_ms.saturating_sub(at) < window && at <= now_ms)
}

/// Notes that `prompt` was asked about at `now_ms`.
pub fn note_asked(state_dir: &Path, prompt: &str, now_ms: i64) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut asked = load(state_dir);
    asked.insert(prompt.to_string(), now_ms);
    while asked.len() > MAX_PROMPTS {
        let oldest = asked
            .iter()
            .min_by_key(|(_, at)| **at)
            .map(|(name, _)| name.clone());
        match oldest {
            Some(name) => asked.remove(&name),
            None => break,
        };
    }
    let text = serde_json::to_vec(&asked).map_err(std::io::Error::other)?;
    let temporary = state_dir.join(format!(".{FILE}.{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temporary)?;
    let written = file.write_all(&text);
    drop(file);
    match written.and_then(|()| std::fs::rename(&temporary, path(state_dir))) {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = std::fs::remove_file(&temporary);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_holds_the_next_back_for_the_cooldown_only() {
        let dir = tempfile::tempdir().unwrap();
        let ten_minutes = Duration::from_secs(600);
        assert!(!recently_asked(dir.path(), "p", ten_minutes, 1_000_000));
        note_asked(dir.path(), "p", 1_000_000).unwrap();
        assert!(recently_asked(
            dir.path(),
            "p",
            ten_minutes,
            1_000_000 + 599_999
        ));
        assert!(!recently_asked(
            dir.path(),
            "p",
            ten_minutes,
            1_000_000 + 600_000
        ));
        assert!(!recently_asked(dir.path(), "other", ten_minutes, 1_000_001));
        // A clock that went back does not silence the prompt for ever.
        assert!(!recently_asked(dir.path(), "p", ten_minutes, 999_000));
        std::fs::write(dir.path().join(FILE), "not json").unwrap();
        assert!(!recently_asked(dir.path(), "p", ten_minutes, 1_000_001));
    }
}
