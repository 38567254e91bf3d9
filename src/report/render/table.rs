//! Aligned columns for a terminal: one table per section, a totals row, and the
//! inputs line. Colour (bold headers) only when the caller allows it.

use std::io::{self, Write};

use super::columns::{Column, Section, columns, has_cost, metric_names};
use super::text_safe::printable;
use super::{RenderOptions, Renderer};
use crate::report::Report;
use crate::report::engine::model::GroupStats;
use crate::report::render::text_width;

/// The terminal table.
pub struct Table;

/// The cells of one section: header row first, then groups, then totals.
pub fn rows(
    report: &Report,
    section: Section,
    fields: &[String],
) -> (Vec<Column>, Vec<Vec<String>>) {
    let columns = columns(section, fields, &metric_names(report), has_cost(report));
    let mut rows = vec![columns.iter().map(|c| c.header.clone()).collect::<Vec<_>>()];
    for group in &report.groups {
        rows.push(columns.iter().map(|c| (c.value)(group)).collect());
    }
    if report.groups.len() > 1 || fields.is_empty() {
        let mut totals: GroupStats = report.totals.clone();
        totals.key = fields
            .iter()
            .take(1)
            .map(|f| (f.clone(), "TOTAL".to_string()))
            .collect();
        rows.push(columns.iter().map(|c| (c.value)(&totals)).collect());
    }
    (columns, rows)
}

/// A one-line summary of what was read.
pub fn inputs_line(report: &Report) -> String {
    let i = &report.inputs;
    format!(
        "{} file(s), {} lines, {} events, {} skipped, {} duplicates",
        i.files, i.lines, i.events, i.skipped, i.duplicates
    )
}

impl Renderer for Table {
    fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let (bold, plain) = if options.colour {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("", "")
        };
        if report.totals.runs == 0 && report.totals.ratings.count == 0 {
            writeln!(out, "No runs found ({}).", inputs_line(report))?;
            writeln!(out, "Record one with: promptrun <prompt> -- <command>")?;
            return Ok(());
        }
        for (n, section) in options.sections.iter().enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{bold}{}{plain}", section.title())?;
            let (columns, rows) = rows(report, *section, &options.group_fields);
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|row| row.iter().map(|cell| printable(cell)).collect())
                .collect();
            let mut widths: Vec<usize> = (0..columns.len())
                .map(|c| {
                    rows.iter()
                        .map(|r| text_width::width(&r[c]))
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let keys = options.group_fields.len().min(columns.len());
            let chosen = chosen(&columns, keys, &options.columns);
            let (shown, left_out) = fit(&chosen, keys, &mut widths, options.width);
            for (r, row) in rows.iter().enumerate() {
                let mut line = String::new();
                for (n, &c) in shown.iter().enumerate() {
                    if n > 0 {
                        line.push_str("  ");
                    }
                    let cell = text_width::truncate(&row[c], widths[c]);
                    line.push_str(&text_width::pad(&cell, widths[c], columns[c].numeric));
                }
                let line = line.trim_end();
                if r == 0 {
                    writeln!(out, "{bold}{line}{plain}")?;
                } else {
                    writeln!(out, "{line}")?;
                }
            }
            if !left_out.is_empty() {
                let names: Vec<&str> = left_out
                    .iter()
                    .map(|&c| columns[c].header.as_str())
                    .collect();
                writeln!(
                    out,
                    "{}",
                    left_out_line(&names, options.width.unwrap_or(usize::MAX))
                )?;
            }
            if *section == Section::Feedback {
                comments(report, out)?;
            }
        }
        writeln!(out, "\n{}", inputs_line(report))
    }
}

/// The columns to show, by index: the key columns, then those `--columns` names in
/// its order (all when it names none). Names match a header ignoring case, with `_`
/// or `-` for spaces (`p95_ms`).
pub fn chosen(columns: &[Column], keys: usize, names: &[String]) -> Vec<usize> {
    if names.is_empty() {
        return (0..columns.len()).collect();
    }
    let mut chosen: Vec<usize> = (0..keys).collect();
    for name in names {
        if let Some(c) = (keys..columns.len()).find(|&c| same_column(&columns[c].header, name))
            && !chosen.contains(&c)
        {
            chosen.push(c);
        }
    }
    chosen
}

/// Whether `name` (as typed after `--columns`) names the column `header`.
pub fn same_column(header: &str, name: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace(['_', '-'], " ");
    norm(header) == norm(name)
}

/// Which of the `chosen` columns fit in `width` terminal columns (two spaces between
/// columns): the key columns always (cut with `…` when they alone are too wide), then
/// the others in order up to the first that does not fit. Returns the shown and the
/// left-out columns.
fn fit(
    chosen: &[usize],
    keys: usize,
    widths: &mut [usize],
    width: Option<usize>,
) -> (Vec<usize>, Vec<usize>) {
    let Some(width) = width else {
        return (chosen.to_vec(), Vec::new());
    };
    let key_cols: Vec<usize> = chosen.iter().copied().filter(|&c| c < keys).collect();
    // Narrow the widest key column until the keys fit (not below 6 columns).
    loop {
        let used: usize = key_cols.iter().map(|&c| widths[c]).sum::<usize>()
            + 2 * key_cols.len().saturating_sub(1);
        let Some(&widest) = key_cols.iter().max_by_key(|&&c| widths[c]) else {
            break;
        };
        if used <= width || widths[widest] <= 6 {
            break;
        }
        widths[widest] -= (used - width).min(widths[widest] - 6);
    }
    let mut used: usize =
        key_cols.iter().map(|&c| widths[c]).sum::<usize>() + 2 * key_cols.len().saturating_sub(1);
    let mut shown = key_cols.clone();
    let mut left_out = Vec::new();
    for &c in chosen.iter().filter(|&&c| c >= keys) {
        let gap = if shown.is_empty() { 0 } else { 2 };
        if left_out.is_empty() && used + gap + widths[c] <= width {
            used += gap + widths[c];
            shown.push(c);
        } else {
            left_out.push(c);
        }
    }
    (shown, left_out)
}

/// The footer naming the columns a terminal table left out, wrapped to `width`
/// (continuation lines indented by two spaces).
fn left_out_line(names: &[&str], width: usize) -> String {
    let plural = if names.len() == 1 { "" } else { "s" };
    let mut text = format!(
        "… {} more column{plural}: --wide or --columns;",
        names.len()
    );
    let mut line_width = text_width::width(&text);
    for (n, name) in names.iter().enumerate() {
        let piece = if n + 1 < names.len() {
            format!("{name},")
        } else {
            name.to_string()
        };
        let piece_width = text_width::width(&piece);
        if line_width + 1 + piece_width > width {
            text.push_str("\n  ");
            line_width = 2;
        } else {
            text.push(' ');
            line_width += 1;
        }
        text.push_str(&piece);
        line_width += piece_width;
    }
    text
}

fn comments(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for group in report.groups.iter().filter(|g| !g.comments.is_empty()) {
        let name: Vec<String> = group.key.values().map(|v| printable(v)).collect();
        writeln!(out, "\nLatest comments, {}:", name.join(" / "))?;
        for comment in &group.comments {
            writeln!(out, "  {}  {}", comment.ts, printable(&comment.comment))?;
        }
    }
    Ok(())
}
