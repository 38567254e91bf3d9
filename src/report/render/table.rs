//! Aligned columns for a terminal: one table per section, a totals row, and the
//! inputs line. Colour (bold headers) only when the caller allows it.

use std::io::{self, Write};

use super::columns::{Column, Section, columns, has_cost, metric_names};
use super::text_safe::printable;
use super::{Groups, RenderOptions, Renderer};
use crate::report::Report;
use crate::report::engine::model::GroupStats;
use crate::report::render::text_width;

/// The terminal table.
pub struct Table;

/// The totals row's statistics (its first key column reads TOTAL), when the
/// table has one: with more than one group, or without group-by fields.
pub fn totals_row(report: &Report, groups: usize, fields: &[String]) -> Option<GroupStats> {
    (groups > 1 || fields.is_empty()).then(|| {
        let mut totals: GroupStats = report.totals.clone();
        totals.key = fields
            .iter()
            .take(1)
            .map(|f| (f.clone(), "TOTAL".to_string()))
            .collect();
        totals
    })
}

/// A one-line summary of what was read.
pub fn inputs_line(report: &Report) -> String {
    let i = &report.inputs;
    format!(
        "{} file(s), {} lines, {} events, {} skipped, {} duplicates",
        i.files, i.lines, i.events, i.skipped, i.duplicates
    )
}

/// Each column's width in a section: the widest of its header, its groups'
/// cells and the totals row's (all as [`printable`] shows them).
struct Widths(Vec<usize>);

impl Widths {
    fn of_headers(columns: &[Column]) -> Self {
        Widths(
            columns
                .iter()
                .map(|c| text_width::width(&printable(&c.header)))
                .collect(),
        )
    }

    fn widen(&mut self, columns: &[Column], group: &GroupStats) {
        for (width, column) in self.0.iter_mut().zip(columns) {
            *width = (*width).max(text_width::width(&printable(&(column.value)(group))));
        }
    }
}

/// One line of a section: the `shown` columns' cells, cut and padded to `widths`.
fn line(cells: &[(usize, String)], columns: &[Column], widths: &[usize]) -> String {
    let mut line = String::new();
    for (n, (c, cell)) in cells.iter().enumerate() {
        if n > 0 {
            line.push_str("  ");
        }
        let cell = text_width::truncate(cell, widths[*c]);
        line.push_str(&text_width::pad(&cell, widths[*c], columns[*c].numeric));
    }
    line.trim_end().to_string()
}

/// The `shown` cells of a group's row.
fn cells(shown: &[usize], columns: &[Column], group: &GroupStats) -> Vec<(usize, String)> {
    shown
        .iter()
        .map(|&c| (c, printable(&(columns[c].value)(group))))
        .collect()
}

impl Renderer for Table {
    fn render_groups(
        &self,
        report: &Report,
        groups: &dyn Groups,
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
        let fields = &options.group_fields;
        let sections: Vec<Vec<Column>> = options
            .sections
            .iter()
            .map(|section| columns(*section, fields, &metric_names(report), has_cost(report)))
            .collect();
        // The widths first, every section's in one reading of the groups; then
        // each section reads them again to print them.
        let mut widths: Vec<Widths> = sections.iter().map(|c| Widths::of_headers(c)).collect();
        groups.each(&mut |group| {
            for (widths, columns) in widths.iter_mut().zip(&sections) {
                widths.widen(columns, &group);
            }
            Ok(())
        })?;
        let totals = totals_row(report, groups.len(), fields);
        for (n, (section, columns)) in options.sections.iter().zip(&sections).enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{bold}{}{plain}", section.title())?;
            let mut widths = std::mem::take(&mut widths[n].0);
            if let Some(totals) = &totals {
                let mut with_totals = Widths(widths);
                with_totals.widen(columns, totals);
                widths = with_totals.0;
            }
            let keys = fields.len().min(columns.len());
            let chosen = chosen(columns, keys, &options.columns);
            let (shown, left_out) = fit(&chosen, keys, &mut widths, options.width);
            let header: Vec<(usize, String)> = shown
                .iter()
                .map(|&c| (c, printable(&columns[c].header)))
                .collect();
            writeln!(out, "{bold}{}{plain}", line(&header, columns, &widths))?;
            groups.each(&mut |group| {
                writeln!(
                    out,
                    "{}",
                    line(&cells(&shown, columns, &group), columns, &widths)
                )
            })?;
            if let Some(totals) = &totals {
                writeln!(
                    out,
                    "{}",
                    line(&cells(&shown, columns, totals), columns, &widths)
                )?;
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
                comments(groups, out)?;
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

fn comments(groups: &dyn Groups, out: &mut dyn Write) -> io::Result<()> {
    groups.each(&mut |group| {
        if group.comments.is_empty() {
            return Ok(());
        }
        let name: Vec<String> = group.key.values().map(|v| printable(v)).collect();
        writeln!(out, "\nLatest comments, {}:", name.join(" / "))?;
        for comment in &group.comments {
            writeln!(out, "  {}  {}", comment.ts, printable(&comment.comment))?;
        }
        Ok(())
    })
}
