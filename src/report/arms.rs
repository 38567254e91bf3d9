//! Arms from the report engine's groups: one arm per (prompt, variant, prompt
//! version), its [`ArmStats`] kept per allocation period, ready for
//! `learn::verdict::compare` and `learn::score::score`. No I/O, no statistics of
//! its own: the engine counts, `src/learn/` computes.
//!
//! Runs are grouped by allocation period too (`selection.period` of the run, 0
//! when routing did not log one), so a verdict compares arms within periods of
//! constant traffic split and combines them (no Simpson's paradox when routing
//! shifted traffic while ratings drifted).

use std::collections::BTreeMap;

use serde::Serialize;

use super::engine::model::{GroupStats, Report};
use super::engine::{Filters, GroupField, SortKey, ViewSpec};
use crate::learn::score::{Score, ScoreWeights, score};
use crate::learn::{ArmStats, Period, RatingPrior};

/// The group fields that make an arm, then its allocation period.
pub const ARM_FIELDS: &[GroupField] = &[
    GroupField::Prompt,
    GroupField::Variant,
    GroupField::Version,
    GroupField::Period,
];

/// Pseudo-ratings of the rating prior (docs/statistics.md, section 3).
pub const PRIOR_STRENGTH: f64 = 5.0;

/// The one view compare and recommend read the arms from.
pub fn arm_view(filters: Filters, shown: BTreeMap<String, serde_json::Value>) -> ViewSpec {
    ViewSpec {
        filters,
        group_by: ARM_FIELDS.to_vec(),
        sort: SortKey::Key,
        shown_filters: shown,
        ..ViewSpec::default()
    }
}

/// The rating prior: 5 pseudo-ratings spread like all selected ratings.
pub fn prior(totals: &GroupStats) -> RatingPrior {
    RatingPrior::from_global(&totals.ratings.dist, PRIOR_STRENGTH)
}

/// The allocation period of a group: its `period` key (`selection.period`, 0
/// for runs that routing did not log).
pub fn period_key(group: &GroupStats) -> String {
    group.key.get("period").cloned().unwrap_or_default()
}

/// The learn module's running sums from one engine group. The engine keeps no
/// Σ ln(ms), so the latency guardrail reads the median (p50; the mean when
/// there is none) as every timed run's duration: for log-normal latencies the
/// median is the geometric mean. A `cost` metric, when runs report one, is the
/// cost; `tokens` the tokens.
pub fn arm_stats(group: &GroupStats) -> ArmStats {
    let completed: u64 = group.statuses.values().sum();
    let mut stats = ArmStats {
        runs: completed,
        ok: group.ok.min(completed),
        ratings: group.ratings.dist,
        rated: group.ratings.dist.iter().sum(),
        ..ArmStats::default()
    };
    if let Some(ms) = group.duration_ms.p50.or(group.duration_ms.mean)
        && completed > 0
    {
        stats.timed = completed;
        stats.ln_ms_sum = completed as f64 * ms.max(1e-3).ln();
    }
    if let Some(cost) = group.metrics.get("cost").filter(|m| m.count > 0) {
        stats.costed = cost.count;
        stats.cost_sum = cost.sum;
    }
    if let Some(tokens) = group.metrics.get("tokens") {
        stats.tokens = tokens.sum.max(0.0) as u64;
    }
    stats
}

/// One arm: a prompt's variant at one prompt version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arm {
    pub prompt: String,
    /// `None` for runs without a variant.
    pub variant: Option<String>,
    /// `prompt_sha256`; `None` when unknown.
    pub version: Option<String>,
    /// Sums per allocation period key.
    pub periods: BTreeMap<String, ArmStats>,
    /// Earliest and latest event (RFC 3339).
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    /// Runs where a rating was asked (for participation), when known.
    pub participation: Option<f64>,
}

impl Arm {
    /// All periods together.
    pub fn total(&self) -> ArmStats {
        let mut sum = ArmStats::default();
        for stats in self.periods.values() {
            sum.merge(stats);
        }
        sum
    }

    /// The display score (0–100), from `learn::score`.
    pub fn score(&self, prior: &RatingPrior) -> Score {
        score(&self.total(), prior, &ScoreWeights::default())
    }

    /// `variant@version8`, `-` standing for no variant.
    pub fn label(&self) -> String {
        format!(
            "{}@{}",
            self.variant.as_deref().unwrap_or("-"),
            short_version(self.version.as_deref())
        )
    }
}

/// The first 8 hex digits of a version, or `?`.
pub fn short_version(version: Option<&str>) -> String {
    version.map_or_else(|| "?".into(), |v| v.chars().take(8).collect())
}

