//! The order of groups in a report.

use std::cmp::Ordering;

use super::SortKey;

/// The numbers of a group that the order reads (the same as its `GroupStats`).
#[derive(Debug, Clone, Copy)]
pub struct SortFields {
    /// Runs, complete or not.
    pub runs: u64,
    /// Runs that ended ok.
    pub ok: u64,
    /// Runs with a start and no end.
    pub incomplete: u64,
    /// ok / completed runs.
    pub success_rate: Option<f64>,
    /// p95 of the durations.
    pub p95: Option<f64>,
    /// Mean duration.
    pub mean: Option<f64>,
    /// Mean rating.
    pub rating: Option<f64>,
}

/// Compares two groups for `key`: the first in the report compares Less.
/// Groups without a value (no completed run, no rating) come last.
pub fn compare(key: SortKey, a: &SortFields, b: &SortFields) -> Ordering {
    let failures = |g: &SortFields| g.runs - g.ok - g.incomplete;
    match key {
        SortKey::Runs => b.runs.cmp(&a.runs),
        SortKey::Key => Ordering::Equal,
        SortKey::SuccessRate => ascending(a.success_rate, b.success_rate),
        SortKey::P95 => descending(a.p95, b.p95),
        SortKey::Mean => descending(a.mean, b.mean),
        SortKey::Rating => descending(a.rating, b.rating),
        SortKey::Failures => failures(b).cmp(&failures(a)),
    }
}

fn ascending(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn descending(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        _ => ascending(a, b),
    }
}
