//! A 0–100 score per arm for display: a weighted mix of the success probability
//! and the rating mapped onto [0, 1] as (rating − 1)/4. Decisions never use it;
//! they use the verdict, which keeps the metrics apart.

use super::Interval;
use super::arm::ArmStats;
use super::dist::normal_quantile;
use super::rating::{RatingPosterior, RatingPrior};
use super::success;

/// How much each component counts. Only the ratio matters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreWeights {
    /// Weight of the success probability.
    pub success: f64,
    /// Weight of the rating, as (rating − 1)/4.
    pub rating: f64,
}

impl Default for ScoreWeights {
    /// Half success, half rating.
    fn default() -> Self {
        ScoreWeights {
            success: 0.5,
            rating: 0.5,
        }
    }
}

impl ScoreWeights {
    /// The weights scaled to sum to 1; negative or non-finite weights count as
    /// 0, and all-zero weights fall back to the default.
    pub fn normalized(&self) -> (f64, f64) {
        let clean = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
        let (s, r) = (clean(self.success), clean(self.rating));
        if s + r > 0.0 {
            (s / (s + r), r / (s + r))
        } else {
            (0.5, 0.5)
        }
    }
}

/// A display score and what it is made of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// The score, 0 to 100.
    pub value: f64,
    /// 90% band around it, 0 to 100.
    pub interval: Interval,
    /// Posterior success probability (Beta mean).
    pub success: f64,
    /// Posterior mean rating (Bayesian average), 1 to 5.
    pub rating: f64,
    /// Points contributed by success (the two parts sum to `value`).
    pub success_points: f64,
    /// Points contributed by the rating.
    pub rating_points: f64,
}

/// The score of one arm: 100 · (w_s·p + w_r·(r − 1)/4) with normalized weights,
/// p the Beta posterior mean and r the Dirichlet posterior mean. The band is a
/// 90% normal approximation from the two posterior variances, taken as
/// independent: sd = 100·√(w_s²·var_p + w_r²·var_r/16).
pub fn score(stats: &ArmStats, prior: &RatingPrior, weights: &ScoreWeights) -> Score {
    let (ws, wr) = weights.normalized();
    let p = success::posterior_mean(stats.ok, stats.runs);
    let var_p = success::posterior_var(stats.ok, stats.runs);
    let post = RatingPosterior::new(&stats.ratings, prior);
    let r = post.mean();
    let var_r = post.var_of_mean();
    let success_points = 100.0 * ws * p;
    let rating_points = 100.0 * wr * (r - 1.0) / 4.0;
    let value = success_points + rating_points;
    let sd = 100.0 * (ws * ws * var_p + wr * wr * var_r / 16.0).sqrt();
    Score {
        value,
        interval: Interval::around(value, normal_quantile(0.95) * sd, 0.0, 100.0),
        success: p,
        rating: r,
        success_points,
        rating_points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up_and_weights_normalize() {
        let mut s = ArmStats::default();
        for i in 0..98 {
            s.add_run(i % 7 != 0, None, None, None);
        }
        for _ in 0..45 {
            s.add_rating(5);
        }
        let prior = RatingPrior::from_global(&[0, 0, 0, 0, 1], 5.0);
        let sc = score(&s, &prior, &ScoreWeights::default());
        // p = (1 + 84) / 100, rating 5 exactly with an all-5 prior.
        assert!((sc.success - 0.85).abs() < 1e-12 && (sc.rating - 5.0).abs() < 1e-12);
        assert!((sc.value - 92.5).abs() < 1e-9);
        assert!((sc.success_points + sc.rating_points - sc.value).abs() < 1e-12);
        assert!(sc.interval.contains(sc.value) && sc.interval.hi <= 100.0);
        let only = ScoreWeights {
            success: 2.0,
            rating: f64::NAN,
        };
        assert_eq!(only.normalized(), (1.0, 0.0));
        let none = ScoreWeights {
            success: -1.0,
            rating: 0.0,
        };
        assert_eq!(none.normalized(), (0.5, 0.5));
    }
}
