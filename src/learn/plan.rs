//! How many rated runs per arm until a real difference is found: the sample
//! size behind "N more needed", for the anytime interval of [`super::confseq`]
//! watched after every run.
//!
//! Take n runs per arm and the running sum S_t of per-pair differences: drift
//! δ (the effect) and variance σ² = var_a + var_b per pair. A winner is named
//! the first time S_t/t clears the half-width z_cs(2t)·σ/√t, i.e. S_t crosses
//! B(t) = z_cs(2t)·σ·√t. Treating S as a Brownian motion and B near n as its
//! tangent line a + b·t (b = B(n)/2n, a = B(n)/2), the chance of crossing by n
//! is the first-passage formula for a line:
//!
//! ```text
//! P(n) = Φ((μn − a)/(σ√n)) + exp(2μa/σ²)·Φ((−μn − a)/(σ√n)),   μ = δ − b
//! ```
//!
//! and the answer is the smallest n with P(n) ≥ power. The tangent lies above
//! the concave B, so P is a little low (n a little high); continuous crossing
//! counts a few detections that looks after each rated run miss (n a little
//! low). The tests check the result against simulation.

use super::confseq::z_equivalent;
use super::dist::{ln_normal_cdf, normal_quantile};

/// The chance that a difference `effect` with per-pair variance `s` is found
/// by n runs per arm: P(n) of the module docs.
pub fn detection_by(n: f64, s: f64, effect: f64, rho2: f64, alpha: f64) -> f64 {
    let sigma = s.sqrt();
    let root = n.sqrt();
    let edge = z_equivalent(2.0 * n, rho2, alpha) * sigma * root;
    let (a, b) = (edge / 2.0, edge / (2.0 * n));
    let mu = effect - b;
    let direct = super::dist::normal_cdf((mu * n - a) / (sigma * root));
    let reflected = (2.0 * mu * a / s + ln_normal_cdf((-mu * n - a) / (sigma * root))).exp();
    (direct + reflected).min(1.0)
}

/// The fixed-look sample: the smallest n with
/// `effect ≥ (z_cs(2n) + z_power)·√(s/n)`, where the estimate at n alone must
/// clear the interval. Ignores earlier looks, so it is an upper bound.
pub fn fixed_look_per_arm(s: f64, effect: f64, power: f64, rho2: f64, alpha: f64) -> f64 {
    let zp = normal_quantile(power);
    let mut n = 100.0;
    // z_cs changes slowly with n: a few fixed-point steps converge.
    for _ in 0..6 {
        let z = z_equivalent(2.0 * n, rho2, alpha) + zp;
        n = (z * z * s / (effect * effect)).clamp(1.0, 1e12);
    }
    n
}

/// Rated runs per arm at which a true difference `effect` between arms with
/// these per-observation variances has been declared with probability `power`
/// (clamped to [0.5, 0.999]). None for a non-positive or non-finite effect or
/// variance, or beyond 10⁹.
pub fn required_per_arm(
    var_a: f64,
    var_b: f64,
    effect: f64,
    power: f64,
    rho2: f64,
    alpha: f64,
) -> Option<u64> {
    let s = var_a + var_b;
    if !(effect > 0.0 && s > 0.0 && s.is_finite() && effect.is_finite()) {
        return None;
    }
    let power = power.clamp(0.5, 0.999);
    // P(n) ≥ the fixed-look chance, so the fixed-look n is an upper bound;
    // bisect below it on whole numbers.
    let mut hi = (fixed_look_per_arm(s, effect, power, rho2, alpha).ceil() + 1.0).max(2.0);
    if hi > 1e9 {
        return None;
    }
    let mut lo = 1.0;
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if detection_by(mid, s, effect, rho2, alpha) >= power {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::confseq::rho2_for;

    #[test]
    fn first_passage_needs_fewer_than_one_look_and_is_monotone() {
        let rho2 = rho2_for(800.0, 0.05);
        let s = 1.3616 + 1.24;
        let fixed = fixed_look_per_arm(s, 0.3, 0.8, rho2, 0.05);
        let n = required_per_arm(1.3616, 1.24, 0.3, 0.8, rho2, 0.05).unwrap_or(0);
        assert!((n as f64) < fixed && (330..420).contains(&n), "{n} {fixed}");
        assert!(detection_by(n as f64, s, 0.3, rho2, 0.05) >= 0.8);
        assert!(detection_by(n as f64 - 1.0, s, 0.3, rho2, 0.05) < 0.8);
        let mut last = 0.0;
        for n in [10.0, 50.0, 200.0, 400.0, 1000.0] {
            let p = detection_by(n, s, 0.3, rho2, 0.05);
            assert!(p > last && p <= 1.0);
            last = p;
        }
        // The fixed look by hand: (z_cs + z_0.8)²·s/δ² at the converged n.
        let z = z_equivalent(2.0 * fixed, rho2, 0.05) + normal_quantile(0.8);
        assert!((z * z * s / 0.09 - fixed).abs() < 0.5);
        assert_eq!(required_per_arm(1.0, 1.0, 0.0, 0.8, rho2, 0.05), None);
        assert_eq!(required_per_arm(0.0, 0.0, 0.3, 0.8, rho2, 0.05), None);
        assert_eq!(required_per_arm(1e12, 1.0, 1e-9, 0.8, rho2, 0.05), None);
    }
}
