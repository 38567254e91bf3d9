//! The running totals of one group: folded event by event, merged across
//! workers, and finally turned into [`GroupStats`].

use std::collections::BTreeMap;

use super::model::{CostStats, DurationStats, GroupStats, MetricStats, RatingStats};
use super::parse::STATUS_NAMES;
use super::percentile::percentiles;
use super::sort::SortFields;

use super::group_parts::append;
pub use super::group_parts::{ExactSum, RunValues, UserSet, push_exact};

/// Resolutions counted by name; anything else is `other`.
pub const RESOLUTIONS: [&str; 5] = ["name", "alias", "route", "adhoc", "other"];

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
    pub durations: RunValues<1000>,
    pub duration_sum: ExactSum,
    /// (metric id, sum, runs that reported it)
    pub metrics: Vec<(u32, ExactSum, u64)>,
    /// Costs (USD) of the runs that have one.
    pub costs: RunValues<1_000_000>,
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
            durations: RunValues::default(),
            duration_sum: ExactSum::default(),
            metrics: Vec::new(),
            costs: RunValues::default(),
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
        self.costs.push(usd);
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
        self.durations.append(other.durations);
        self.duration_sum.merge(other.duration_sum);
        self.costs.append(other.costs);
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

    /// The statistics; sorts and cuts the comments to the latest `comments`.
    pub fn stats(&mut self, metric_names: &[String], comments: usize) -> GroupStats {
        let quantiles = self.quantiles();
        self.keep_comments(comments);
        self.stats_with(&quantiles, metric_names)
    }

    /// The percentiles and maxima of the durations and costs, so that their
    /// vectors can be freed before the statistics are written.
    pub fn quantiles(&mut self) -> Quantiles {
        let mut durations = self.durations.to_f64();
        let ps = percentiles(&mut durations, &[0.5, 0.9, 0.95, 0.99]);
        let duration_max = durations.iter().copied().reduce(f64::max);
        drop(durations);
        let mut costs = self.costs.to_f64();
        let cost = percentiles(&mut costs, &[0.5, 0.95]);
        let cost_max = costs.iter().copied().reduce(f64::max);
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
        self.durations = RunValues::default();
        self.costs = RunValues::default();
    }

    /// Adds `other` into `self` by copy, comments aside (the totals of a report).
    pub fn absorb(&mut self, other: &GroupTotals) {
        for i in 0..5 {
            self.statuses[i] += other.statuses[i];
            self.resolutions[i] += other.resolutions[i];
            self.ratings[i] += other.ratings[i];
        }
        self.incomplete += other.incomplete;
        self.durations.extend_from(&other.durations);
        self.duration_sum.merge(other.duration_sum);
        self.costs.extend_from(&other.costs);
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
