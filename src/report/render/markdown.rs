//! GitHub-flavoured Markdown: a heading and a table per section, for CI job
//! summaries and pull request comments.

use std::io::{self, Write};

use super::columns::{Section, columns, has_cost, metric_names};
use super::table::{chosen, inputs_line, totals_row};
use super::text_safe::markdown_cell;
use super::{Groups, RenderOptions, Renderer};
use crate::report::Report;
use crate::report::engine::model::GroupStats;

/// Markdown tables.
pub struct Markdown;

impl Renderer for Markdown {
    fn render_groups(
        &self,
        report: &Report,
        groups: &dyn Groups,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        writeln!(out, "## promptrun report\n")?;
        if report.totals.runs == 0 && report.totals.ratings.count == 0 {
            writeln!(out, "No runs found ({}).", inputs_line(report))?;
            return Ok(());
        }
        let fields = &options.group_fields;
        let totals = totals_row(report, groups.len(), fields);
        for section in &options.sections {
            writeln!(out, "### {}\n", section.title())?;
            let columns = columns(*section, fields, &metric_names(report), has_cost(report));
            let keys = fields.len().min(columns.len());
            let shown = chosen(&columns, keys, &options.columns);
            let header: Vec<String> = shown
                .iter()
                .map(|&c| markdown_cell(&columns[c].header))
                .collect();
            writeln!(out, "| {} |", header.join(" | "))?;
            let rule: Vec<&str> = shown
                .iter()
                .map(|&c| if columns[c].numeric { "---:" } else { "---" })
                .collect();
            writeln!(out, "|{}|", rule.join("|"))?;
            let mut row = |group: &GroupStats| {
                let cells: Vec<String> = shown
                    .iter()
                    .map(|&c| markdown_cell(&(columns[c].value)(group)))
                    .collect();
                writeln!(out, "| {} |", cells.join(" | "))
            };
            groups.each(&mut |group| row(&group))?;
            if let Some(totals) = &totals {
                row(totals)?;
            }
            writeln!(out)?;
            if *section == Section::Feedback {
                groups.each(&mut |group| {
                    if group.comments.is_empty() {
                        return Ok(());
                    }
                    let name: Vec<String> = group.key.values().map(|v| markdown_cell(v)).collect();
                    writeln!(out, "Latest comments, {}:\n", name.join(" / "))?;
                    for comment in &group.comments {
                        writeln!(
                            out,
                            "- {} — {}",
                            comment.ts,
                            markdown_cell(&comment.comment)
                        )?;
                    }
                    writeln!(out)
                })?;
            }
        }
        writeln!(out, "_{}_", inputs_line(report))
    }
}
