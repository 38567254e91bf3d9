//! Retention and erasure: `promptrun purge`, and the daily expiry after runs.
//!
//! `--expired` removes whole day files older than `logging.retention_days`.
//! `--before`, `--prompt` and `--user` remove the matching events from every log
//! file, each file rewritten under its lock (see [`super::day_file`]), so a run
//! appending meanwhile is not lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::day_file::{self, Outcome};
use super::lines::{self, Line};
use crate::config::glob::Glob;
use crate::error::{Error, Result};
use crate::record::log_files::{self, Source};

/// Which events to remove: those matching every criterion given.
#[derive(Debug, Default)]
pub struct Criteria {
    /// Events before this time.
    pub before: Option<DateTime<Utc>>,
    /// Events of the prompts this glob matches.
    pub prompt: Option<Glob>,
    /// Events of this user (salted hash), and the events of their runs.
    pub user: Option<String>,
}

impl Criteria {
    /// Whether no criterion is given.
    pub fn is_empty(&self) -> bool {
        self.before.is_none() && self.prompt.is_none() && self.user.is_none()
    }

    fn matches(&self, line: &Line) -> bool {
        self.before.is_none_or(|before| line.at < before)
            && self.prompt.as_ref().is_none_or(|glob| {
                line.prompt
                    .as_deref()
                    .is_some_and(|prompt| glob.matches(prompt))
            })
            && self
                .user
                .as_ref()
                .is_none_or(|user| line.user.as_deref() == Some(user.as_str()))
    }

    /// Whether removing a matched event should remove its whole run (the
    /// ratings others gave it, a run_end without a user): for erasure by
    /// prompt or user, not for a cut-off time.
    fn whole_runs(&self) -> bool {
        self.before.is_none()
    }
}

/// What was (or would be) removed from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub path: PathBuf,
    pub events: usize,
    pub runs: BTreeSet<String>,
    /// Whether the file itself is gone (nothing was left in it).
    pub file_removed: bool,
}

/// Removes the events matching `criteria` from the log files below `dir`.
pub fn purge(dir: &Path, criteria: &Criteria, dry_run: bool) -> Result<Vec<Removed>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let files: Vec<PathBuf> = log_files::expand(&[dir.to_path_buf()])?
        .into_iter()
        .filter_map(|source| match source {
            Source::File(path) => Some(path),
            Source::Stdin => None,
        })
        .collect();
    let mut runs = BTreeSet::new();
    if criteria.whole_runs() {
        for path in &files {
            let bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
            let (events, _) = lines::parse_all(&bytes).map_err(|err| Error::io(path, err))?;
            runs.extend(
                events
                    .iter()
                    .filter(|line| criteria.matches(line))
                    .filter_map(|line| line.run_id.clone()),
            );
        }
    }
    let mut removed = Vec::new();
    for path in files {
        let mut gone = Vec::new();
        let outcome = day_file::rewrite(&path, false, dry_run, |events| {
            let (drop, keep): (Vec<Line>, Vec<Line>) = events.into_iter().partition(|line| {
                criteria.matches(line) || line.run_id.as_ref().is_some_and(|id| runs.contains(id))
            });
            gone = drop;
            keep
        })
        .map_err(Error::Usage)?;
        if !gone.is_empty() {
            removed.push(Removed {
                path,
                events: gone.len(),
                runs: gone.into_iter().filter_map(|l| l.run_id).collect(),
                file_removed: outcome == Outcome::Removed,
            });
        }
    }
    Ok(removed)
}

/// The day of a log file named `events-YYYY-MM-DD.jsonl` (or `.jsonl.gz`).
pub fn file_day(path: &Path) -> Option<NaiveDate> {
    let name = path.file_name()?.to_str()?;
    let day = name.strip_prefix("events-")?;
    let day = day
        .strip_suffix(".jsonl")
        .or_else(|| day.strip_suffix(".jsonl.gz"))?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The day files in `dir` (not below it) older than `retention_days` days
/// before `today`: removed, unless `dry_run`. Returns them, oldest first.
pub fn expire(
    dir: &Path,
    retention_days: u32,
    today: NaiveDate,
    dry_run: bool,
) -> Result<Vec<PathBuf>> {
    let Some(oldest_kept) = today.checked_sub_days(chrono::Days::new(retention_days.into())) else {
        return Ok(Vec::new());
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(Error::io(dir, err)),
    };
    let mut old: BTreeMap<NaiveDate, Vec<PathBuf>> = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|err| Error::io(dir, err))?.path();
        if let Some(day) = file_day(&path).filter(|day| *day < oldest_kept) {
            old.entry(day).or_default().push(path);
        }
    }
    let old: Vec<PathBuf> = old.into_values().flatten().collect();
    if !dry_run {
        for path in &old {
            remove_locked(path)?;
        }
    }
    Ok(old)
}

/// Removes a log file while holding its lock, so an appender waiting for it
/// reopens (and recreates) the file instead of writing into the removed one.
fn remove_locked(path: &Path) -> Result<()> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(Error::io(path, err)),
    };
    day_file::lock(&file, path).map_err(Error::Usage)?;
    let removed = std::fs::remove_file(path);
    let _ = file.unlock();
    match removed {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, err)),
        _ => Ok(()),
    }
}

/// The stamp that limits the expiry after runs to once a day.
pub fn stamp_path(state_dir: &Path) -> PathBuf {
    state_dir.join("purge-stamp")
}

/// After a run (never before the command): removes expired day files, at most
/// once a day, when `logging.retention_days` is set. Problems only warn.
pub fn after_run(context: &crate::config::context::Context) {
    let Some(days) = context
        .config
        .as_ref()
        .and_then(|loaded| loaded.config.logging.retention_days)
    else {
        return;
    };
    let (Some(state_dir), Some(log_dir)) = (&context.state_dir, &context.log_dir) else {
        return;
    };
    let today = Utc::now().date_naive();
    let stamp = stamp_path(state_dir);
    let today_text = today.format("%Y-%m-%d").to_string();
    if std::fs::read_to_string(&stamp).is_ok_and(|text| text.trim() == today_text) {
        return;
    }
    // Stamped first: a failing expiry warns once a day, not on every run.
    let stamped = {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(state_dir)
            .and_then(|()| std::fs::write(&stamp, &today_text))
    };
    if let Err(err) = stamped {
        crate::error::warn(format_args!(
            "cannot write {}: {err}; expired logs are not removed",
            stamp.display()
        ));
        return;
    }
    if let Err(err) = expire(log_dir, days, today, false) {
        crate::error::warn(format_args!("removing expired logs: {err}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_older_than_the_retention_expire() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "events-2026-10-01.jsonl",
            "events-2026-10-29.jsonl.gz",
            "events-2026-10-30.jsonl",
            "events-2026-11-29.jsonl",
            "notes.jsonl",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let gone = expire(dir.path(), 30, today, true).unwrap();
        let names: Vec<_> = gone.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(
            names,
            ["events-2026-10-01.jsonl", "events-2026-10-29.jsonl.gz"]
        );
        assert!(gone.iter().all(|p| p.exists()), "a dry run removes nothing");
        expire(dir.path(), 30, today, false).unwrap();
        assert!(gone.iter().all(|p| !p.exists()));
        assert!(dir.path().join("events-2026-10-30.jsonl").exists());
        assert!(dir.path().join("notes.jsonl").exists());
    }
}