/// The arms of a report grouped by [`ARM_FIELDS`], by prompt, in key order.
pub fn arms_by_prompt(report: &Report) -> BTreeMap<String, Vec<Arm>> {
    let mut arms: BTreeMap<(String, Option<String>, Option<String>), Arm> = BTreeMap::new();
    for group in &report.groups {
        let value = |name: &str| group.key.get(name).filter(|v| !v.is_empty()).cloned();
        let prompt = value("prompt").unwrap_or_default();
        let (variant, version) = (value("variant"), value("version"));
        let arm = arms
            .entry((prompt.clone(), variant.clone(), version.clone()))
            .or_insert_with(|| Arm {
                prompt,
                variant,
                version,
                ..Arm::default()
            });
        arm.periods
            .entry(period_key(group))
            .or_default()
            .merge(&arm_stats(group));
        arm.first_ts = min_opt(arm.first_ts.take(), group.first_ts.clone());
        arm.last_ts = max_opt(arm.last_ts.take(), group.last_ts.clone());
        arm.participation = arm.participation.or(group.participation);
    }
    let mut out: BTreeMap<String, Vec<Arm>> = BTreeMap::new();
    for arm in arms.into_values() {
        out.entry(arm.prompt.clone()).or_default().push(arm);
    }
    out
}

fn min_opt(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Several arms merged into one (a variant over all versions, a version over
/// all variants), period by period.
pub fn pooled(arms: &[&Arm]) -> Arm {
    let mut out = Arm::default();
    for arm in arms {
        out.prompt.clone_from(&arm.prompt);
        for (key, stats) in &arm.periods {
            out.periods.entry(key.clone()).or_default().merge(stats);
        }
        out.first_ts = min_opt(out.first_ts.take(), arm.first_ts.clone());
        out.last_ts = max_opt(out.last_ts.take(), arm.last_ts.clone());
    }
    out
}

/// The periods of two arms, for `learn::verdict::compare(periods, 0, 1, ...)`:
/// one [`Period`] per period key either arm has. The shares are not known
/// from the logs yet (equal); the verdict weighs periods by counts only.
pub fn periods_of(a: &Arm, b: &Arm) -> Vec<Period> {
    let keys: std::collections::BTreeSet<&String> =
        a.periods.keys().chain(b.periods.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let mut period = Period::new(&[0.5, 0.5]);
            period.arms[0] = a.periods.get(key).cloned().unwrap_or_default();
            period.arms[1] = b.periods.get(key).cloned().unwrap_or_default();
            period
        })
        .collect()
}

/// An arm's score as the JSON outputs show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct ScoreJson {
    /// 0–100: 100·(½·success + ½·(rating − 1)/4), for display only.
    pub value: f64,
    /// 90% band.
    pub lo: f64,
    pub hi: f64,
    /// The success part and the rating part (they add up to `value`).
    pub success_points: f64,
    pub rating_points: f64,
    /// Beta posterior mean of success, and the Bayesian average rating.
    pub success: f64,
    pub rating: f64,
}

impl From<Score> for ScoreJson {
    fn from(s: Score) -> Self {
        ScoreJson {
            value: s.value,
            lo: s.interval.lo,
            hi: s.interval.hi,
            success_points: s.success_points,
            rating_points: s.rating_points,
            success: s.success,
            rating: s.rating,
        }
    }
}

/// The score of one engine group, with the prior of its report's totals.
pub fn group_score(group: &GroupStats, prior: &RatingPrior) -> ScoreJson {
    score(&arm_stats(group), prior, &ScoreWeights::default()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(
        prompt: &str,
        variant: &str,
        version: &str,
        ok: u64,
        err: u64,
        dist: [u64; 5],
    ) -> GroupStats {
        let mut g = GroupStats::default();
        g.key.insert("prompt".into(), prompt.into());
        g.key.insert("variant".into(), variant.into());
        g.key.insert("version".into(), version.into());
        g.runs = ok + err;
        g.ok = ok;
        g.statuses.insert("ok".into(), ok);
        g.statuses.insert("error".into(), err);
        g.ratings.dist = dist;
        g.ratings.count = dist.iter().sum();
        g.duration_ms.p50 = Some(100.0);
        g
    }

    #[test]
    fn groups_become_arms_with_one_period() {
        let report = Report {
            groups: vec![
                group("p", "a", "v1", 8, 2, [0, 0, 1, 1, 0]),
                group("p", "", "v1", 1, 0, [0; 5]),
                group("q", "b", "", 3, 0, [0; 5]),
            ],
            ..Report::default()
        };
        let arms = arms_by_prompt(&report);
        assert_eq!(arms["p"].len(), 2);
        let a = arms["p"]
            .iter()
            .find(|a| a.variant.as_deref() == Some("a"))
            .unwrap();
        let t = a.total();
        assert_eq!((t.runs, t.ok, t.rated, t.timed), (10, 8, 2, 10));
        assert!((t.geo_mean_ms().unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(a.label(), "a@v1");
        assert_eq!(arms["q"][0].version, None);
        let periods = periods_of(a, &arms["p"][0]);
        assert_eq!(periods.len(), 1);
        assert_eq!(periods[0].arms[0], t);
    }
}
