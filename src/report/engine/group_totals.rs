//! The running totals of one group: folded event by event, merged across
//! workers, and finally turned into statistics (`group_stats.rs`).
//!
//! A report by a name with a million values holds a million of these, most
//! of them for a run or two, once per worker that saw the group: so a cell is
//! 168 bytes, counts are `u32`, the first three durations and costs sit
//! inline, users below 64 are bits of one word, and everything rare (counts
//! past `u32::MAX`, values that are not a whole number of thousandths, users
//! past 64, sums past 1e18, comments) is in one optional box.

use super::group_parts::{
    ExactSum, INLINE_USERS, MoreUsers, Nanos, Scaled, append, bits, push_value, scaled,
};

/// Resolutions counted by name; anything else is `other`.
pub const RESOLUTIONS: [&str; 5] = ["name", "alias", "route", "adhoc", "other"];

/// Where each count is in [`GroupTotals::counts`].
const STATUS: usize = 0;
const RESOLUTION: usize = 5;
const RATING: usize = 10;
const INCOMPLETE: usize = 15;
const ASKED: usize = 16;
const RATED_ASKED: usize = 17;
const COUNTS: usize = 18;

/// The scales of durations (ms to µs) and costs (USD to millionths) kept as `u32`.
pub const DURATION_SCALE: u32 = 1000;
pub const COST_SCALE: u32 = 1_000_000;

/// Pushes a group's cell onto a worker's or the merge's cells, growing a long
/// vector by a quarter, not by double.
pub fn push_cell(cells: &mut Vec<GroupTotals>) {
    if cells.len() == cells.capacity() && cells.len() >= 64 {
        cells.reserve_exact(cells.len() / 4);
    }
    cells.push(GroupTotals::default());
}

/// One group's running totals; see the module doc.
#[derive(Debug)]
pub struct GroupTotals {
    /// Statuses, resolutions, ratings (1 to 5 stars), incomplete, asked and
    /// rated-and-asked runs; each count is this plus its `Rare::high` part.
    counts: [u32; COUNTS],
    /// The earliest and latest run start (ms); `i64::MAX, i64::MIN` with none.
    first_ms: i64,
    last_ms: i64,
    /// Durations (µs) and costs (millionths of a USD) that fit a `u32`.
    durations: Scaled,
    costs: Scaled,
    /// Bit `id` for the users with an id below [`INLINE_USERS`].
    users: u64,
    /// The metrics reported, exactly as long as needed.
    metrics: Box<[Metric]>,
    rare: Option<Box<Rare>>,
}

/// A metric's running totals (the rest of its count and sum in [`Rare`]).
#[derive(Debug, Clone, Copy)]
struct Metric {
    id: u32,
    /// Runs that reported it (plus `MetricRest::high`).
    count: u32,
    /// Its exact sum in units of 1e-9 (plus `MetricRest::nanos` and `huge`):
    /// 16 bytes an entry, not 24.
    nanos: i64,
}

/// What few groups need, boxed so that the others pay 8 bytes for it.
#[derive(Debug, Default)]
struct Rare {
    /// Multiples of 2^32 to add to `GroupTotals::counts`.
    high: [u64; COUNTS],
    users: MoreUsers,
    /// Durations and costs that are not whole numbers of the scale.
    durations: Vec<f64>,
    costs: Vec<f64>,
    metrics: Vec<MetricRest>,
    /// (rating ts, comment, rating), kept only with `--comments`.
    comments: Vec<(i64, String, u8)>,
}

/// The rest of a metric's count and sum.
#[derive(Debug, Clone, Copy)]
struct MetricRest {
    id: u32,
    high: u64,
    nanos: Nanos,
    huge: f64,
}

impl Rare {
    fn metric(&mut self, id: u32) -> &mut MetricRest {
        let at = match self.metrics.iter().position(|m| m.id == id) {
            Some(at) => at,
            None => {
                self.metrics.push(MetricRest {
                    id,
                    high: 0,
                    nanos: Nanos::default(),
                    huge: 0.0,
                });
                self.metrics.len() - 1
            }
        };
        &mut self.metrics[at]
    }
}

impl Default for GroupTotals {
    fn default() -> Self {
        GroupTotals {
            counts: [0; COUNTS],
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            durations: Scaled::default(),
            costs: Scaled::default(),
            users: 0,
            metrics: Box::default(),
            rare: None,
        }
    }
}

impl GroupTotals {
    fn rare(&mut self) -> &mut Rare {
        self.rare.get_or_insert_default()
    }

