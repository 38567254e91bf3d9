//! Runs in the log directory: by run id or a unique prefix of one (as git takes
//! commit prefixes), and this user's recent unrated runs.
//!
//! Reading streams each `events-*.jsonl` file line by line with one reused
//! buffer. A UUID v7 starts with its creation time in milliseconds, so a prefix
//! narrows the day files that can hold the run.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Deserialize;

use crate::record::log_files::event_files;

/// The fields of an event line that finding runs needs.
#[derive(Debug, Deserialize)]
struct EventLine {
    #[serde(rename = "type")]
    kind: String,
    run_id: String,
    ts: String,
    prompt: String,
    variant: Option<String>,
    #[serde(default)]
    prompt_sha256: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    exit_code: Option<i64>,
    #[serde(default)]
    duration_ms: Option<f64>,
}

/// A run as the log describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundRun {
    /// The run's id.
    pub run_id: String,
    /// When it started (run_start), else when it ended.
    pub ts: String,
    /// The resolved prompt name.
    pub prompt: String,
    /// The variant, if any.
    pub variant: Option<String>,
    /// The prompt's version (hash of its file), if known.
    pub prompt_sha256: Option<String>,
    /// The salted hash of the user who ran it.
    pub user: Option<String>,
    /// run_end's status, when the run ended.
    pub status: Option<String>,
    /// run_end's exit code.
    pub exit_code: Option<i64>,
    /// run_end's duration.
    pub duration_ms: Option<f64>,
}

impl FoundRun {
    fn from_line(line: EventLine) -> Self {
        let ended = line.kind == "run_end";
        FoundRun {
            run_id: line.run_id,
            ts: line.ts,
            prompt: line.prompt,
            variant: line.variant,
            prompt_sha256: line.prompt_sha256,
            user: line.user,
            status: line.status.filter(|_| ended),
            exit_code: line.exit_code.filter(|_| ended),
            duration_ms: line.duration_ms.filter(|_| ended),
        }
    }

    /// Adds what a later line of the same run says.
    fn merge(&mut self, line: EventLine) {
        if line.kind == "run_end" {
            self.status = line.status;
            self.exit_code = line.exit_code;
            self.duration_ms = line.duration_ms;
        }
        if self.prompt_sha256.is_none() {
            self.prompt_sha256 = line.prompt_sha256;
        }
        if self.user.is_none() {
            self.user = line.user;
        }
    }
}

/// Checks a run id prefix and returns it in the canonical form (lower case,
/// hyphens where a UUID has them), so `0192F3A1B2` and `0192f3a1-b2` are the same.
pub fn canonical_prefix(text: &str) -> Result<String, String> {
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    let problem = if digits.len() < 4 {
        Some("give at least 4 hex digits")
    } else if digits.len() > 32 {
        Some("a run id has 32 hex digits")
    } else if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        Some("a run id is hex digits and hyphens")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(format!(
            "`{text}` is not a run id or a prefix of one ({problem}); see run ids with `promptrun rate --pending`"
        ));
    }
    let mut canonical = String::with_capacity(36);
    for (index, digit) in digits.to_ascii_lowercase().chars().enumerate() {
        if matches!(index, 8 | 12 | 16 | 20) {
            canonical.push('-');
        }
        canonical.push(digit);
    }
    Ok(canonical)
}

/// The UTC days whose files can hold a run whose id starts with `prefix`:
/// from the earliest time the prefix allows to a day after the latest (a run
/// can end after midnight).
pub fn days_for_prefix(prefix: &str) -> Option<(NaiveDate, NaiveDate)> {
    let digits: String = prefix.chars().filter(|c| *c != '-').take(12).collect();
    let known = u64::from_str_radix(&digits, 16).ok()?;
    let unknown_bits = 4 * (12 - digits.len() as u32);
    let earliest = known << unknown_bits;
    let latest = earliest + ((1u64 << unknown_bits) - 1);
    let day =
        |ms: u64| DateTime::from_timestamp_millis(i64::try_from(ms).ok()?).map(|t| t.date_naive());
    Some((day(earliest)?, day(latest)?.checked_add_days(Days::new(1))?))
}

/// Calls `visit` with every event line of `files` that contains `needle`
/// (cheap filter before parsing). Unreadable files and lines that are not
/// events are skipped; each is named, with its line, in the returned notes.
fn scan(files: &[PathBuf], needles: &[&str], mut visit: impl FnMut(EventLine)) -> Vec<String> {
    let mut notes = Vec::new();
    let mut buffer = Vec::with_capacity(1024);
    for path in files {
        // Without blocking, regular files only: a FIFO named like a log must not hang `rate`.
        let opened = crate::files::open::open_regular(path, crate::files::open::Links::Follow);
        let mut reader = match opened {
            Ok((file, _)) => BufReader::new(file),
            Err(err) => {
                notes.push(format!("{}: {err}", path.display()));
                continue;
            }
        };
        let mut number = 0usize;
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) => break,
                Ok(_) => number += 1,
                Err(err) => {
                    notes.push(format!("{}:{}: {err}", path.display(), number + 1));
                    break;
                }
            }
            let Ok(text) = std::str::from_utf8(&buffer) else {
                continue;
            };
            if !needles.iter().any(|needle| text.contains(needle)) {
                continue;
            }
            match serde_json::from_str::<EventLine>(text) {
                Ok(line) => visit(line),
                Err(err) => notes.push(format!(
                    "{}:{number}: not an event ({err}); skipped",
                    path.display()
                )),
            }
        }
    }
    notes
}

