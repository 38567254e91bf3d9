//! The running totals of one group: folded event by event, merged across
//! workers, and finally turned into [`GroupStats`].

use std::collections::{BTreeMap, HashSet};

use super::model::{CostStats, DurationStats, GroupStats, MetricStats, RatingStats};
use super::parse::STATUS_NAMES;
use super::percentile::percentiles;
use super::sort::SortFields;

/// Resolutions counted by name; anything else is `other`.
pub const RESOLUTIONS: [&str; 5] = ["name", "alias", "route", "adhoc", "other"];

/// User ids below this go in a bitset (at most 512 bytes per group).
const BITSET_USERS: u32 = 4096;

/// A set of user ids: interning gives small dense ids, so a bitset holds them
/// (one word for 64 users, no hashing, no probing); larger ids go in a hash set.
#[derive(Debug, Default)]
pub struct UserSet {
    bits: Vec<u64>,
    in_bits: usize,
    /// Ids past the bitset: rare, so boxed (8 bytes a group, not 40; the box
    /// is for the size of every group's totals, not for the set's contents).
    #[allow(clippy::box_collection)]
    more: Option<Box<HashSet<u32, foldhash::fast::FixedState>>>,
}

impl UserSet {
    /// Adds a user id.
    #[inline]
    pub fn insert(&mut self, id: u32) {
        if id >= BITSET_USERS {
            self.more.get_or_insert_default().insert(id);
            return;
        }
        let (word, mask) = ((id / 64) as usize, 1u64 << (id % 64));
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & mask == 0 {
            self.bits[word] |= mask;
            self.in_bits += 1;
        }
    }

    /// Where the bitset's words are (to prefetch them).
    pub fn words(&self) -> *const u64 {
        self.bits.as_ptr()
    }

    /// How many distinct ids.
    pub fn len(&self) -> usize {
        self.in_bits + self.more.as_ref().map_or(0, |more| more.len())
    }

    /// Every id, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let small = self.bits.iter().enumerate().flat_map(|(w, &word)| {
            (0..64u32)
                .filter(move |b| word >> b & 1 != 0)
                .map(move |b| w as u32 * 64 + b)
        });
        small.chain(self.more.iter().flat_map(|more| more.iter().copied()))
    }
}

/// A sum that does not depend on the order values are added in, so a report
/// over the same logs prints the same bytes whichever worker folded which run.
/// Values are summed exactly as integers of 1e-9 (far below any duration or
/// cost a log holds); the rare value beyond ±1e18 goes to a plain float.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExactSum {
    /// The sum in units of 1e-9, an `i128` kept as two words (low, then high):
    /// 8-byte aligned, so a sum takes 24 bytes, not 32, in every group's totals
    /// and in each of its metrics.
    nanos: [u64; 2],
    huge: f64,
}

impl ExactSum {
    const SCALE: f64 = 1e9;
    const LIMIT: f64 = 1e18;

    #[inline]
    fn nanos(&self) -> i128 {
        (self.nanos[1] as i64 as i128) << 64 | self.nanos[0] as i128
    }

    #[inline]
    fn set_nanos(&mut self, nanos: i128) {
        self.nanos = [nanos as u64, (nanos >> 64) as u64];
    }

    /// A sum of one value.
    pub fn of(value: f64) -> Self {
        let mut sum = ExactSum::default();
        sum.add(value);
        sum
    }