    /// Adds `n` to count `i`.
    #[inline]
    fn add_count(&mut self, i: usize, n: u64) {
        let (low, carry) = self.counts[i].overflowing_add(n as u32);
        self.counts[i] = low;
        let high = (n >> 32 << 32) + (u64::from(carry) << 32);
        if high != 0 {
            self.rare().high[i] += high;
        }
    }

    /// Count `i`.
    fn count(&self, i: usize) -> u64 {
        u64::from(self.counts[i]) + self.rare.as_ref().map_or(0, |rare| rare.high[i])
    }

    /// Counts `at..at + N`.
    fn counts<const N: usize>(&self, at: usize) -> [u64; N] {
        std::array::from_fn(|i| self.count(at + i))
    }

    /// Notes that a run (complete or not) belongs to the group.
    #[inline]
    pub fn add_run(&mut self, user: u32, resolution: usize, time_ms: i64) {
        if user != 0 {
            self.add_user(user);
        }
        self.add_count(RESOLUTION + resolution.min(4), 1);
        self.first_ms = self.first_ms.min(time_ms);
        self.last_ms = self.last_ms.max(time_ms);
    }

    #[inline]
    fn add_user(&mut self, user: u32) {
        if user < INLINE_USERS {
            self.users |= 1 << user;
        } else {
            self.rare().users.insert(user);
        }
    }

    /// Adds a completed run's status, duration and whether a rating was asked.
    #[inline]
    pub fn add_end(&mut self, status: u8, duration_ms: f64, asked: bool) {
        self.add_count(STATUS + usize::from(status).min(4), 1);
        match scaled::<DURATION_SCALE>(duration_ms) {
            Some(units) => self.durations.push(units),
            None => push_value(&mut self.rare().durations, duration_ms),
        }
        if asked {
            self.add_count(ASKED, 1);
        }
    }

    /// Adds one metric value.
    #[inline]
    pub fn add_metric(&mut self, id: u32, value: f64) {
        // The usual case, inline: a metric the group has, a value whose
        // nanos fit an i64 (as `ExactSum::nanos_of` makes them), no carry.
        if let Some(nanos) = ExactSum::small_nanos_of(value)
            && let Some(metric) = self.metrics.iter_mut().find(|m| m.id == id)
            && let (count, false) = metric.count.overflowing_add(1)
            && let Some(sum) = metric.nanos.checked_add(nanos)
        {
            metric.count = count;
            metric.nanos = sum;
            return;
        }
        self.add_metric_slowly(id, value);
    }

    /// [`GroupTotals::add_metric`] for a new metric, a large value or a carry.
    #[cold]
    #[inline(never)]
    fn add_metric_slowly(&mut self, id: u32, value: f64) {
        match ExactSum::nanos_of(value) {
            Some(nanos) => self.add_to_metric(id, 1, nanos, 0.0),
            None => self.add_to_metric(id, 1, 0, value),
        }
    }

    /// Adds `count` runs and a sum of `nanos` units of 1e-9 plus `huge` to metric `id`.
    fn add_to_metric(&mut self, id: u32, count: u64, nanos: i128, huge: f64) {
        let at = self.metric_at(id);
        let metric = &mut self.metrics[at];
        let (low, carry) = metric.count.overflowing_add(count as u32);
        metric.count = low;
        let high = (count >> 32 << 32) + (u64::from(carry) << 32);
        let spill = match i64::try_from(nanos)
            .ok()
            .and_then(|nanos| metric.nanos.checked_add(nanos))
        {
            Some(sum) => {
                metric.nanos = sum;
                0
            }
            None => nanos,
        };
        // A huge value is never 0 (it is at least 1e18, or not a number).
        if high != 0 || spill != 0 || huge != 0.0 {
            let rest = self.rare().metric(id);
            rest.high += high;
            rest.nanos.add(spill);
            rest.huge += huge;
        }
    }

    /// Where metric `id` is in the list, added when new (the list grows by
    /// one: a group reports a few metrics).
    #[inline]
    fn metric_at(&mut self, id: u32) -> usize {
        if let Some(at) = self.metrics.iter().position(|m| m.id == id) {
            return at;
        }
        let mut metrics = std::mem::take(&mut self.metrics).into_vec();
        metrics.reserve_exact(1);
        metrics.push(Metric {
            id,
            count: 0,
            nanos: 0,
        });
        self.metrics = metrics.into_boxed_slice();
        self.metrics.len() - 1
    }

    /// Adds one run's cost.
    #[inline]
    pub fn add_cost(&mut self, usd: f64) {
        match scaled::<COST_SCALE>(usd) {
            Some(units) => self.costs.push(units),
            None => push_value(&mut self.rare().costs, usd),
        }
    }

