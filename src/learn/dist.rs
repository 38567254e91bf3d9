//! The few distribution functions the rest needs: the normal CDF and quantile,
//! and log-Beta, built on the pure-Rust `libm` crate.

/// The standard normal CDF Φ(x), through `erfc` so both tails keep their
/// relative precision.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// ln Φ(x), finite far into the lower tail: below −30 (where Φ nears the
/// smallest doubles) the asymptotic series −x²/2 − ln(−x√(2π)) + ln(1 − 1/x² + 3/x⁴).
pub fn ln_normal_cdf(x: f64) -> f64 {
    if x > -30.0 {
        normal_cdf(x).ln()
    } else {
        let x2 = x * x;
        -x2 / 2.0 - (-x * (std::f64::consts::TAU).sqrt()).ln()
            + (1.0 - 1.0 / x2 + 3.0 / (x2 * x2)).ln()
    }
}

/// The standard normal density φ(x).
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (std::f64::consts::TAU).sqrt()
}

/// The standard normal quantile Φ⁻¹(p): Acklam's rational approximation
/// (relative error 1.2e-9) polished by one Halley step on [`normal_cdf`].
/// Returns ∓∞ at 0 and 1 and NaN outside `[0, 1]`.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    let e = normal_cdf(x) - p;
    let u = e * (std::f64::consts::TAU).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        assert!((normal_cdf(1.959963985) - 0.975).abs() < 1e-9);
        assert!((normal_cdf(-1.0) - 0.158655254).abs() < 1e-8);
        assert!((normal_quantile(0.975) - 1.959963985).abs() < 1e-8);
        assert!((normal_quantile(0.8) - 0.841621234).abs() < 1e-8);
        assert!((normal_quantile(0.95) - 1.644853627).abs() < 1e-8);
        assert!((normal_quantile(1e-6) + 4.753424309).abs() < 1e-7);
        assert!(normal_quantile(1.5).is_nan());
        assert!((ln_beta(2.0, 3.0) - (1.0f64 / 12.0).ln()).abs() < 1e-12);
        let (below, above) = (ln_normal_cdf(-30.0 - 1e-9), ln_normal_cdf(-30.0 + 1e-9));
        assert!((below - above).abs() < 1e-6 && ln_normal_cdf(-1e3) < -5e5);
        assert!((normal_pdf(0.0) - 0.398942280).abs() < 1e-9);
    }
}
