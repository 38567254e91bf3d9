//! A seeded simulator of prompt runs, for tests and benchmarks only — promptrun
//! itself never calls it. Arms have a true rating distribution over 1..5 stars,
//! a success probability, a share of runs that get rated, a log-normal latency
//! and a cost; an allocation schedule says which share of runs goes where.
//!
//! Better or worse arms are made by moving rating mass one star at a time:
//! [`shifted`] mixes a distribution with its one-star-up (or down) copy, which
//! keeps the shape and changes the mean by exactly the amount asked.

use super::arm::ArmStats;
use super::rng::Rng;

/// The baseline truth of the tests: ratings of 1..5 stars, mean 3.72.
pub const BASELINE: [f64; 5] = [0.06, 0.10, 0.20, 0.34, 0.30];

/// Mean of a distribution over 1..5 stars.
pub fn mean(dist: &[f64; 5]) -> f64 {
    dist.iter()
        .enumerate()
        .map(|(i, p)| (i + 1) as f64 * p)
        .sum()
}

/// Variance of a distribution over 1..5 stars.
pub fn variance(dist: &[f64; 5]) -> f64 {
    let m = mean(dist);
    dist.iter()
        .enumerate()
        .map(|(i, p)| ((i + 1) as f64 - m).powi(2) * p)
        .sum()
}

/// Every rating one star higher (5 stays 5), or lower (1 stays 1) when `up` is false.
pub fn step(dist: &[f64; 5], up: bool) -> [f64; 5] {
    let mut out = [0.0; 5];
    for (i, p) in dist.iter().enumerate() {
        let j = if up {
            (i + 1).min(4)
        } else {
            i.saturating_sub(1)
        };
        out[j] += p;
    }
    out
}

/// `dist` with its mean moved by `delta`: (1 − λ)·dist + λ·step(dist), λ chosen
/// for the exact change, repeated one whole step at a time for larger moves.
/// Stops at all-5 or all-1.
pub fn shifted(dist: &[f64; 5], delta: f64) -> [f64; 5] {
    let mut d = *dist;
    let mut left = delta.abs();
    while left > 1e-12 {
        let next = step(&d, delta > 0.0);
        let gain = (mean(&next) - mean(&d)).abs();
        if gain < 1e-12 {
            break;
        }
        let lambda = (left / gain).min(1.0);
        for (x, y) in d.iter_mut().zip(next) {
            *x = (1.0 - lambda) * *x + lambda * y;
        }
        left -= lambda * gain;
    }
    d
}

/// The truth about one simulated arm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmTruth {
    /// Rating distribution over 1..5 stars.
    pub ratings: [f64; 5],
    /// Probability a run succeeds.
    pub success: f64,
    /// Probability a run gets rated (independent of success).
    pub rated_share: f64,
    /// Median latency, ms.
    pub median_ms: f64,
    /// Standard deviation of ln(latency).
    pub ln_ms_sd: f64,
    /// Cost of a run.
    pub cost: f64,
}

impl ArmTruth {
    /// An arm with these ratings and success; 30% rated, 800 ms median latency
    /// (ln sd 0.5), cost 0.01.
    pub fn new(ratings: [f64; 5], success: f64) -> Self {
        ArmTruth {
            ratings,
            success,
            rated_share: 0.3,
            median_ms: 800.0,
            ln_ms_sd: 0.5,
            cost: 0.01,
        }
    }

    /// The objective w_s·success + w_r·(mean rating − 1)/4 (weights as given).
    pub fn objective(&self, w_success: f64, w_rating: f64) -> f64 {
        w_success * self.success + w_rating * (mean(&self.ratings) - 1.0) / 4.0
    }
}

/// One simulated run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimRun {
    /// Whether it succeeded.
    pub ok: bool,
    /// Latency, ms.
    pub duration_ms: f64,
    /// Cost.
    pub cost: f64,
    /// Stars, when rated.
    pub rating: Option<u8>,
}

/// Draws runs from arm truths with a seeded generator.
#[derive(Clone, Debug)]
pub struct Simulator {
    /// The generator; tests draw their routing numbers from it too.
    pub rng: Rng,
}

impl Simulator {
    /// A simulator whose every draw is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Simulator {
            rng: Rng::new(seed),
        }
    }

    /// One run of `truth`.
    pub fn run(&mut self, truth: &ArmTruth) -> SimRun {
        let ok = self.rng.bernoulli(truth.success);
        let duration_ms = truth.median_ms * (truth.ln_ms_sd * self.rng.normal()).exp();
        let rating = self
            .rng
            .bernoulli(truth.rated_share)
            .then(|| self.rng.categorical(&truth.ratings) as u8 + 1);
        SimRun {
            ok,
            duration_ms,
            cost: truth.cost,
            rating,
        }
    }

    /// One run of `truth`, added to `stats`.
    pub fn record(&mut self, stats: &mut ArmStats, truth: &ArmTruth) -> SimRun {
        let r = self.run(truth);
        stats.add_run(r.ok, Some(r.duration_ms), Some(r.cost), None);
        if let Some(stars) = r.rating {
            stats.add_rating(stars);
        }
        r
    }
}

/// An allocation schedule: phases of so many runs at fixed shares.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// (runs, shares per arm) in order.
    pub phases: Vec<(u64, Vec<f64>)>,
}

impl Schedule {
    /// The phase index for run number `run` (0-based); the last phase goes on.
    pub fn phase_at(&self, run: u64) -> usize {
        let mut end = 0;
        for (i, (len, _)) in self.phases.iter().enumerate() {
            end += len;
            if run < end {
                return i;
            }
        }
        self.phases.len().saturating_sub(1)
    }

    /// The shares in force at run number `run` (empty for no phases).
    pub fn shares_at(&self, run: u64) -> &[f64] {
        self.phases
            .get(self.phase_at(run))
            .map_or(&[], |(_, s)| s.as_slice())
    }

    /// Runs in all phases together.
    pub fn total_runs(&self) -> u64 {
        self.phases.iter().map(|(n, _)| n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_are_exact() {
        assert!((mean(&BASELINE) - 3.72).abs() < 1e-12);
        assert!((variance(&BASELINE) - 1.3616).abs() < 1e-12);
        for delta in [0.3, 0.58, -0.94, -1.5] {
            let d = shifted(&BASELINE, delta);
            assert!((mean(&d) - 3.72 - delta).abs() < 1e-9, "{delta}");
            assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let s = Schedule {
            phases: vec![(10, vec![0.2, 0.8]), (5, vec![0.8, 0.2])],
        };
        assert_eq!(
            (
                s.phase_at(9),
                s.phase_at(10),
                s.phase_at(99),
                s.total_runs()
            ),
            (0, 1, 1, 15)
        );
        assert_eq!(s.shares_at(12), &[0.8, 0.2]);
    }

    #[test]
    fn runs_follow_the_truth() {
        let mut sim = Simulator::new(3);
        let truth = ArmTruth::new(BASELINE, 0.8);
        let mut s = ArmStats::default();
        for _ in 0..20_000 {
            sim.record(&mut s, &truth);
        }
        assert!((s.ok as f64 / 20_000.0 - 0.8).abs() < 0.01);
        assert!((s.rated as f64 / 20_000.0 - 0.3).abs() < 0.01);
        assert!((s.rating_mean().unwrap_or(0.0) - 3.72).abs() < 0.03);
        assert!((s.geo_mean_ms().unwrap_or(0.0) / 800.0 - 1.0).abs() < 0.02);
    }
}
