//! The `alerts` section of the router config: thresholds for `report --check`.
//!
//! ```json
//! "alerts": {
//!   "min_runs": 20,
//!   "min_success_rate": 0.95,
//!   "max_p95_ms": 30000,
//!   "max_cost_p95_usd": 0.05,
//!   "max_cost_total_usd": 20,
//!   "prompts": { "review-*": { "max_p95_ms": 60000 } },
//!   "command": ["sh", "-c", "curl -fsS -d @- \"$WEBHOOK\""]
//! }
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::glob::Glob;
use crate::config::locate::Segment;
use crate::config::validate::Problem;

/// The thresholds. Every rule is optional; an unset rule never fires.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AlertRules {
    /// Fewest runs in the window for any rule to apply to a prompt.
    pub min_runs: Option<u64>,
    /// Lowest acceptable success rate, 0 to 1.
    pub min_success_rate: Option<f64>,
    /// Highest acceptable p95 duration in milliseconds.
    pub max_p95_ms: Option<f64>,
    /// Lowest acceptable mean rating, 1 to 5.
    pub min_mean_rating: Option<f64>,
    /// Lowest acceptable rating participation, 0 to 1.
    pub min_participation: Option<f64>,
    /// Highest acceptable share of incomplete runs, 0 to 1.
    pub max_incomplete_rate: Option<f64>,
    /// Highest acceptable p95 increase against the previous window, in percent.
    pub max_p95_increase_pct: Option<f64>,
    /// Highest acceptable drop of the mean rating against the previous window, in stars.
    pub max_rating_drop: Option<f64>,
    /// Highest acceptable p95 cost of one run, in USD.
    pub max_cost_p95_usd: Option<f64>,
    /// Highest acceptable total cost of the prompt's runs in the window, in USD.
    pub max_cost_total_usd: Option<f64>,
}

impl AlertRules {
    /// These rules with every rule `over` sets replacing ours.
    pub fn overridden_by(&self, over: &AlertRules) -> AlertRules {
        AlertRules {
            min_runs: over.min_runs.or(self.min_runs),
            min_success_rate: over.min_success_rate.or(self.min_success_rate),
            max_p95_ms: over.max_p95_ms.or(self.max_p95_ms),
            min_mean_rating: over.min_mean_rating.or(self.min_mean_rating),
            min_participation: over.min_participation.or(self.min_participation),
            max_incomplete_rate: over.max_incomplete_rate.or(self.max_incomplete_rate),
            max_p95_increase_pct: over.max_p95_increase_pct.or(self.max_p95_increase_pct),
            max_rating_drop: over.max_rating_drop.or(self.max_rating_drop),
            max_cost_p95_usd: over.max_cost_p95_usd.or(self.max_cost_p95_usd),
            max_cost_total_usd: over.max_cost_total_usd.or(self.max_cost_total_usd),
        }
    }

    /// Whether no rule at all is set.
    pub fn is_empty(&self) -> bool {
        *self == AlertRules::default()
    }
}

/// Alert rules, per-prompt overrides and the command that hears about breaches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AlertsConfig {
    /// Fewest runs in the window for any rule to apply to a prompt.
    pub min_runs: Option<u64>,
    /// Lowest acceptable success rate, 0 to 1.
    pub min_success_rate: Option<f64>,
    /// Highest acceptable p95 duration in milliseconds.
    pub max_p95_ms: Option<f64>,
    /// Lowest acceptable mean rating, 1 to 5.
    pub min_mean_rating: Option<f64>,
    /// Lowest acceptable rating participation, 0 to 1.
    pub min_participation: Option<f64>,
    /// Highest acceptable share of incomplete runs, 0 to 1.
    pub max_incomplete_rate: Option<f64>,
    /// Highest acceptable p95 increase against the previous window, in percent.
    pub max_p95_increase_pct: Option<f64>,
    /// Highest acceptable drop of the mean rating against the previous window, in stars.
    pub max_rating_drop: Option<f64>,
    /// Highest acceptable p95 cost of one run, in USD.
    pub max_cost_p95_usd: Option<f64>,
    /// Highest acceptable total cost of the prompt's runs in the window, in USD.
    pub max_cost_total_usd: Option<f64>,
    /// Overrides by prompt name or glob; the first matching entry in name order wins,
    /// an exact name before any glob.
    pub prompts: BTreeMap<String, AlertRules>,
    /// An argv run with the breaches as JSON on its stdin when `report --check` finds any.
    pub command: Option<Vec<String>>,
    /// What a rule is checked on: `"prompt"` (default) or `"variant"`, each prompt
    /// and variant on its own (with the prompt's rules), so the variant that
    /// regressed is the one named.
    pub per: Option<String>,
}