    /// Adds a value.
    #[inline]
    pub fn add(&mut self, value: f64) {
        if value.abs() < Self::LIMIT {
            self.set_nanos(self.nanos() + (value * Self::SCALE).round() as i128);
        } else {
            self.huge += value;
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: ExactSum) {
        self.set_nanos(self.nanos() + other.nanos());
        self.huge += other.huge;
    }

    /// The sum as a float.
    pub fn value(&self) -> f64 {
        self.nanos() as f64 / Self::SCALE + self.huge
    }
}

/// `to` followed by `more`: `more` itself when `to` is empty.
fn append<T>(to: &mut Vec<T>, mut more: Vec<T>) {
    if to.is_empty() {
        *to = more;
    } else {
        // Exactly: an amortised reserve could double the capacity.
        to.reserve_exact(more.len());
        to.append(&mut more);
    }
}

/// Pushes a value kept per run, growing a long vector by a quarter, not by
/// double: the spare capacity of the durations and costs is then about an
/// eighth of them on average, not a third.
#[inline]
pub fn push_value(values: &mut Vec<f64>, value: f64) {
    if values.len() == values.capacity() && values.len() >= 64 {
        values.reserve_exact(values.len() / 4);
    }
    values.push(value);
}

/// Pushes onto a short vector that rarely grows (a group's metrics: a few
/// names), to exactly one more: four slots at the first push would leave one
/// of 40 bytes spare in most groups.
pub fn push_exact<T>(values: &mut Vec<T>, value: T) {
    values.reserve_exact(1);
    values.push(value);
}

/// Pushes a group's cell onto a worker's or the merge's cells, growing a long
/// vector by a quarter, not by double (a cell is a few hundred bytes a group).
pub fn push_cell(cells: &mut Vec<GroupTotals>) {
    if cells.len() == cells.capacity() && cells.len() >= 64 {
        cells.reserve_exact(cells.len() / 4);
    }
    cells.push(GroupTotals::default());
}

/// One group's running totals.
#[derive(Debug)]
pub struct GroupTotals {
    pub statuses: [u64; 5],
    pub incomplete: u64,
    pub durations: Vec<f64>,
    pub duration_sum: ExactSum,
    /// (metric id, sum, runs that reported it)
    pub metrics: Vec<(u32, ExactSum, u64)>,
    /// Costs (USD) of the runs that have one.
    pub costs: Vec<f64>,
    pub cost_sum: ExactSum,
    pub users: UserSet,
    /// The earliest and latest run start (ms); `i64::MAX, i64::MIN` with none
    /// (two words, where two `Option<i64>` take four).
    first_ms: i64,
    last_ms: i64,
    pub resolutions: [u64; 5],
    pub asked: u64,
    pub rated_asked: u64,
    pub ratings: [u64; 5],
    /// (rating ts, comment, rating), kept only with `--comments`.
    pub comments: Vec<(i64, String, u8)>,
}

impl Default for GroupTotals {
    fn default() -> Self {
        GroupTotals {
            statuses: [0; 5],
            incomplete: 0,
            durations: Vec::new(),
            duration_sum: ExactSum::default(),
            metrics: Vec::new(),
            costs: Vec::new(),
            cost_sum: ExactSum::default(),
            users: UserSet::default(),
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            resolutions: [0; 5],
            asked: 0,
            rated_asked: 0,
            ratings: [0; 5],
            comments: Vec::new(),
        }
    }
}

impl GroupTotals {
    /// Notes that a run (complete or not) belongs to the group.
    #[inline]
    pub fn add_run(&mut self, user: u32, resolution: usize, time_ms: i64) {
        if user != 0 {
            self.users.insert(user);
        }
        self.resolutions[resolution] += 1;
        self.first_ms = self.first_ms.min(time_ms);
        self.last_ms = self.last_ms.max(time_ms);
    }

    /// Adds one metric value.
    #[inline]
    pub fn add_metric(&mut self, id: u32, value: f64) {
        match self.metrics.iter_mut().find(|(m, _, _)| *m == id) {
            Some((_, sum, count)) => {
                sum.add(value);
                *count += 1;
            }
            None => push_exact(&mut self.metrics, (id, ExactSum::of(value), 1)),
        }
    }

    /// Adds one run's cost.
    #[inline]
    pub fn add_cost(&mut self, usd: f64) {
        push_value(&mut self.costs, usd);
        self.cost_sum.add(usd);
    }

    /// Adds `other` into `self`; `user` and `metric` map the other side's ids to ours.
    pub fn merge(
        &mut self,
        other: GroupTotals,
        user: impl Fn(u32) -> u32,
        metric: impl Fn(u32) -> u32,
    ) {
        for i in 0..5 {
            self.statuses[i] += other.statuses[i];
            self.resolutions[i] += other.resolutions[i];
            self.ratings[i] += other.ratings[i];
        }
        self.incomplete += other.incomplete;
        // Into an empty cell (a group's first worker) the vectors move, not copy:
        // the same values in the same order.
        append(&mut self.durations, other.durations);
        self.duration_sum.merge(other.duration_sum);
        append(&mut self.costs, other.costs);
        self.cost_sum.merge(other.cost_sum);
        for (id, sum, count) in other.metrics {
            let id = metric(id);
            match self.metrics.iter_mut().find(|(m, _, _)| *m == id) {
                Some(mine) => {
                    mine.1.merge(sum);
                    mine.2 += count;
                }
                None => push_exact(&mut self.metrics, (id, sum, count)),
            }
        }
        for id in other.users.iter() {
            self.users.insert(user(id));
        }
        self.first_ms = self.first_ms.min(other.first_ms);
        self.last_ms = self.last_ms.max(other.last_ms);
        self.asked += other.asked;
        self.rated_asked += other.rated_asked;
        append(&mut self.comments, other.comments);
    }

