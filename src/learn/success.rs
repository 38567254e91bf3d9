//! Success rate: a Beta(1 + ok, 1 + failed) posterior (uniform prior) for the
//! point estimate, and the Wilson score interval for the range.

use super::Interval;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A success estimate for display.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SuccessEstimate {
    /// Posterior mean (1 + ok) / (2 + n).
    pub mean: f64,
    /// Wilson 95% interval.
    pub interval: Interval,
}

/// The posterior mean of the success probability, (1 + ok) / (2 + n): the
/// Beta(1, 1) prior adds one success and one failure, so 0 of 0 reads 0.5 and
/// 3 of 3 reads 0.8, not 1. `ok` above `n` is taken as `n`.
pub fn posterior_mean(ok: u64, n: u64) -> f64 {
    (1.0 + ok.min(n) as f64) / (2.0 + n as f64)
}

/// The posterior variance of the success probability, ab / ((a + b)²(a + b + 1))
/// with a = 1 + ok and b = 1 + failed.
pub fn posterior_var(ok: u64, n: u64) -> f64 {
    let a = 1.0 + ok.min(n) as f64;
    let b = 1.0 + (n - ok.min(n)) as f64;
    a * b / ((a + b) * (a + b) * (a + b + 1.0))
}

/// The Wilson score interval for `ok` successes in `n` runs at normal quantile
/// `z`: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). Unlike p̂ ± z·se it
/// stays inside [0, 1] and is not zero-width at 0 or n successes. `[0, 1]` when
/// `n` is 0.
pub fn wilson(ok: u64, n: u64, z: f64) -> Interval {
    if n == 0 {
        return Interval::new(0.0, 1.0);
    }
    let nf = n as f64;
    let p = ok.min(n) as f64 / nf;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let denom = 1.0 + z2 / nf;
    Interval::new(
        ((centre - half) / denom).max(0.0),
        ((centre + half) / denom).min(1.0),
    )
}

/// Posterior mean and Wilson 95% interval.
pub fn estimate(ok: u64, n: u64) -> SuccessEstimate {
    SuccessEstimate {
        mean: posterior_mean(ok, n),
        interval: wilson(ok, n, Z95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_mean_and_variance() {
        assert_eq!(posterior_mean(0, 0), 0.5);
        assert_eq!(posterior_mean(3, 3), 0.8);
        assert_eq!(posterior_mean(9, 3), 0.8);
        // Beta(2, 1): variance 2/(9·4) = 1/18.
        assert!((posterior_var(1, 1) - 1.0 / 18.0).abs() < 1e-15);
    }

    #[test]
    fn wilson_matches_hand_values() {
        // 8 of 10 at 95%: the textbook (0.4902, 0.9433).
        let i = wilson(8, 10, Z95);
        assert!(
            (i.lo - 0.4902).abs() < 1e-4 && (i.hi - 0.9433).abs() < 1e-4,
            "{i:?}"
        );
        let all = wilson(5, 5, Z95);
        assert!(all.hi == 1.0 && all.lo > 0.5 && all.lo < 0.6);
        assert_eq!(wilson(0, 0, Z95), Interval::new(0.0, 1.0));
        assert_eq!(estimate(8, 10).mean, 0.75);
    }
}
