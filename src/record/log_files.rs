//! The log files: which files a log directory or a path holds, for every
//! reader of the logs (the report engine, `rate`, and what builds on them).
//!
//! Inputs are recognised by content, not by name: a gzipped log piped to `-` or
//! named `.jsonl` is read all the same.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// One input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// How the source is named in messages.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".into(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// gzip's magic bytes: inputs are recognised by content, not by name, so a
/// gzipped log piped to `-` or named `.jsonl` is read all the same.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// A UTF-8 byte order mark, which some editors put before the first line.
pub const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// Expands the paths given: `-` is stdin, a directory means every `*.jsonl` and
/// `*.jsonl.gz` below it (sorted), a file is read as it is.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|err| Error::io(path, err))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            found.sort();
            sources.extend(found.into_iter().map(Source::File));
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    Ok(sources)
}

/// Collects log files below `dir`. Directories behind symbolic links are not
/// entered (a link to a parent would loop); linked files are read.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|err| Error::io(dir, err))? {
        let entry = entry.map_err(|err| Error::io(dir, err))?;
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let kind = entry.file_type().map_err(|err| Error::io(&path, err))?;
        if kind.is_dir() {
            walk(&path, found)?;
        } else if (name.ends_with(".jsonl") || name.ends_with(".jsonl.gz")) && path.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

/// Total bytes of the files (for the progress bar).
pub fn total_size(sources: &[Source]) -> u64 {
    sources
        .iter()
        .filter_map(|s| match s {
            Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Source::Stdin => None,
        })
        .sum()
}

/// The `events-*.jsonl` files in `dir`, oldest day first; with `days`, only
/// those days (files whose name holds no date are always kept).
pub fn event_files(
    dir: &Path,
    days: Option<(NaiveDate, NaiveDate)>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(middle) = name
            .strip_prefix("events-")
            .and_then(|n| n.strip_suffix(".jsonl"))
        else {
            continue;
        };
        let in_range = match (days, NaiveDate::parse_from_str(middle, "%Y-%m-%d")) {
            (Some((first, last)), Ok(day)) => (first..=last).contains(&day),
            _ => true,
        };
        if in_range {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
