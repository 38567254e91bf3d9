//! Alert rules against a report: which prompts breach which threshold. Pure:
//! printing the breaches and running `alerts.command` happen elsewhere.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::alerts::rules::{AlertRules, AlertsConfig};
use crate::report::engine::model::{GroupStats, Report};
use crate::report::window::WindowLabel;
use crate::report::window::views::{Selection, WindowedReports};

/// The `schema` of `report --check --format json`.
pub const BREACHES_SCHEMA: &str = "promptrun.breaches/v1";

/// The alert check of the windowed views of `selection`.
pub fn check_windows(
    config: &AlertsConfig,
    selection: &Selection,
    reports: &WindowedReports,
) -> CheckResult {
    // Per variant: the selection groups by it (`report --check`), or else the
    // dashboard's prompt-and-variant view, with no previous window to compare.
    let (current, previous) = if config.per_variant() && selection.detail.is_none() {
        (&reports.variants, None)
    } else {
        (&reports.current, reports.previous.as_ref())
    };
    evaluate(
        config,
        current,
        previous,
        selection.window.label(),
        selection.window.previous().map(|w| w.label()),
    )
}

/// One prompt breaking one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    /// The prompt.
    pub prompt: String,
    /// The variant (`alerts.per: "variant"` only; `-` for runs without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The rule's config key, e.g. `min_success_rate`.
    pub rule: &'static str,
    /// The measured value (for `*_increase_pct` and `*_drop`, the change).
    pub value: f64,
    /// The configured threshold.
    pub threshold: f64,
    /// The prompt's runs in the window.
    pub runs: u64,
}

impl Breach {
    /// The prompt, with ` / variant` when rules are checked per variant.
    pub fn name(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{} / {variant}", self.prompt),
            None => self.prompt.clone(),
        }
    }
}

/// Everything `report --check` found, as JSON for machines and `alerts.command`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// Always [`BREACHES_SCHEMA`].
    pub schema: &'static str,
    /// The window checked.
    pub window: WindowLabel,
    /// The window compared against, if any.
    pub previous_window: Option<WindowLabel>,
    /// Prompts checked (with at least `min_runs` runs).
    pub checked: u64,
    /// Prompts skipped for having fewer than `min_runs` runs.
    pub skipped_few_runs: Vec<String>,
    /// The breaches, by prompt then rule.
    pub breaches: Vec<Breach>,
}

/// Checks every prompt of `current` (grouped by prompt) against its rules,
/// comparing with the same prompt in `previous` for the change rules.
pub fn evaluate(
    config: &AlertsConfig,
    current: &Report,
    previous: Option<&Report>,
    window: WindowLabel,
    previous_window: Option<WindowLabel>,
) -> CheckResult {
    let before: BTreeMap<String, &GroupStats> = previous
        .map(|report| {
            report
                .groups
                .iter()
                .map(|group| (group_name(group), group))
                .collect()
        })
        .unwrap_or_default();
    let mut result = CheckResult {
        schema: BREACHES_SCHEMA,
        window,
        previous_window,
        checked: 0,
        skipped_few_runs: Vec::new(),
        breaches: Vec::new(),
    };
    for group in &current.groups {
        let prompt = prompt_of(group);
        let rules = config.rules_for(prompt);
        let name = group_name(group);
        if group.runs < rules.min_runs.unwrap_or(1) {
            result.skipped_few_runs.push(name);
            continue;
        }
        result.checked += 1;
        let found = breaches_of(&rules, group, before.get(&name).copied());
        let variant = group.key.get("variant").map(|v| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.clone()
            }
        });
        result
            .breaches
            .extend(found.into_iter().map(|(rule, value, threshold)| Breach {
                prompt: prompt.to_string(),
                variant: variant.clone(),
                rule,
                value,
                threshold,
                runs: group.runs,
            }));
    }
    result
        .breaches
        .sort_by(|a, b| (&a.prompt, &a.variant, a.rule).cmp(&(&b.prompt, &b.variant, b.rule)));
    result
}

