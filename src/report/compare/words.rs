//! The words of a verdict: the outcome line, the amounts in their units, and
//! how long the runs still needed would take.

use super::*;

pub(super) fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Rating => "rating",
        Metric::Success => "success",
    }
}

pub(super) fn side(side: Side) -> &'static str {
    match side {
        Side::A => "a",
        Side::B => "b",
    }
}

pub(super) fn veto_name(veto: Veto) -> &'static str {
    match veto {
        Veto::Latency => "latency",
        Veto::Success => "success",
        Veto::Cost => "cost",
    }
}

pub(super) fn outcome_json(verdict: &Verdict, a: &str, b: &str, rate: Option<f64>) -> OutcomeJson {
    let named = |s: Side| Some(if s == Side::A { a } else { b }.to_string());
    let empty = OutcomeJson {
        kind: "",
        arm: None,
        name: None,
        diff: None,
        lo: None,
        hi: None,
        more_per_arm: None,
        days_needed: None,
        exceeds_month: None,
        vetoed_by: None,
    };
    match verdict.outcome {
        Outcome::Winner { arm, diff, lo, hi } => OutcomeJson {
            kind: "winner",
            arm: Some(side(arm)),
            name: named(arm),
            diff: Some(diff),
            lo: Some(lo),
            hi: Some(hi),
            ..empty
        },
        Outcome::NoWinnerYet { more_per_arm } => {
            let plannable = more_per_arm != u64::MAX;
            let rate = rate.unwrap_or(0.0);
            OutcomeJson {
                kind: "no_winner_yet",
                more_per_arm: plannable.then_some(more_per_arm),
                days_needed: days_needed(more_per_arm, 2, rate).filter(|_| plannable),
                exceeds_month: Some(!plannable || exceeds_month(more_per_arm, 2, rate)),
                ..empty
            }
        }
        Outcome::NoDifference => OutcomeJson {
            kind: "no_difference",
            ..empty
        },
        Outcome::Vetoed { arm, by } => OutcomeJson {
            kind: "vetoed",
            arm: Some(side(arm)),
            name: named(arm),
            vetoed_by: Some(veto_name(by)),
            ..empty
        },
    }
}

/// A difference in the metric's unit: `+0.41★` or `+12.0 points`.
pub fn amount(metric: Metric, value: f64) -> String {
    match metric {
        Metric::Rating => format!("{value:+.2}★"),
        Metric::Success => format!("{:+.1} points", value * 100.0),
    }
}

pub(super) fn summary(verdict: &Verdict, outcome: &OutcomeJson, cfg: &VerdictConfig) -> String {
    let what = metric_name(verdict.metric);
    let m = verdict.metric;
    let name = outcome.name.clone().unwrap_or_default();
    match verdict.outcome {
        Outcome::Winner { diff, lo, hi, .. } => format!(
            "winner: {name} ({what} {}, 95% anytime interval {} to {})",
            amount(m, diff),
            amount(m, lo),
            amount(m, hi)
        ),
        Outcome::NoWinnerYet { more_per_arm } if more_per_arm == u64::MAX => {
            "no winner yet: too few runs to plan how many more are needed".into()
        }
        Outcome::NoWinnerYet { more_per_arm } => {
            let mut text = format!(
                "no winner yet: about {more_per_arm} more rated runs per arm to detect a \
                 {:.1}★ difference at {:.0}% power",
                cfg.effect_rating,
                cfg.power * 100.0
            );
            match outcome.days_needed {
                Some(days) if outcome.exceeds_month == Some(true) => text.push_str(&format!(
                    "; at this prompt's {} rated runs a day that takes about {:.0} days, more than a month",
                    rate_text(verdict, days, more_per_arm),
                    days
                )),
                Some(days) => text.push_str(&format!(", about {days:.0} days at this prompt's rating rate")),
                None => text.push_str("; the prompt has no ratings to estimate how long that takes"),
            }
            text
        }
        Outcome::NoDifference => match verdict.difference {
            Some(d) => format!(
                "no difference worth acting on ({what} {}, 95% anytime interval {} to {})",
                amount(m, d.diff),
                amount(m, d.interval.lo),
                amount(m, d.interval.hi)
            ),
            None => "no difference worth acting on".into(),
        },
        Outcome::Vetoed { arm, by } => {
            let g = &verdict.guardrails;
            let flip = |r: Option<f64>| {
                if arm == Side::A {
                    r.map(|r| 1.0 / r)
                } else {
                    r
                }
            };
            let why = match by {
                Veto::Latency => format!(
                    "is {:.2}× slower",
                    flip(g.latency_ratio).unwrap_or(f64::NAN)
                ),
                Veto::Success => format!(
                    "succeeds {:.1} points less often",
                    (if arm == Side::A {
                        g.success_diff
                    } else {
                        -g.success_diff
                    }) * 100.0
                ),
                Veto::Cost => format!(
                    "costs {:.2}× as much",
                    flip(g.cost_ratio).unwrap_or(f64::NAN)
                ),
            };
            format!(
                "vetoed: {name} would win on {what} but {why} ({} guardrail)",
                veto_name(by)
            )
        }
    }
}

pub(super) fn rate_text(_verdict: &Verdict, days: f64, more_per_arm: u64) -> String {
    if days > 0.0 {
        format!("{:.1}", (2 * more_per_arm) as f64 / days)
    } else {
        "0".into()
    }
}

/// The probability of superiority in words.
pub fn superiority_words(c: &Comparison) -> String {
    format!(
        "a random {} run is rated higher than a {} run {:.0}% of the time",
        c.b.name,
        c.a.name,
        c.p_superiority * 100.0
    )
}
