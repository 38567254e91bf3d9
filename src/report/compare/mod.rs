//! `promptrun compare`: which arms of a prompt to compare, and the verdicts of
//! `learn::verdict::compare` on them, as the `promptrun.compare/v1` document.
//! Pure values; `render::compare_text` only formats them.

mod document;
mod words;

use std::collections::BTreeMap;

use super::arms::{Arm, arms_by_prompt, periods_of, pooled, prior, short_version};
use super::engine::model::Report;
use crate::learn::guardrail::{Side, Veto};
use crate::learn::verdict::{Metric, Outcome, Verdict, VerdictConfig, days_needed, exceeds_month};
use crate::learn::{RatingPrior, compare as verdict_of};

/// The `schema` of `compare --format json`.
pub const COMPARE_SCHEMA: &str = "promptrun.compare/v1";

pub use document::*;
use words::*;
pub use words::{amount, superiority_words};

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
