//! What the verdict reads from the periods: each arm's summary for display,
//! and the per-period moment pairs that the stratified difference combines.

use crate::learn::Interval;
use crate::learn::arm::ArmStats;
use crate::learn::period::Period;
use crate::learn::rating::{RatingPosterior, RatingPrior};
use crate::learn::stratify::Moments;
use crate::learn::success::{self, SuccessEstimate};

/// One arm as the verdict shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmSummary {
    /// Runs.
    pub runs: u64,
    /// Rated runs.
    pub rated: u64,
    /// Beta posterior mean and Wilson 95% interval of success.
    pub success: SuccessEstimate,
    /// Dirichlet posterior mean rating (Bayesian average).
    pub rating: f64,
    /// Its 90% interval.
    pub rating_interval: Interval,
    /// Geometric-mean latency, ms.
    pub geo_mean_ms: Option<f64>,
    /// Mean cost per run.
    pub mean_cost: Option<f64>,
}

impl ArmSummary {
    pub(super) fn of(s: &ArmStats, prior: &RatingPrior) -> Self {
        let post = RatingPosterior::new(&s.ratings, prior);
        ArmSummary {
            runs: s.runs,
            rated: s.rated,
            success: success::estimate(s.ok, s.runs),
            rating: post.mean(),
            rating_interval: post.interval(0.9),
            geo_mean_ms: s.geo_mean_ms(),
            mean_cost: s.mean_cost(),
        }
    }
}

pub(super) fn rating_pairs(
    periods: &[Period],
    a: usize,
    b: usize,
) -> impl Iterator<Item = (Moments, Moments)> + '_ {
    periods.iter().map(move |p| {
        let m = |i: usize| {
            p.arms
                .get(i)
                .map(|s| Moments::ratings(&s.ratings))
                .unwrap_or_default()
        };
        (m(a), m(b))
    })
}

pub(super) fn success_pairs(
    periods: &[Period],
    a: usize,
    b: usize,
) -> impl Iterator<Item = (Moments, Moments)> + '_ {
    periods.iter().map(move |p| {
        let m = |i: usize| {
            p.arms
                .get(i)
                .map(|s| Moments::binary(s.ok, s.runs))
                .unwrap_or_default()
        };
        (m(a), m(b))
    })
}
