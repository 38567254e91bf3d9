//! The shared sequential loop: runs are routed by an allocation, simulated,
//! added to the open period, and after every rated run a look decides whether
//! to stop. Everything is O(1) per run except the look itself.

use crate::learn::arm::ArmStats;
use crate::learn::period::History;
use crate::learn::rating::RatingPrior;
use crate::learn::sim::{ArmTruth, BASELINE, Simulator};
use crate::learn::verdict::{Outcome, Side, Verdict, VerdictConfig, compare};

/// The prior the tests use: the global distribution is the baseline's.
pub fn prior() -> RatingPrior {
    RatingPrior::from_global(&[6, 10, 20, 34, 30], 5.0)
}

/// The verdict of B against A over the history, with the default settings.
pub fn verdict(h: &History) -> Verdict {
    compare(h.periods(), 0, 1, &prior(), &VerdictConfig::default())
}

/// The winner, if the verdict names one.
pub fn winner(v: &Verdict) -> Option<Side> {
    match v.outcome {
        Outcome::Winner { arm, .. } => Some(arm),
        _ => None,
    }
}

/// What a look sees.
pub struct Look<'a> {
    /// Everything recorded, by period.
    pub history: &'a History,
    /// Totals per arm (kept incrementally).
    pub totals: &'a [ArmStats; 2],
}

/// Runs one experiment of at most `max_runs` runs. Before run `r`,
/// `allocation(r, totals)` gives the shares (a change opens a new period) and
/// `truth(arm, r)` the arm's truth; `look` runs after every rated run and stops
/// the experiment by returning true.
pub fn experiment(
    seed: u64,
    max_runs: u64,
    mut allocation: impl FnMut(u64, &[ArmStats; 2], &mut Simulator) -> [f64; 2],
    truth: impl Fn(usize, u64) -> ArmTruth,
    mut look: impl FnMut(&Look) -> bool,
) {
    let mut sim = Simulator::new(seed);
    let mut totals = [ArmStats::default(), ArmStats::default()];
    let first = allocation(0, &totals, &mut sim);
    let mut history = History::new(&first);
    for run in 0..max_runs {
        let shares = if run == 0 {
            first
        } else {
            allocation(run, &totals, &mut sim)
        };
        history.set_allocation(&shares);
        let arm = sim.rng.categorical(&shares);
        let t = truth(arm, run);
        let r = sim.run(&t);
        for stats in [history.arm_mut(arm), Some(&mut totals[arm])]
            .into_iter()
            .flatten()
        {
            stats.add_run(r.ok, Some(r.duration_ms), Some(r.cost), None);
            if let Some(stars) = r.rating {
                stats.add_rating(stars);
            }
        }
        if r.rating.is_some()
            && look(&Look {
                history: &history,
                totals: &totals,
            })
        {
            return;
        }
    }
}

/// A fixed split for every run.
pub fn fixed(shares: [f64; 2]) -> impl FnMut(u64, &[ArmStats; 2], &mut Simulator) -> [f64; 2] {
    move |_, _, _| shares
}

/// Arm A at the baseline (80% success), arm B `delta` stars better with
/// `success_b`, constant over time.
pub fn constant(delta: f64, success_b: f64) -> impl Fn(usize, u64) -> ArmTruth {
    let a = ArmTruth::new(BASELINE, 0.8);
    let b = ArmTruth::new(crate::learn::sim::shifted(&BASELINE, delta), success_b);
    move |arm, _| if arm == 0 { a } else { b }
}

/// The naive rule that must fail: Welch's t on the pooled ratings, |t| > 1.96,
/// looked at after every rated run once both arms have 10.
pub fn naive_welch(t: &[ArmStats; 2]) -> bool {
    if t[0].rated < 10 || t[1].rated < 10 {
        return false;
    }
    let mv = |s: &ArmStats| {
        let n = s.rated as f64;
        let (sum, sq) = s.rating_sums();
        let m = sum / n;
        (m, (sq - n * m * m) / (n - 1.0) / n)
    };
    let ((ma, va), (mb, vb)) = (mv(&t[0]), mv(&t[1]));
    let se = (va + vb).sqrt();
    se > 0.0 && ((mb - ma) / se).abs() > 1.96
}

/// The pooled (unstratified) difference of mean ratings, B − A.
pub fn pooled_diff(t: &[ArmStats; 2]) -> f64 {
    t[1].rating_mean().unwrap_or(0.0) - t[0].rating_mean().unwrap_or(0.0)
}

/// `count / reps` as a share.
pub fn share(count: usize, reps: usize) -> f64 {
    count as f64 / reps as f64
}