    /// Completed runs.
    pub fn completed(&self) -> u64 {
        self.statuses.iter().sum()
    }

    /// Runs, complete or not.
    pub fn runs(&self) -> u64 {
        self.completed() + self.incomplete
    }

    /// The statistics; reorders the durations and costs (selection) and sorts
    /// and cuts the comments to the latest `comments`.
    pub fn stats(&mut self, metric_names: &[String], comments: usize) -> GroupStats {
        let quantiles = self.quantiles();
        self.keep_comments(comments);
        self.stats_with(&quantiles, metric_names)
    }

    /// The percentiles and maxima of the durations and costs (reordering them),
    /// so that the vectors can be freed before the statistics are written.
    pub fn quantiles(&mut self) -> Quantiles {
        let ps = percentiles(&mut self.durations, &[0.5, 0.9, 0.95, 0.99]);
        let cost = percentiles(&mut self.costs, &[0.5, 0.95]);
        let duration_max = self.durations.iter().copied().reduce(f64::max);
        let cost_max = self.costs.iter().copied().reduce(f64::max);
        Quantiles::new(
            [
                ps[0],
                ps[1],
                ps[2],
                ps[3],
                duration_max,
                cost[0],
                cost[1],
                cost_max,
            ],
            self.costs.len() as u64,
        )
    }

    /// Keeps the latest `comments` comments, newest first.
    pub fn keep_comments(&mut self, comments: usize) {
        // Newest first; equal times by text, so the output never depends on thread timing.
        self.comments
            .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        self.comments.truncate(comments);
    }

    /// Frees the durations and costs (once [`GroupTotals::quantiles`] has read them).
    pub fn free_values(&mut self) {
        self.durations = Vec::new();
        self.costs = Vec::new();
    }

    /// Adds `other` into `self` by copy, comments aside (the totals of a report).
    pub fn absorb(&mut self, other: &GroupTotals) {
        for i in 0..5 {
            self.statuses[i] += other.statuses[i];
            self.resolutions[i] += other.resolutions[i];
            self.ratings[i] += other.ratings[i];
        }
        self.incomplete += other.incomplete;
        self.durations.extend_from_slice(&other.durations);
        self.duration_sum.merge(other.duration_sum);
        self.costs.extend_from_slice(&other.costs);
        self.cost_sum.merge(other.cost_sum);
        for &(id, sum, count) in &other.metrics {
            match self.metrics.iter_mut().find(|(m, _, _)| *m == id) {
                Some(mine) => {
                    mine.1.merge(sum);
                    mine.2 += count;
                }
                None => push_exact(&mut self.metrics, (id, sum, count)),
            }
        }
        for id in other.users.iter() {
            self.users.insert(id);
        }
        self.first_ms = self.first_ms.min(other.first_ms);
        self.last_ms = self.last_ms.max(other.last_ms);
        self.asked += other.asked;
        self.rated_asked += other.rated_asked;
    }

    /// ok / completed runs.
    fn success_rate(&self) -> Option<f64> {
        let completed = self.completed();
        (completed > 0).then(|| self.statuses[0] as f64 / completed as f64)
    }

    /// The mean duration of completed runs.
    fn mean_ms(&self) -> Option<f64> {
        let completed = self.completed();
        (completed > 0).then(|| self.duration_sum.value() / completed as f64)
    }

    /// The mean rating.
    fn rating_mean(&self) -> Option<f64> {
        let rated: u64 = self.ratings.iter().sum();
        let rating_sum: u64 = self
            .ratings
            .iter()
            .zip(1..)
            .map(|(n, stars)| n * stars)
            .sum();
        (rated > 0).then(|| rating_sum as f64 / rated as f64)
    }

    /// What the groups are sorted by, the same numbers as [`GroupTotals::stats_with`] writes.
    pub fn sort_fields(&self, quantiles: &Quantiles) -> SortFields {
        SortFields {
            runs: self.runs(),
            ok: self.statuses[0],
            incomplete: self.incomplete,
            success_rate: self.success_rate(),
            p95: quantiles.get(2),
            mean: self.mean_ms(),
            rating: self.rating_mean(),
        }
    }

