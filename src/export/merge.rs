//! `promptrun merge`: many machines' logs and CI artifacts into one set of day files.
//!
//! Every event lands once (the report engine's identity: a run's run_start and
//! run_end, a rating by its run and time) in the file of its own UTC day, in
//! time order. The output directory's own day files are merged too, each under
//! its lock, so merging into a live log directory (or into one of the inputs)
//! loses nothing; the inputs are only read.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::day_file::{self, Outcome};
use super::lines::{self, Line};
use crate::error::{Error, Result};
use crate::record::log_files::Source;

/// What a merge did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Input files read.
    pub files: usize,
    /// Events read from them.
    pub events: usize,
    /// Events already merged (in the inputs or the output).
    pub duplicates: usize,
    /// Non-blank lines that are not events with a valid `ts`; left out.
    pub skipped: usize,
    /// Day files written (created or replaced).
    pub written: Vec<PathBuf>,
    /// Day files that already held every event of their day.
    pub unchanged: usize,
}

/// Merges `sources` into the day files of `out_dir`.
pub fn merge(sources: &[Source], out_dir: &Path) -> Result<Summary> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out_dir)
        .map_err(|err| Error::io(out_dir, err))?;
    let out_canonical = out_dir
        .canonicalize()
        .map_err(|err| Error::io(out_dir, err))?;
    let mut summary = Summary::default();
    let mut days: BTreeMap<NaiveDate, Vec<Line>> = BTreeMap::new();
    for source in sources {
        if is_output_day_file(source, &out_canonical) {
            // Read under its lock when its day is written.
            continue;
        }
        let bytes = read(source)?;
        let (events, bad) = lines::parse_all(&bytes).map_err(|err| match source {
            Source::File(path) => Error::io(path, err),
            Source::Stdin => Error::io(Path::new("<stdin>"), err),
        })?;
        summary.files += 1;
        summary.events += events.len();
        summary.skipped += bad;
        for line in events {
            days.entry(line.day()).or_default().push(line);
        }
    }
    for (day, incoming) in days {
        let path = out_dir.join(format!("events-{}.jsonl", day.format("%Y-%m-%d")));
        let mut duplicates = 0;
        let outcome = day_file::rewrite(&path, true, false, |existing| {
            let (merged, dropped) = merge_day(existing, incoming);
            duplicates = dropped;
            merged
        })
        .map_err(Error::Usage)?;
        summary.duplicates += duplicates;
        match outcome {
            Outcome::Rewritten => summary.written.push(path),
            Outcome::Unchanged | Outcome::Removed => summary.unchanged += 1,
        }
    }
    Ok(summary)
}

/// One day's events: what the file held, then what came in, each event once,
/// in time order (ties keep that order). Returns the events and how many
/// incoming ones were duplicates.
pub fn merge_day(existing: Vec<Line>, incoming: Vec<Line>) -> (Vec<Line>, usize) {
    let mut seen = HashSet::new();
    let mut merged = Vec::with_capacity(existing.len() + incoming.len());
    for line in existing {
        if seen.insert(line.key()) {
            merged.push(line);
        }
    }
    let mut duplicates = 0;
    for line in incoming {
        if seen.insert(line.key()) {
            merged.push(line);
        } else {
            duplicates += 1;
        }
    }
    merged.sort_by_key(|line| line.at);
    (merged, duplicates)
}

/// Whether `source` is one of the output directory's own day files.
fn is_output_day_file(source: &Source, out_dir: &Path) -> bool {
    let Source::File(path) = source else {
        return false;
    };
    let named_as_day = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("events-"))
        .and_then(|n| n.strip_suffix(".jsonl"))
        .is_some_and(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok());
    named_as_day
        && path
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .is_some_and(|dir| dir == out_dir)
}

fn read(source: &Source) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match source {
        Source::Stdin => std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|err| Error::io(Path::new("<stdin>"), err))?,
        Source::File(path) => {
            bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
            bytes.len()
        }
    };
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: &str) -> Line {
        Line::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_day_keeps_each_event_once_in_time_order() {
        let end_b = line(r#"{"type":"run_end","ts":"2026-11-24T11:00:00.000Z","run_id":"b"}"#);
        let end_a = line(r#"{"type":"run_end","ts":"2026-11-24T10:00:00.000Z","run_id":"a"}"#);
        let rate_a1 = line(r#"{"type":"feedback","ts":"2026-11-24T12:00:00.000Z","run_id":"a"}"#);
        let rate_a2 = line(r#"{"type":"feedback","ts":"2026-11-24T13:00:00.000Z","run_id":"a"}"#);
        let (merged, duplicates) = merge_day(
            vec![end_b.clone(), rate_a1.clone()],
            vec![
                end_a.clone(),
                end_b.clone(),
                rate_a1.clone(),
                rate_a2.clone(),
            ],
        );
        assert_eq!(duplicates, 2);
        let ids: Vec<_> = merged.iter().map(|l| l.at.to_rfc3339()).collect();
        assert_eq!(ids.len(), 4);
        assert!(ids.windows(2).all(|w| w[0] <= w[1]), "{ids:?}");
    }
}