/// What a search found, and the lines it had to skip.
#[derive(Debug, Default)]
pub struct Found {
    /// Matching runs, oldest first.
    pub runs: Vec<FoundRun>,
    /// Skipped files and lines, as `file:line: reason`.
    pub notes: Vec<String>,
    /// How many files were read.
    pub files: usize,
}

/// Every run in `dir` whose id starts with `prefix` (canonical, from [`canonical_prefix`]).
pub fn runs_with_prefix(dir: &Path, prefix: &str) -> std::io::Result<Found> {
    let files = event_files(dir, days_for_prefix(prefix))?;
    let mut runs: BTreeMap<String, FoundRun> = BTreeMap::new();
    let notes = scan(&files, &[prefix], |line| {
        if !line.run_id.starts_with(prefix)
            || !matches!(line.kind.as_str(), "run_start" | "run_end")
        {
            return;
        }
        match runs.get_mut(&line.run_id) {
            Some(run) => run.merge(line),
            None => {
                runs.insert(line.run_id.clone(), FoundRun::from_line(line));
            }
        }
    });
    Ok(Found {
        runs: runs.into_values().collect(),
        notes,
        files: files.len(),
    })
}

/// `user`'s completed runs in the files of the last `days` days (ending `today`)
/// that no feedback event rates yet, newest first.
pub fn unrated_runs(dir: &Path, user: &str, days: u64, today: NaiveDate) -> std::io::Result<Found> {
    let first = today
        .checked_sub_days(Days::new(days.saturating_sub(1)))
        .unwrap_or(today);
    let files = event_files(dir, Some((first, today)))?;
    let mut ended: BTreeMap<String, FoundRun> = BTreeMap::new();
    let mut rated: HashSet<String> = HashSet::new();
    let notes = scan(
        &files,
        &["\"run_end\"", "\"feedback\""],
        |line| match line.kind.as_str() {
            "feedback" => {
                rated.insert(line.run_id);
            }
            "run_end"
                if line.user.as_deref() == Some(user)
                    && line.status.as_deref() != Some("spawn_failed") =>
            {
                let run = FoundRun::from_line(line);
                ended.insert(run.run_id.clone(), run);
            }
            _ => {}
        },
    );
    let mut runs: Vec<FoundRun> = ended
        .into_values()
        .filter(|run| !rated.contains(&run.run_id))
        .collect();
    // UUID v7 ids sort by creation time.
    runs.sort_by(|a, b| b.run_id.cmp(&a.run_id));
    Ok(Found {
        runs,
        notes,
        files: files.len(),
    })
}

/// The shortest prefix of `run_id` that no other run in `dir` starts with: what
/// `promptrun rate` can be given for it. At least the first 8 hex digits (which
/// a UUID v7 shares with every run of the same minute or so); the whole id when
/// the log cannot be read.
pub fn shortest_unique_prefix(dir: &Path, run_id: &str) -> String {
    const SHORTEST: usize = 8;
    let Some(head) = run_id.get(..SHORTEST) else {
        return run_id.to_string();
    };
    let Ok(found) = runs_with_prefix(dir, head) else {
        return run_id.to_string();
    };
    let others: Vec<&str> = found
        .runs
        .iter()
        .map(|run| run.run_id.as_str())
        .filter(|id| *id != run_id)
        .collect();
    (SHORTEST..run_id.len())
        .filter_map(|len| run_id.get(..len))
        .find(|prefix| !prefix.ends_with('-') && others.iter().all(|o| !o.starts_with(prefix)))
        .unwrap_or(run_id)
        .to_string()
}

/// Today in UTC, the day files are named by.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_unique_prefix_tells_a_run_from_its_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        let line = |id: &str| {
            format!(
                "{{\"v\":1,\"type\":\"run_start\",\"ts\":\"2026-11-24T10:00:00.000Z\",\"run_id\":\"{id}\",\"prompt\":\"p\"}}\n"
            )
        };
        let (a, b) = (
            "01a20cff-7d00-7678-8abc-def012345678",
            "01a20cff-7d04-7678-8abc-def012345678",
        );
        std::fs::write(
            dir.path().join("events-2026-11-24.jsonl"),
            line(a) + &line(b) + &line("01a20d00-0000-7000-8000-000000000000"),
        )
        .unwrap();
        assert_eq!(shortest_unique_prefix(dir.path(), a), "01a20cff-7d00");
        assert_eq!(shortest_unique_prefix(dir.path(), b), "01a20cff-7d04");
        assert_eq!(
            shortest_unique_prefix(dir.path(), "01a20d00-0000-7000-8000-000000000000"),
            "01a20d00"
        );
    }

    #[test]
    fn prefixes_become_canonical() {
        assert_eq!(canonical_prefix("0192F3A1B2").unwrap(), "0192f3a1-b2");
        assert_eq!(canonical_prefix("0192f3a1-b2").unwrap(), "0192f3a1-b2");
        let full = "0192f3a1-b2c3-7d4e-8f50-123456789abc";
        assert_eq!(canonical_prefix(full).unwrap(), full);
        assert_eq!(canonical_prefix(&full.replace('-', "")).unwrap(), full);
        for bad in ["019", "xyz12345", &format!("{full}0")] {
            assert!(canonical_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_prefix_narrows_the_days() {
        let id = uuid::Uuid::now_v7().to_string();
        let today = today();
        let (first, last) = days_for_prefix(&id[..8]).unwrap();
        assert!(first <= today && today <= last, "{first} {today} {last}");
        assert!((last - first).num_days() <= 2);
        let (first, last) = days_for_prefix(&id).unwrap();
        assert!(first <= today && today <= last);
        assert_eq!((last - first).num_days(), 1);
    }
}
