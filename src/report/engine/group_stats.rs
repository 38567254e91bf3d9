//! A group's statistics from its running totals: the percentiles and sums of
//! its durations and costs (computed once, so the values can be freed), then
//! its [`GroupStats`] when it is written.

use std::collections::BTreeMap;

use super::group_parts::ExactSum;
use super::group_totals::{GroupTotals, RESOLUTIONS};
use super::model::{CostStats, DurationStats, GroupStats, MetricStats, RatingStats};
use super::parse::STATUS_NAMES;
use super::percentile::percentiles;
use super::sort::SortFields;

/// A group's percentiles, maxima and sums, computed once ([`Quantiles::of`]):
/// p50, p90, p95, p99 and max of the durations, then p50, p95 and max of the
/// costs, NaN for none (a duration or cost is never NaN: 64 bytes, where
/// `Option<f64>`s take 128).
#[derive(Debug, Clone, Copy)]
pub struct Quantiles {
    values: [f64; 8],
    /// The sums of the durations and of the costs.
    duration_total: f64,
    cost_total: f64,
    /// Runs with a cost.
    priced: u64,
}

/// The exact sum of `values`, whatever their order.
fn total(values: &[f64]) -> f64 {
    let mut sum = ExactSum::default();
    for &value in values {
        sum.add(value);
    }
    sum.value()
}

impl Quantiles {
    /// The percentiles and sums of a group's durations and costs.
    pub fn of(cell: &GroupTotals) -> Quantiles {
        Quantiles::from_parts(
            DurationPart::of(cell.durations()),
            CostPart::of(cell.costs()),
        )
    }

    /// The quantiles of durations and costs summarized apart.
    pub fn from_parts(durations: DurationPart, costs: CostPart) -> Quantiles {
        let (d, c) = (durations.values, costs.values);
        let values = [d[0], d[1], d[2], d[3], d[4], c[0], c[1], c[2]];
        Quantiles {
            values: values.map(|value| value.unwrap_or(f64::NAN)),
            duration_total: durations.total,
            cost_total: costs.total,
            priced: costs.count,
        }
    }

    fn get(&self, index: usize) -> Option<f64> {
        Some(self.values[index]).filter(|value| !value.is_nan())
    }
}

/// p50, p90, p95, p99, max and the exact sum of some durations.
pub struct DurationPart {
    values: [Option<f64>; 5],
    total: f64,
}

impl DurationPart {
    pub fn of(durations: Vec<f64>) -> DurationPart {
        let (ps, max, total, _) = summary(durations, &[0.5, 0.9, 0.95, 0.99]);
        DurationPart {
            values: [ps[0], ps[1], ps[2], ps[3], max],
            total,
        }
    }
}

/// p50, p95, max, the exact sum and the number of some costs.
pub struct CostPart {
    values: [Option<f64>; 3],
    total: f64,
    count: u64,
}

impl CostPart {
    pub fn of(costs: Vec<f64>) -> CostPart {
        let (ps, max, total, count) = summary(costs, &[0.5, 0.95]);
        CostPart {
            values: [ps[0], ps[1], max],
            total,
            count,
        }
    }
}

/// The percentiles `ps`, the max, the exact sum and the number of `values`.
fn summary(mut values: Vec<f64>, ps: &[f64]) -> (Vec<Option<f64>>, Option<f64>, f64, u64) {
    let total = total(&values);
    let ps = percentiles(&mut values, ps);
    let max = values.iter().copied().reduce(f64::max);
    (ps, max, total, values.len() as u64)
}

/// ok / completed runs.
fn success_rate(cell: &GroupTotals) -> Option<f64> {
    let completed = cell.completed();
    (completed > 0).then(|| cell.statuses()[0] as f64 / completed as f64)
}

/// The mean duration of completed runs.
fn mean_ms(cell: &GroupTotals, quantiles: &Quantiles) -> Option<f64> {
    let completed = cell.completed();
    (completed > 0).then(|| quantiles.duration_total / completed as f64)
}

/// The mean rating.
fn rating_mean(cell: &GroupTotals) -> Option<f64> {
    let ratings = cell.ratings();
    let rated: u64 = ratings.iter().sum();
    let rating_sum: u64 = ratings.iter().zip(1..).map(|(n, stars)| n * stars).sum();
    (rated > 0).then(|| rating_sum as f64 / rated as f64)
}

/// What the groups are sorted by, the same numbers as [`stats`] writes.
pub fn sort_fields(cell: &GroupTotals, quantiles: &Quantiles) -> SortFields {
    SortFields {
        runs: cell.runs(),
        ok: cell.statuses()[0],
        incomplete: cell.incomplete(),
        success_rate: success_rate(cell),
        p95: quantiles.get(2),
        mean: mean_ms(cell, quantiles),
        rating: rating_mean(cell),
    }
}

/// The statistics, from the totals and their `quantiles` (comments as kept).
pub fn stats(cell: &GroupTotals, quantiles: &Quantiles, metric_names: &[String]) -> GroupStats {
    let q = |index| quantiles.get(index);
    let priced = quantiles.priced;
    let ratings = cell.ratings();
    let rated: u64 = ratings.iter().sum();
    let (asked, rated_asked) = cell.asked();
    let span = cell.span();
    GroupStats {
        runs: cell.runs(),
        ok: cell.statuses()[0],
        success_rate: success_rate(cell),
        incomplete: cell.incomplete(),
        statuses: STATUS_NAMES
            .iter()
            .zip(cell.statuses())
            .map(|(name, n)| (name.to_string(), n))
            .collect(),
        duration_ms: DurationStats {
            mean: mean_ms(cell, quantiles),
            p50: q(0),
            p90: q(1),
            p95: q(2),
            p99: q(3),
            max: q(4),
            total: quantiles.duration_total,
        },
        ratings: RatingStats {
            count: rated,
            mean: rating_mean(cell),
            dist: ratings,
        },
        participation: (asked > 0).then(|| rated_asked as f64 / asked as f64),
        metrics: cell
            .metrics()
            .map(|(id, sum, count)| {
                let sum = sum.value();
                // ids are 1-based; metric_names[0] is a placeholder.
                let name = metric_names.get(id as usize).cloned().unwrap_or_default();
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
            total: quantiles.cost_total,
            mean: (priced > 0).then(|| quantiles.cost_total / priced as f64),
            p50: q(5),
            p95: q(6),
            max: q(7),
        },
        users: cell.users(),
        first_ts: span.map(|(first, _)| super::time::format_ms(first)),
        last_ts: span.map(|(_, last)| super::time::format_ms(last)),
        resolutions: RESOLUTIONS
            .iter()
            .zip(cell.resolutions())
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| (name.to_string(), n))
            .collect(),
        comments: cell
            .comments()
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
