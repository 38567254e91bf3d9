//! `promptrun compare`: which arms of a prompt to compare, and the verdicts of
//! `learn::verdict::compare` on them, as the `promptrun.compare/v1` document.
//! Pure values; `render::compare_text` only formats them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::arms::{Arm, ScoreJson, arms_by_prompt, periods_of, pooled, prior, short_version};
use super::engine::model::{InputSummary, Report};
use crate::learn::guardrail::{Side, Veto};
use crate::learn::verdict::{Metric, Outcome, Verdict, VerdictConfig, days_needed, exceeds_month};
use crate::learn::{RatingPrior, compare as verdict_of};

/// The `schema` of `compare --format json`.
pub const COMPARE_SCHEMA: &str = "promptrun.compare/v1";

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Variants of the current versions, and each variant's current version
    /// against its previous one.
    #[default]
    Auto,
    /// These two variants (A is the baseline).
    Variants(String, String),
    /// Each variant's current version against its previous version.
    Versions,
}

/// The choices of a comparison.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// Only this prompt (exact name).
    pub prompt: Option<String>,
    pub mode: Mode,
    /// Pool every version of a variant instead of taking its current one.
    pub all_versions: bool,
    /// `default_variant` of each configured prompt: the baseline of its variants.
    pub default_variants: BTreeMap<String, String>,
}

/// The whole document.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// Always [`COMPARE_SCHEMA`].
    pub schema: &'static str,
    /// What was read.
    pub inputs: InputSummary,
    /// The filters applied, as given.
    pub filters: BTreeMap<String, serde_json::Value>,
    /// The rating prior: pseudo-counts of 1..5 stars and their mean.
    pub prior: PriorJson,
    /// One entry per pair of arms compared.
    pub comparisons: Vec<Comparison>,
    /// Prompts seen with a single arm: nothing to compare.
    pub single_arm_prompts: Vec<String>,
}

/// The rating prior.
#[derive(Debug, Clone, Serialize)]
pub struct PriorJson {
    pub weights: [f64; 5],
    pub mean: f64,
}

/// One comparison: B (the challenger) against A (the baseline).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub prompt: String,
    /// `variants` or `versions`.
    pub kind: &'static str,
    pub a: ArmJson,
    pub b: ArmJson,
    /// The primary metric: `rating`, or `success` while either arm has under 10 rated runs.
    pub metric: &'static str,
    /// B − A on the metric, with the 95% anytime-valid interval; null without data.
    pub difference: Option<DifferenceJson>,
    /// P(a B run is rated higher than an A run) + ½ P(equal).
    pub p_superiority: f64,
    pub guardrails: GuardrailsJson,
    pub outcome: OutcomeJson,
    /// Rated runs a day of the prompt (all its arms) over the time its runs span.
    pub rated_per_day: Option<f64>,
    /// The verdict in one line, as the table prints it.
    pub summary: String,
}

/// One arm.
#[derive(Debug, Clone, Serialize)]
pub struct ArmJson {
    /// The variant name (comparing variants) or short version (comparing versions).
    pub name: String,
    pub variant: Option<String>,
    /// The full prompt_sha256, null when pooled over versions or unknown.
    pub version: Option<String>,
    /// Completed runs.
    pub runs: u64,
    pub ok: u64,
    pub rated: u64,
    /// Beta posterior mean and Wilson 95% interval.
    pub success: Estimate,
    /// Bayesian average rating and its 90% interval.
    pub rating: Estimate,
    /// Median duration, ms (the latency guardrail's measure).
    pub latency_ms: Option<f64>,
    /// Display score 0–100 with its components (not used for decisions).
    pub score: ScoreJson,
}

/// An estimate with an interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// B − A.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DifferenceJson {
    pub diff: f64,
    pub lo: f64,
    pub hi: f64,
    pub se: f64,
}

/// The guardrail measurements, B against A.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GuardrailsJson {
    pub latency_ratio: Option<f64>,
    pub success_diff: f64,
    pub cost_ratio: Option<f64>,
}

/// The outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeJson {
    /// `winner`, `no_winner_yet`, `no_difference` or `vetoed`.
    pub kind: &'static str,
    /// `a` or `b`, for winner and vetoed.
    pub arm: Option<&'static str>,
    /// The winning (or vetoed) arm's name.
    pub name: Option<String>,
    /// Winner: winner − other on the metric and its interval.
    pub diff: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// No winner yet: more rated runs per arm for 80% power at 0.3★; null when it cannot be planned.
    pub more_per_arm: Option<u64>,
    /// Those runs in days at the prompt's rating rate; null without a rate.
    pub days_needed: Option<f64>,
    /// Whether that is more than 30 days (true when it cannot be known).
    pub exceeds_month: Option<bool>,
    /// Vetoed: `latency`, `success` or `cost`.
    pub vetoed_by: Option<&'static str>,
}