    /// Adds an incomplete run (with [`GroupTotals::add_run`] for its fields).
    pub fn add_incomplete(&mut self) {
        self.add_count(INCOMPLETE, 1);
    }

    /// Adds a run's latest rating (1 to 5 stars), and whether it was asked for.
    pub fn add_rating(&mut self, stars: u8, asked: bool) {
        self.add_count(RATING + usize::from(stars.clamp(1, 5) - 1), 1);
        if asked {
            self.add_count(RATED_ASKED, 1);
        }
    }

    /// Keeps a comment (with `--comments`).
    pub fn add_comment(&mut self, ts_ms: i64, text: String, stars: u8) {
        self.rare().comments.push((ts_ms, text, stars));
    }

    /// Where the next duration and cost go and where the metrics are (to
    /// prefetch them).
    pub fn tails(&self) -> [*const u32; 3] {
        [
            self.durations.tail(),
            self.costs.tail(),
            self.metrics.as_ptr().cast(),
        ]
    }

    /// Adds `other` into `self`; `user` and `metric` map the other side's ids
    /// to ours. The values of `other` move into an empty cell.
    pub fn merge(
        &mut self,
        mut other: GroupTotals,
        user: impl Fn(u32) -> u32,
        metric: impl Fn(u32) -> u32,
    ) {
        self.durations.append(std::mem::take(&mut other.durations));
        self.costs.append(std::mem::take(&mut other.costs));
        self.add_parts(&other, user, metric);
        if let Some(rare) = other.rare.take() {
            let Rare {
                durations,
                costs,
                comments,
                ..
            } = *rare;
            if !durations.is_empty() || !costs.is_empty() || !comments.is_empty() {
                let mine = self.rare();
                append(&mut mine.durations, durations);
                append(&mut mine.costs, costs);
                append(&mut mine.comments, comments);
            }
        }
    }

    /// The same totals with the user and metric ids mapped (as [`GroupTotals::merge`]
    /// into an empty cell would make them, without copying what needs no change).
    pub fn remapped(mut self, user: impl Fn(u32) -> u32, metric: impl Fn(u32) -> u32) -> Self {
        for m in self.metrics.iter_mut() {
            m.id = metric(m.id);
        }
        let users: Vec<u32> = self.user_ids().collect();
        self.users = 0;
        if let Some(rare) = &mut self.rare {
            for m in &mut rare.metrics {
                m.id = metric(m.id);
            }
            rare.users = MoreUsers::default();
        }
        for id in users {
            self.add_user(user(id));
        }
        self
    }

    /// Adds `other` into `self` by copy, comments aside.
    #[cfg(test)]
    pub fn absorb(&mut self, other: &GroupTotals) {
        for part in other.durations.as_slices() {
            self.durations.extend_from(part);
        }
        for part in other.costs.as_slices() {
            self.costs.extend_from(part);
        }
        self.add_parts(other, |u| u, |m| m);
        if let Some(rare) = &other.rare
            && (!rare.durations.is_empty() || !rare.costs.is_empty())
        {
            let mine = self.rare();
            mine.durations.extend_from_slice(&rare.durations);
            mine.costs.extend_from_slice(&rare.costs);
        }
    }

    /// Adds `other` into `self` by copy without its durations and costs (the
    /// totals of a report, whose percentiles are taken from every cell's
    /// values at once: [`GroupTotals::durations_into`]).
    pub fn absorb_counts(&mut self, other: &GroupTotals) {
        self.add_parts(other, |u| u, |m| m);
    }

    /// Adds `other`'s counts, metrics, users and times (what merging by copy and
    /// by move share).
    fn add_parts(
        &mut self,
        other: &GroupTotals,
        user: impl Fn(u32) -> u32,
        metric: impl Fn(u32) -> u32,
    ) {
        for i in 0..COUNTS {
            self.add_count(i, other.count(i));
        }
        for (id, sum, count) in other.metrics() {
            self.add_to_metric(metric(id), count, sum.nanos.get(), sum.huge);
        }
        for id in other.user_ids() {
            self.add_user(user(id));
        }
        self.first_ms = self.first_ms.min(other.first_ms);
        self.last_ms = self.last_ms.max(other.last_ms);
    }

