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

/// A number with at least `min_decimals` decimals and, below 1, as many more as
/// three significant digits need (0.0002, not 0.00), trailing zeros trimmed.
pub fn sig(value: f64, min_decimals: usize) -> String {
    if !value.is_finite() {
        return OVERFLOW.into();
    }
    let magnitude = value.abs();
    if magnitude == 0.0 || magnitude >= 1.0 {
        return format!("{value:.min_decimals$}");
    }
    let lead = magnitude.log10().floor() as i64;
    let decimals = ((2 - lead).max(0) as usize).clamp(min_decimals, 12);
    let mut text = format!("{value:.decimals$}");
    let keep = text
        .find('.')
        .map_or(text.len(), |dot| dot + 1 + min_decimals);
    while text.len() > keep && text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    text
}

/// A number of significant digits or "-" for none.
pub fn sig_or_dash(value: Option<f64>, min_decimals: usize) -> String {
    value.map_or_else(|| "-".into(), |v| sig(v, min_decimals))
}

/// An amount in US dollars: `$12.35`, `$0.0075`, `$0.0002`; "-" for none.
pub fn usd(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("${}", sig(v, 2)))
}

/// Whether a report has costs or token counts worth columns of their own.
pub fn has_cost(report: &crate::report::Report) -> bool {
    let t = &report.totals;
    t.cost_usd.runs > 0 || t.tokens.input > 0.0 || t.tokens.output > 0.0
}
/// What tables and CSV show for a number that overflowed.
pub const OVERFLOW: &str = "overflow";

/// A ratio as a percentage.
pub fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0))
}

/// The share of asked runs that should get a rating: the feedback report marks
/// participation below it, the dashboard draws it as a goal line.
pub const PARTICIPATION_GOAL: f64 = 0.8;

/// Participation as a percentage, marked when below [`PARTICIPATION_GOAL`]:
/// `62.0% (<80%)`.
pub fn participation(value: Option<f64>) -> String {
    match value {
        Some(v) if v < PARTICIPATION_GOAL => {
            format!("{} (<{:.0}%)", pct(Some(v)), PARTICIPATION_GOAL * 100.0)
        }
        other => pct(other),
    }
}

/// The key columns, then the section's columns. `metric_names` are the custom
/// metrics found in the report (performance shows their sum and mean);
/// `with_cost` adds tokens and cost to performance.
pub fn columns(
    section: Section,
    group_fields: &[String],
    metric_names: &BTreeSet<String>,
    with_cost: bool,
) -> Vec<Column> {
    let mut columns: Vec<Column> = group_fields
        .iter()
        .map(|field| {
            let name = field.clone();
            col(field, false, move |g| {
                g.key
                    .get(&name)
                    .filter(|v| !v.is_empty())
                    .map(|v| short_hash(v).to_string())
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
            if with_cost {
                columns.extend([
                    col("tokens in", true, |g| num(Some(g.tokens.input), 0)),
                    col("tokens out", true, |g| num(Some(g.tokens.output), 0)),
                    col("cost", true, |g| usd(Some(g.cost_usd.total))),
                    col("cost/run", true, |g| usd(g.cost_usd.mean)),
                    col("cost p95", true, |g| usd(g.cost_usd.p95)),
                ]);
            }
            for name in metric_names {
                let (sum_name, mean_name) = (name.clone(), name.clone());
                columns.push(col(&format!("{name} sum"), true, move |g| {
                    sig_or_dash(g.metrics.get(&sum_name).map(|m| m.sum), 2)
                }));
                columns.push(col(&format!("{name} mean"), true, move |g| {
                    sig_or_dash(g.metrics.get(&mean_name).map(|m| m.mean), 2)
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
            columns.push(col("participation", true, |g| {
                participation(g.participation)
            }));
        }
    }
    columns
}

/// How many hex digits of a hash the table and Markdown show (as `git log --oneline`).
pub const SHORT_HASH: usize = 12;

/// A long hex hash (prompt version, user, host: 64 digits) shortened to its first
/// [`SHORT_HASH`] digits; any other text unchanged. JSON and CSV keep full values.
pub fn short_hash(value: &str) -> &str {
    if value.len() > SHORT_HASH + 8 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        &value[..SHORT_HASH]
    } else {
        value
    }
}

/// Every custom metric name in the report.
pub fn metric_names(report: &crate::report::Report) -> BTreeSet<String> {
    report.totals.metrics.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_amounts_keep_their_digits() {
        assert_eq!(usd(Some(0.0002)), "$0.0002");
        assert_eq!(usd(Some(0.0075)), "$0.0075");
        assert_eq!(usd(Some(0.00725)), "$0.00725");
        assert_eq!(usd(Some(0.000123456)), "$0.000123");
        assert_eq!(usd(Some(0.5)), "$0.50");
        assert_eq!(usd(Some(12.345)), "$12.35");
        assert_eq!(usd(Some(0.0)), "$0.00");
        assert_eq!(usd(None), "-");
        assert_eq!(sig(-0.0031, 2), "-0.0031");
        assert_eq!(sig(200.0, 2), "200.00");
        assert_eq!(sig(0.999, 2), "0.999");
    }

    #[test]
    fn participation_below_the_goal_is_marked() {
        assert_eq!(participation(Some(0.62)), "62.0% (<80%)");
        assert_eq!(participation(Some(0.8)), "80.0%");
        assert_eq!(participation(Some(1.0)), "100.0%");
        assert_eq!(participation(None), "-");
    }

    #[test]
    fn long_hashes_shorten_to_twelve_digits() {
        let hash = "ab".repeat(32);
        assert_eq!(short_hash(&hash), "abababababab");
        assert_eq!(short_hash("summarize"), "summarize");
        assert_eq!(short_hash("deadbeef"), "deadbeef");
        assert_eq!(short_hash("-"), "-");
    }
}
