//! Shared by `dashboard`, `report --format html`, `report trends` and `report --check`:
//! turning flags into a [`Selection`], and building the dashboard from it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::TimeBucket;
use crate::config::alerts::AlertsConfig;
use crate::config::validate::Severity;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::glob::Glob;
use crate::report::alerts::{CheckResult, evaluate};
use crate::report::dashboard::DashboardData;
use crate::report::time::parse_point;
use crate::report::windowed::{Selection, WindowedReports};
use crate::report::{Bucket, EngineOptions, Filters, Source, expand};

/// The flags that choose runs, as given.
#[derive(Debug, Clone, Default)]
pub struct SelectionFlags<'a> {
    pub paths: &'a [PathBuf],
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub prompts: &'a [String],
    pub variants: &'a [String],
    pub tags: &'a [(String, String)],
    pub bucket: Option<TimeBucket>,
}

/// The engine's bucket for a command-line bucket.
pub fn bucket(bucket: TimeBucket) -> Bucket {
    match bucket {
        TimeBucket::Hour => Bucket::Hour,
        TimeBucket::Day => Bucket::Day,
        TimeBucket::Week => Bucket::Week,
    }
}

/// The inputs: the paths given, else every log in the log directory (none when it does not exist yet).
pub fn sources(context: &Context, paths: &[PathBuf]) -> Result<Vec<Source>> {
    if !paths.is_empty() {
        return expand(paths);
    }
    match &context.log_dir {
        Some(dir) if dir.is_dir() => expand(std::slice::from_ref(dir)),
        _ => Ok(Vec::new()),
    }
}

/// Resolves the flags into a selection; bad globs and times are usage errors.
pub fn selection(context: &Context, flags: &SelectionFlags) -> Result<Selection> {
    let now = chrono::Utc::now();
    let point = |flag: &str, text: Option<&str>| {
        text.map(|text| {
            parse_point(text, now.timestamp_millis())
                .map_err(|err| Error::Usage(format!("--{flag} {text}: {err}")))
        })
        .transpose()
    };
    let window = Selection::window_from(
        point("since", flags.since)?,
        point("until", flags.until)?,
        now,
    )?;
    let globs = |flag: &str, patterns: &[String]| -> Result<Vec<Glob>> {
        patterns
            .iter()
            .map(|p| Glob::new(p).map_err(|err| Error::Usage(format!("--{flag} {p}: {err}"))))
            .collect()
    };
    let filters = Filters {
        prompts: globs("prompt", flags.prompts)?,
        variants: globs("variant", flags.variants)?,
        tags: flags.tags.to_vec(),
        ..Filters::default()
    };
    let mut shown: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for (name, value) in [("since", flags.since), ("until", flags.until)] {
        if let Some(value) = value {
            shown.insert(name.into(), value.into());
        }
    }
    for (name, values) in [("prompt", flags.prompts), ("variant", flags.variants)] {
        if !values.is_empty() {
            shown.insert(name.into(), values.to_vec().into());
        }
    }
    if !flags.tags.is_empty() {
        let tags: Vec<String> = flags.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        shown.insert("tag".into(), tags.into());
    }
    Ok(Selection {
        sources: sources(context, flags.paths)?,
        filters,
        shown_filters: shown,
        window,
        bucket: bucket(flags.bucket.unwrap_or(TimeBucket::Day)),
    })
}

/// The `alerts` section of the config (empty without a config); a usage error
/// listing every problem (`file:line:column: ...`, as `config check` prints them)
/// when it is invalid, so no check runs on rules that mean something else.
pub fn alerts_config(context: &Context) -> Result<AlertsConfig> {
    let Some(loaded) = context.config.as_ref() else {
        return Ok(AlertsConfig::default());
    };
    let errors: Vec<String> = crate::config::alerts::check(&loaded.config.alerts)
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

/// Computes the views (warning about skipped lines on stderr) and lays out the dashboard page.
pub fn dashboard_html(context: &Context, selection: &Selection) -> Result<String> {
    let reports = selection.compute(&engine_options())?;
    super::report::report_skips(&reports.current, false)?;
    dashboard_page(context, selection, reports)
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
        generated: crate::event::timestamp(chrono::Utc::now()),
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
        crate::output::write_all(text.as_bytes());
        return Ok(());
    }
    std::fs::write(path, text).map_err(|err| Error::io(path, err))
}
