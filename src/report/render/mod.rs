//! Presenting a computed [`Report`]: one trait, one file per format.
//! Renderers only format; every number comes from the report.

mod columns;
mod csv;
mod json;
mod markdown;
mod table;

// Dashboard, trends and alert output.
pub mod breaches;
pub mod charts;
pub mod compare_text;
pub mod html;
pub mod html_page;
mod html_tables;
pub mod recommend_text;
pub mod text_safe;
pub mod text_width;
pub mod trends_html;
pub mod trends_text;

use std::borrow::Cow;
use std::io::{self, Write};

pub use columns::short_hash;
pub use columns::{Column, PARTICIPATION_GOAL, Section, columns, has_cost, metric_names};
pub use json::write_streamed;
pub use table::same_column;

use super::Report;
use super::engine::GroupRows;
use super::engine::model::GroupStats;

/// Which parts of the report to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Usage,
    Performance,
    Feedback,
    All,
}

impl Part {
    /// The sections this part shows, in order.
    pub fn sections(self) -> &'static [Section] {
        match self {
            Part::Usage => &[Section::Usage],
            Part::Performance => &[Section::Performance],
            Part::Feedback => &[Section::Feedback],
            Part::All => &[Section::Usage, Section::Performance, Section::Feedback],
        }
    }
}

impl Part {
    /// The sections of several parts, in the order given, each once.
    pub fn sections_of(parts: &[Part]) -> Vec<Section> {
        let mut sections: Vec<Section> = Vec::new();
        for section in parts.iter().flat_map(|part| part.sections()) {
            if !sections.contains(section) {
                sections.push(*section);
            }
        }
        sections
    }
}

/// What a renderer needs besides the report.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The sections to show, in order (table and Markdown; JSON and CSV hold everything).
    pub sections: Vec<Section>,
    /// Colour (table only; the caller checks the terminal and NO_COLOR).
    pub colour: bool,
    /// The group-by field names, in order (the key columns).
    pub group_fields: Vec<String>,
    /// The terminal width the table must fit (columns beyond it are left out and
    /// named in a footer); None keeps every column (`--wide`, a file, a pipe).
    pub width: Option<usize>,
    /// `--columns`: only these columns (besides the key columns), in this order;
    /// empty for all. Table and Markdown.
    pub columns: Vec<String>,
}

/// A report format.
pub trait Renderer {
    /// Writes `report` to `out`.
    fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.render_groups(report, &report.groups, options, out)
    }

    /// Writes `report` with `groups` as its groups (its own are not read).
    fn render_groups(
        &self,
        report: &Report,
        groups: &dyn Groups,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

/// A report's groups, read in order one at a time and as often as a format
/// needs (the table reads them once for its column widths, then once per
/// section): a whole report's, or the engine's [`GroupRows`], whose groups'
/// statistics are made as they are read, so that a report of a million
/// groups never holds them all.
pub trait Groups {
    /// How many groups.
    fn len(&self) -> usize;

    /// True without groups.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `each` with every group in order, up to its first error.
    fn each(&self, each: &mut dyn FnMut(Cow<'_, GroupStats>) -> io::Result<()>) -> io::Result<()>;
}

impl Groups for Vec<GroupStats> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn each(&self, each: &mut dyn FnMut(Cow<'_, GroupStats>) -> io::Result<()>) -> io::Result<()> {
        self.iter().try_for_each(|group| each(Cow::Borrowed(group)))
    }
}

impl Groups for GroupRows {
    fn len(&self) -> usize {
        GroupRows::len(self)
    }

    fn each(&self, each: &mut dyn FnMut(Cow<'_, GroupStats>) -> io::Result<()>) -> io::Result<()> {
        self.iter().try_for_each(|group| each(Cow::Owned(group)))
    }
}

/// The renderer for a format name: table, json, csv or markdown. None for html:
/// the dashboard needs the windowed views (`cmd::dashboard` renders it).
pub fn renderer(format: crate::cli::ReportFormat) -> Option<Box<dyn Renderer>> {
    use crate::cli::ReportFormat;
    match format {
        ReportFormat::Table => Some(Box::new(table::Table)),
        ReportFormat::Json => Some(Box::new(json::Json)),
        ReportFormat::Csv => Some(Box::new(csv::Csv)),
        ReportFormat::Markdown => Some(Box::new(markdown::Markdown)),
        ReportFormat::Html => None,
    }
}
