//! One CSV row per group, for spreadsheets and scripts.
//!
//! The columns are the same whatever the report kind, in a fixed order: the
//! group-by fields, then every count and statistic, then the custom metrics
//! (`metric_<name>_sum`, `metric_<name>_mean`) last, so adding a metric never
//! moves another column. Numbers are written in full precision, ratios as
//! fractions (0.5, not 50%), and a missing value (no variant, no rating) as an
//! empty cell. Text from the logs (group values, metric names) goes through
//! [`spreadsheet_cell`], so a prompt named `=cmd|...` is not a formula.

use std::io::{self, Write};

use super::columns::metric_names;
use super::text_safe::spreadsheet_cell;
use super::{Groups, RenderOptions, Renderer};
use crate::report::Report;
use crate::report::engine::model::GroupStats;

/// CSV through the csv crate (quoting done right).
pub struct Csv;

const STATUSES: [&str; 5] = ["ok", "error", "signal", "timeout", "spawn_failed"];
const RESOLUTIONS: [&str; 4] = ["name", "alias", "route", "adhoc"];

fn opt(value: Option<f64>) -> String {
    value.map(number).unwrap_or_default()
}

/// A number in full precision, or `overflow` when it went past the largest one.
fn number(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        super::columns::OVERFLOW.to_string()
    }
}

/// A column: its header and how to write a group's value.
type CsvColumn = (String, Box<dyn Fn(&GroupStats) -> String>);

/// The fixed statistic columns.
fn statistics() -> Vec<CsvColumn> {
    let mut columns: Vec<CsvColumn> = vec![
        ("runs".into(), Box::new(|g| g.runs.to_string())),
        ("share".into(), Box::new(|g| g.share.to_string())),
        ("users".into(), Box::new(|g| g.users.to_string())),
        (
            "first_ts".into(),
            Box::new(|g| {
                g.first_ts
                    .as_deref()
                    .map(spreadsheet_cell)
                    .unwrap_or_default()
            }),
        ),
        (
            "last_ts".into(),
            Box::new(|g| {
                g.last_ts
                    .as_deref()
                    .map(spreadsheet_cell)
                    .unwrap_or_default()
            }),
        ),
        ("success_rate".into(), Box::new(|g| opt(g.success_rate))),
        ("incomplete".into(), Box::new(|g| g.incomplete.to_string())),
    ];
    for status in STATUSES {
        columns.push((
            format!("status_{status}"),
            Box::new(move |g| g.statuses.get(status).copied().unwrap_or(0).to_string()),
        ));
    }
    for resolution in RESOLUTIONS {
        columns.push((
            format!("resolution_{resolution}"),
            Box::new(move |g| {
                g.resolutions
                    .get(resolution)
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            }),
        ));
    }
    type Statistic = fn(&GroupStats) -> Option<f64>;
    let durations: [(&str, Statistic); 7] = [
        ("mean", |g| g.duration_ms.mean),
        ("p50", |g| g.duration_ms.p50),
        ("p90", |g| g.duration_ms.p90),
        ("p95", |g| g.duration_ms.p95),
        ("p99", |g| g.duration_ms.p99),
        ("max", |g| g.duration_ms.max),
        ("total", |g| Some(g.duration_ms.total)),
    ];
    for (name, value) in durations {
        columns.push((
            format!("duration_ms_{name}"),
            Box::new(move |g| opt(value(g))),
        ));
    }
    columns.push(("ratings".into(), Box::new(|g| g.ratings.count.to_string())));
    columns.push(("rating_mean".into(), Box::new(|g| opt(g.ratings.mean))));
    for stars in 1..=5usize {
        columns.push((
            format!("rating_{stars}"),
            Box::new(move |g| g.ratings.dist[stars - 1].to_string()),
        ));
    }
    columns.push(("participation".into(), Box::new(|g| opt(g.participation))));
    let tokens: [(&str, Statistic); 3] = [
        ("input", |g| Some(g.tokens.input)),
        ("output", |g| Some(g.tokens.output)),
        ("cached_input", |g| Some(g.tokens.cached_input)),
    ];
    for (name, value) in tokens {
        columns.push((format!("tokens_{name}"), Box::new(move |g| opt(value(g)))));
    }
    columns.push((
        "cost_runs".into(),
        Box::new(|g| g.cost_usd.runs.to_string()),
    ));
    let costs: [(&str, Statistic); 5] = [
        ("total", |g| Some(g.cost_usd.total)),
        ("mean", |g| g.cost_usd.mean),
        ("p50", |g| g.cost_usd.p50),
        ("p95", |g| g.cost_usd.p95),
        ("max", |g| g.cost_usd.max),
    ];
    for (name, value) in costs {
        columns.push((format!("cost_usd_{name}"), Box::new(move |g| opt(value(g)))));
    }
    columns
}

impl Renderer for Csv {
    fn render_groups(
        &self,
        report: &Report,
        groups: &dyn Groups,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let statistics = statistics();
        let metrics: Vec<String> = metric_names(report).into_iter().collect();
        let mut writer = ::csv::Writer::from_writer(out);
        let mut header: Vec<String> = options
            .group_fields
            .iter()
            .map(|field| spreadsheet_cell(field))
            .collect();
        header.extend(statistics.iter().map(|(name, _)| name.clone()));
        for metric in &metrics {
            header.push(spreadsheet_cell(&format!("metric_{metric}_sum")));
            header.push(spreadsheet_cell(&format!("metric_{metric}_mean")));
        }
        writer.write_record(&header)?;
        groups.each(&mut |group| {
            let mut row: Vec<String> = options
                .group_fields
                .iter()
                .map(|field| {
                    group
                        .key
                        .get(field)
                        .map(|value| spreadsheet_cell(value))
                        .unwrap_or_default()
                })
                .collect();
            row.extend(statistics.iter().map(|(_, value)| value(&group)));
            for metric in &metrics {
                let stats = group.metrics.get(metric);
                row.push(stats.map(|m| number(m.sum)).unwrap_or_default());
                row.push(stats.map(|m| number(m.mean)).unwrap_or_default());
            }
            writer.write_record(&row).map_err(io::Error::from)
        })?;
        writer.flush()
    }
}
