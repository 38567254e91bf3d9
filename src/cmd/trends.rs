//! `promptrun trends` (and `promptrun report trends`): this window against the one before.

use super::selection::{self, DEFAULT_WINDOW};
use crate::cli::{GlobalArgs, ReportFormat, TrendsArgs, TrendsGroup};
use crate::error::{Error, Result, exit};
use crate::report::alerts::rules;
use crate::report::render::{trends_html, trends_text};
use crate::report::trends;

/// Computes the trends and prints them in the chosen format.
pub fn run(global: &GlobalArgs, args: &TrendsArgs) -> Result<i32> {
    let context = global.context()?;
    let alerts = rules::from_config(context.config.as_ref())?;
    let sources = selection::sources(&context, &args.paths)?;
    let mut selection =
        selection::window(sources, &args.filters, args.bucket, Some(DEFAULT_WINDOW))?;
    selection.detail = match args.group_by {
        TrendsGroup::Prompt => None,
        TrendsGroup::Variant => Some(crate::report::GroupField::Variant),
        TrendsGroup::Version => Some(crate::report::GroupField::Version),
    };
    let reports = selection.compute(&selection::engine_options())?;
    selection::report_skips(&reports.current, args.strict)?;
    let trends = trends::compute(
        &alerts,
        &reports.timeline,
        &reports.current,
        reports.previous.as_ref(),
        selection.bucket.name(),
        selection.window.label(),
        selection.window.previous().map(|w| w.label()),
    );
    let output = args.output.as_deref();
    let text = match args.format {
        ReportFormat::Table => trends_text::table(&trends, selection::colour_allowed(output)),
        ReportFormat::Json => super::check::json(&trends),
        ReportFormat::Csv => trends_text::csv(&trends)
            .map_err(|err| Error::Usage(format!("cannot write CSV: {err}")))?,
        ReportFormat::Markdown => trends_text::markdown(&trends),
        ReportFormat::Html => trends_html::render_trends(&trends),
    };
    super::output::write_to(output, text.as_bytes())?;
    Ok(exit::OK)
}
