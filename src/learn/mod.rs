//! Learning from the run log: pure statistics, no I/O.
//!
//! The pieces, from the data up:
//!
//! - [`arm`] and [`period`]: running sums for one arm (a prompt, variant or
//!   prompt version), kept per period of constant traffic split.
//! - [`success`], [`rating`], [`score`]: what one arm looks like — a Beta
//!   posterior for success, a Dirichlet posterior (a Bayesian average) for the
//!   1–5 star ratings, and a 0–100 display score.
//! - [`confseq`], [`stratify`], [`verdict`]: comparing two arms with an
//!   anytime-valid confidence sequence, stratified over periods, with
//!   guardrails and a "how many more runs" estimate.
//! - [`pbest`], [`select`], [`sticky`], [`strategy`]: routing that learns —
//!   each arm's chance of being best, turned into selection probabilities.
//! - [`srm`]: whether the observed split of runs agrees with the logged
//!   selection probabilities (sample-ratio mismatch).
//! - [`rng`] and [`sim`]: a seeded generator and a simulator, for the tests
//!   and benchmarks that prove the above.
//!
//! Every function takes plain numbers and returns plain numbers; the formulas,
//! defaults and a worked example are in `docs/statistics.md`.

pub mod arm;
pub mod confseq;
pub mod dist;
pub mod guardrail;
pub mod pbest;
pub mod period;
pub mod plan;
pub mod rating;
pub mod rng;
pub mod score;
pub mod select;
pub mod sim;
pub mod srm;
pub mod sticky;
pub mod strategy;
pub mod stratify;
pub mod success;
pub mod verdict;

#[cfg(test)]
mod tests;

pub use arm::ArmStats;
pub use period::{History, Period};
pub use rating::{RatingPosterior, RatingPrior};
pub use strategy::{Decision, Strategy, decide};
pub use verdict::{Outcome, Verdict, VerdictConfig, compare};

/// A closed interval `[lo, hi]` around an estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Interval {
    /// The interval `[lo, hi]`.
    pub fn new(lo: f64, hi: f64) -> Self {
        Interval { lo, hi }
    }

    /// `centre ± half`, each end clipped to `[min, max]`.
    pub fn around(centre: f64, half: f64, min: f64, max: f64) -> Self {
        Interval {
            lo: (centre - half).clamp(min, max),
            hi: (centre + half).clamp(min, max),
        }
    }

    /// Whether `x` lies inside, ends included.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }

    /// Half the width.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }
}
