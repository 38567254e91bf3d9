//! The difference of two arms' means, estimated within each period of constant
//! allocation and then combined, so a split that changes while the metric drifts
//! does not leak the drift into the difference (Simpson's paradox).
//!
//! Per period j with n_aj and n_bj observations: d_j = mean_bj − mean_aj.
//! Weights h_j = n_aj·n_bj / (n_aj + n_bj) — the inverse variance of d_j when
//! both arms share one variance, so no noisy per-period variance enters the
//! weights. Combined: d = Σ h_j d_j / Σ h_j and
//! Var(d) = Σ h_j² (s_a²/n_aj + s_b²/n_bj) / (Σ h_j)².
//! s_a² is arm a's variance within periods (pooled over periods, so drift
//! between periods does not inflate it), shrunk toward a prior variance v₀ with
//! w₀ pseudo-observations: s² = (Σ_j SS_j + w₀·v₀) / (Σ_j (n_j − 1) + w₀).
//! That keeps s² away from 0 after a few identical values. Periods where either
//! arm has no observation carry no weight.

/// Raw sums of one arm's observations in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// Observations.
    pub n: f64,
    /// Σ x.
    pub sum: f64,
    /// Σ x².
    pub sum_sq: f64,
}

impl Moments {
    /// The sums of n values of 0/1 of which `ok` are 1.
    pub fn binary(ok: u64, n: u64) -> Self {
        let ok = ok.min(n) as f64;
        Moments {
            n: n as f64,
            sum: ok,
            sum_sq: ok,
        }
    }

    /// The sums of ratings given as counts of 1..5 stars.
    pub fn ratings(counts: &[u64; 5]) -> Self {
        let mut m = Moments::default();
        for (i, &c) in counts.iter().enumerate() {
            let (k, c) = ((i + 1) as f64, c as f64);
            m.n += c;
            m.sum += k * c;
            m.sum_sq += k * k * c;
        }
        m
    }

    /// Σ (x − mean)², never negative.
    pub fn ss(&self) -> f64 {
        if self.n > 0.0 {
            (self.sum_sq - self.sum * self.sum / self.n).max(0.0)
        } else {
            0.0
        }
    }
}

/// A variance prior: `weight` pseudo-observations of variance `var`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VarPrior {
    /// Prior variance v₀.
    pub var: f64,
    /// Pseudo-observations w₀.
    pub weight: f64,
}

/// The combined difference b − a.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Combined {
    /// Σ h_j d_j / Σ h_j.
    pub diff: f64,
    /// Variance of `diff`.
    pub var: f64,
    /// Observations in the periods that carry weight (both arms).
    pub n: f64,
    /// Observations of a, b in those periods.
    pub n_a: f64,
    /// See `n_a`.
    pub n_b: f64,
    /// Within-period variance of one observation of a, b (shrunk).
    pub var_a: f64,
    /// See `var_a`.
    pub var_b: f64,
}

/// Combines periods given as (a, b) moment pairs; None until some period has
/// observations of both arms.
pub fn combine(
    periods: impl Iterator<Item = (Moments, Moments)>,
    prior_a: VarPrior,
    prior_b: VarPrior,
) -> Option<Combined> {
    let (mut h_sum, mut hd_sum, mut qa, mut qb, mut n) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut n_a, mut n_b) = (0.0, 0.0);
    let (mut ss_a, mut df_a, mut ss_b, mut df_b) = (0.0, 0.0, 0.0, 0.0);
    for (a, b) in periods {
        if a.n > 0.0 {
            ss_a += a.ss();
            df_a += a.n - 1.0;
        }
        if b.n > 0.0 {
            ss_b += b.ss();
            df_b += b.n - 1.0;
        }
        if a.n > 0.0 && b.n > 0.0 {
            let h = a.n * b.n / (a.n + b.n);
            h_sum += h;
            hd_sum += h * (b.sum / b.n - a.sum / a.n);
            qa += h * h / a.n;
            qb += h * h / b.n;
            n += a.n + b.n;
            n_a += a.n;
            n_b += b.n;
        }
    }
    if h_sum <= 0.0 {
        return None;
    }
    let shrunk = |ss: f64, df: f64, p: VarPrior| {
        let w = p.weight.max(0.0);
        if df + w > 0.0 {
            (ss + w * p.var) / (df + w)
        } else {
            p.var
        }
    };
    let var_a = shrunk(ss_a, df_a, prior_a);
    let var_b = shrunk(ss_b, df_b, prior_b);
    Some(Combined {
        diff: hd_sum / h_sum,
        var: (var_a * qa + var_b * qb) / (h_sum * h_sum),
        n,
        n_a,
        n_b,
        var_a,
        var_b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_PRIOR: VarPrior = VarPrior {
        var: 1.0,
        weight: 0.0,
    };

    #[test]
    fn one_period_is_the_plain_difference() {
        let a = Moments::ratings(&[0, 0, 1, 1, 0]); // 3, 4
        let b = Moments::ratings(&[0, 0, 0, 1, 1]); // 4, 5
        let c = combine([(a, b)].into_iter(), NO_PRIOR, NO_PRIOR).expect("both arms");
        assert!((c.diff - 1.0).abs() < 1e-12);
        // s² = 0.5 each, Var = 0.5/2 + 0.5/2.
        assert!((c.var - 0.5).abs() < 1e-12 && c.n == 4.0);
    }

    #[test]
    fn drift_between_periods_cancels() {
        // Period 1: both arms high, a rarely; period 2: both low, b rarely.
        let p1 = (
            Moments {
                n: 2.0,
                sum: 10.0,
                sum_sq: 50.0,
            },
            Moments {
                n: 8.0,
                sum: 40.0,
                sum_sq: 200.0,
            },
        );
        let p2 = (
            Moments {
                n: 8.0,
                sum: 16.0,
                sum_sq: 32.0,
            },
            Moments {
                n: 2.0,
                sum: 4.0,
                sum_sq: 8.0,
            },
        );
        let c = combine(
            [p1, p2].into_iter(),
            NO_PRIOR,
            VarPrior {
                var: 1.0,
                weight: 2.0,
            },
        )
        .expect("both");
        assert_eq!(c.diff, 0.0);
        assert_eq!(c.var_a, 0.0);
        assert!((c.var_b - 2.0 / 10.0).abs() < 1e-12);
        let lonely = [(Moments::binary(3, 4), Moments::default())];
        assert!(combine(lonely.into_iter(), NO_PRIOR, NO_PRIOR).is_none());
    }
}
