//! The anytime-valid interval: the asymptotic confidence sequence of
//! Waudby-Smith, Arnold, Wu and Ramdas, "Time-uniform central limit theory and
//! asymptotic confidence sequences" (2021/2023), in the form GrowthBook uses for
//! sequential testing.
//!
//! For a mean estimated from `n` observations with per-observation standard
//! deviation σ̂, the interval at every n is `estimate ± σ̂ · m(n)` with
//!
//! ```text
//! m(n) = sqrt( 2(nρ² + 1) / (n²ρ²) · ln( sqrt(nρ² + 1) / α ) )
//! ```
//!
//! and it covers the true mean at all n at once with probability ≥ 1 − α
//! (asymptotically), so one may look after every run. ρ only moves where the
//! interval is tightest; choosing it for a target sample n* gives
//! `ρ² = (−2 ln α + ln(−2 ln α + 1)) / n*` (the paper's approximate optimum,
//! also GrowthBook's tuning). The width is flat around n*: about 3.04 standard
//! errors at α = 0.05 anywhere from n*/2 to 2n*, against 1.96 for a fixed-n test.

/// ρ² that makes the interval tightest near `target_n` observations at `alpha`.
pub fn rho2_for(target_n: f64, alpha: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    (l + (l + 1.0).ln()) / target_n.max(1.0)
}

/// The unit-variance margin m(n) above; +∞ when n is not positive.
pub fn margin(n: f64, rho2: f64, alpha: f64) -> f64 {
    if n <= 0.0 || rho2 <= 0.0 {
        return f64::INFINITY;
    }
    let x = n * rho2 + 1.0;
    (2.0 * x / (n * n * rho2) * (x.sqrt() / alpha).ln()).sqrt()
}

/// The margin in standard errors: m(n)·√n, the "z" that replaces 1.96.
pub fn z_equivalent(n: f64, rho2: f64, alpha: f64) -> f64 {
    margin(n, rho2, alpha) * n.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_by_hand() {
        // n = 100, ρ² = 0.01, α = 0.05: x = 2, m = sqrt(4/100 · ln(√2/0.05)).
        let m = margin(100.0, 0.01, 0.05);
        assert!((m - (0.04 * (2f64.sqrt() / 0.05).ln()).sqrt()).abs() < 1e-12);
        assert_eq!(margin(0.0, 0.01, 0.05), f64::INFINITY);
    }

    #[test]
    fn tuned_width_is_about_three_standard_errors_and_flat() {
        let rho2 = rho2_for(800.0, 0.05);
        let z = z_equivalent(800.0, rho2, 0.05);
        assert!((z - 3.035).abs() < 0.01, "{z}");
        for n in [400.0, 1600.0] {
            assert!(z_equivalent(n, rho2, 0.05) < z + 0.06);
        }
        assert!(z_equivalent(40.0, rho2, 0.05) > 4.0);
    }
}