/// Compares the arms of `report` (grouped by `arms::ARM_FIELDS`).
pub fn compute(report: Report, options: &CompareOptions) -> CompareReport {
    let prior = prior(&report.totals);
    let cfg = VerdictConfig::default();
    let mut comparisons = Vec::new();
    let mut single = Vec::new();
    for (prompt, arms) in arms_by_prompt(&report) {
        if options.prompt.as_ref().is_some_and(|p| *p != prompt) {
            continue;
        }
        let before = comparisons.len();
        let rate = rated_per_day(&arms);
        let by_variant = by_variant(&arms);
        let default = options.default_variants.get(&prompt);
        if matches!(options.mode, Mode::Auto | Mode::Variants(..)) {
            let current: Vec<Arm> = by_variant
                .values()
                .map(|versions| {
                    if options.all_versions {
                        let mut all = pooled(versions);
                        all.variant.clone_from(&versions[0].variant);
                        all
                    } else {
                        (*versions[0]).clone()
                    }
                })
                .collect();
            let pairs: Vec<(usize, usize)> = match &options.mode {
                Mode::Variants(a, b) => {
                    let find = |name: &str| {
                        current
                            .iter()
                            .position(|arm| arm.variant.as_deref().unwrap_or("-") == name)
                    };
                    find(a).zip(find(b)).into_iter().collect()
                }
                _ if current.len() < 2 => Vec::new(),
                _ => {
                    let base = default
                        .and_then(|d| current.iter().position(|a| a.variant.as_ref() == Some(d)))
                        .unwrap_or_else(|| most_runs(&current));
                    (0..current.len())
                        .filter(|&i| i != base)
                        .map(|i| (base, i))
                        .collect()
                }
            };
            for (a, b) in pairs {
                comparisons.push(comparison(
                    &prompt,
                    "variants",
                    (&current[a], &current[b]),
                    &prior,
                    &cfg,
                    rate,
                    options.all_versions,
                ));
            }
        }
        if matches!(options.mode, Mode::Auto | Mode::Versions) {
            for versions in by_variant.values() {
                if let [current, previous, ..] = versions.as_slice() {
                    comparisons.push(comparison(
                        &prompt,
                        "versions",
                        (previous, current),
                        &prior,
                        &cfg,
                        rate,
                        false,
                    ));
                }
            }
        }
        if comparisons.len() == before && arms.len() < 2 {
            single.push(prompt);
        }
    }
    CompareReport {
        schema: COMPARE_SCHEMA,
        inputs: report.inputs,
        filters: report.filters,
        prior: PriorJson {
            weights: prior.weights,
            mean: prior.moments().0,
        },
        comparisons,
        single_arm_prompts: single,
    }
}

/// Each variant's arms, the latest version first.
fn by_variant(arms: &[Arm]) -> BTreeMap<Option<String>, Vec<&Arm>> {
    let mut out: BTreeMap<Option<String>, Vec<&Arm>> = BTreeMap::new();
    for arm in arms {
        out.entry(arm.variant.clone()).or_default().push(arm);
    }
    for versions in out.values_mut() {
        versions.sort_by(|x, y| y.last_ts.cmp(&x.last_ts));
    }
    out
}

fn most_runs(arms: &[Arm]) -> usize {
    (0..arms.len())
        .max_by_key(|&i| (arms[i].total().runs, std::cmp::Reverse(i)))
        .unwrap_or(0)
}

/// Rated runs a day over the days the prompt's runs span (at least one day).
fn rated_per_day(arms: &[Arm]) -> Option<f64> {
    let rated: u64 = arms.iter().map(|a| a.total().rated).sum();
    let parse = |ts: &Option<String>| {
        ts.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let first = arms.iter().filter_map(|a| parse(&a.first_ts)).min()?;
    let last = arms.iter().filter_map(|a| parse(&a.last_ts)).max()?;
    let days = ((last - first).num_milliseconds() as f64 / 86_400_000.0).max(1.0);
    (rated > 0).then(|| rated as f64 / days)
}

fn comparison(
    prompt: &str,
    kind: &'static str,
    (a, b): (&Arm, &Arm),
    prior: &RatingPrior,
    cfg: &VerdictConfig,
    rate: Option<f64>,
    pooled_versions: bool,
) -> Comparison {
    let verdict = verdict_of(&periods_of(a, b), 0, 1, prior, cfg);
    let name = |arm: &Arm| match kind {
        "variants" => arm.variant.clone().unwrap_or_else(|| "-".into()),
        _ => short_version(arm.version.as_deref()),
    };
    let arm_json = |arm: &Arm, s: &crate::learn::verdict::ArmSummary| ArmJson {
        name: name(arm),
        variant: arm.variant.clone(),
        version: arm.version.clone().filter(|_| !pooled_versions),
        runs: s.runs,
        ok: arm.total().ok,
        rated: s.rated,
        success: Estimate {
            mean: s.success.mean,
            lo: s.success.interval.lo,
            hi: s.success.interval.hi,
        },
        rating: Estimate {
            mean: s.rating,
            lo: s.rating_interval.lo,
            hi: s.rating_interval.hi,
        },
        latency_ms: s.geo_mean_ms,
        score: arm.score(prior).into(),
    };
    let (aj, bj) = (arm_json(a, &verdict.a), arm_json(b, &verdict.b));
    let outcome = outcome_json(&verdict, &aj.name, &bj.name, rate);
    let summary = summary(&verdict, &outcome, cfg);
    Comparison {
        prompt: prompt.to_string(),
        kind,
        a: aj,
        b: bj,
        metric: metric_name(verdict.metric),
        difference: verdict.difference.map(|d| DifferenceJson {
            diff: d.diff,
            lo: d.interval.lo,
            hi: d.interval.hi,
            se: d.se,
        }),
        p_superiority: verdict.p_superiority,
        guardrails: GuardrailsJson {
            latency_ratio: verdict.guardrails.latency_ratio,
            success_diff: verdict.guardrails.success_diff,
            cost_ratio: verdict.guardrails.cost_ratio,
        },
        outcome,
        rated_per_day: rate,
        summary,
    }
}

fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Rating => "rating",
        Metric::Success => "success",
    }
}

