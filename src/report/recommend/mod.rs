//! `promptrun recommend`: concrete actions, each with its evidence, most
//! important first. Pure: it reads computed reports, the comparisons and the
//! config, and decides nothing statistical itself (verdicts come from
//! `learn::verdict`, changes from `trends`/`alerts::evaluate`).

mod config_hygiene;
mod health;
mod verdicts;

use std::collections::BTreeMap;

use serde::Serialize;

use super::alerts::evaluate::prompt_of;
use super::alerts::rules::AlertsConfig;
use super::arms::arm_view;
use super::compare::CompareOptions;
use super::compare::{CompareReport, Comparison, amount};
use super::engine::model::{GroupStats, Report};
use super::engine::{Filters, GroupField, SortKey, ViewSpec};
use super::trends::Trends;
use super::window::views::{Selection, WindowedReports};
use crate::config::LoadedConfig;
use crate::config::edit::ConfigChange;
use crate::config::glob::Glob;
use crate::learn::verdict::Metric;

/// The `schema` of `recommend --format json`.
pub const RECOMMEND_SCHEMA: &str = "promptrun.recommend/v1";

/// Participation the feedback loop aims for; "far under" is under half of it.
pub const TARGET_PARTICIPATION: f64 = 0.8;
/// Runs before a prompt's failure, timeout or participation is judged.
pub const MIN_RUNS: u64 = 10;
/// Success below this is "fails often".
pub const FAILING_BELOW: f64 = 0.9;
/// Timeouts above this share of completed runs are "times out often".
pub const TIMEOUTS_ABOVE: f64 = 0.05;
/// Ad hoc runs of a name before an alias is suggested for it.
pub const MIN_ALIAS_RUNS: u64 = 3;
/// Share of a prompt's runs that came through a route before an alias is worth it.
pub const ROUTE_SHARE: f64 = 0.5;

/// The whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendations {
    /// Always [`RECOMMEND_SCHEMA`].
    pub schema: &'static str,
    /// The runs the verdicts and counts read (`--since`/`--until`; null: all).
    pub window: WindowJson,
    /// The window trends compare with the one before (default: the last 7 days).
    pub trend_window: super::window::WindowLabel,
    /// Most important first.
    pub recommendations: Vec<Recommendation>,
    /// `--apply`: the config file changed and its backup, when anything was applied.
    pub applied: Option<Applied>,
}

/// A window as `[start, end)`, null ends unbounded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WindowJson {
    pub since: Option<String>,
    pub until: Option<String>,
}

impl WindowJson {
    /// `all runs`, `since X`, `X to Y`.
    pub fn label(&self) -> String {
        match (&self.since, &self.until) {
            (None, None) => "all runs".into(),
            (Some(s), None) => format!("since {}", super::window::minutes(s)),
            (None, Some(u)) => format!("until {}", super::window::minutes(u)),
            (Some(s), Some(u)) => format!(
                "{} to {}",
                super::window::minutes(s),
                super::window::minutes(u)
            ),
        }
    }
}

/// What `--apply` did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub config: String,
    pub backup: String,
    pub changes: Vec<ConfigChange>,
}

/// One action.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// 1 = most important.
    pub rank: usize,
    /// `promote_winner`, `retire_loser`, `revert_edit`, `failing`, `timeouts`,
    /// `slower`, `rating_fell`, `rarely_rated`, `never_run`, `zero_weight`,
    /// `add_alias` or `route_alias`.
    pub kind: &'static str,
    pub prompt: String,
    /// What to do.
    pub action: String,
    /// Why: counts, window, interval.
    pub evidence: String,
    /// The config change `--apply` makes, when it can make one.
    pub change: Option<ConfigChange>,
    /// Whether `--apply` made it.
    pub applied: bool,
    #[serde(skip)]
    priority: f64,
}

fn rec(
    priority: f64,
    kind: &'static str,
    prompt: &str,
    action: String,
    evidence: String,
) -> Recommendation {
    Recommendation {
        rank: 0,
        kind,
        prompt: prompt.to_string(),
        action,
        evidence,
        change: None,
        applied: false,
        priority,
    }
}

/// What recommend reads.
pub struct Inputs<'a> {
    /// Verdicts over the selected runs.
    pub compare: &'a CompareReport,
    /// The selected runs by prompt and resolution.
    pub resolutions: &'a Report,
    /// The trend window by prompt.
    pub current: &'a Report,
    /// This trend window against the one before.
    pub trends: &'a Trends,
    pub config: Option<&'a LoadedConfig>,
    /// `--prompt` globs, so unselected configured prompts are not "never run".
    pub selects: &'a dyn Fn(&str) -> bool,
    pub window: WindowJson,
}

/// The views compare and recommend add to a windowed pass: the arms and the
/// runs by prompt and resolution, over `filters`.
pub fn learn_views(
    filters: &Filters,
    shown: &BTreeMap<String, serde_json::Value>,
) -> Vec<ViewSpec> {
    let resolutions = ViewSpec {
        filters: filters.clone(),
        group_by: vec![GroupField::Prompt, GroupField::Resolution],
        sort: SortKey::Key,
        ..ViewSpec::default()
    };
    vec![arm_view(filters.clone(), shown.clone()), resolutions]
}

/// What the learn views say.
pub struct Learned {
    pub compare: CompareReport,
    pub recommendations: Vec<Recommendation>,
    /// What the arm view read (for skipped lines).
    pub arms_inputs: Report,
}

/// The verdicts and the ranked recommendations from a windowed pass and the
/// results of [`learn_views`].
pub fn learn(
    config: Option<&LoadedConfig>,
    alerts: &AlertsConfig,
    trend: &Selection,
    reports: &WindowedReports,
    mut extra: Vec<Report>,
    prompt_globs: &[Glob],
    window: WindowJson,
) -> Learned {
    let resolutions = extra.pop().unwrap_or_default();
    let arms = extra.pop().unwrap_or_default();
    let arms_inputs = Report {
        inputs: arms.inputs.clone(),
        ..Report::default()
    };
    let trends = super::trends::compute(
        alerts,
        &reports.timeline,
        &reports.current,
        reports.previous.as_ref(),
        trend.bucket.name(),
        trend.window.label(),
        trend.window.previous().map(|w| w.label()),
    );
    let compare = super::compare::compute(
        arms,
        &CompareOptions {
            default_variants: super::compare::default_variants(config),
            ..CompareOptions::default()
        },
    );
    let selects =
        |name: &str| prompt_globs.is_empty() || prompt_globs.iter().any(|g| g.matches(name));
    let recommendations = compute(&Inputs {
        compare: &compare,
        resolutions: &resolutions,
        current: &reports.current,
        trends: &trends,
        config,
        selects: &selects,
        window,
    });
    Learned {
        compare,
        recommendations,
        arms_inputs,
    }
}

/// The ranked recommendations.
pub fn compute(inputs: &Inputs) -> Vec<Recommendation> {
    let window = inputs.window.label();
    let trend_window = match &inputs.trends.window.start {
        Some(start) => format!(
            "{} to {}",
            super::window::minutes(start),
            super::window::minutes(&inputs.trends.window.end)
        ),
        None => format!(
            "until {}",
            super::window::minutes(&inputs.trends.window.end)
        ),
    };
    let mut out = Vec::new();
    verdicts::verdicts(inputs, &window, &mut out);
    health::health(inputs.current, &trend_window, &mut out);
    health::changes(inputs.trends, &trend_window, &mut out);
    if let Some(config) = inputs.config {
        config_hygiene::config_hygiene(inputs, config, &window, &mut out);
    }
    out.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.prompt.cmp(&b.prompt))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    out
}