/// The values `alerts.per` takes.
pub const ALERT_SCOPES: [&str; 2] = ["prompt", "variant"];

impl AlertsConfig {
    /// Whether rules are checked per prompt and variant (`alerts.per: "variant"`).
    pub fn per_variant(&self) -> bool {
        self.per.as_deref() == Some("variant")
    }

    /// The rules for every prompt without an override.
    pub fn defaults(&self) -> AlertRules {
        AlertRules {
            min_runs: self.min_runs,
            min_success_rate: self.min_success_rate,
            max_p95_ms: self.max_p95_ms,
            min_mean_rating: self.min_mean_rating,
            min_participation: self.min_participation,
            max_incomplete_rate: self.max_incomplete_rate,
            max_p95_increase_pct: self.max_p95_increase_pct,
            max_rating_drop: self.max_rating_drop,
            max_cost_p95_usd: self.max_cost_p95_usd,
            max_cost_total_usd: self.max_cost_total_usd,
        }
    }

    /// The rules that apply to `prompt`: the defaults, overridden by the exact
    /// entry for the name or else the first glob (in name order) that matches it.
    pub fn rules_for(&self, prompt: &str) -> AlertRules {
        let defaults = self.defaults();
        if let Some(exact) = self.prompts.get(prompt) {
            return defaults.overridden_by(exact);
        }
        self.prompts
            .iter()
            .find(|(pattern, _)| Glob::new(pattern).is_ok_and(|glob| glob.matches(prompt)))
            .map_or(defaults.clone(), |(_, over)| defaults.overridden_by(over))
    }

    /// Whether a rule that compares with the previous window (`max_p95_increase_pct`,
    /// `max_rating_drop`) is configured anywhere.
    pub fn has_change_rules(&self) -> bool {
        std::iter::once(self.defaults())
            .chain(self.prompts.values().cloned())
            .any(|rules| rules.max_p95_increase_pct.is_some() || rules.max_rating_drop.is_some())
    }

    /// Whether any rule is configured anywhere.
    pub fn has_rules(&self) -> bool {
        !self.defaults().is_empty() || self.prompts.values().any(|rules| !rules.is_empty())
    }
}

/// Problems in the `alerts` section: ranges of every threshold, bad globs, empty command.
pub fn check(config: &AlertsConfig) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_rules(&config.defaults(), &["alerts"], &mut problems);
    for (pattern, rules) in &config.prompts {
        let base = ["alerts", "prompts", pattern.as_str()];
        if let Err(message) = Glob::new(pattern) {
            let mut problem = Problem::error(segments(&base), message);
            problem.at_key = true;
            problems.push(problem);
        }
        check_rules(rules, &base, &mut problems);
    }
    if let Some(per) = &config.per
        && !ALERT_SCOPES.contains(&per.as_str())
    {
        problems.push(Problem::error(
            segments(&["alerts", "per"]),
            format!("alerts.per is \"prompt\" or \"variant\", not {per:?}"),
        ));
    }
    if let Some(command) = &config.command
        && command.first().is_none_or(|program| program.is_empty())
    {
        problems.push(Problem::error(
            segments(&["alerts", "command"]),
            "alerts.command needs at least a program name, e.g. [\"sh\", \"-c\", \"curl ...\"]",
        ));
    }
    problems
}

