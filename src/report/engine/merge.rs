//! The end of the pass: what only the whole input can tell (incomplete runs and
//! the latest rating of each run) is folded into the workers' partial
//! aggregates from the run table ([`super::leftovers`]), then the partials are
//! merged. The result is one [`Report`] per view.

use std::collections::HashMap;

use super::fold::{Interner, Partial, PartialView};
use super::group_keys::KeyTexts;
use super::group_totals::{GroupTotals, push_cell};
use super::input::Source;
use super::interner::Descriptors;
use super::leftovers::fold_leftovers;
use super::model::InputSummary;
use super::rows::{GroupRows, build};
use super::run_table::{RunTable, key};
use super::{Report, ViewSpec};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// No time bucket.
const NO_BUCKET: i64 = i64::MIN;

/// One view's merged groups.
#[derive(Default)]
struct MergedView {
    keys: KeyTexts,
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

/// A worker's view and what reads it: its descriptors (its groups' keys) and the spec.
struct Local<'a> {
    worker: usize,
    view: &'a PartialView,
    descs: &'a Descriptors,
    spec: &'a ViewSpec,
}

/// A worker's static group not yet given a global id.
const UNMAPPED: u32 = u32::MAX;

impl MergedView {
    /// The cell of a global group (and bucket start), made when new; true
    /// when it is new.
    fn cell(&mut self, global: u32, bucket: i64) -> (&mut GroupTotals, bool) {
        let before = self.cells.len();
        let index = if self.bucketed {
            *self.slots.entry((global, bucket)).or_insert(before as u32)
        } else {
            global
        } as usize;
        while self.cells.len() <= index {
            push_cell(&mut self.cells);
        }
        (&mut self.cells[index], index >= before)
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

    /// Merges a worker's cells. The first worker's become the merged cells as
    /// they are (no copy). Another's are taken from the end, the vector
    /// shrinking as the merged cells grow, and a cell the merge has not seen
    /// moves in whole: the workers' cells and the merged ones are not all held
    /// at once.
    fn merge_worker(
        &mut self,
        local: Local,
        mut cells: Vec<GroupTotals>,
        users: &[u32],
        metrics: &[u32],
    ) {
        let groups = local.view.groups();
        if !self.bucketed && self.cells.is_empty() && identity(users) && identity(metrics) {
            for group in 0..groups as u32 {
                self.global(&local, group);
            }
            if identity(&self.to_global[local.worker]) {
                self.cells = cells;
                return;
            }
        }
        let mut places: Vec<(u32, i64)> = Vec::new();
        if self.bucketed {
            places.resize(cells.len(), (0, NO_BUCKET));
            for (&(group, bucket), &index) in &local.view.cell_index {
                places[index as usize] = (group, bucket);
            }
        }
        let mut shrink_below = cells.len() - cells.len() / 8;
        while let Some(cell) = cells.pop() {
            let index = cells.len();
            let (group, bucket) = places
                .get(index)
                .copied()
                .unwrap_or((index as u32, NO_BUCKET));
            let global = self.global(&local, group);
            let user = |u: u32| users[u as usize];
            let metric = |m: u32| metrics[m as usize];
            match self.cell(global, bucket) {
                (slot, true) => *slot = cell.remapped(user, metric),
                (slot, false) => slot.merge(cell, user, metric),
            }
            if index < shrink_below && index >= 1024 {
                cells.shrink_to_fit();
                shrink_below = index - index / 8;
            }
        }
    }

    /// The global id of a worker's static group.
    fn global(&mut self, local: &Local, group: u32) -> u32 {
        let map = &mut self.to_global[local.worker];
        if map.len() <= group as usize {
            map.resize(group as usize + 1, UNMAPPED);
        }
        if map[group as usize] == UNMAPPED {
            let key = local.view.key(group, local.descs, local.spec);
            map[group as usize] = self.keys.id(&key);
        }
        map[group as usize]
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
            keys: KeyTexts::new(spec.static_fields().count()),
            to_global: vec![Vec::new(); partials.len()],
            bucketed: spec.bucket().is_some(),
            ..MergedView::default()
        })
        .collect();
    // Comments of the latest rating of each run.
    let mut comments: HashMap<u128, (i64, String)> = HashMap::new();
    for partial in &mut partials {
        for (run, ts, text) in std::mem::take(&mut partial.comments) {
            if table.rating(key(run)).is_some_and(|r| r.ts_ms == ts) {
                comments.insert(run, (ts, text));
            }
        }
    }
    // What only the whole input tells (runs that never ended, the latest
    // rating of each run) goes into the cells of the worker that described the
    // run, each worker's share on its own thread, before the cells are merged.
    let runs = table.into_runs();
    std::thread::scope(|scope| {
        let (runs, comments) = (&runs, &comments);
        let mut partials = partials.iter_mut().enumerate();
        let here = partials.next();
        for (worker, partial) in partials {
            scope.spawn(move || fold_leftovers(worker, partial, runs, views, comments));
        }
        if let Some((worker, partial)) = here {
            fold_leftovers(worker, partial, runs, views, comments);
        }
    });
    std::thread::scope(|scope| {
        // Giving the run table's pages back (500 MB for a team's year) takes
        // the kernel a while: on another thread, beside the merge.
        scope.spawn(move || drop(runs));
        for (worker, partial) in partials.iter_mut().enumerate() {
            for (v, view) in partial.views.iter_mut().enumerate() {
                let cells = std::mem::take(&mut view.cells);
                let local = Local {
                    worker,
                    view,
                    descs: &partial.descs,
                    spec: &views[v],
                };
                merged[v].merge_worker(local, cells, &user_maps[worker], &metric_maps[worker]);
            }
        }
    });
    // The workers' descriptors and keys are not needed any more: freed before
    // the groups' statistics are computed.
    drop(partials);
    drop(comments);
    release_freed();
    views
        .iter()
        .zip(merged)
        .map(|(spec, view)| {
            let places = if view.bucketed {
                view.places()
            } else {
                Vec::new()
            };
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

/// Hands the memory the workers freed back to the system. glibc keeps what a
/// thread frees in that thread's arena, which allocations on this thread
/// never reuse: the workers' descriptors and indexes would otherwise stay
/// resident under the groups' statistics, which are made after them.
fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only gives free memory back; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
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
