//! Trends as a table, Markdown or CSV.

use std::fmt::Write;

use super::text_safe::{markdown_cell, printable, spreadsheet_cell};
use crate::report::render::text_width;
use crate::report::trends::{TrendChange, TrendPoint, Trends};

fn opt(value: Option<f64>, format: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "-".to_string(), format)
}

fn pct(value: Option<f64>) -> String {
    opt(value, |v| format!("{:.1}%", v * 100.0))
}

fn ms(value: Option<f64>) -> String {
    opt(value, |v| format!("{v:.0}"))
}

fn stars(value: Option<f64>) -> String {
    opt(value, |v| format!("{v:.2}"))
}

fn signed(value: Option<f64>, unit: &str) -> String {
    opt(value, |v| format!("{v:+.1}{unit}"))
}

fn bucket_rows(trends: &Trends) -> Vec<Vec<String>> {
    trends
        .buckets
        .iter()
        .map(|p: &TrendPoint| {
            vec![
                crate::report::dashboard::bucket_label(&p.bucket, &trends.bucket),
                p.name(),
                p.runs.to_string(),
                pct(p.success_rate),
                ms(p.p95_ms),
                stars(p.mean_rating),
            ]
        })
        .collect()
}

fn change_rows(trends: &Trends) -> Vec<Vec<String>> {
    trends
        .changes
        .iter()
        .map(|c: &TrendChange| {
            let before = c.previous.as_ref();
            vec![
                c.name(),
                format!("{} ({})", c.current.runs, before.map_or(0, |p| p.runs)),
                format!(
                    "{} ({})",
                    pct(c.current.success_rate),
                    pct(before.and_then(|p| p.success_rate))
                ),
                signed(c.success_rate_change_pts, " pts"),
                format!(
                    "{} ({})",
                    ms(c.current.p95_ms),
                    ms(before.and_then(|p| p.p95_ms))
                ),
                signed(c.p95_change_pct, "%"),
                format!(
                    "{} ({})",
                    stars(c.current.mean_rating),
                    stars(before.and_then(|p| p.mean_rating))
                ),
                signed(c.rating_change, ""),
                if c.flags.is_empty() {
                    String::new()
                } else {
                    format!("REGRESSION: {}", c.flags.join(", "))
                },
            ]
        })
        .collect()
}

const BUCKET_HEADINGS: [&str; 6] = ["bucket", "prompt", "runs", "success", "p95 ms", "rating"];
const CHANGE_HEADINGS: [&str; 9] = [
    "prompt",
    "runs (prev)",
    "success (prev)",
    "change",
    "p95 ms (prev)",
    "change",
    "rating (prev)",
    "change",
    "flags",
];

/// What a row is: `prompt`, `prompt / variant` or `prompt @ version`.
fn rows_are(trends: &Trends) -> &'static str {
    match trends.changes.first() {
        Some(c) if c.variant.is_some() => "prompt / variant",
        Some(c) if c.version.is_some() => "prompt @ version",
        _ => "prompt",
    }
}

/// Aligned columns; with `colour`, regressions in red.
pub fn table(trends: &Trends, colour: bool) -> String {
    let mut out = format!(
        "Runs per {} and {}, {}\n\n",
        trends.bucket,
        rows_are(trends),
        trends.window
    );
    aligned(&mut out, &BUCKET_HEADINGS, &bucket_rows(trends), false);
    let against = trends
        .previous_window
        .as_ref()
        .map_or("no previous window (pass --since)".to_string(), |w| {
            w.to_string()
        });
    let _ = write!(out, "\nWindow against previous window ({against})\n\n");
    aligned(&mut out, &CHANGE_HEADINGS, &change_rows(trends), colour);
    out
}

fn aligned(out: &mut String, headings: &[&str], rows: &[Vec<String>], colour: bool) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| printable(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headings.iter().map(|h| text_width::width(h)).collect();
    for row in &rows {
        for (width, value) in widths.iter_mut().zip(row) {
            *width = (*width).max(text_width::width(value));
        }
    }
    let line = |values: Vec<&str>| {
        let cells: Vec<String> = values
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (v, w))| text_width::pad(v, *w, i >= 2))
            .collect();
        cells.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(headings.to_vec()));
    for row in &rows {
        let text = line(row.iter().map(String::as_str).collect());
        let flagged = row
            .last()
            .is_some_and(|last| last.starts_with("REGRESSION"));
        if colour && flagged {
            let _ = writeln!(out, "\x1b[31m{text}\x1b[0m");
        } else {
            let _ = writeln!(out, "{text}");
        }
    }
}

/// Markdown tables for job summaries and pull request comments.
pub fn markdown(trends: &Trends) -> String {
    let mut out = format!(
        "## Trends per {}\n\n{}\n\n",
        trends.bucket,
        markdown_cell(&trends.window.to_string())
    );
    md_table(&mut out, &BUCKET_HEADINGS, &bucket_rows(trends));
    out.push_str("\n### Window against previous window\n\n");
    md_table(&mut out, &CHANGE_HEADINGS, &change_rows(trends));
    out
}

fn md_table(out: &mut String, headings: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", headings.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        headings.iter().map(|_| "---|").collect::<String>()
    );
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| markdown_cell(cell)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

/// One CSV row per bucket and prompt (`row` = `bucket`) and per prompt change (`row` = `change`).
pub fn csv(trends: &Trends) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "row",
        "bucket",
        "prompt",
        "runs",
        "success_rate",
        "p95_ms",
        "mean_rating",
        "previous_runs",
        "previous_success_rate",
        "previous_p95_ms",
        "previous_mean_rating",
        "success_rate_change_pts",
        "p95_change_pct",
        "rating_change",
        "flags",
    ])?;
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for p in &trends.buckets {
        writer.write_record([
            "bucket",
            &p.bucket,
            &spreadsheet_cell(&p.name()),
            &p.runs.to_string(),
            &num(p.success_rate),
            &num(p.p95_ms),
            &num(p.mean_rating),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ])?;
    }
    for c in &trends.changes {
        let before = c.previous.as_ref();
        writer.write_record([
            "change",
            "",
            &spreadsheet_cell(&c.name()),
            &c.current.runs.to_string(),
            &num(c.current.success_rate),
            &num(c.current.p95_ms),
            &num(c.current.mean_rating),
            &before.map(|p| p.runs.to_string()).unwrap_or_default(),
            &num(before.and_then(|p| p.success_rate)),
            &num(before.and_then(|p| p.p95_ms)),
            &num(before.and_then(|p| p.mean_rating)),
            &num(c.success_rate_change_pts),
            &num(c.p95_change_pct),
            &num(c.rating_change),
            &spreadsheet_cell(&c.flags.join(" ")),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|err| err.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
