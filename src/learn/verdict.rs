//! The two-arm verdict: is B better than A, worse, the same, or is it too early?
//!
//! Primary metric: the mean rating, or the success rate while either arm has
//! fewer than `min_rated` rated runs (configurable). The difference B − A is
//! estimated within periods of constant allocation and combined
//! ([`super::stratify`]); its interval is the anytime-valid confidence sequence
//! of [`super::confseq`]:
//!
//! ```text
//! half-width = σ̂ · sqrt( 2(Nρ² + 1) / (N²ρ²) · ln( sqrt(Nρ² + 1) / α ) ),
//! σ̂² = N · Var(d),  N = observations of both arms in the weighted periods,
//! ρ² = (−2 ln α + ln(−2 ln α + 1)) / target_n
//! ```
//!
//! so σ̂ is the per-observation spread that makes σ̂²/N the variance of the
//! difference, as for a single mean. Valid under looking after every run.

use super::Interval;
use super::confseq;
pub use super::guardrail::{GuardrailReport, Guardrails, Side, Veto};
use super::period::{Period, total};
use super::plan;
use super::rating::{RatingPosterior, RatingPrior, prob_superiority};
use super::stratify::{Combined, VarPrior, combine};

mod config;
mod summary;
pub use config::{Metric, Primary, VerdictConfig, days_needed, exceeds_month};
pub use summary::ArmSummary;
use summary::{rating_pairs, success_pairs};

/// What to do with the comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// `arm` is better by `diff` (its mean minus the other's), anytime interval
    /// `[lo, hi]` above 0, and no guardrail objects.
    Winner {
        arm: Side,
        diff: f64,
        lo: f64,
        hi: f64,
    },
    /// Undecided; about `more_per_arm` more samples per arm (rated runs, or runs
    /// when the primary metric is set to success) give the configured power
    /// against the configured effect (see [`super::plan`]); `u64::MAX` when
    /// that cannot be planned (an effect or variance of 0).
    NoWinnerYet { more_per_arm: u64 },
    /// The whole interval lies within ± the practically meaningful margin.
    NoDifference,
    /// `arm` wins on the primary metric but breaks a guardrail.
    Vetoed { arm: Side, by: Veto },
}

/// The stratified difference B − A on the primary metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// B − A.
    pub diff: f64,
    /// Anytime-valid interval.
    pub interval: Interval,
    /// Standard error of `diff`.
    pub se: f64,
    /// Observations behind it (both arms).
    pub n: f64,
}

/// The full comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// The metric the outcome is about.
    pub metric: Metric,
    /// Arm A.
    pub a: ArmSummary,
    /// Arm B.
    pub b: ArmSummary,
    /// None until some period has both arms observed on `metric`.
    pub difference: Option<Difference>,
    /// P(B's next rating > A's) + ½·P(equal), from the posterior predictive.
    pub p_superiority: f64,
    /// Latency, success and cost of B against A.
    pub guardrails: GuardrailReport,
    /// The decision.
    pub outcome: Outcome,
}

/// Compares arm `b` against arm `a` (indices into each period's arms) over
/// `periods`, with `prior` for ratings (see [`RatingPrior::from_global`]).
pub fn compare(
    periods: &[Period],
    a: usize,
    b: usize,
    prior: &RatingPrior,
    cfg: &VerdictConfig,
) -> Verdict {
    let (ta, tb) = (total(periods, a), total(periods, b));
    let alpha = cfg.alpha();
    let rho2 = confseq::rho2_for(cfg.target_n, alpha);
    let rating_prior = VarPrior {
        var: prior.moments().1,
        weight: prior.weights.iter().sum(),
    };
    let metric = cfg.metric_for(ta.rated.min(tb.rated));
    let rating = (cfg.primary != Primary::Success)
        .then(|| combine(rating_pairs(periods, a, b), rating_prior, rating_prior));
    let comb: Option<Combined> = match metric {
        Metric::Rating => rating.flatten(),
        Metric::Success => {
            let p = VarPrior {
                var: 0.25,
                weight: 2.0,
            };
            combine(success_pairs(periods, a, b), p, p)
        }
    };
    let difference = comb.map(|c| {
        let half = (c.var * c.n).sqrt() * confseq::margin(c.n, rho2, alpha);
        Difference {
            diff: c.diff,
            interval: Interval::new(c.diff - half, c.diff + half),
            se: c.var.sqrt(),
            n: c.n,
        }
    });
    let guardrails = GuardrailReport::measure(&ta, &tb);
    let (min_n, margin) = match metric {
        Metric::Rating => (cfg.min_rated as f64, cfg.margin_rating),
        Metric::Success => (cfg.min_runs as f64, cfg.margin_success),
    };
    let enough = comb.is_some_and(|c| c.n_a >= min_n && c.n_b >= min_n);
    let decided = difference.filter(|_| enough).and_then(|d| {
        let i = d.interval;
        let side = if i.lo > 0.0 {
            Side::B
        } else if i.hi < 0.0 {
            Side::A
        } else if -margin < i.lo && i.hi < margin {
            return Some(Outcome::NoDifference);
        } else {
            return None;
        };
        Some(match guardrails.veto(side, &cfg.guardrails) {
            Some(by) => Outcome::Vetoed { arm: side, by },
            None if side == Side::B => Outcome::Winner {
                arm: side,
                diff: d.diff,
                lo: i.lo,
                hi: i.hi,
            },
            None => Outcome::Winner {
                arm: side,
                diff: -d.diff,
                lo: -i.hi,
                hi: -i.lo,
            },
        })
    });
    let outcome = decided.unwrap_or_else(|| {
        // Sample size for the metric the experiment is after: ratings unless
        // success was chosen, even while success stands in for them.
        let rated = ta.rated.min(tb.rated);
        let (va, vb, effect, have, least) = match (cfg.primary, rating.flatten()) {
            (Primary::Success, _) => {
                let (va, vb) = comb.map_or((0.25, 0.25), |c| (c.var_a, c.var_b));
                (
                    va,
                    vb,
                    cfg.effect_success,
                    ta.runs.min(tb.runs),
                    cfg.min_runs,
                )
            }
            (_, Some(c)) => (c.var_a, c.var_b, cfg.effect_rating, rated, cfg.min_rated),
            (_, None) => (
                rating_prior.var,
                rating_prior.var,
                cfg.effect_rating,
                rated,
                cfg.min_rated,
            ),
        };
        let need = plan::required_per_arm(va, vb, effect, cfg.power, rho2, alpha);
        Outcome::NoWinnerYet {
            more_per_arm: need.map_or(u64::MAX, |n| n.max(least).saturating_sub(have)),
        }
    });
    let pa = RatingPosterior::new(&ta.ratings, prior).probs();
    let pb = RatingPosterior::new(&tb.ratings, prior).probs();
    Verdict {
        metric,
        a: ArmSummary::of(&ta, prior),
        b: ArmSummary::of(&tb, prior),
        difference,
        p_superiority: prob_superiority(&pa, &pb),
        guardrails,
        outcome,
    }
}
