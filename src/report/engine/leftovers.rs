//! What the workers could not fold as they read: runs that never ended and
//! the latest rating of each run, known only once the whole input is read.
//! They go into the cells of the worker that described the run, before the
//! workers' cells are merged, so each worker's share is folded on its own
//! thread (each reads the whole run table and takes its own runs).

use std::collections::{HashMap, VecDeque};

use super::ViewSpec;
use super::fold::{Partial, WORKER_SHIFT};
use super::group_totals::GroupTotals;
use super::prefetch::prefetch;
use super::run_table::{Rating, RunKey, RunSlot, Runs, flag, run_id};

/// How many runs ahead a cell is fetched: with 40,000 groups, each first
/// touch of one was a cache miss the pass waited for.
const AHEAD: usize = 8;

/// Folds into `partial` (worker `worker`'s) the runs it described that never
/// ended, and their latest ratings, with the comments kept for them.
pub fn fold_leftovers(
    worker: usize,
    partial: &mut Partial,
    runs: &Runs,
    views: &[ViewSpec],
    comments: &HashMap<u128, (i64, String)>,
) {
    let mut pass = Pass {
        partial,
        views,
        comments,
        ahead: VecDeque::with_capacity(AHEAD + 1),
    };
    runs.for_each(|run, slot, rating| {
        if (!slot.is_incomplete() && rating.is_none()) || origin(slot).0 != worker {
            return;
        }
        pass.prefetch(slot);
        pass.ahead.push_back((run, *slot, rating));
        if pass.ahead.len() > AHEAD
            && let Some((run, slot, rating)) = pass.ahead.pop_front()
        {
            pass.add(run, &slot, rating);
        }
    });
    while let Some((run, slot, rating)) = pass.ahead.pop_front() {
        pass.add(run, &slot, rating);
    }
}

/// The worker and its descriptor of a run.
fn origin(slot: &RunSlot) -> (usize, u32) {
    let worker = (slot.info.desc >> WORKER_SHIFT) as usize;
    (worker, slot.info.desc & ((1 << WORKER_SHIFT) - 1))
}

/// Whether a view's filters keep the run (its groups aside).
fn selects(spec: &ViewSpec, slot: &RunSlot) -> bool {
    let filters = &spec.filters;
    let status = (slot.flags & flag::END != 0).then_some(slot.status);
    let orphan = slot.flags & (flag::START | flag::END) == 0;
    filters.selects_time(slot.time_ms)
        && if orphan {
            filters.statuses.is_empty()
        } else {
            filters.selects_status(status)
        }
}

/// One worker's pass.
struct Pass<'a> {
    partial: &'a mut Partial,
    views: &'a [ViewSpec],
    comments: &'a HashMap<u128, (i64, String)>,
    /// The runs whose cells are being fetched, oldest first.
    ahead: VecDeque<(RunKey, RunSlot, Option<Rating>)>,
}

impl Pass<'_> {
    /// Starts fetching the run's cell in each view without a time bucket.
    fn prefetch(&mut self, slot: &RunSlot) {
        let (_, desc) = origin(slot);
        let partial = &mut *self.partial;
        for (view, spec) in partial.views.iter_mut().zip(self.views) {
            if spec.bucket().is_some() || !selects(spec, slot) {
                continue;
            }
            if let Some(group) = view.static_group(desc, &partial.descs, spec)
                && let Some(cell) = view.cells.get(group as usize)
            {
                prefetch(cell, std::mem::size_of::<GroupTotals>());
            }
        }
    }

    /// Adds a run that never ended, or the latest rating of a run, to its groups.
    fn add(&mut self, run: RunKey, slot: &RunSlot, rating: Option<Rating>) {
        let incomplete = slot.is_incomplete();
        let (_, desc) = origin(slot);
        let run_id = run_id(run);
        let partial = &mut *self.partial;
        for (view, spec) in partial.views.iter_mut().zip(self.views) {
            if !selects(spec, slot) {
                continue;
            }
            let Some(group) = view.static_group(desc, &partial.descs, spec) else {
                continue;
            };
            let cell = view.cell(group, slot.time_ms, spec.bucket());
            if incomplete {
                cell.add_incomplete();
                cell.add_run(slot.info.user, slot.info.resolution as usize, slot.time_ms);
            }
            if let Some(rating) = rating {
                cell.add_rating(rating.rating, slot.flags & flag::ASKED != 0);
                if let Some((ts, text)) = self.comments.get(&run_id).filter(|_| spec.comments > 0) {
                    cell.add_comment(*ts, text.clone(), rating.rating);
                }
            }
        }
    }
}
