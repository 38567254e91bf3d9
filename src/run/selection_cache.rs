//! The statistics cache of the learning routers (`best`, `bandit`): per arm —
//! a (prompt, variant, prompt_sha256) — the running sums of [`ArmStats`],
//! folded from the log directory's day files, so a routing decision reads one
//! small file instead of the log.
//!
//! - One cache file per log directory in `<state dir>/selection/`, named by a
//!   hash of the directory's path. It records, per day file, the byte offset
//!   read up to and the file's identity (device, inode, size): new lines are
//!   folded from the offset; a file that shrank or was replaced is a reason to
//!   rebuild everything from the start (sums cannot be taken back).
//! - Per prompt, a snapshot of its arms taken every `update_every` new results
//!   (runs and ratings): decisions read the snapshot, so the allocation stays
//!   constant for a while, and each snapshot opens a new allocation period.
//! - Written whole to a temporary file and renamed over the cache, under an
//!   exclusive `flock` on `<cache>.lock`, so readers never see half a file and
//!   writers never lose each other's work. Folding after a run skips when the
//!   lock is busy: the process holding it folds those lines, or the next does.
//! - A cache that does not parse, has another version or belongs to another
//!   log directory is never trusted: it is rebuilt from the logs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::RouterConfig;
use crate::learn::ArmStats;
use crate::record::log_files;
use crate::report::engine::parse::{Kind, parse_line};

/// The cache format's version; any other is rebuilt.
const VERSION: u32 = 1;
/// Bytes of new log lines one fold after a run reads at most; the rest waits
/// for the next run. A rebuild (no usable cache) reads everything.
pub const FOLD_BUDGET: u64 = 64 << 20;

/// An arm: prompt, variant and prompt version ("" when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ArmKey {
    pub prompt: String,
    pub variant: String,
    pub sha256: String,
}

/// How far a day file has been read, and which file it was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileMark {
    pub dev: u64,
    pub ino: u64,
    /// The size when last read.
    pub size: u64,
    /// Bytes read (always at the end of a line).
    pub offset: u64,
}

/// One prompt's allocation state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PromptState {
    /// The allocation period: how many snapshots were taken.
    pub period: u64,
    /// Results (runs and ratings) folded since the last snapshot.
    pub since: u64,
    /// The prompt's arms as of the last snapshot.
    pub snapshot: Vec<(ArmKey, ArmStats)>,
}

/// The cache file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsCache {
    pub version: u32,
    /// The log directory it was folded from.
    pub log_dir: PathBuf,
    /// The prompts whose arms are kept: those with a learning strategy when
    /// the cache was folded (others cost nothing). A prompt that starts to
    /// learn makes the cache rebuild, to take in its history.
    pub tracked: BTreeSet<String>,
    /// Day files by name.
    pub files: BTreeMap<String, FileMark>,
    /// Every arm's sums, up to the marks.
    pub arms: Vec<(ArmKey, ArmStats)>,
    /// Allocation state per prompt with a learning strategy.
    pub prompts: BTreeMap<String, PromptState>,
}

/// Why a cache could not be used.
#[derive(Debug)]
pub enum CacheError {
    /// There is none yet (not a problem: no statistics).
    Missing,
    /// It exists but cannot be read or trusted.
    Unusable(String),
}

impl StatsCache {
    fn empty(log_dir: &Path) -> Self {
        StatsCache {
            version: VERSION,
            log_dir: log_dir.to_path_buf(),
            ..StatsCache::default()
        }
    }

    /// The snapshot statistics of `prompt`'s arms (as of the last snapshot),
    /// and its period.
    pub fn snapshot(&self, prompt: &str) -> (BTreeMap<(String, String), ArmStats>, u64) {
        let Some(state) = self.prompts.get(prompt) else {
            return (BTreeMap::new(), 0);
        };
        let arms = state
            .snapshot
            .iter()
            .map(|(k, s)| ((k.variant.clone(), k.sha256.clone()), s.clone()))
            .collect();
        (arms, state.period)
    }