fn side(side: Side) -> &'static str {
    match side {
        Side::A => "a",
        Side::B => "b",
    }
}

fn veto_name(veto: Veto) -> &'static str {
    match veto {
        Veto::Latency => "latency",
        Veto::Success => "success",
        Veto::Cost => "cost",
    }
}

fn outcome_json(verdict: &Verdict, a: &str, b: &str, rate: Option<f64>) -> OutcomeJson {
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

fn summary(verdict: &Verdict, outcome: &OutcomeJson, cfg: &VerdictConfig) -> String {
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

fn rate_text(_verdict: &Verdict, days: f64, more_per_arm: u64) -> String {
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

/// Each configured prompt's `default_variant`.
pub fn default_variants(config: Option<&crate::config::LoadedConfig>) -> BTreeMap<String, String> {
    config
        .iter()
        .flat_map(|loaded| loaded.config.prompts.iter())
        .filter_map(|(name, prompt)| Some((name.clone(), prompt.default_variant.clone()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::engine::model::GroupStats;

    fn group(variant: &str, version: &str, last: &str, runs: u64) -> GroupStats {
        let mut g = GroupStats::default();
        for (k, v) in [("prompt", "p"), ("variant", variant), ("version", version)] {
            g.key.insert(k.into(), v.into());
        }
        g.runs = runs;
        g.ok = runs;
        g.statuses.insert("ok".into(), runs);
        g.first_ts = Some("2026-11-01T00:00:00.000Z".into());
        g.last_ts = Some(last.into());
        g
    }

    fn report() -> Report {
        Report {
            groups: vec![
                group("a", "old", "2026-11-10T00:00:00.000Z", 50),
                group("a", "new", "2026-11-20T00:00:00.000Z", 30),
                group("b", "vb", "2026-11-20T00:00:00.000Z", 40),
                group("c", "vc", "2026-11-20T00:00:00.000Z", 5),
            ],
            ..Report::default()
        }
    }

    fn pairs(doc: &CompareReport) -> Vec<(&str, String, String)> {
        doc.comparisons
            .iter()
            .map(|c| (c.kind, c.a.label(), c.b.label()))
            .collect()
    }

    impl ArmJson {
        fn label(&self) -> String {
            format!("{}@{}", self.name, self.version.as_deref().unwrap_or("*"))
        }
    }

    #[test]
    fn variants_at_their_current_version_and_versions_per_variant() {
        let doc = compute(report(), &CompareOptions::default());
        // Baseline: most runs among the current arms (b: 40 > a@new: 30 > c: 5).
        assert_eq!(
            pairs(&doc),
            vec![
                ("variants", "b@vb".into(), "a@new".into()),
                ("variants", "b@vb".into(), "c@vc".into()),
                ("versions", "old@old".into(), "new@new".into()),
            ]
        );
        let options = CompareOptions {
            default_variants: [("p".to_string(), "c".to_string())].into(),
            mode: Mode::Variants("a".into(), "c".into()),
            all_versions: true,
            prompt: Some("p".into()),
        };
        let doc = compute(report(), &options);
        assert_eq!(pairs(&doc), vec![("variants", "a@*".into(), "c@*".into())]);
        assert_eq!(doc.comparisons[0].a.runs, 80, "both versions of a pooled");
        let doc = compute(
            report(),
            &CompareOptions {
                mode: Mode::Versions,
                ..CompareOptions::default()
            },
        );
        assert_eq!(pairs(&doc).len(), 1);
        assert!(doc.comparisons[0].summary.starts_with("no winner yet"));
    }
}