fn check_rules(rules: &AlertRules, base: &[&str], problems: &mut Vec<Problem>) {
    let ranged = [
        (
            "min_success_rate",
            rules.min_success_rate,
            0.0,
            1.0,
            "a fraction from 0 to 1",
        ),
        (
            "min_participation",
            rules.min_participation,
            0.0,
            1.0,
            "a fraction from 0 to 1",
        ),
        (
            "max_incomplete_rate",
            rules.max_incomplete_rate,
            0.0,
            1.0,
            "a fraction from 0 to 1",
        ),
        (
            "min_mean_rating",
            rules.min_mean_rating,
            1.0,
            5.0,
            "a rating from 1 to 5",
        ),
        (
            "max_rating_drop",
            rules.max_rating_drop,
            0.0,
            4.0,
            "a number of stars from 0 to 4",
        ),
        (
            "max_p95_ms",
            rules.max_p95_ms,
            0.0,
            f64::MAX,
            "milliseconds, 0 or more",
        ),
        (
            "max_p95_increase_pct",
            rules.max_p95_increase_pct,
            0.0,
            f64::MAX,
            "a percentage, 0 or more",
        ),
        (
            "max_cost_p95_usd",
            rules.max_cost_p95_usd,
            0.0,
            f64::MAX,
            "US dollars, 0 or more",
        ),
        (
            "max_cost_total_usd",
            rules.max_cost_total_usd,
            0.0,
            f64::MAX,
            "US dollars, 0 or more",
        ),
    ];
    for (name, value, low, high, expected) in ranged {
        if let Some(value) = value
            && !(value.is_finite() && (low..=high).contains(&value))
        {
            let mut path = segments(base);
            path.push(Segment::Key(name.to_string()));
            problems.push(Problem::error(
                path,
                format!("{name} must be {expected}, got {value}"),
            ));
        }
    }
}

fn segments(parts: &[&str]) -> Vec<Segment> {
    parts
        .iter()
        .map(|part| Segment::Key(part.to_string()))
        .collect()
}

/// The `alerts` section of a loaded config (empty without a config); a config
/// error listing every problem (`file:line:column: ...`, as `config check` prints
/// them) when it is invalid, so no check runs on rules that mean something else.
pub fn from_config(
    loaded: Option<&crate::config::LoadedConfig>,
) -> crate::error::Result<AlertsConfig> {
    let Some(loaded) = loaded else {
        return Ok(AlertsConfig::default());
    };
    let errors: Vec<String> = check(&loaded.config.alerts)
        .iter()
        .filter(|problem| problem.severity == crate::config::validate::Severity::Error)
        .map(|problem| crate::report::render::text_safe::printable(&problem.render(loaded)))
        .collect();
    if errors.is_empty() {
        return Ok(loaded.config.alerts.clone());
    }
    Err(crate::error::Error::Config(format!(
        "the `alerts` config is invalid; fix it (`promptrun config check` shows every problem):\n  {}",
        errors.join("\n  ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> AlertsConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn exact_names_beat_globs_and_overrides_keep_the_rest() {
        let config = parse(
            r#"{"max_p95_ms": 100, "min_runs": 5,
                "prompts": {"review-*": {"max_p95_ms": 500}, "review-big": {"min_runs": 1}}}"#,
        );
        assert_eq!(config.rules_for("other").max_p95_ms, Some(100.0));
        assert_eq!(config.rules_for("review-small").max_p95_ms, Some(500.0));
        let exact = config.rules_for("review-big");
        assert_eq!((exact.max_p95_ms, exact.min_runs), (Some(100.0), Some(1)));
    }

    #[test]
    fn out_of_range_thresholds_are_problems() {
        let config = parse(
            r#"{"min_success_rate": 95, "min_mean_rating": 0.5, "max_p95_ms": -1,
                "prompts": {"x": {"min_participation": 2}}, "command": []}"#,
        );
        let messages: Vec<String> = check(&config).into_iter().map(|p| p.message).collect();
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(messages[0].contains("min_success_rate must be a fraction from 0 to 1, got 95"));
        assert!(messages.iter().any(|m| m.contains("alerts.command")));
        assert!(check(&parse(r#"{"min_success_rate": 0.9, "max_p95_ms": 5}"#)).is_empty());
        let costs =
            parse(r#"{"max_cost_p95_usd": -0.01, "prompts": {"x": {"max_cost_total_usd": 5}}}"#);
        let messages: Vec<String> = check(&costs).into_iter().map(|p| p.message).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("max_cost_p95_usd must be US dollars"));
        assert_eq!(costs.rules_for("x").max_cost_total_usd, Some(5.0));
    }
}
