//! GitHub-flavoured Markdown: a heading and a table per section, for CI job
//! summaries and pull request comments.

use std::io::{self, Write};

use super::columns::{Column, Section};
use super::table::{chosen, inputs_line, rows};
use super::text_safe::markdown_cell;
use super::{RenderOptions, Renderer};
use crate::report::Report;

/// Markdown tables.
pub struct Markdown;

impl Renderer for Markdown {
    fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        writeln!(out, "## promptrun report\n")?;
        if report.totals.runs == 0 && report.totals.ratings.count == 0 {
            writeln!(out, "No runs found ({}).", inputs_line(report))?;
            return Ok(());
        }
        for section in &options.sections {
            writeln!(out, "### {}\n", section.title())?;
            let (columns, rows) = rows(report, *section, &options.group_fields);
            let keys = options.group_fields.len().min(columns.len());
            let shown = chosen(&columns, keys, &options.columns);
            let columns: Vec<&Column> = shown.iter().map(|&c| &columns[c]).collect();
            for (r, row) in rows.iter().enumerate() {
                let cells: Vec<String> = shown.iter().map(|&c| markdown_cell(&row[c])).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
                if r == 0 {
                    let rule: Vec<&str> = columns
                        .iter()
                        .map(|c| if c.numeric { "---:" } else { "---" })
                        .collect();
                    writeln!(out, "|{}|", rule.join("|"))?;
                }
            }
            writeln!(out)?;
            if *section == Section::Feedback {
                for group in report.groups.iter().filter(|g| !g.comments.is_empty()) {
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
                    writeln!(out)?;
                }
            }
        }
        writeln!(out, "_{}_", inputs_line(report))
    }
}
