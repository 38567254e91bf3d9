//! The parts of `promptrun report` that compare windows: `report trends`,
//! `report --check` and `report --format html` (the dashboard).

use std::path::{Path, PathBuf};

use super::windowed::{alerts_config, bucket, check, dashboard_page, engine_options, write_output};
use crate::cli::{GlobalArgs, ReportArgs, ReportFormat, TimeBucket};
use crate::config::context::Context;
use crate::error::{Error, Result, exit, warn};
use crate::report::alerts::command;
use crate::report::alerts::evaluate::CheckResult;
use crate::report::alerts::rules::AlertsConfig;
use crate::report::render::{breaches, trends_html, trends_text};
use crate::report::trends;
use crate::report::windowed::{Selection, WindowedReports};

/// Handles `report trends`, `report --check` and `report --format html`; `None`
/// for every other report, which `cmd::report` renders itself.
pub fn intercept(global: &GlobalArgs, args: &ReportArgs) -> Result<Option<i32>> {
    let trends_wanted = args
        .args
        .first()
        .is_some_and(|first| first.as_os_str() == "trends");
    if !(trends_wanted || args.check || args.format == ReportFormat::Html) {
        if args.bucket.is_some() {
            return Err(Error::Usage(
                "--bucket applies to `report trends` and `--format html` only".into(),
            ));
        }
        return Ok(None);
    }
    refuse_ignored_flags(args, trends_wanted)?;
    if trends_wanted && args.check {
        return Err(Error::Usage(
            "use either `report trends` or `report --check`, not both".into(),
        ));
    }
    if trends_wanted && args.report.is_some() {
        return Err(Error::Usage("`report trends` takes no --report".into()));
    }
    // A kind word (`usage`, ...) is not a path; the page and the check cover every part.
    let paths = if trends_wanted {
        &args.args[1..]
    } else {
        super::report::split_kind(args)?.1
    };
    let context = Context::resolve(global)?;
    let config = alerts_config(&context)?;
    // Trends and the change rules compare with the previous window, which "all runs" lacks.
    let default_since =
        (trends_wanted || (args.check && config.has_change_rules())).then_some(DEFAULT_WINDOW);
    let selection = selection(global, args, paths, default_since)?;
    if args.check && !config.has_rules() {
        return Err(Error::Usage(
            "report --check needs alert rules: add an `alerts` section to router-config.json \
             (e.g. \"alerts\": {\"min_success_rate\": 0.95})"
                .into(),
        ));
    }
    let reports = selection.compute(&engine_options())?;
    super::report::report_skips(&reports.current, args.strict)?;
    let output = args.output.as_deref();
    let code = if args.check {
        let outputs = CheckOutputs {
            format: args.format,
            output,
            markdown: args.check_markdown.as_deref(),
            require_runs: args.require_runs,
        };
        check_alerts(&config, &selection, &reports, &outputs)?
    } else if trends_wanted {
        trends(&config, &selection, &reports, args.format, output)?
    } else {
        emit(output, &dashboard_page(&context, &selection, reports)?)?;
        exit::OK
    };
    Ok(Some(code))
}

/// The window of `report trends`, and of `report --check` with a change rule, when
/// no `--since` is given: the last 7 days (against the 7 days before).
pub const DEFAULT_WINDOW: chrono::Duration = chrono::Duration::days(7);

/// A usage error for the flags that shape the plain report's table but that
/// trends, the check and the dashboard would silently ignore.
fn refuse_ignored_flags(args: &ReportArgs, trends_wanted: bool) -> Result<()> {
    let what = if trends_wanted {
        "report trends"
    } else if args.check {
        "report --check"
    } else {
        "report --format html"
    };
    let ignored = [
        ("--group-by", !args.group_by.is_empty()),
        ("--top", args.top.is_some()),
        ("--comments", args.comments),
    ];
    match ignored.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(Error::Usage(format!(
            "{what} does not take {flag}: it always groups by prompt (see `promptrun report --help`)"
        ))),
        None => Ok(()),
    }
}

