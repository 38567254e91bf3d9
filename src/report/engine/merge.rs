//! Merging the workers' partial aggregates, then one pass over the run table for
//! what only the whole input can tell: incomplete runs and the latest rating of
//! each run. The result is one [`Report`] per view.

use std::collections::HashMap;

use super::fold::{Interner, Partial, WORKER_SHIFT};
use super::group_totals::GroupTotals;
use super::input::Source;
use super::model::InputSummary;
use super::rows::{GroupRows, build};
use super::run_table::{RunTable, flag, key};
use super::{Report, ViewSpec};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// No time bucket.
const NO_BUCKET: i64 = i64::MIN;

/// One view's merged groups.
#[derive(Default)]
struct MergedView {
    keys: Vec<Vec<String>>,
    index: FastMap<Vec<String>, u32>,
    /// Per worker: its static group id to ours.
    to_global: Vec<Vec<u32>>,
    cells: FastMap<(u32, i64), GroupTotals>,
}

impl MergedView {
    fn global(&mut self, worker: usize, local: u32, local_keys: &[Vec<String>]) -> u32 {
        let map = &mut self.to_global[worker];
        while map.len() <= local as usize {
            let values = &local_keys[map.len()];
            let next = self.keys.len() as u32;
            let id = *self.index.entry(values.clone()).or_insert(next);
            if id == next {
                self.keys.push(values.clone());
            }
            map.push(id);
        }
        map[local as usize]
    }
}

/// Builds the reports (without their groups) and their groups from the
/// workers' partials and the run table.
pub fn finish(
    sources: &[Source],
    mut partials: Vec<Partial>,
    table: RunTable,
    views: &[ViewSpec],
) -> Vec<(Report, GroupRows)> {
    let inputs = summarize_inputs(sources, &partials);
    // Global ids are 1-based like the workers' (0: none).
    let mut users = Interner::default();
    let mut metric_names = Interner::default();
    users.id("");
    metric_names.id("");
    let remap = |texts: Vec<String>, global: &mut Interner| -> Vec<u32> {
        std::iter::once(0)
            .chain(texts.iter().map(|t| global.id(t)))
            .collect()
    };
    let user_maps: Vec<Vec<u32>> = partials
        .iter()
        .map(|p| remap(p.descs.users.texts(), &mut users))
        .collect();
    let metric_maps: Vec<Vec<u32>> = partials
        .iter()
        .map(|p| remap(p.metric_names.texts(), &mut metric_names))
        .collect();
    let mut merged: Vec<MergedView> = views
        .iter()
        .map(|_| MergedView {
            to_global: vec![Vec::new(); partials.len()],
            ..MergedView::default()
        })
        .collect();
    for (w, partial) in partials.iter_mut().enumerate() {
        for (v, view) in partial.views.iter_mut().enumerate() {
            let cells = std::mem::take(&mut view.cells);
            let mut slots: Vec<(u32, i64)> =
                (0..cells.len() as u32).map(|g| (g, NO_BUCKET)).collect();
            for (&(group, bucket), &index) in &view.cell_index {
                slots[index as usize] = (group, bucket);
            }
            for (cell, (group, bucket)) in cells.into_iter().zip(slots) {
                let global = merged[v].global(w, group, &view.static_keys);
                merged[v].cells.entry((global, bucket)).or_default().merge(
                    cell,
                    |u| user_maps[w][u as usize],
                    |m| metric_maps[w][m as usize],
                );
            }
        }
    }
    // Comments of the latest rating of each run.
    let mut comments: HashMap<u128, (i64, String)> = HashMap::new();
    for partial in &mut partials {
        for (run, ts, text) in std::mem::take(&mut partial.comments) {
            if table.rating(key(run)).is_some_and(|r| r.ts_ms == ts) {
                comments.insert(run, (ts, text));
            }
        }
    }
    table.for_each(|run, slot, rating| {
        let incomplete = slot.flags & flag::START != 0 && slot.flags & flag::END == 0;
        if !incomplete && rating.is_none() {
            return;
        }
        let worker = (slot.info.desc >> WORKER_SHIFT) as usize;
        let desc = slot.info.desc & ((1 << WORKER_SHIFT) - 1);
        let Some(partial) = partials.get_mut(worker) else {
            return;
        };
        let status = (slot.flags & flag::END != 0).then_some(slot.status);
        let orphan = slot.flags & (flag::START | flag::END) == 0;
        let run_id = (run[0] as u128) << 64 | run[1] as u128;
        for (v, spec) in views.iter().enumerate() {
            let filters = &spec.filters;
            if !filters.selects_time(slot.time_ms)
                || (orphan && !filters.statuses.is_empty())
                || (!orphan && !filters.selects_status(status))
            {
                continue;
            }
            let view = &mut partial.views[v];
            let descs = &partial.descs;
            let Some(local) = view.static_group(desc, || descs.run_fields(desc), spec) else {
                continue;
            };
            let global = merged[v].global(worker, local, &view.static_keys);
            let bucket = spec.bucket().map_or(NO_BUCKET, |b| b.start(slot.time_ms));
            let cell = merged[v].cells.entry((global, bucket)).or_default();
            if incomplete {
                cell.incomplete += 1;
                let user = user_maps[worker][slot.info.user as usize];
                cell.add_run(user, slot.info.resolution as usize, slot.time_ms);
            }
            if let Some(rating) = rating {
                cell.ratings[rating.rating as usize - 1] += 1;
                cell.rated_asked += (slot.flags & flag::ASKED != 0) as u64;
                if let Some((ts, text)) = comments.get(&run_id).filter(|_| spec.comments > 0) {
                    cell.comments.push((*ts, text.clone(), rating.rating));
                }
            }
        }
    });
    // The workers' descriptors and keys are not needed any more: freed before
    // the groups' statistics are computed.
    drop(partials);
    drop(comments);
    views
        .iter()
        .zip(merged)
        .map(|(spec, view)| {
            build(
                spec,
                view.cells,
                view.keys,
                metric_names.names.clone(),
                inputs.clone(),
            )
        })
        .collect()
}

fn summarize_inputs(sources: &[Source], partials: &[Partial]) -> InputSummary {
    let mut chunks: Vec<(u32, u32, u64)> = partials
        .iter()
        .flat_map(|p| p.counts.chunk_lines.iter().copied())
        .collect();
    chunks.sort_unstable();
    let mut before: HashMap<(u32, u32), u64> = HashMap::new();
    let mut running = (u32::MAX, 0u64);
    for (file, seq, lines) in chunks {
        if running.0 != file {
            running = (file, 0);
        }
        before.insert((file, seq), running.1);
        running.1 += lines;
    }
    let mut examples: Vec<(u32, u64, String)> = partials
        .iter()
        .flat_map(|p| p.counts.examples.iter())
        .map(|(file, seq, line, reason)| {
            let line = before.get(&(*file, *seq)).copied().unwrap_or(0) + line;
            (*file, line, reason.clone())
        })
        .collect();
    examples.sort();
    examples.truncate(super::fold::MAX_EXAMPLES);
    let sum = |f: fn(&Partial) -> u64| partials.iter().map(f).sum();
    InputSummary {
        files: sources.len() as u64,
        lines: sum(|p| p.counts.lines),
        events: sum(|p| p.counts.events),
        skipped: sum(|p| p.counts.skipped),
        duplicates: sum(|p| p.counts.duplicates),
        skipped_examples: examples
            .into_iter()
            .map(|(file, line, reason)| {
                let name = sources
                    .get(file as usize)
                    .map_or_else(String::new, Source::name);
                format!("{name}:{line}: {reason}")
            })
            .collect(),
    }
}