    /// Every arm's current sums.
    pub fn arm_stats(&self) -> BTreeMap<ArmKey, ArmStats> {
        self.arms
            .iter()
            .map(|(k, s)| (k.clone(), s.clone()))
            .collect()
    }
}

/// The cache file of a log directory.
pub fn cache_path(state_dir: &Path, log_dir: &Path) -> PathBuf {
    let digest = crate::record::privacy::sha256_hex(log_dir.as_os_str().as_encoded_bytes());
    state_dir
        .join("selection")
        .join(format!("stats-{}.json", &digest[..16]))
}

/// Reads the cache for `log_dir` without folding anything (what a decision
/// does before the command runs).
pub fn load(state_dir: &Path, log_dir: &Path) -> Result<StatsCache, CacheError> {
    let path = cache_path(state_dir, log_dir);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(CacheError::Missing),
        Err(err) => {
            return Err(CacheError::Unusable(format!(
                "cannot read {}: {err}",
                path.display()
            )));
        }
    };
    let read = file
        .metadata()
        .and_then(|meta| read_at(&file, 0, meta.len()).map(|bytes| (meta, bytes)));
    let (meta, bytes) =
        read.map_err(|err| CacheError::Unusable(format!("cannot read {}: {err}", path.display())))?;
    let cache = parse(&bytes, log_dir)
        .ok_or_else(|| CacheError::Unusable(format!("{} is damaged", path.display())))?;
    remember(&path, &meta, &cache);
    Ok(cache)
}

/// The cache this process last read, with the identity of the file it came
/// from: the fold after the run reuses it when the file is still the same
/// (every write is a new file renamed into place, so a new inode).
type Seen = (PathBuf, (u64, u64, u64, i64, i64), StatsCache);
static LAST_READ: std::sync::Mutex<Option<Seen>> = std::sync::Mutex::new(None);

fn identity(meta: &std::fs::Metadata) -> (u64, u64, u64, i64, i64) {
    (
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
    )
}

fn remember(path: &Path, meta: &std::fs::Metadata, cache: &StatsCache) {
    if let Ok(mut seen) = LAST_READ.lock() {
        *seen = Some((path.to_path_buf(), identity(meta), cache.clone()));
    }
}

/// The cache at `path`, from this process's last read when the file has not
/// changed since, else read and parsed; None when missing or unusable.
fn read_current(path: &Path, log_dir: &Path) -> Option<StatsCache> {
    let meta = std::fs::metadata(path).ok()?;
    if let Ok(seen) = LAST_READ.lock()
        && let Some((seen_path, id, cache)) = seen.as_ref()
        && seen_path == path
        && *id == identity(&meta)
    {
        return Some(cache.clone());
    }
    std::fs::read(path)
        .ok()
        .and_then(|bytes| parse(&bytes, log_dir))
}

fn parse(bytes: &[u8], log_dir: &Path) -> Option<StatsCache> {
    let cache: StatsCache = serde_json::from_slice(bytes).ok()?;
    (cache.version == VERSION && cache.log_dir == log_dir).then_some(cache)
}

/// What a fold did.
#[derive(Debug, Default, PartialEq)]
pub struct FoldReport {
    /// Another process held the lock: nothing was done.
    pub busy: bool,
    /// The cache was (re)built from the start of every file.
    pub rebuilt: bool,
    /// Bytes of log read.
    pub bytes: u64,
    /// Events folded.
    pub events: u64,
    /// Whether the cache was written (see [`WriteBack`]).
    pub written: bool,
}

/// When a fold writes the cache back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteBack {
    /// Always (an explicit fold).
    Always,
    /// Only when it changes what decisions read — a prompt's snapshot is due —
    /// or the cache was rebuilt, or more than [`PENDING_CAP`] bytes were read.
    /// Otherwise the lines stay unfolded and the next run reads them again:
    /// replacing a file costs more than reading a few kilobytes twice. The cap
    /// keeps lines of other prompts (which never make an update due) from
    /// piling up.
    WhenDue,
}

/// Bytes of unfolded log a lazy fold lets pile up before writing anyway.
pub const PENDING_CAP: u64 = 64 << 10;

