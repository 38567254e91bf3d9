//! `promptrun report --check`: the alert rules against the window; exit 1 on a
//! breach, 5 when `alerts.command` could not deliver it.

use std::path::{Path, PathBuf};

use super::selection::{self, DEFAULT_WINDOW};
use crate::cli::{GlobalArgs, ReportArgs, ReportFormat, TimeBucket};
use crate::error::{Error, Result, exit, warn};
use crate::report::alerts::command;
use crate::report::alerts::evaluate::{CheckResult, check_windows};
use crate::report::alerts::rules::{self, AlertsConfig};
use crate::report::render::breaches;
use crate::report::window::views::WindowedReports;

/// Checks the rules, prints the breaches, and runs `alerts.command` when there are any.
///
/// The exit status says what the check found even when stdout is a closed pipe
/// (`report --check | head`): a CI gate must not pass because nobody read it.
pub fn run(global: &GlobalArgs, args: &ReportArgs, paths: &[PathBuf]) -> Result<i32> {
    let context = global.context()?;
    let config = rules::from_config(context.config.as_ref())?;
    if !config.has_rules() {
        return Err(Error::Usage(
            "report --check needs alert rules: add an `alerts` section to router-config.json \
             (e.g. \"alerts\": {\"min_success_rate\": 0.95})"
                .into(),
        ));
    }
    let sources = selection::sources(&context, paths)?;
    let mut selection = selection::window(
        sources,
        &args.filters,
        args.bucket.unwrap_or(TimeBucket::Day),
        Some(DEFAULT_WINDOW),
    )?;
    if config.per_variant() {
        selection.detail = Some(crate::report::GroupField::Variant);
    }
    let reports = selection.compute(&selection::engine_options())?;
    selection::report_skips(&reports.current, args.strict)?;
    let result = check_windows(&config, &selection, &reports);
    warn_about_gaps(&config, &result, &reports);
    let document = json(&result);
    let text = match args.format {
        ReportFormat::Json => document.clone(),
        ReportFormat::Markdown => breaches::markdown(&result),
        ReportFormat::Table | ReportFormat::Csv | ReportFormat::Html => breaches::text(&result),
    };
    ignore_closed_stdout(super::output::write_to(
        args.output.as_deref(),
        text.as_bytes(),
    ))?;
    if let Some(path) = args.check_markdown.as_deref() {
        write_file(path, &breaches::markdown(&result))?;
    }
    if result.breaches.is_empty() {
        if args.require_runs && result.checked == 0 {
            return Err(Error::CheckFailed(
                "no prompt was checked (--require-runs): no run in the window, \
                 or every prompt below min_runs"
                    .into(),
            ));
        }
        return Ok(exit::OK);
    }
    if let Some(argv) = &config.command {
        command::run(argv, document.as_bytes(), command::TIMEOUT)
            .map_err(Error::AlertCommandFailed)?;
    }
    Ok(exit::CHECK_FAILED)
}

/// A closed stdout ends the printing, not the check.
fn ignore_closed_stdout(written: Result<()>) -> Result<()> {
    match written {
        Err(Error::StdoutClosed) => Ok(()),
        other => other,
    }
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    ignore_closed_stdout(super::output::write_to(Some(path), text.as_bytes()))
}

/// Pretty JSON with a final newline.
pub fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Says on stderr when the check could not judge much: no run at all (a missing
/// log directory, a window with nothing in it), or change rules with no run in
/// the previous window to compare with.
fn warn_about_gaps(config: &AlertsConfig, result: &CheckResult, reports: &WindowedReports) {
    if reports.current.totals.runs == 0 {
        warn(format_args!(
            "no run in the window ({}): nothing was checked; is the log directory right?",
            result.window
        ));
    } else if config.has_change_rules()
        && reports.previous.as_ref().is_none_or(|p| p.totals.runs == 0)
    {
        let previous = result.previous_window.as_ref().map_or_else(
            || "none: the window has no start".to_string(),
            |w| w.to_string(),
        );
        warn(format_args!(
            "no run in the previous window ({previous}): max_p95_increase_pct and \
             max_rating_drop cannot fire; keep the earlier logs (see README, In CI)"
        ));
    }
}
