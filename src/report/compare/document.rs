//! The `promptrun.compare/v1` document: what `compare --format json` prints,
//! field by field.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::arms::ScoreJson;
use crate::report::engine::model::InputSummary;

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
