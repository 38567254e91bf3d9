//! Routing strategies as one pure decision: from the arms' statistics, the
//! configured weights, one uniform number and (for sticky routing) a key hash
//! to the chosen arm, the probability it had, and every arm's probability. The
//! probability is logged with the run so later estimates can weight by it.

use super::arm::ArmStats;
use super::rating::RatingPrior;
use super::select::{Objective, draw, normalized, objective_posterior, p_best, with_floor};
use super::sticky::sticky_index;

/// How an arm is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Always this arm (by index; out of range means the first).
    Fixed(usize),
    /// At random in proportion to the weights.
    Weighted,
    /// By the key hash mapped onto the weights; random like `Weighted` without
    /// a key.
    Sticky,
    /// The arm with the highest posterior objective, once every arm has
    /// `min_samples`; the weights before.
    Best,
    /// Thompson sampling: each arm with its probability of being best, at
    /// least `floor`, once every arm has `min_samples`; the weights before.
    Bandit,
}

/// Settings of the learning strategies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LearnConfig {
    /// What "best" means (default half success, half rating).
    pub objective: Objective,
    /// Rated runs per arm (runs, when the objective ignores ratings) before
    /// the router adapts (10).
    pub min_samples: u64,
    /// Least share of traffic per arm under `Bandit` (0.05).
    pub floor: f64,
}

impl Default for LearnConfig {
    fn default() -> Self {
        LearnConfig {
            objective: Objective::default(),
            min_samples: 10,
            floor: 0.05,
        }
    }
}

/// What [`decide`] needs; all plain data.
#[derive(Clone, Copy, Debug)]
pub struct DecideInput<'a> {
    /// Statistics per arm (the learning strategies read them).
    pub stats: &'a [ArmStats],
    /// Configured weights per arm, same order; their count is the arm count.
    pub weights: &'a [f64],
    /// Prior for ratings.
    pub prior: &'a RatingPrior,
    /// One uniform number in [0, 1) for the random draw.
    pub u: f64,
    /// Hash of key and prompt for `Sticky` (see [`super::sticky::sticky_hash`]).
    pub key_hash: Option<u64>,
}

impl<'a> DecideInput<'a> {
    /// The input of a strategy that needs no sticky key.
    pub fn new(stats: &'a [ArmStats], weights: &'a [f64], prior: &'a RatingPrior, u: f64) -> Self {
        DecideInput {
            stats,
            weights,
            prior,
            u,
            key_hash: None,
        }
    }
}

/// A routing decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The chosen arm.
    pub index: usize,
    /// The probability the chosen arm had.
    pub p: f64,
    /// Every arm's probability.
    pub probs: Vec<f64>,
}

/// Chooses an arm; None when there are no arms. Arms missing from `stats`
/// count as having no data.
pub fn decide(strategy: Strategy, input: &DecideInput, cfg: &LearnConfig) -> Option<Decision> {
    let k = input.weights.len();
    if k == 0 {
        return None;
    }
    let weights = normalized(input.weights);
    let stats: Vec<ArmStats> = (0..k)
        .map(|i| input.stats.get(i).cloned().unwrap_or_default())
        .collect();
    let uses_rating = cfg.objective.normalized().1 > 0.0;
    let ready = stats
        .iter()
        .all(|s| if uses_rating { s.rated } else { s.runs } >= cfg.min_samples);
    let probs = match strategy {
        Strategy::Fixed(i) => one_hot(k, if i < k { i } else { 0 }),
        Strategy::Weighted => weights,
        Strategy::Sticky => {
            if let Some(h) = input.key_hash {
                let index = sticky_index(h, &weights);
                let p = weights[index];
                return Some(Decision {
                    index,
                    p,
                    probs: weights,
                });
            }
            weights
        }
        Strategy::Best if ready => {
            let mut best = 0;
            let mut best_mean = f64::NEG_INFINITY;
            for (i, s) in stats.iter().enumerate() {
                let (m, _) = objective_posterior(s, input.prior, &cfg.objective);
                if m > best_mean {
                    (best, best_mean) = (i, m);
                }
            }
            one_hot(k, best)
        }
        Strategy::Bandit if ready => {
            with_floor(&p_best(&stats, input.prior, &cfg.objective), cfg.floor)
        }
        Strategy::Best | Strategy::Bandit => weights,
    };
    let index = draw(&probs, input.u);
    Some(Decision {
        index,
        p: probs[index],
        probs,
    })
}

fn one_hot(k: usize, i: usize) -> Vec<f64> {
    (0..k).map(|j| if j == i { 1.0 } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_by_hand() {
        let prior = RatingPrior::uniform(5.0);
        let cfg = LearnConfig::default();
        let w = [0.25, 0.75];
        let none = [ArmStats::default(), ArmStats::default()];
        let d = decide(
            Strategy::Weighted,
            &DecideInput::new(&none, &w, &prior, 0.3),
            &cfg,
        )
        .expect("arms");
        assert_eq!((d.index, d.p), (1, 0.75));
        let d = decide(
            Strategy::Fixed(7),
            &DecideInput::new(&none, &w, &prior, 0.9),
            &cfg,
        )
        .expect("arms");
        assert_eq!((d.index, d.p), (0, 1.0));
        // Not enough data: learning strategies follow the weights.
        let d = decide(
            Strategy::Bandit,
            &DecideInput::new(&none, &w, &prior, 0.1),
            &cfg,
        )
        .expect("arms");
        assert_eq!(d.probs, vec![0.25, 0.75]);
        let mut good = ArmStats::default();
        let mut bad = ArmStats::default();
        for _ in 0..40 {
            good.add_run(true, None, None, None);
            good.add_rating(5);
            bad.add_run(false, None, None, None);
            bad.add_rating(1);
        }
        let stats = [bad, good];
        let d = decide(
            Strategy::Best,
            &DecideInput::new(&stats, &w, &prior, 0.0),
            &cfg,
        )
        .expect("arms");
        assert_eq!((d.index, d.p), (1, 1.0));
        let d = decide(
            Strategy::Bandit,
            &DecideInput::new(&stats, &w, &prior, 0.0),
            &cfg,
        )
        .expect("arms");
        assert_eq!(d.index, 0);
        assert!((d.p - 0.05).abs() < 1e-12 && (d.probs[1] - 0.95).abs() < 1e-12);
        let keyed = DecideInput {
            key_hash: Some(u64::MAX),
            ..DecideInput::new(&none, &w, &prior, 0.0)
        };
        assert_eq!(
            decide(Strategy::Sticky, &keyed, &cfg).map(|d| d.index),
            Some(1)
        );
        assert_eq!(
            decide(
                Strategy::Weighted,
                &DecideInput::new(&none, &[], &prior, 0.0),
                &cfg
            ),
            None
        );
    }
}
