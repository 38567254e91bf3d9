//! Shared by `report --format html` (and so `dashboard`), `report trends` and
//! `report --check`: the alerts config, the check, and the dashboard page.

use std::path::Path;

use crate::cli::TimeBucket;
use crate::config::context::Context;
use crate::config::validate::Severity;
use crate::error::{Error, Result};
use crate::report::alerts::evaluate::{CheckResult, evaluate};
use crate::report::alerts::rules::AlertsConfig;
use crate::report::dashboard::DashboardData;
use crate::report::windowed::{Selection, WindowedReports};
use crate::report::{Bucket, EngineOptions};

/// The engine's bucket for a command-line bucket.
pub fn bucket(bucket: TimeBucket) -> Bucket {
    match bucket {
        TimeBucket::Hour => Bucket::Hour,
        TimeBucket::Day => Bucket::Day,
        TimeBucket::Week => Bucket::Week,
    }
}

/// The `alerts` section of the config (empty without a config); a usage error
/// listing every problem (`file:line:column: ...`, as `config check` prints them)
/// when it is invalid, so no check runs on rules that mean something else.
pub fn alerts_config(context: &Context) -> Result<AlertsConfig> {
    let Some(loaded) = context.config.as_ref() else {
        return Ok(AlertsConfig::default());
    };
    let errors: Vec<String> = crate::report::alerts::rules::check(&loaded.config.alerts)
        .iter()
        .filter(|problem| problem.severity == Severity::Error)
        .map(|problem| problem.render(loaded))
        .collect();
    if errors.is_empty() {
        return Ok(loaded.config.alerts.clone());
    }
    Err(Error::Config(format!(
        "the `alerts` config is invalid; fix it (`promptrun config check` shows every problem):\n  {}",
        errors.join("\n  ")
    )))
}

/// Engine options: a progress bar only on a terminal.
pub fn engine_options() -> EngineOptions {
    use std::io::IsTerminal;
    EngineOptions {
        progress: std::io::stderr().is_terminal(),
        ..EngineOptions::default()
    }
}

/// The alert check of computed views.
pub fn check(
    config: &AlertsConfig,
    selection: &Selection,
    reports: &WindowedReports,
) -> CheckResult {
    let previous_window = selection.window.previous();
    evaluate(
        config,
        &reports.current,
        reports.previous.as_ref(),
        selection.window.label(),
        previous_window.map(|w| w.label()),
    )
}

/// Lays out the dashboard page from computed views, with the alert check when rules are configured.
pub fn dashboard_page(
    context: &Context,
    selection: &Selection,
    reports: WindowedReports,
) -> Result<String> {
    let config = alerts_config(context)?;
    let check = config
        .has_rules()
        .then(|| check(&config, selection, &reports));
    let data = DashboardData {
        window: selection.window.label(),
        previous_window: selection.window.previous().map(|w| w.label()),
        bucket: selection.bucket.name().to_string(),
        generated: crate::record::event::timestamp(chrono::Utc::now()),
        check,
        current: reports.current,
        previous: reports.previous,
        variants: reports.variants,
        timeline: reports.timeline,
    };
    Ok(crate::report::render::html::render_dashboard(&data))
}

/// Writes `text` to `path`, or to stdout for `-`.
pub fn write_output(path: &Path, text: &str) -> Result<()> {
    if path.as_os_str() == "-" {
        crate::cmd::output::write_all(text.as_bytes());
        return Ok(());
    }
    std::fs::write(path, text).map_err(|err| Error::io(path, err))
}
