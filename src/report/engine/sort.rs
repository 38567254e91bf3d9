//! The order of groups in a report.

use std::cmp::Ordering;

use super::SortKey;
use super::model::GroupStats;

/// Compares two groups for `key`: the first in the report compares Less.
/// Groups without a value (no completed run, no rating) come last.
pub fn compare(key: SortKey, a: &GroupStats, b: &GroupStats) -> Ordering {
    let failures = |g: &GroupStats| g.runs - g.ok - g.incomplete;
    match key {
        SortKey::Runs => b.runs.cmp(&a.runs),
        SortKey::Key => Ordering::Equal,
        SortKey::SuccessRate => ascending(a.success_rate, b.success_rate),
        SortKey::P95 => descending(a.duration_ms.p95, b.duration_ms.p95),
        SortKey::Mean => descending(a.duration_ms.mean, b.duration_ms.mean),
        SortKey::Rating => descending(a.ratings.mean, b.ratings.mean),
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
