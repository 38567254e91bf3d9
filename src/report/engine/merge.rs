//! Merging the workers' partial aggregates, then one pass over the run table for
//! what only the whole input can tell: incomplete runs and the latest rating of
//! each run. The result is one [`Report`] per view.

use std::collections::HashMap;

use super::fold::{GroupKey, Interner, Partial, WORKER_SHIFT};
use super::group_totals::{GroupTotals, push_cell};
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
    keys: Vec<GroupKey>,
    index: FastMap<GroupKey, u32>,
    /// Per worker: its static group id to ours.
    to_global: Vec<Vec<u32>>,
    /// Cells; without a time bucket, the index is the global group.
    cells: Vec<GroupTotals>,
    /// (global group, bucket start) to cell, with a time bucket.
    slots: FastMap<(u32, i64), u32>,
    bucketed: bool,
}

/// True when `map` maps every id to itself.
fn identity(map: &[u32]) -> bool {
    map.iter().enumerate().all(|(i, &id)| i as u32 == id)
}

impl MergedView {
    /// The cell of a global group (and bucket start), made when new.
    fn cell(&mut self, global: u32, bucket: i64) -> &mut GroupTotals {
        let index = if self.bucketed {
            let next = self.cells.len() as u32;
            *self.slots.entry((global, bucket)).or_insert(next)
        } else {
            global
        } as usize;
        while self.cells.len() <= index {
            push_cell(&mut self.cells);
        }
        &mut self.cells[index]
    }

    /// Each cell's (global group, bucket start), in the cells' order.
    fn places(&self) -> Vec<(u32, i64)> {
        let mut places: Vec<(u32, i64)> = (0..self.cells.len() as u32)
            .map(|global| (global, NO_BUCKET))
            .collect();
        for (&place, &index) in &self.slots {
            places[index as usize] = place;
        }
        places
    }

    /// Merges a worker's cells: the first worker's become the merged cells as
    /// they are (no copy) when its ids are already the global ones.
    fn merge_worker(
        &mut self,
        worker: usize,
        view: &mut super::fold::PartialView,
        users: &[u32],
        metrics: &[u32],
    ) {
        let cells = std::mem::take(&mut view.cells);
        // Every static group of the worker (each has a cell) gets its global id.
        if let Some(last) = view.static_keys.len().checked_sub(1) {
            self.global(worker, last as u32, &view.static_keys);
        }
        if !self.bucketed
            && self.cells.is_empty()
            && identity(&self.to_global[worker])
            && identity(users)
            && identity(metrics)
        {
            self.cells = cells;
            return;
        }
        let mut places: Vec<(u32, i64)> = (0..cells.len() as u32).map(|g| (g, NO_BUCKET)).collect();
        for (&(group, bucket), &index) in &view.cell_index {
            places[index as usize] = (group, bucket);
        }
        for (cell, (group, bucket)) in cells.into_iter().zip(places) {
            let global = self.global(worker, group, &view.static_keys);
            self.cell(global, bucket)
                .merge(cell, |u| users[u as usize], |m| metrics[m as usize]);
        }
    }

    fn global(&mut self, worker: usize, local: u32, local_keys: &[GroupKey]) -> u32 {
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
        .map(|spec| MergedView {
            to_global: vec![Vec::new(); partials.len()],
            bucketed: spec.bucket().is_some(),
            ..MergedView::default()
        })
        .collect();
    for (w, partial) in partials.iter_mut().enumerate() {
        for (v, view) in partial.views.iter_mut().enumerate() {
            merged[v].merge_worker(w, view, &user_maps[w], &metric_maps[w]);
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
            let cell = merged[v].cell(global, bucket);
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
            let places = view.places();
            build(
                spec,
                view.cells,
                places,
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