/// The report's own inputs and filters (status, user, ... included), with the
/// time filters turned into the window; `default_since` back from `--until`
/// (or now) when no `--since` is given.
fn selection(
    global: &GlobalArgs,
    args: &ReportArgs,
    paths: &[PathBuf],
    default_since: Option<chrono::Duration>,
) -> Result<Selection> {
    let sources = super::report::resolve_inputs(global, paths)?;
    let view = super::report::view_spec(args)?;
    let mut filters = view.filters;
    let (since, until) = (filters.since_ms.take(), filters.until_ms.take());
    let end_ms = until.unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
    let since = since
        .or_else(|| default_since.map(|length| end_ms.saturating_sub(length.num_milliseconds())));
    Ok(Selection {
        sources,
        filters,
        shown_filters: view.shown_filters,
        window: Selection::window_from(since, until, chrono::Utc::now())?,
        bucket: bucket(args.bucket.unwrap_or(TimeBucket::Day)),
    })
}

fn emit(output: Option<&Path>, text: &str) -> Result<()> {
    write_output(output.unwrap_or(Path::new("-")), text)
}

fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// `promptrun report trends`.
fn trends(
    config: &AlertsConfig,
    selection: &Selection,
    reports: &WindowedReports,
    format: ReportFormat,
    output: Option<&Path>,
) -> Result<i32> {
    let trends = trends::compute(
        config,
        &reports.timeline,
        &reports.current,
        reports.previous.as_ref(),
        selection.bucket.name(),
        selection.window.label(),
        selection.window.previous().map(|w| w.label()),
    );
    let text = match format {
        ReportFormat::Table => trends_text::table(&trends, super::report::colour_allowed(output)),
        ReportFormat::Json => json(&trends),
        ReportFormat::Csv => trends_text::csv(&trends)
            .map_err(|err| Error::Usage(format!("cannot write CSV: {err}")))?,
        ReportFormat::Markdown => trends_text::markdown(&trends),
        ReportFormat::Html => trends_html::render_trends(&trends),
    };
    emit(output, &text)?;
    Ok(exit::OK)
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

/// Where `report --check` writes: `--format` to `-o`, and maybe Markdown to `--check-markdown`.
struct CheckOutputs<'a> {
    format: ReportFormat,
    output: Option<&'a Path>,
    markdown: Option<&'a Path>,
    /// `--require-runs`: checking no prompt at all is a failure.
    require_runs: bool,
}

/// `promptrun report --check`: prints the breaches; runs `alerts.command` when there
/// are any. 0 no breach, 1 breach, 5 when the alerts command failed.
fn check_alerts(
    config: &AlertsConfig,
    selection: &Selection,
    reports: &WindowedReports,
    outputs: &CheckOutputs,
) -> Result<i32> {
    let result = check(config, selection, reports);
    warn_about_gaps(config, &result, reports);
    let document = json(&result);
    let text = match outputs.format {
        ReportFormat::Json => document.clone(),
        ReportFormat::Markdown => breaches::markdown(&result),
        ReportFormat::Table | ReportFormat::Csv | ReportFormat::Html => breaches::text(&result),
    };
    emit(outputs.output, &text)?;
    if let Some(path) = outputs.markdown {
        write_output(path, &breaches::markdown(&result))?;
    }
    if result.breaches.is_empty() {
        if outputs.require_runs && result.checked == 0 {
            eprintln!(
                "promptrun: error: no prompt was checked (--require-runs): no run in the window, \
                 or every prompt below min_runs"
            );
            return Ok(exit::CHECK_FAILED);
        }
        return Ok(exit::OK);
    }
    if let Some(command) = &config.command
        && let Err(message) = command::run(command, document.as_bytes(), command::TIMEOUT)
    {
        eprintln!("promptrun: error: {message}; the breaches were not delivered");
        return Ok(exit::ALERT_COMMAND_FAILED);
    }
    Ok(exit::CHECK_FAILED)
}
