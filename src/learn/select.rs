//! Selection probabilities for routing that learns: each arm's posterior of a
//! combined objective, its chance of being best (the Thompson-sampling choice
//! probability), a floor so no arm starves, and the draw itself.
//!
//! Objective per arm: `w_s·p + w_r·(r − 1)/4` with normalized weights, p the
//! Beta(1 + ok, 1 + failed) success posterior and r the Dirichlet mean rating.
//! With a rating weight of 0 the Beta posteriors are compared exactly
//! ([`pbest::p_best_beta`]); otherwise each arm's objective is taken as normal
//! with mean `w_s·E[p] + w_r·(E[r] − 1)/4` and variance
//! `w_s²·Var[p] + w_r²·Var[r]/16` (the parts independent), and compared with
//! [`pbest::p_best_normal`].

use super::arm::ArmStats;
use super::pbest;
use super::rating::{RatingPosterior, RatingPrior};
use super::score::ScoreWeights;
use super::success;

/// Weights of success and rating in what the router maximises; the same
/// normalization as the display score (default half and half).
pub type Objective = ScoreWeights;

/// Posterior mean and standard deviation of one arm's objective.
pub fn objective_posterior(
    stats: &ArmStats,
    prior: &RatingPrior,
    objective: &Objective,
) -> (f64, f64) {
    let (ws, wr) = objective.normalized();
    let post = RatingPosterior::new(&stats.ratings, prior);
    let mean = ws * success::posterior_mean(stats.ok, stats.runs) + wr * (post.mean() - 1.0) / 4.0;
    let var = ws * ws * success::posterior_var(stats.ok, stats.runs)
        + wr * wr * post.var_of_mean() / 16.0;
    (mean, var.sqrt())
}

/// Each arm's probability of having the highest objective.
pub fn p_best(stats: &[ArmStats], prior: &RatingPrior, objective: &Objective) -> Vec<f64> {
    if objective.normalized().1 == 0.0 {
        let arms: Vec<(f64, f64)> = stats
            .iter()
            .map(|s| (1.0 + s.ok.min(s.runs) as f64, 1.0 + s.failed() as f64))
            .collect();
        pbest::p_best_beta(&arms)
    } else {
        let arms: Vec<(f64, f64)> = stats
            .iter()
            .map(|s| objective_posterior(s, prior, objective))
            .collect();
        pbest::p_best_normal(&arms)
    }
}

/// `weights` scaled to sum to 1; negative and non-finite weights count as 0,
/// and all-zero weights become an even split.
pub fn normalized(weights: &[f64]) -> Vec<f64> {
    let clean: Vec<f64> = weights
        .iter()
        .map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
        .collect();
    let total: f64 = clean.iter().sum();
    if total > 0.0 {
        clean.iter().map(|w| w / total).collect()
    } else {
        vec![1.0 / weights.len().max(1) as f64; weights.len()]
    }
}

/// Gives every arm at least `floor` of the traffic: arms below it get exactly
/// `floor`, the others share what is left in proportion to their probability.
/// Repeats until no arm is pushed under the floor. A floor of 1/k or more
/// gives an even split.
pub fn with_floor(probs: &[f64], floor: f64) -> Vec<f64> {
    let p = normalized(probs);
    let k = p.len();
    if k == 0 || floor.is_nan() || floor <= 0.0 {
        return p;
    }
    if floor * k as f64 >= 1.0 {
        return vec![1.0 / k as f64; k];
    }
    let mut pinned = vec![false; k];
    loop {
        let free_mass = 1.0 - floor * pinned.iter().filter(|&&x| x).count() as f64;
        let free_sum: f64 = (0..k).filter(|&i| !pinned[i]).map(|i| p[i]).sum();
        let scale = if free_sum > 0.0 {
            free_mass / free_sum
        } else {
            0.0
        };
        let mut changed = false;
        for i in 0..k {
            if !pinned[i] && p[i] * scale < floor {
                pinned[i] = true;
                changed = true;
            }
        }
        if !changed {
            return (0..k)
                .map(|i| if pinned[i] { floor } else { p[i] * scale })
                .collect();
        }
    }
}

/// The arm whose slice of [0, 1) — slices laid end to end in order, each as
/// wide as its probability — holds `u`. `u` is clamped into [0, 1); a `u` past
/// the last slice (rounding) picks the last arm with a positive probability.
pub fn draw(probs: &[f64], u: f64) -> usize {
    let u = if u.is_finite() {
        u.clamp(0.0, 1.0 - f64::EPSILON)
    } else {
        0.0
    };
    let mut edge = 0.0;
    let mut last = 0;
    for (i, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            edge += p;
            last = i;
            if u < edge {
                return i;
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_pins_and_renormalises() {
        let p = with_floor(&[0.01, 0.99], 0.05);
        assert!((p[0] - 0.05).abs() < 1e-12 && (p[1] - 0.95).abs() < 1e-12);
        let p = with_floor(&[0.0, 0.02, 0.98], 0.05);
        assert!(
            (p[0] - 0.05).abs() < 1e-12
                && (p[1] - 0.05).abs() < 1e-12
                && (p[2] - 0.9).abs() < 1e-12
        );
        assert_eq!(with_floor(&[0.3, 0.7], 0.0), vec![0.3, 0.7]);
        assert_eq!(with_floor(&[0.0, 1.0], 0.6), vec![0.5, 0.5]);
        assert_eq!(normalized(&[f64::NAN, -1.0]), vec![0.5, 0.5]);
    }

    #[test]
    fn draw_walks_the_slices() {
        let p = [0.2, 0.0, 0.8];
        assert_eq!(draw(&p, 0.0), 0);
        assert_eq!(draw(&p, 0.199), 0);
        assert_eq!(draw(&p, 0.2), 2);
        assert_eq!(draw(&p, 1.0), 2);
        assert_eq!(draw(&p, f64::NAN), 0);
    }

    #[test]
    fn better_arm_is_more_likely_best() {
        let mut a = ArmStats::default();
        let mut b = ArmStats::default();
        for i in 0..100 {
            a.add_run(i % 5 != 0, None, None, None);
            b.add_run(i % 10 != 0, None, None, None);
        }
        let prior = RatingPrior::uniform(5.0);
        let only_success = Objective {
            success: 1.0,
            rating: 0.0,
        };
        let exact = p_best(&[a.clone(), b.clone()], &prior, &only_success);
        let approx = p_best(
            &[a, b],
            &prior,
            &Objective {
                success: 1.0,
                rating: 1e-9,
            },
        );
        assert!(
            exact[1] > 0.95 && (exact[1] - approx[1]).abs() < 0.01,
            "{exact:?} {approx:?}"
        );
    }
}