    /// The statistics, from the totals and their `quantiles` (comments as kept).
    pub fn stats_with(&self, quantiles: &Quantiles, metric_names: &[String]) -> GroupStats {
        let q = |index| quantiles.get(index);
        let priced = quantiles.priced;
        let rated: u64 = self.ratings.iter().sum();
        GroupStats {
            runs: self.runs(),
            ok: self.statuses[0],
            success_rate: self.success_rate(),
            incomplete: self.incomplete,
            statuses: STATUS_NAMES
                .iter()
                .zip(self.statuses)
                .map(|(name, n)| (name.to_string(), n))
                .collect(),
            duration_ms: DurationStats {
                mean: self.mean_ms(),
                p50: q(0),
                p90: q(1),
                p95: q(2),
                p99: q(3),
                max: q(4),
                total: self.duration_sum.value(),
            },
            ratings: RatingStats {
                count: rated,
                mean: self.rating_mean(),
                dist: self.ratings,
            },
            participation: (self.asked > 0).then(|| self.rated_asked as f64 / self.asked as f64),
            metrics: self
                .metrics
                .iter()
                .map(|&(id, sum, count)| {
                    let sum = sum.value();
                    let name = metric_names.get(id as usize).cloned().unwrap_or_default();
                    // ids are 1-based; metric_names[0] is a placeholder.
                    (
                        name,
                        MetricStats {
                            sum,
                            mean: sum / count as f64,
                            count,
                            overflow: !sum.is_finite(),
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
            cost_usd: CostStats {
                runs: priced,
                total: self.cost_sum.value(),
                mean: (priced > 0).then(|| self.cost_sum.value() / priced as f64),
                p50: q(5),
                p95: q(6),
                max: q(7),
            },
            users: self.users.len() as u64,
            first_ts: (self.first_ms <= self.last_ms)
                .then(|| super::time::format_ms(self.first_ms)),
            last_ts: (self.first_ms <= self.last_ms).then(|| super::time::format_ms(self.last_ms)),
            resolutions: RESOLUTIONS
                .iter()
                .zip(self.resolutions)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name.to_string(), n))
                .collect(),
            comments: self
                .comments
                .iter()
                .map(|(ts, text, rating)| super::model::Comment {
                    ts: super::time::format_ms(*ts),
                    comment: text.clone(),
                    rating: *rating,
                })
                .collect(),
            ..GroupStats::default()
        }
        .with_tokens()
    }
}

/// A group's percentiles and maxima, computed once ([`GroupTotals::quantiles`]):
/// p50, p90, p95, p99 and max of the durations, then p50, p95 and max of the
/// costs, NaN for none (a duration or cost is never NaN: 64 bytes, where
/// `Option<f64>`s take 128).
#[derive(Debug, Clone, Copy)]
pub struct Quantiles {
    values: [f64; 8],
    /// Runs with a cost.
    priced: u64,
}

impl Quantiles {
    fn new(values: [Option<f64>; 8], priced: u64) -> Self {
        Quantiles {
            values: values.map(|value| value.unwrap_or(f64::NAN)),
            priced,
        }
    }

    fn get(&self, index: usize) -> Option<f64> {
        Some(self.values[index]).filter(|value| !value.is_nan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_sets_count_distinct_ids_small_and_large() {
        let mut set = UserSet::default();
        let ids = [1, 5, 63, 64, 4095, 4096, 1 << 30, 5, 4096, 1];
        for id in ids {
            set.insert(id);
        }
        assert_eq!(set.len(), 7);
        let mut back: Vec<u32> = set.iter().collect();
        back.sort();
        assert_eq!(back, vec![1, 5, 63, 64, 4095, 4096, 1 << 30]);
    }

    #[test]
    fn exact_sums_do_not_depend_on_order() {
        let values: Vec<f64> = (1..2000)
            .map(|i| (i as f64 * 0.37).sin() * 1000.0 + 1e-3 * i as f64)
            .collect();
        let forward = values.iter().fold(ExactSum::default(), |mut s, v| {
            s.add(*v);
            s
        });
        let mut halves = ExactSum::default();
        let mut other = ExactSum::default();
        for (i, v) in values.iter().rev().enumerate() {
            if i % 2 == 0 {
                halves.add(*v)
            } else {
                other.add(*v)
            }
        }
        halves.merge(other);
        assert_eq!(forward.value().to_bits(), halves.value().to_bits());
        let plain: f64 = values.iter().sum();
        assert!((forward.value() - plain).abs() < 1e-6);
        let mut negative = ExactSum::of(-1.5);
        negative.add(-2.25);
        negative.merge(ExactSum::of(0.75));
        assert_eq!(negative.value(), -3.0);
        let mut huge = ExactSum::of(1e300);
        huge.add(1.5);
        assert_eq!(huge.value(), 1e300);
    }
}
