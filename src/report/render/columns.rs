//! The columns each report section shows, shared by table, Markdown and CSV.

use std::collections::BTreeSet;

use crate::report::engine::model::GroupStats;

/// A report section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Usage,
    Performance,
    Feedback,
}

impl Section {
    /// The section's title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Usage => "Usage",
            Section::Performance => "Performance",
            Section::Feedback => "Feedback",
        }
    }
}

/// One column: its header and how to print a group's value.
pub struct Column {
    pub header: String,
    /// Numbers align right.
    pub numeric: bool,
    pub value: Box<dyn Fn(&GroupStats) -> String>,
}

fn col(header: &str, numeric: bool, value: impl Fn(&GroupStats) -> String + 'static) -> Column {
    Column {
        header: header.to_string(),
        numeric,
        value: Box::new(value),
    }
}

/// A number with at most `decimals` decimals, "-" for none, and `overflow` for
/// a sum that went past the largest number (rather than `inf`).
pub fn num(value: Option<f64>, decimals: usize) -> String {
    match value {
        None => "-".into(),
        Some(v) if !v.is_finite() => OVERFLOW.into(),
        Some(v) => format!("{v:.decimals$}"),
    }
}

/// What tables and CSV show for a number that overflowed.
pub const OVERFLOW: &str = "overflow";

/// A ratio as a percentage.
pub fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0))
}

/// The key columns, then the section's columns. `metric_names` are the custom
/// metrics found in the report (performance shows their sum and mean).
pub fn columns(
    section: Section,
    group_fields: &[String],
    metric_names: &BTreeSet<String>,
) -> Vec<Column> {
    let mut columns: Vec<Column> = group_fields
        .iter()
        .map(|field| {
            let name = field.clone();
            col(field, false, move |g| {
                g.key
                    .get(&name)
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_else(|| "-".into())
            })
        })
        .collect();
    let status = |name: &'static str| {
        move |g: &GroupStats| g.statuses.get(name).copied().unwrap_or(0).to_string()
    };
    let resolution = |name: &'static str| {
        move |g: &GroupStats| g.resolutions.get(name).copied().unwrap_or(0).to_string()
    };
    match section {
        Section::Usage => columns.extend([
            col("runs", true, |g| g.runs.to_string()),
            col("share", true, |g| pct(Some(g.share))),
            col("users", true, |g| g.users.to_string()),
            col("first run", false, |g| {
                g.first_ts.clone().unwrap_or_else(|| "-".into())
            }),
            col("last run", false, |g| {
                g.last_ts.clone().unwrap_or_else(|| "-".into())
            }),
            col("name", true, resolution("name")),
            col("alias", true, resolution("alias")),
            col("route", true, resolution("route")),
            col("adhoc", true, resolution("adhoc")),
        ]),
        Section::Performance => {
            columns.extend([
                col("runs", true, |g| g.runs.to_string()),
                col("success", true, |g| pct(g.success_rate)),
                col("ok", true, status("ok")),
                col("error", true, status("error")),
                col("signal", true, status("signal")),
                col("timeout", true, status("timeout")),
                col("spawn_failed", true, status("spawn_failed")),
                col("incomplete", true, |g| g.incomplete.to_string()),
                col("mean ms", true, |g| num(g.duration_ms.mean, 1)),
                col("p50 ms", true, |g| num(g.duration_ms.p50, 1)),
                col("p90 ms", true, |g| num(g.duration_ms.p90, 1)),
                col("p95 ms", true, |g| num(g.duration_ms.p95, 1)),
                col("p99 ms", true, |g| num(g.duration_ms.p99, 1)),
                col("max ms", true, |g| num(g.duration_ms.max, 1)),
                col("total ms", true, |g| num(Some(g.duration_ms.total), 1)),
            ]);
            for name in metric_names {
                let (sum_name, mean_name) = (name.clone(), name.clone());
                columns.push(col(&format!("{name} sum"), true, move |g| {
                    num(g.metrics.get(&sum_name).map(|m| m.sum), 2)
                }));
                columns.push(col(&format!("{name} mean"), true, move |g| {
                    num(g.metrics.get(&mean_name).map(|m| m.mean), 2)
                }));
            }
        }
        Section::Feedback => {
            columns.extend([
                col("ratings", true, |g| g.ratings.count.to_string()),
                col("mean", true, |g| num(g.ratings.mean, 2)),
            ]);
            for stars in 1..=5usize {
                columns.push(col(&format!("{stars}★"), true, move |g| {
                    g.ratings.dist[stars - 1].to_string()
                }));
            }
            columns.push(col("participation", true, |g| pct(g.participation)));
        }
    }
    columns
}

/// Every custom metric name in the report.
pub fn metric_names(report: &crate::report::Report) -> BTreeSet<String> {
    report.totals.metrics.keys().cloned().collect()
}