    /// Every user id, in no particular order.
    fn user_ids(&self) -> impl Iterator<Item = u32> + '_ {
        let more = self.rare.as_ref().map(|rare| rare.users.iter());
        bits(std::slice::from_ref(&self.users), 0).chain(more.into_iter().flatten())
    }

    /// Distinct users.
    pub fn users(&self) -> u64 {
        u64::from(self.users.count_ones())
            + self.rare.as_ref().map_or(0, |rare| rare.users.len() as u64)
    }

    /// Completed runs by status (ok, error, signal, timeout, spawn_failed).
    pub fn statuses(&self) -> [u64; 5] {
        self.counts(STATUS)
    }

    /// Runs by resolution (see [`RESOLUTIONS`]).
    pub fn resolutions(&self) -> [u64; 5] {
        self.counts(RESOLUTION)
    }

    /// Latest ratings by stars (1 to 5).
    pub fn ratings(&self) -> [u64; 5] {
        self.counts(RATING)
    }

    /// Runs with a start and no end.
    pub fn incomplete(&self) -> u64 {
        self.count(INCOMPLETE)
    }

    /// Runs a rating was asked for, and those of them rated.
    pub fn asked(&self) -> (u64, u64) {
        (self.count(ASKED), self.count(RATED_ASKED))
    }

    /// Completed runs.
    pub fn completed(&self) -> u64 {
        self.statuses().iter().sum()
    }

    /// Runs, complete or not.
    pub fn runs(&self) -> u64 {
        self.completed() + self.incomplete()
    }

    /// The earliest and latest run start (ms), when there is a run.
    pub fn span(&self) -> Option<(i64, i64)> {
        (self.first_ms <= self.last_ms).then_some((self.first_ms, self.last_ms))
    }

    /// Every metric: (id, exact sum, runs that reported it).
    pub fn metrics(&self) -> impl Iterator<Item = (u32, ExactSum, u64)> + '_ {
        let rests = self.rare.as_ref().map_or(&[][..], |rare| &rare.metrics);
        self.metrics.iter().map(move |m| {
            let rest = rests.iter().find(|rest| rest.id == m.id);
            let sum = ExactSum {
                nanos: Nanos::of(i128::from(m.nanos) + rest.map_or(0, |rest| rest.nanos.get())),
                huge: rest.map_or(0.0, |rest| rest.huge),
            };
            (
                m.id,
                sum,
                u64::from(m.count) + rest.map_or(0, |rest| rest.high),
            )
        })
    }

    /// Every duration (ms) as a float with the bits it was folded with, in no
    /// particular order.
    pub fn durations(&self) -> Vec<f64> {
        let mut values = Vec::with_capacity(self.value_counts().0);
        self.durations_into(&mut values);
        values
    }

    /// Every cost (USD), as [`GroupTotals::durations`].
    pub fn costs(&self) -> Vec<f64> {
        let mut values = Vec::with_capacity(self.value_counts().1);
        self.costs_into(&mut values);
        values
    }

    /// Appends [`GroupTotals::durations`] to `out`.
    pub fn durations_into(&self, out: &mut Vec<f64>) {
        self.durations.to_f64_into::<DURATION_SCALE>(out);
        if let Some(rare) = &self.rare {
            out.extend_from_slice(&rare.durations);
        }
    }

    /// Appends [`GroupTotals::costs`] to `out`.
    pub fn costs_into(&self, out: &mut Vec<f64>) {
        self.costs.to_f64_into::<COST_SCALE>(out);
        if let Some(rare) = &self.rare {
            out.extend_from_slice(&rare.costs);
        }
    }

    /// How many durations and costs: see [`GroupTotals::durations`].
    pub fn value_counts(&self) -> (usize, usize) {
        let rare = self
            .rare
            .as_ref()
            .map_or((0, 0), |rare| (rare.durations.len(), rare.costs.len()));
        (self.durations.len() + rare.0, self.costs.len() + rare.1)
    }

    /// Frees the durations and costs (once their statistics are computed).
    pub fn free_values(&mut self) {
        self.durations = Scaled::default();
        self.costs = Scaled::default();
        if let Some(rare) = &mut self.rare {
            rare.durations = Vec::new();
            rare.costs = Vec::new();
        }
    }

    /// The comments as kept, in no particular order until [`GroupTotals::keep_comments`].
    pub fn comments(&self) -> &[(i64, String, u8)] {
        self.rare.as_ref().map_or(&[], |rare| &rare.comments)
    }

    /// Keeps the latest `comments` comments, newest first.
    pub fn keep_comments(&mut self, comments: usize) {
        if let Some(rare) = &mut self.rare {
            // Newest first; equal times by text, so the output never depends on thread timing.
            rare.comments
                .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            rare.comments.truncate(comments);
        }
    }
}

#[cfg(test)]
#[path = "group_totals_tests.rs"]
mod tests;