/// Folds the log lines written since the last fold into the cache, under the
/// lock; with `wait` false, gives up at once when another process holds it.
/// Reads at most `budget` bytes of new lines unless the cache is rebuilt.
pub fn fold(
    state_dir: &Path,
    log_dir: &Path,
    config: Option<&RouterConfig>,
    budget: u64,
    wait: bool,
    write: WriteBack,
) -> std::io::Result<FoldReport> {
    let path = cache_path(state_dir, log_dir);
    let open_lock = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path.with_extension("lock"))
    };
    let lock = match open_lock() {
        Ok(lock) => lock,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let dir = path.parent().expect("the cache has a directory");
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
            open_lock()?
        }
        Err(err) => return Err(err),
    };
    if wait {
        lock.lock()?;
    } else {
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Ok(FoldReport {
                    busy: true,
                    ..FoldReport::default()
                });
            }
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
        }
    }
    let result = fold_locked(&path, log_dir, config, budget, write);
    let _ = lock.unlock();
    result
}

fn fold_locked(
    path: &Path,
    log_dir: &Path,
    config: Option<&RouterConfig>,
    budget: u64,
    write: WriteBack,
) -> std::io::Result<FoldReport> {
    let existing = read_current(path, log_dir);
    let mut report = FoldReport::default();
    let learning: BTreeSet<String> = config
        .map(|c| {
            c.prompts
                .iter()
                .filter(|(_, p)| p.selection.as_ref().is_some_and(|s| s.strategy.learns()))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut cache = match existing {
        Some(cache) if learning.is_subset(&cache.tracked) => cache,
        Some(cache) => {
            report.rebuilt = true;
            let mut fresh = StatsCache::empty(log_dir);
            fresh.tracked = cache.tracked;
            fresh.prompts = cache.prompts;
            fresh
        }
        None => {
            report.rebuilt = true;
            StatsCache::empty(log_dir)
        }
    };
    cache.tracked.extend(learning);
    let files = match log_files::event_files(log_dir, None) {
        Ok(files) => files,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(err),
    };
    // One stat per file; only files that grew are opened.
    let metas: Vec<(&PathBuf, std::fs::Metadata)> = files
        .iter()
        .filter_map(|file| std::fs::metadata(file).ok().map(|meta| (file, meta)))
        .collect();
    // A file that shrank or was replaced: its sums cannot be taken back, so
    // everything is read again.
    let changed = metas.iter().any(|(file, meta)| {
        cache.files.get(&file_name(file)).is_some_and(|mark| {
            meta.dev() != mark.dev || meta.ino() != mark.ino || meta.len() < mark.size
        })
    });
    if changed && !report.rebuilt {
        report.rebuilt = true;
        let mut fresh = StatsCache::empty(log_dir);
        fresh.tracked = std::mem::take(&mut cache.tracked);
        fresh.prompts = std::mem::take(&mut cache.prompts);
        cache = fresh;
    }
    let budget = if report.rebuilt { u64::MAX } else { budget };
    let mut arms: BTreeMap<ArmKey, ArmStats> = cache.arm_stats();
    let mut new_results: BTreeMap<String, u64> = BTreeMap::new();
    for (file, meta) in &metas {
        if report.bytes >= budget {
            break;
        }
        let mark = cache.files.entry(file_name(file)).or_default();
        if mark.dev != meta.dev() || mark.ino != meta.ino() {
            *mark = FileMark {
                dev: meta.dev(),
                ino: meta.ino(),
                size: 0,
                offset: 0,
            };
        }
        if meta.len() <= mark.offset {
            mark.size = meta.len();
            continue;
        }
        let Ok(handle) = File::open(file) else {
            continue;
        };
        let want = (meta.len() - mark.offset).min(budget - report.bytes);
        let data = read_at(&handle, mark.offset, want)?;
        // Only whole lines: a line being written stays for the next fold.
        let Some(last) = memchr::memrchr(b'\n', &data) else {
            if want < meta.len() - mark.offset {
                // The budget ends inside the first line: next time.
                break;
            }
            continue;
        };
        let data = &data[..=last];
        for line in data.split(|&b| b == b'\n') {
            if line.is_empty() {
                continue;
            }
            if let Some(prompt) = fold_line(line, &cache.tracked, &mut arms) {
                report.events += 1;
                *new_results.entry(prompt).or_default() += 1;
            }
        }
        mark.offset += data.len() as u64;
        mark.size = meta.len();
        report.bytes += data.len() as u64;
    }
    cache.arms = arms.iter().map(|(k, s)| (k.clone(), s.clone())).collect();
    let due = refresh_snapshots(&mut cache, &arms, &new_results, config);
    report.written =
        write == WriteBack::Always || due || report.rebuilt || report.bytes > PENDING_CAP;
    if report.written {
        write_atomically(path, &cache)?;
    }
    Ok(report)
}

/// Up to `len` bytes of `file` from `offset` (fewer at its end), without
/// moving the file position.
fn read_at(file: &File, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut data = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
    let mut filled = 0;
    while filled < data.len() {
        match file.read_at(&mut data[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    data.truncate(filled);
    Ok(data)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Folds one event line; returns its prompt when it was a run_end or a rating.
fn fold_line(
    line: &[u8],
    tracked: &BTreeSet<String>,
    arms: &mut BTreeMap<ArmKey, ArmStats>,
) -> Option<String> {
    let event = parse_line(line).ok()?;
    let kind = event.kind?;
    if kind == Kind::RunStart {
        return None;
    }
    let prompt = event.prompt?.decode();
    if !tracked.contains(&prompt) {
        return None;
    }
    let text = |s: Option<crate::report::engine::scan::RawStr>| s.map(|s| s.decode());
    let key = ArmKey {
        prompt,
        variant: text(event.variant).unwrap_or_default(),
        sha256: text(event.version).unwrap_or_default(),
    };
    let prompt = key.prompt.clone();
    let stats = arms.entry(key).or_default();
    match kind {
        Kind::RunEnd => stats.add_run(event.status == 0, Some(event.duration_ms), None, None),
        Kind::Feedback => {
            stats.add_rating(event.rating);
        }
        Kind::RunStart => {}
    }
    Some(prompt)
}

/// Takes a new snapshot of each learning prompt that has had `update_every`
/// new results since its last one (or has none yet and has results); returns
/// whether any was taken.
fn refresh_snapshots(
    cache: &mut StatsCache,
    arms: &BTreeMap<ArmKey, ArmStats>,
    new_results: &BTreeMap<String, u64>,
    config: Option<&RouterConfig>,
) -> bool {
    let Some(config) = config else {
        return false;
    };
    let mut any = false;
    for (prompt, def) in &config.prompts {
        let Some(selection) = def.selection.as_ref().filter(|s| s.strategy.learns()) else {
            continue;
        };
        let added = new_results.get(prompt).copied().unwrap_or(0);
        let state = cache.prompts.entry(prompt.clone()).or_default();
        state.since += added;
        let has_results = arms.keys().any(|k| k.prompt == *prompt);
        let due = state.since >= selection.update_every.max(1)
            || (state.snapshot.is_empty() && state.period == 0 && has_results && added > 0);
        if !due {
            continue;
        }
        state.snapshot = arms
            .iter()
            .filter(|(k, _)| k.prompt == *prompt)
            .map(|(k, s)| (k.clone(), s.clone()))
            .collect();
        state.period += 1;
        state.since = 0;
        any = true;
    }
    any
}

fn write_atomically(path: &Path, cache: &StatsCache) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let bytes = serde_json::to_vec(cache).map_err(std::io::Error::other)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(&bytes)?;
    drop(file);
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: &str, variant: &str, extra: &str) -> String {
        format!(
            r#"{{"v":1,"type":"{kind}","ts":"2026-11-24T10:15:02.123Z","run_id":"r","prompt":"p","variant":"{variant}","prompt_sha256":"s"{extra}}}"#
        ) + "\n"
    }

    fn end(variant: &str, ok: bool) -> String {
        let status = if ok { "ok" } else { "error" };
        line(
            "run_end",
            variant,
            &format!(r#","duration_ms":5,"status":"{status}""#),
        )
    }

    fn config() -> RouterConfig {
        serde_json::from_str(
            r#"{"prompts":{"p":{"file":"p.md","variants":{"a":{},"b":{}},
                "selection":{"strategy":"bandit","update_every":3}}}}"#,
        )
        .unwrap()
    }

    #[test]
    fn folds_new_lines_rebuilds_changed_files_and_snapshots() {
        let root = tempfile::tempdir().unwrap();
        let (state, logs) = (root.path().join("state"), root.path().join("logs"));
        std::fs::create_dir_all(&logs).unwrap();
        let day = logs.join("events-2026-11-24.jsonl");
        let cfg = config();
        assert!(matches!(load(&state, &logs), Err(CacheError::Missing)));
        std::fs::write(&day, end("a", true) + &end("b", false)).unwrap();
        let first = fold(
            &state,
            &logs,
            Some(&cfg),
            FOLD_BUDGET,
            true,
            WriteBack::Always,
        )
        .unwrap();
        assert!(first.rebuilt && first.events == 2);
        let cache = load(&state, &logs).unwrap();
        let (snap, period) = cache.snapshot("p");
        assert_eq!(period, 1, "the first results open period 1");
        assert_eq!(snap[&("a".into(), "s".into())].ok, 1);
        // A half-written line waits; ratings fold by arm.
        let more = line("feedback", "b", r#","rating":4"#) + &end("a", true);
        let mut f = OpenOptions::new().append(true).open(&day).unwrap();
        f.write_all(more.as_bytes()).unwrap();
        f.write_all(b"{\"v\":1,").unwrap();
        let second = fold(
            &state,
            &logs,
            Some(&cfg),
            FOLD_BUDGET,
            true,
            WriteBack::Always,
        )
        .unwrap();
        assert!(!second.rebuilt && second.events == 2);
        let cache = load(&state, &logs).unwrap();
        let arms = cache.arm_stats();
        let b = &arms[&ArmKey {
            prompt: "p".into(),
            variant: "b".into(),
            sha256: "s".into(),
        }];
        assert_eq!((b.runs, b.rated), (1, 1));
        assert_eq!(cache.snapshot("p").1, 1, "2 of 3 results: same period");
        // Shrunk file: rebuilt from the start, equal to a cold rebuild.
        std::fs::write(&day, end("a", true)).unwrap();
        let third = fold(
            &state,
            &logs,
            Some(&cfg),
            FOLD_BUDGET,
            true,
            WriteBack::Always,
        )
        .unwrap();
        assert!(third.rebuilt && third.events == 1);
        // Damaged cache: never trusted, rebuilt.
        std::fs::write(cache_path(&state, &logs), b"{not json").unwrap();
        assert!(matches!(load(&state, &logs), Err(CacheError::Unusable(_))));
        let fourth = fold(
            &state,
            &logs,
            Some(&cfg),
            FOLD_BUDGET,
            true,
            WriteBack::Always,
        )
        .unwrap();
        assert!(fourth.rebuilt);
        assert_eq!(load(&state, &logs).unwrap().arm_stats().len(), 1);
        // A lazy fold writes only when a snapshot is due (3 results here).
        let mut f = OpenOptions::new().append(true).open(&day).unwrap();
        f.write_all(end("b", true).as_bytes()).unwrap();
        let lazy = fold(
            &state,
            &logs,
            Some(&cfg),
            FOLD_BUDGET,
            false,
            WriteBack::WhenDue,
        )
        .unwrap();
        assert!(!lazy.written && lazy.events == 1);
        f.write_all((end("b", true) + &end("b", true)).as_bytes())
            .unwrap();
        let lazy = fold(
            &state,
            &logs,
            Some(&cfg),
            FOLD_BUDGET,
            false,
            WriteBack::WhenDue,
        )
        .unwrap();
        assert!(lazy.written && lazy.events == 3, "{lazy:?}");
        let (snap, _) = load(&state, &logs).unwrap().snapshot("p");
        assert_eq!(snap[&("b".into(), "s".into())].runs, 3);
    }
}
