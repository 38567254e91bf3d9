//! The computed report: plain values that every renderer (table, JSON, CSV,
//! Markdown, HTML) only formats. Its JSON form, `promptrun.report/v1`, is a
//! documented contract for CI jobs: fields are only ever added.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `schema` value of the JSON output.
pub const REPORT_SCHEMA: &str = "promptrun.report/v1";

/// A whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// What was read.
    pub inputs: InputSummary,
    /// The filters applied, as given.
    pub filters: BTreeMap<String, serde_json::Value>,
    /// All selected runs together.
    pub totals: GroupStats,
    /// One entry per group, in the requested order.
    pub groups: Vec<GroupStats>,
}

/// What the report read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    /// Files read.
    pub files: u64,
    /// Lines read.
    pub lines: u64,
    /// Events used (after de-duplication).
    pub events: u64,
    /// Lines skipped (malformed, unknown type, future version, invalid UTF-8, ...).
    pub skipped: u64,
    /// Events seen more than once (same run_id and type), counted once.
    #[serde(default)]
    pub duplicates: u64,
    /// Where the first few skipped lines are, as `file:line: reason`.
    #[serde(default)]
    pub skipped_examples: Vec<String>,
}

/// The numbers for one group (or for the totals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    /// The prompt, when grouping by prompt.
    pub prompt: Option<String>,
    /// The variant, when grouping by variant.
    pub variant: Option<String>,
    /// Every group-by field and its value (`prompt`, `variant`, `version`, `tag:team`, ...).
    #[serde(default)]
    pub key: BTreeMap<String, String>,
    /// Runs started or ended (a run counts once).
    pub runs: u64,
    /// Share of all selected runs, 0 to 1.
    #[serde(default)]
    pub share: f64,
    /// Runs that ended with status ok.
    pub ok: u64,
    /// ok / completed runs, or null with no completed run.
    pub success_rate: Option<f64>,
    /// Runs with a run_start and no run_end.
    pub incomplete: u64,
    /// Completed runs by status (ok, error, signal, timeout, spawn_failed).
    pub statuses: BTreeMap<String, u64>,
    /// Durations of completed runs.
    pub duration_ms: DurationStats,
    /// Ratings (the latest per run).
    pub ratings: RatingStats,
    /// Rated runs / runs where a rating was asked, or null when none was asked.
    pub participation: Option<f64>,
    /// Custom metrics by name.
    pub metrics: BTreeMap<String, MetricStats>,
    /// What the runs cost (their `cost_usd`, else their `cost_usd` metric).
    #[serde(default)]
    pub cost_usd: CostStats,
    /// Token totals, from the `input_tokens`, `output_tokens` and
    /// `cached_input_tokens` metrics.
    #[serde(default)]
    pub tokens: TokenStats,
    /// Distinct users (salted hashes).
    #[serde(default)]
    pub users: u64,
    /// Earliest event timestamp (RFC 3339).
    #[serde(default)]
    pub first_ts: Option<String>,
    /// Latest event timestamp (RFC 3339).
    #[serde(default)]
    pub last_ts: Option<String>,
    /// Runs by resolution (name, alias, route, adhoc).
    #[serde(default)]
    pub resolutions: BTreeMap<String, u64>,
    /// The latest comments (newest first), only with `--comments`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// The group's 0–100 display score with its 90% band and parts (success,
    /// rating), from `learn::score` with the report's rating prior; in
    /// `report --format json` groups only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::report::arms::ScoreJson>,
}

/// A rating's comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// When the rating was given (RFC 3339).
    pub ts: String,
    /// The comment.
    pub comment: String,
    /// The rating it came with, 1 to 5 (the dashboard's low-rated comments; not in
    /// the JSON, whose schema is fixed).
    #[serde(skip)]
    pub rating: u8,
}

/// Duration statistics in milliseconds; null where there is no completed run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DurationStats {
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
    pub total: f64,
}

/// Rating statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingStats {
    /// Rated runs.
    pub count: u64,
    /// Mean rating, or null with no rating.
    pub mean: Option<f64>,
    /// How many runs got 1, 2, 3, 4 and 5 stars.
    pub dist: [u64; 5],
}

/// Cost statistics in USD, over the runs with a known cost; null where there is none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostStats {
    /// Runs with a known cost.
    pub runs: u64,
    /// Their sum.
    pub total: f64,
    /// Per run with a cost.
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// Token totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenStats {
    /// Input tokens (cached ones included).
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Cached input tokens.
    pub cached_input: f64,
}

impl GroupStats {
    /// Fills `tokens` from the token metrics.
    pub fn with_tokens(mut self) -> Self {
        let sum = |name: &str| self.metrics.get(name).map_or(0.0, |m| m.sum);
        self.tokens = TokenStats {
            input: sum("input_tokens"),
            output: sum("output_tokens"),
            cached_input: sum("cached_input_tokens"),
        };
        self
    }
}

/// One custom metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricStats {
    /// The sum; null in JSON when it overflowed (see `overflow`).
    pub sum: f64,
    /// The mean; null in JSON when the sum overflowed.
    pub mean: f64,
    /// Runs that reported the metric.
    #[serde(default)]
    pub count: u64,
    /// Present and true when the sum went past the largest number (about
    /// 1.8e308): tables and CSV show `overflow`, JSON has null sum and mean.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overflow: bool,
}
