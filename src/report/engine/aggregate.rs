//! The pass over the inputs: the workers take turns reading a chunk of lines
//! and each folds its chunks into its own [`Partial`]; then the partials are merged.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::fold::{Partial, Worker};
use super::input::{ChunkReader, Source, total_size};
use super::merge::finish;
use super::rows::GroupRows;
use super::run_table::RunTable;
use super::{EngineOptions, Report, ViewSpec};
use crate::error::Result;

/// Reads every source once and computes one [`Report`] per view, in order.
///
/// Malformed lines are skipped and counted in each report's `inputs`; an input
/// that cannot be opened is an error ([`Error::Io`]).
pub fn aggregate(
    sources: &[Source],
    views: &[ViewSpec],
    options: &EngineOptions,
) -> Result<Vec<Report>> {
    Ok(aggregate_rows(sources, views, options)?
        .into_iter()
        .map(|(mut report, groups)| {
            report.groups = groups.iter().collect();
            report
        })
        .collect())
}

/// As [`aggregate`], but each report comes without its `groups`, which come
/// beside it as [`GroupRows`]: their statistics are written one group at a time
/// when read, so a renderer that streams need not hold them all.
pub fn aggregate_rows(
    sources: &[Source],
    views: &[ViewSpec],
    options: &EngineOptions,
) -> Result<Vec<(Report, GroupRows)>> {
    let table = RunTable::default();
    let bar = progress_bar(sources, options.progress);
    let workers = options.workers.max(1);
    let progress = |bytes: u64| {
        if let Some(bar) = &bar {
            bar.set_position(bytes);
        }
    };
    let read_total = AtomicU64::new(0);
    let reader = Mutex::new(ChunkReader::new(sources, &read_total, &progress));
    let sizing = TableSizing::new(sources);
    let partials: Vec<Partial> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|index| {
                let (reader, table, sizing, read_total) = (&reader, &table, &sizing, &read_total);
                scope.spawn(move || {
                    let mut worker = Worker::new(index as u32, table, views, options.own_layout);
                    let mut buf = Vec::new();
                    loop {
                        // Each worker reads its own chunk, so the bytes are in its
                        // core's cache when it parses them.
                        let next = reader
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .next(std::mem::take(&mut buf));
                        let Some(chunk) = next else { break };
                        worker.chunk(&chunk);
                        sizing.after_chunk(table, read_total.load(Ordering::Relaxed));
                        buf = chunk.data;
                    }
                    worker.partial
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let read = match reader.into_inner().unwrap_or_else(|p| p.into_inner()).error {
        Some(err) => Err(err),
        None => Ok(()),
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    read?;
    Ok(finish(sources, partials, table, views))
}

/// Sizes the run table once, early, from the runs per byte of the input read so
/// far and the size of the files, so that a large input's table does not grow a
/// sixth at a time. Only for inputs of [`TableSizing::MIN_TOTAL`] or more, all
/// files (not stdin); past the estimate the table grows as usual, and an input
/// that is denser at its start than later costs memory, not results.
struct TableSizing {
    total: u64,
    done: std::sync::atomic::AtomicBool,
}

impl TableSizing {
    /// Inputs smaller than this grow as usual.
    const MIN_TOTAL: u64 = 128 << 20;
    /// The estimate is made once this much is read.
    const AFTER: u64 = 32 << 20;
    /// No run takes fewer bytes of input than this: a bound on the estimate.
    const MIN_RUN_BYTES: u64 = 160;

    fn new(sources: &[Source]) -> Self {
        let all_files = sources.iter().all(|s| matches!(s, Source::File(_)));
        TableSizing {
            total: if all_files { total_size(sources) } else { 0 },
            done: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn after_chunk(&self, table: &RunTable, read: u64) {
        if self.total < Self::MIN_TOTAL
            || read < Self::AFTER
            || self.done.load(Ordering::Relaxed)
            || self.done.swap(true, Ordering::Relaxed)
        {
            return;
        }
        // 8% over the runs the bytes read so far promise: they run a chunk or two
        // ahead of the runs applied, and the table should not grow again at its end.
        let runs = table.len() as u128 * 27 / 25;
        let estimate = (runs * self.total as u128 / read.max(1) as u128) as u64;
        table.presize(estimate.min(self.total / Self::MIN_RUN_BYTES) as usize);
    }
}

fn progress_bar(sources: &[Source], wanted: bool) -> Option<indicatif::ProgressBar> {
    let total = total_size(sources);
    if !wanted || total < 64 << 20 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} reading {bytes}/{total_bytes} [{bar:30}] {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}
