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
            let widths: Vec<usize> = (0..columns.len())
                .map(|c| {
                    rows.iter()
                        .map(|r| text_width::width(&r[c]))
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for (r, row) in rows.iter().enumerate() {
                let mut line = String::new();
                for (c, cell) in row.iter().enumerate() {
                    if c > 0 {
                        line.push_str("  ");
                    }
                    line.push_str(&text_width::pad(cell, widths[c], columns[c].numeric));
                }
                let line = line.trim_end();
                if r == 0 {
                    writeln!(out, "{bold}{line}{plain}")?;
                } else {
                    writeln!(out, "{line}")?;
                }
            }
            if *section == Section::Feedback {
                comments(report, out)?;
            }
        }
        writeln!(out, "\n{}", inputs_line(report))
    }
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
