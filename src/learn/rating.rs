//! Star ratings: a Dirichlet posterior over the five star values. The prior is a
//! handful of pseudo-ratings spread like the global rating distribution, so an
//! arm with two 5★ ratings reads a little above the global mean, not 5.0 — a
//! Bayesian average.
//!
//! Interval method: the posterior of the mean rating Σ k·p_k has an exact mean
//! and variance under the Dirichlet; the interval is the normal approximation
//! with those two moments (mean ± z·sd), clipped to [1, 5]. No simulation.

use super::Interval;
use super::dist::normal_quantile;

/// Default prior strength: the prior counts as this many ratings.
pub const PRIOR_STRENGTH: f64 = 5.0;

/// The Dirichlet prior: pseudo-counts for 1 to 5 stars.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatingPrior {
    /// Pseudo-counts; their sum is the prior strength.
    pub weights: [f64; 5],
}

impl RatingPrior {
    /// `strength` pseudo-ratings spread like `global` (counts of 1..5 stars
    /// over all arms); spread evenly when `global` is empty. A strength that is
    /// not finite or not positive is taken as [`PRIOR_STRENGTH`].
    pub fn from_global(global: &[u64; 5], strength: f64) -> Self {
        let strength = if strength.is_finite() && strength > 0.0 {
            strength
        } else {
            PRIOR_STRENGTH
        };
        let total: u64 = global.iter().sum();
        let mut weights = [strength / 5.0; 5];
        if total > 0 {
            for (w, &c) in weights.iter_mut().zip(global) {
                *w = strength * c as f64 / total as f64;
            }
        }
        RatingPrior { weights }
    }

    /// `strength` pseudo-ratings spread evenly (mean 3).
    pub fn uniform(strength: f64) -> Self {
        Self::from_global(&[0; 5], strength)
    }

    /// The prior's own mean and variance of one rating.
    pub fn moments(&self) -> (f64, f64) {
        moments(&self.weights)
    }
}

/// Mean and variance of one rating drawn from weights over 1..5 stars (any scale).
pub fn moments(weights: &[f64; 5]) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return (3.0, 2.0); // the uniform distribution's
    }
    let (mut m, mut m2) = (0.0, 0.0);
    for (i, w) in weights.iter().enumerate() {
        let k = (i + 1) as f64;
        m += k * w / total;
        m2 += k * k * w / total;
    }
    (m, (m2 - m * m).max(0.0))
}

/// The Dirichlet posterior of one arm: prior pseudo-counts plus rating counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatingPosterior {
    /// Posterior parameters α₁..α₅.
    pub alpha: [f64; 5],
}

impl RatingPosterior {
    /// The posterior after `counts` ratings of 1..5 stars.
    pub fn new(counts: &[u64; 5], prior: &RatingPrior) -> Self {
        let mut alpha = prior.weights;
        for (a, &c) in alpha.iter_mut().zip(counts) {
            *a += c as f64;
        }
        RatingPosterior { alpha }
    }

    /// Σα: ratings plus prior strength.
    pub fn total(&self) -> f64 {
        self.alpha.iter().sum()
    }

    /// Posterior mean probabilities, which are also the predictive distribution
    /// of the next rating.
    pub fn probs(&self) -> [f64; 5] {
        let t = self.total();
        self.alpha.map(|a| if t > 0.0 { a / t } else { 0.2 })
    }

    /// Posterior mean of the mean rating, Σ k·α_k / Σα (the Bayesian average).
    pub fn mean(&self) -> f64 {
        moments(&self.alpha).0
    }

    /// Variance of one predicted rating, Σ k²·α_k/Σα − mean².
    pub fn predictive_var(&self) -> f64 {
        moments(&self.alpha).1
    }

    /// Posterior variance of the mean rating: predictive variance / (Σα + 1).
    pub fn var_of_mean(&self) -> f64 {
        self.predictive_var() / (self.total() + 1.0)
    }

    /// Two-sided interval for the mean rating at `level` (e.g. 0.9), by the
    /// normal approximation with the exact posterior mean and variance.
    pub fn interval(&self, level: f64) -> Interval {
        let z = normal_quantile(0.5 + level.clamp(0.0, 0.999_999) / 2.0);
        Interval::around(self.mean(), z * self.var_of_mean().sqrt(), 1.0, 5.0)
    }
}

/// P(B > A) + ½·P(B = A) for one rating from each of two distributions over
/// 1..5 stars (each given as probabilities): how often B's next rating beats
/// A's, ties split evenly. 0.5 means no difference.
pub fn prob_superiority(a: &[f64; 5], b: &[f64; 5]) -> f64 {
    let mut below = 0.0; // P(A < k)
    let mut p = 0.0;
    for k in 0..5 {
        p += b[k] * (below + 0.5 * a[k]);
        below += a[k];
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayesian_average_pulls_toward_the_global_spread() {
        let prior = RatingPrior::from_global(&[6, 10, 20, 34, 30], 5.0);
        let (m0, _) = prior.moments();
        assert!((m0 - 3.72).abs() < 1e-12);
        let post = RatingPosterior::new(&[0, 0, 0, 0, 2], &prior);
        // (5·3.72 + 2·5) / 7
        assert!((post.mean() - (5.0 * 3.72 + 10.0) / 7.0).abs() < 1e-12);
        let i = post.interval(0.9);
        assert!(i.lo < post.mean() && post.mean() < i.hi && i.hi <= 5.0);
        let uni = RatingPrior::from_global(&[0; 5], f64::NAN);
        assert_eq!(uni.weights, [1.0; 5]);
    }

    #[test]
    fn dirichlet_variance_by_hand() {
        // α = (1,1,1,1,1): mean 3, predictive var 2, var of mean 2/6.
        let post = RatingPosterior::new(&[0; 5], &RatingPrior::uniform(5.0));
        assert!((post.var_of_mean() - 2.0 / 6.0).abs() < 1e-12);
        let z = normal_quantile(0.95);
        assert!((post.interval(0.9).hi - (3.0 + z * (1.0f64 / 3.0).sqrt())).abs() < 1e-12);
    }

    #[test]
    fn superiority_of_shifted_distributions() {
        let a = [0.2; 5];
        assert!((prob_superiority(&a, &a) - 0.5).abs() < 1e-12);
        assert_eq!(
            prob_superiority(&[1.0, 0.0, 0.0, 0.0, 0.0], &[0.0, 0.0, 0.0, 0.0, 1.0]),
            1.0
        );
        let up = [0.0, 0.2, 0.2, 0.2, 0.4];
        let p = prob_superiority(&a, &up);
        assert!((p + prob_superiority(&up, &a) - 1.0).abs() < 1e-12 && p > 0.5);
    }
}
