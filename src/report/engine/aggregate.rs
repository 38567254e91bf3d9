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

/// Sizes the run table early from the runs per byte of the input read so far
/// and the size of the files, so that a large input's table does not grow a
/// sixth at a time (rehashing about seven times its size, under its shard's
/// lock). Only for inputs of [`TableSizing::MIN_TOTAL`] or more, all files (not
/// stdin). The estimate is made after 32 MiB and again each time the bytes read
/// double. It asks for at most [`TableSizing::MAX_AHEAD`] times the runs seen,
/// unless the runs per byte held steady since the last estimate (within an
/// eighth): then for all the files promise, so a steady log is sized once or
/// twice instead of at every doubling (each a rehash of the whole table). A
/// file whose size says more than its lines hold (a sparse one, or one denser
/// in runs at its start) costs a bounded amount of memory, never results.
/// Past the estimate the table grows as usual.
struct TableSizing {
    total: u64,
    /// Bytes read at which the next estimate is made.
    next: AtomicU64,
    /// Runs per MiB read at the last estimate (0: none yet).
    last_rate: AtomicU64,
}

impl TableSizing {
    /// Inputs smaller than this grow as usual.
    const MIN_TOTAL: u64 = 128 << 20;
    /// The first estimate is made once this much is read.
    const FIRST: u64 = 32 << 20;
    /// An estimate sizes the table for at most this many times the runs seen.
    const MAX_AHEAD: u64 = 8;
    /// No run takes fewer bytes of input than this: a bound on the estimate.
    const MIN_RUN_BYTES: u64 = 160;

    fn new(sources: &[Source]) -> Self {
        let all_files = sources.iter().all(|s| matches!(s, Source::File(_)));
        TableSizing {
            total: if all_files { total_size(sources) } else { 0 },
            next: AtomicU64::new(Self::FIRST),
            last_rate: AtomicU64::new(0),
        }
    }

    fn after_chunk(&self, table: &RunTable, read: u64) {
        let next = self.next.load(Ordering::Relaxed);
        if self.total < Self::MIN_TOTAL
            || read < next
            || self
                .next
                .compare_exchange(
                    next,
                    next.saturating_mul(2),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            return;
        }
        let runs = table.len() as u64;
        // 8% over the runs the bytes read so far promise: they run a chunk or two
        // ahead of the runs applied, and the table should not grow again at its end.
        let promised = (runs as u128 * 27 / 25 * self.total as u128 / read.max(1) as u128) as u64;
        let rate = (runs as u128 * (1 << 20) / read.max(1) as u128) as u64;
        let last = self.last_rate.swap(rate, Ordering::Relaxed);
        let steady = last > 0 && rate.abs_diff(last) <= last / 8;
        let ahead = if steady {
            u64::MAX
        } else {
            runs.saturating_mul(Self::MAX_AHEAD)
        };
        let estimate = promised.min(ahead).min(self.total / Self::MIN_RUN_BYTES);
        table.presize(estimate as usize);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::engine::run_table::{Batch, Change, RunInfo, key};

    fn table_with(runs: u64) -> RunTable {
        let table = RunTable::default();
        let mut batch = Batch::default();
        for i in 0..runs {
            let id =
                (0x0192_f3a1_0000_7000u128 + i as u128) << 64 | 0x8000_0000_0000_0000 | i as u128;
            let change = Change::Start {
                info: RunInfo::default(),
                time_ms: 0,
            };
            batch.push(key(id), change);
        }
        table.apply(&mut batch);
        assert_eq!(table.len(), runs as usize);
        table
    }

    fn sizing(total: u64) -> TableSizing {
        TableSizing {
            total,
            next: AtomicU64::new(TableSizing::FIRST),
            last_rate: AtomicU64::new(0),
        }
    }

    #[test]
    fn the_table_is_sized_from_the_runs_per_byte_within_bounds() {
        // 20,000 runs in the first 32 MiB of 256 MiB promise about 173,000 runs, but
        // one estimate asks for at most eight times what was seen.
        let table = table_with(20_000);
        let sizing = sizing(256 << 20);
        sizing.after_chunk(&table, 31 << 20);
        assert!(table.capacity() < 40_000, "sized before 32 MiB were read");
        sizing.after_chunk(&table, 32 << 20);
        let capacity = table.capacity();
        assert!((160_000..=200_000).contains(&capacity), "{capacity}");
        // The next estimate waits for twice the bytes.
        sizing.after_chunk(&table, 40 << 20);
        assert_eq!(table.capacity(), capacity);
    }

    #[test]
    fn a_steady_rate_sizes_the_table_for_the_whole_input() {
        // 20,000 runs in the first 32 MiB, 40,000 in the first 64: steady, so the
        // second estimate asks for everything 1 GiB promises (about 690,000 runs),
        // not for eight times the 40,000 seen.
        let table = table_with(20_000);
        let sizing = sizing(1 << 30);
        sizing.after_chunk(&table, 32 << 20);
        assert!(table.capacity() < 200_000);
        let steady = table_with(40_000);
        sizing.after_chunk(&steady, 64 << 20);
        let capacity = steady.capacity();
        assert!((690_000..=800_000).contains(&capacity), "{capacity}");
        // A rate that changed by more than an eighth is capped again.
        let sizing = sizing_after(1 << 30, 20_000, 32 << 20);
        let denser = table_with(60_000);
        sizing.after_chunk(&denser, 64 << 20);
        assert!(
            denser.capacity() <= 8 * 60_000 * 100 / 85,
            "{}",
            denser.capacity()
        );
    }

    /// A sizing that made its first estimate with `runs` runs after `read` bytes.
    fn sizing_after(total: u64, runs: u64, read: u64) -> TableSizing {
        let sizing = sizing(total);
        sizing.after_chunk(&table_with(runs), read);
        sizing
    }

    #[test]
    fn small_inputs_and_stdin_grow_as_usual() {
        let table = table_with(20_000);
        let before = table.capacity();
        sizing(64 << 20).after_chunk(&table, 32 << 20);
        TableSizing::new(&[Source::Stdin]).after_chunk(&table, 1 << 30);
        assert_eq!(table.capacity(), before);
    }
}