/// The group's name: its prompt, then ` / variant` when grouped by variant (`-`
/// for none) and ` @ version` (12 hex digits) when grouped by version.
pub fn group_name(group: &GroupStats) -> String {
    let mut name = prompt_of(group).to_string();
    if let Some(variant) = group.key.get("variant") {
        name.push_str(" / ");
        name.push_str(if variant.is_empty() { "-" } else { variant });
    }
    if let Some(version) = group.key.get("version") {
        name.push_str(" @ ");
        name.push_str(if version.is_empty() {
            "-"
        } else {
            crate::report::render::short_hash(version)
        });
    }
    name
}

/// The group's prompt name (`""` for a group without one).
pub fn prompt_of(group: &GroupStats) -> &str {
    group
        .prompt
        .as_deref()
        .or_else(|| group.key.get("prompt").map(String::as_str))
        .unwrap_or("")
}

/// `(rule, value, threshold)` for every rule `now` breaks. A rule whose value is
/// unknown (no completed run, no rating, nothing to compare with) does not fire.
pub fn breaches_of(
    rules: &AlertRules,
    now: &GroupStats,
    before: Option<&GroupStats>,
) -> Vec<(&'static str, f64, f64)> {
    let mut found = Vec::new();
    let mut low = |rule, value: Option<f64>, threshold: Option<f64>| {
        if let (Some(value), Some(threshold)) = (value, threshold)
            && value < threshold
        {
            found.push((rule, value, threshold));
        }
    };
    low("min_success_rate", now.success_rate, rules.min_success_rate);
    low("min_mean_rating", now.ratings.mean, rules.min_mean_rating);
    low(
        "min_participation",
        now.participation,
        rules.min_participation,
    );
    let mut high = |rule, value: Option<f64>, threshold: Option<f64>| {
        if let (Some(value), Some(threshold)) = (value, threshold)
            && value > threshold
        {
            found.push((rule, value, threshold));
        }
    };
    high("max_p95_ms", now.duration_ms.p95, rules.max_p95_ms);
    high(
        "max_incomplete_rate",
        incomplete_rate(now),
        rules.max_incomplete_rate,
    );
    high(
        "max_p95_increase_pct",
        p95_increase_pct(now, before),
        rules.max_p95_increase_pct,
    );
    high(
        "max_rating_drop",
        rating_drop(now, before),
        rules.max_rating_drop,
    );
    high("max_cost_p95_usd", now.cost_usd.p95, rules.max_cost_p95_usd);
    let total = (now.cost_usd.runs > 0).then_some(now.cost_usd.total);
    high("max_cost_total_usd", total, rules.max_cost_total_usd);
    found
}

/// Incomplete runs ÷ runs.
pub fn incomplete_rate(group: &GroupStats) -> Option<f64> {
    (group.runs > 0).then(|| group.incomplete as f64 / group.runs as f64)
}

/// How much p95 grew against the previous window, in percent.
pub fn p95_increase_pct(now: &GroupStats, before: Option<&GroupStats>) -> Option<f64> {
    let (now, before) = (now.duration_ms.p95?, before?.duration_ms.p95?);
    (before > 0.0).then(|| (now - before) / before * 100.0)
}

