//! The pass over the inputs: a reader thread hands chunks of lines to the
//! workers, each folds into its own [`Partial`]; then the partials are merged.

use std::sync::Mutex;
use std::sync::mpsc::{channel, sync_channel};

use super::fold::{Partial, Worker};
use super::input::{CHUNK_SIZE, Chunk, Source, read_all, total_size};
use super::merge::finish;
use super::runs::RunTable;
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
    let table = RunTable::default();
    let bar = progress_bar(sources, options.progress);
    let workers = options.workers.max(1);
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers + 1);
    let chunk_rx = Mutex::new(chunk_rx);
    let (partials, read) = std::thread::scope(|scope| {
        let (pool_tx, pool_rx) = channel::<Vec<u8>>();
        let handles: Vec<_> = (0..workers)
            .map(|index| {
                let (chunk_rx, pool_tx, table) = (&chunk_rx, pool_tx.clone(), &table);
                scope.spawn(move || {
                    let mut worker = Worker::new(index as u32, table, views);
                    loop {
                        let next = chunk_rx.lock().map(|rx| rx.recv());
                        let Ok(Ok(chunk)) = next else { break };
                        worker.chunk(&chunk);
                        if chunk.data.len() == CHUNK_SIZE {
                            let _ = pool_tx.send(chunk.data);
                        }
                    }
                    worker.partial
                })
            })
            .collect();
        drop(pool_tx);
        let progress = |bytes: u64| {
            if let Some(bar) = &bar {
                bar.set_position(bytes);
            }
        };
        let read = read_all(sources, chunk_tx, pool_rx, &progress);
        let partials: Vec<Partial> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (partials, read)
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    read?;
    Ok(finish(sources, partials, table, views))
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
