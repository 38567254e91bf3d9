//! `promptrun report trends`: per time bucket and prompt, and per prompt the
//! window against the previous window of the same length, with regression flags.
//! Pure values; the renderers in `render::trends_*` only format them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::alerts::evaluate::{breaches_of, group_name, p95_increase_pct, prompt_of, rating_drop};
use super::dashboard::bucket_of;
use super::engine::model::{GroupStats, Report};
use super::window::WindowLabel;
use crate::report::alerts::rules::{AlertRules, AlertsConfig};

/// The `schema` of `report trends --format json`.
pub const TRENDS_SCHEMA: &str = "promptrun.trends/v1";

/// Regression thresholds used when the config sets no alert rule for a prompt.
pub const DEFAULT_P95_INCREASE_PCT: f64 = 20.0;
/// See [`DEFAULT_P95_INCREASE_PCT`].
pub const DEFAULT_RATING_DROP: f64 = 0.5;

/// The whole trends report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trends {
    /// Always [`TRENDS_SCHEMA`].
    pub schema: &'static str,
    /// `hour`, `day` or `week`.
    pub bucket: String,
    /// The window.
    pub window: WindowLabel,
    /// The previous window of the same length, if the window has a start.
    pub previous_window: Option<WindowLabel>,
    /// One row per bucket and prompt, oldest bucket first.
    pub buckets: Vec<TrendPoint>,
    /// One row per prompt seen in either window.
    pub changes: Vec<TrendChange>,
}

/// The numbers of one prompt in one bucket (or one window).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The bucket's start (RFC 3339); empty for a whole window.
    pub bucket: String,
    pub prompt: String,
    /// With `--group-by variant`: the variant (`-` for none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// With `--group-by version`: the prompt file's hash (`-` for none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub runs: u64,
    pub success_rate: Option<f64>,
    pub p95_ms: Option<f64>,
    pub mean_rating: Option<f64>,
}

/// One prompt, window against previous window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrendChange {
    pub prompt: String,
    /// With `--group-by variant`: the variant (`-` for none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// With `--group-by version`: the prompt file's hash (`-` for none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub current: TrendPoint,
    pub previous: Option<TrendPoint>,
    /// Success rate change in percentage points.
    pub success_rate_change_pts: Option<f64>,
    /// p95 change in percent of the previous p95.
    pub p95_change_pct: Option<f64>,
    /// Mean rating change in stars.
    pub rating_change: Option<f64>,
    /// The rules this prompt breaks, e.g. `max_p95_increase_pct`: its regressions.
    pub flags: Vec<&'static str>,
}

/// How a row is named in tables and charts: `summarize`, `summarize / b` or
/// `summarize @ 0123456789ab`.
pub fn row_name(prompt: &str, variant: Option<&str>, version: Option<&str>) -> String {
    let mut name = prompt.to_string();
    if let Some(variant) = variant {
        name.push_str(" / ");
        name.push_str(variant);
    }
    if let Some(version) = version {
        name.push_str(" @ ");
        name.push_str(crate::report::render::short_hash(version));
    }
    name
}

impl TrendPoint {
    /// The row's name (see [`row_name`]).
    pub fn name(&self) -> String {
        row_name(
            &self.prompt,
            self.variant.as_deref(),
            self.version.as_deref(),
        )
    }
}

impl TrendChange {
    /// The row's name (see [`row_name`]).
    pub fn name(&self) -> String {
        row_name(
            &self.prompt,
            self.variant.as_deref(),
            self.version.as_deref(),
        )
    }
}

/// A group-by field's value as a trends row shows it (`-` for none).
fn detail(group: &GroupStats, field: &str) -> Option<String> {
    group.key.get(field).map(|v| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.clone()
        }
    })
}

fn point(bucket: &str, group: &GroupStats) -> TrendPoint {
    TrendPoint {
        bucket: bucket.to_string(),
        prompt: prompt_of(group).to_string(),
        variant: detail(group, "variant"),
        version: detail(group, "version"),
        runs: group.runs,
        success_rate: group.success_rate,
        p95_ms: group.duration_ms.p95,
        mean_rating: group.ratings.mean,
    }
}

/// The rules trends flag a prompt with: its alert rules, or the default change
/// thresholds when the config sets none.
pub fn trend_rules(config: &AlertsConfig, prompt: &str) -> AlertRules {
    if config.has_rules() {
        return config.rules_for(prompt);
    }
    AlertRules {
        max_p95_increase_pct: Some(DEFAULT_P95_INCREASE_PCT),
        max_rating_drop: Some(DEFAULT_RATING_DROP),
        ..AlertRules::default()
    }
}

/// Builds the trends from the bucketed window (grouped by time and prompt) and
/// the window and previous window grouped by prompt.
pub fn compute(
    config: &AlertsConfig,
    timeline: &Report,
    current: &Report,
    previous: Option<&Report>,
    bucket: &str,
    window: WindowLabel,
    previous_window: Option<WindowLabel>,
) -> Trends {
    let mut buckets: Vec<TrendPoint> = timeline
        .groups
        .iter()
        .map(|group| point(bucket_of(group).unwrap_or(""), group))
        .collect();
    buckets.sort_by(|a, b| (&a.bucket, a.name()).cmp(&(&b.bucket, b.name())));
    // Rows by their name: the prompt, or the prompt and its variant or version.
    let before: BTreeMap<String, &GroupStats> = previous
        .map(|r| r.groups.iter().map(|g| (group_name(g), g)).collect())
        .unwrap_or_default();
    let now: BTreeMap<String, &GroupStats> =
        current.groups.iter().map(|g| (group_name(g), g)).collect();
    let mut names: Vec<&String> = now.keys().collect();
    names.extend(before.keys().filter(|name| !now.contains_key(*name)));
    names.sort_unstable();
    let empty = GroupStats::default();
    let changes = names
        .into_iter()
        .map(|name| {
            let group = now.get(name).copied();
            let old = before.get(name).copied();
            let any = group.or(old).unwrap_or(&empty);
            let group = group.unwrap_or(&empty);
            let prompt = prompt_of(any);
            let rules = trend_rules(config, prompt);
            let flags = if group.runs >= rules.min_runs.unwrap_or(1) {
                breaches_of(&rules, group, old)
                    .into_iter()
                    .map(|b| b.0)
                    .collect()
            } else {
                Vec::new()
            };
            let mut current = point("", group);
            current.prompt = prompt.to_string();
            current.variant = detail(any, "variant");
            current.version = detail(any, "version");
            TrendChange {
                prompt: prompt.to_string(),
                variant: current.variant.clone(),
                version: current.version.clone(),
                current,
                previous: old.map(|g| point("", g)),
                success_rate_change_pts: match (
                    group.success_rate,
                    old.and_then(|g| g.success_rate),
                ) {
                    (Some(now), Some(then)) => Some((now - then) * 100.0),
                    _ => None,
                },
                p95_change_pct: p95_increase_pct(group, old),
                rating_change: rating_drop(group, old).map(|drop| -drop),
                flags,
            }
        })
        .collect();
    Trends {
        schema: TRENDS_SCHEMA,
        bucket: bucket.to_string(),
        window,
        previous_window,
        buckets,
        changes,
    }
}