/// How many stars the mean rating lost against the previous window (negative: it rose).
pub fn rating_drop(now: &GroupStats, before: Option<&GroupStats>) -> Option<f64> {
    Some(before?.ratings.mean? - now.ratings.mean?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(runs: u64, ok: u64, p95: f64, rating: f64, participation: f64) -> GroupStats {
        let mut group = GroupStats {
            prompt: Some("p".into()),
            runs,
            ok,
            success_rate: Some(ok as f64 / runs as f64),
            participation: Some(participation),
            ..GroupStats::default()
        };
        group.duration_ms.p95 = Some(p95);
        group.ratings.mean = Some(rating);
        group.cost_usd.runs = runs;
        group.cost_usd.p95 = Some(0.002);
        group.cost_usd.total = 0.15;
        group
    }

    fn fired(
        rules: &AlertRules,
        now: &GroupStats,
        before: Option<&GroupStats>,
    ) -> Vec<&'static str> {
        breaches_of(rules, now, before)
            .into_iter()
            .map(|b| b.0)
            .collect()
    }

    #[test]
    fn every_rule_fires_just_past_its_threshold_and_not_at_it() {
        let now = group(100, 90, 1000.0, 4.0, 0.5);
        let mut incomplete = now.clone();
        incomplete.incomplete = 10;
        let before = group(100, 100, 800.0, 4.5, 0.5);
        let cases: [(AlertRules, AlertRules, &str); 9] = [
            (
                rules(|r| r.min_success_rate = Some(0.90)),
                rules(|r| r.min_success_rate = Some(0.91)),
                "min_success_rate",
            ),
            (
                rules(|r| r.max_p95_ms = Some(1000.0)),
                rules(|r| r.max_p95_ms = Some(999.0)),
                "max_p95_ms",
            ),
            (
                rules(|r| r.min_mean_rating = Some(4.0)),
                rules(|r| r.min_mean_rating = Some(4.01)),
                "min_mean_rating",
            ),
            (
                rules(|r| r.min_participation = Some(0.5)),
                rules(|r| r.min_participation = Some(0.51)),
                "min_participation",
            ),
            (
                rules(|r| r.max_incomplete_rate = Some(0.1)),
                rules(|r| r.max_incomplete_rate = Some(0.09)),
                "max_incomplete_rate",
            ),
            (
                rules(|r| r.max_p95_increase_pct = Some(25.0)),
                rules(|r| r.max_p95_increase_pct = Some(24.9)),
                "max_p95_increase_pct",
            ),
            (
                rules(|r| r.max_rating_drop = Some(0.5)),
                rules(|r| r.max_rating_drop = Some(0.49)),
                "max_rating_drop",
            ),
            (
                rules(|r| r.max_cost_p95_usd = Some(0.002)),
                rules(|r| r.max_cost_p95_usd = Some(0.0019)),
                "max_cost_p95_usd",
            ),
            (
                rules(|r| r.max_cost_total_usd = Some(0.15)),
                rules(|r| r.max_cost_total_usd = Some(0.149)),
                "max_cost_total_usd",
            ),
        ];
        for (at, past, name) in cases {
            let subject = if name == "max_incomplete_rate" {
                &incomplete
            } else {
                &now
            };
            assert!(
                fired(&at, subject, Some(&before)).is_empty(),
                "{name} fired at its threshold"
            );
            assert_eq!(fired(&past, subject, Some(&before)), vec![name]);
        }
        let change = rules(|r| r.max_p95_increase_pct = Some(1.0));
        assert!(
            fired(&change, &now, None).is_empty(),
            "no previous window, no change rule"
        );
    }

    #[test]
    fn min_runs_skips_small_prompts() {
        let config: AlertsConfig =
            serde_json::from_str(r#"{"min_runs": 101, "max_p95_ms": 1}"#).unwrap();
        let report = Report {
            groups: vec![group(100, 100, 5.0, 5.0, 1.0)],
            ..Report::default()
        };
        let window = WindowLabel {
            start: None,
            end: "x".into(),
        };
        let result = evaluate(&config, &report, None, window.clone(), None);
        assert_eq!((result.checked, result.breaches.len()), (0, 0));
        assert_eq!(result.skipped_few_runs, vec!["p".to_string()]);
        let config: AlertsConfig =
            serde_json::from_str(r#"{"min_runs": 100, "max_p95_ms": 1}"#).unwrap();
        let result = evaluate(&config, &report, None, window, None);
        assert_eq!(result.breaches.len(), 1);
    }

    fn rules(set: impl FnOnce(&mut AlertRules)) -> AlertRules {
        let mut rules = AlertRules::default();
        set(&mut rules);
        rules
    }
}
