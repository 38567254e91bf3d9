//! Sample-ratio mismatch: does the observed split of runs over arms agree with
//! the probabilities the router logged? A mismatch means runs went missing or
//! were assigned some other way than logged, and any comparison built on the
//! logged probabilities is suspect.
//!
//! Pearson's chi-square over the arms, expected counts `N · p̄ᵢ` where `p̄ᵢ` is
//! the mean logged probability of arm `i` over the runs (so allocations that
//! changed over time are accounted for), with `k − 1` degrees of freedom.

/// The chi-square test's p-value for `observed` runs per arm against
/// `mean_probs` (the mean logged probability per arm; normalized here). 1 when
/// there is nothing to test (fewer than two arms with a positive probability,
/// or no runs); 0 when runs landed on an arm whose probability was 0.
pub fn srm_p_value(observed: &[u64], mean_probs: &[f64]) -> f64 {
    let n: u64 = observed.iter().sum();
    let total: f64 = mean_probs
        .iter()
        .filter(|p| p.is_finite() && **p > 0.0)
        .sum();
    if n == 0 || total <= 0.0 {
        return 1.0;
    }
    let mut chi2 = 0.0;
    let mut arms = 0usize;
    for (i, &seen) in observed.iter().enumerate() {
        let p = mean_probs
            .get(i)
            .copied()
            .filter(|p| p.is_finite() && *p > 0.0);
        match p {
            Some(p) => {
                let expected = n as f64 * p / total;
                chi2 += (seen as f64 - expected).powi(2) / expected;
                arms += 1;
            }
            None if seen > 0 => return 0.0,
            None => {}
        }
    }
    if arms < 2 {
        return 1.0;
    }
    chi2_survival(chi2, (arms - 1) as f64)
}

/// P(X ≥ x) for X chi-square with `df` degrees of freedom: the regularized
/// upper incomplete gamma function Q(df/2, x/2).
pub fn chi2_survival(x: f64, df: f64) -> f64 {
    if x.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}

/// Regularized upper incomplete gamma Q(a, x): the series for x < a + 1, the
/// continued fraction (modified Lentz) beyond.
fn gamma_q(a: f64, x: f64) -> f64 {
    let ln_front = a * x.ln() - x - libm::lgamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * ln_front.exp()).clamp(0.0, 1.0)
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (ln_front.exp() * h).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_textbook_values() {
        // Critical values: P(χ²₁ ≥ 3.841) = 0.05, P(χ²₂ ≥ 5.991) = 0.05,
        // P(χ²₁ ≥ 10.828) = 0.001, P(χ²₅ ≥ 11.070) = 0.05.
        for (x, df, p) in [
            (3.841_458_82, 1.0, 0.05),
            (5.991_464_55, 2.0, 0.05),
            (10.827_566_2, 1.0, 0.001),
            (11.070_497_7, 5.0, 0.05),
        ] {
            let got = chi2_survival(x, df);
            assert!((got - p).abs() < 1e-6, "χ²({df}) ≥ {x}: {got}");
        }
        // Two degrees of freedom: exactly e^(−x/2).
        assert!((chi2_survival(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-12);
        assert_eq!(chi2_survival(0.0, 3.0), 1.0);
    }

    #[test]
    fn sample_ratio_mismatch_by_hand() {
        // 500/500 under 50/50: no mismatch at all.
        assert!((srm_p_value(&[500, 500], &[0.5, 0.5]) - 1.0).abs() < 1e-12);
        // 550/450 under 50/50: χ² = 2·50²/500 = 10, p ≈ 0.00157.
        let p = srm_p_value(&[550, 450], &[0.5, 0.5]);
        assert!((p - 0.001_565_402_5).abs() < 1e-8, "{p}");
        // The same split is what 55/45 predicts; probabilities are normalized.
        assert!((srm_p_value(&[550, 450], &[1.1, 0.9]) - 1.0).abs() < 1e-12);
        // Runs on an arm that could not be drawn: certain mismatch.
        assert_eq!(srm_p_value(&[3, 10], &[0.0, 1.0]), 0.0);
        assert_eq!(srm_p_value(&[0, 10], &[0.0, 1.0]), 1.0);
        assert_eq!(srm_p_value(&[], &[]), 1.0);
    }
}
