//! `promptrun dashboard` and `report --format html`: the HTML page, and maybe open it.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::selection::{self, DEFAULT_WINDOW};
use crate::cli::{DashboardArgs, FilterArgs, GlobalArgs, TimeBucket};
use crate::error::{Result, exit, warn};
use crate::report::alerts::rules;
use crate::report::dashboard::DashboardData;
use crate::report::engine::time;
use crate::report::recommend::{self, WindowJson};

/// What selects the runs of a page.
pub struct PageArgs<'a> {
    pub paths: &'a [PathBuf],
    pub filters: &'a FilterArgs,
    pub bucket: TimeBucket,
    pub strict: bool,
}

/// Writes the page to `-o` (default dashboard.html); `--open` never fails the command.
pub fn run(global: &GlobalArgs, args: &DashboardArgs) -> Result<i32> {
    let page = page(
        global,
        &PageArgs {
            paths: &args.paths,
            filters: &args.filters,
            bucket: args.bucket,
            strict: args.strict,
        },
    )?;
    super::output::write_to(Some(&args.output), page.as_bytes())?;
    if args.output.as_os_str() != "-" {
        eprintln!("promptrun: wrote {}", args.output.display());
        if args.open {
            open(&args.output);
        }
    }
    Ok(exit::OK)
}

/// The dashboard page: the window's views, with the alert check when rules are configured.
pub fn page(global: &GlobalArgs, args: &PageArgs) -> Result<String> {
    let context = global.context()?;
    let alerts = rules::from_config(context.config.as_ref())?;
    let sources = selection::sources(&context, args.paths)?;
    let selection = selection::window(sources, args.filters, args.bucket, Some(DEFAULT_WINDOW))?;
    let mut filters = selection.filters.clone();
    filters.since_ms = selection.window.start.map(|start| start.timestamp_millis());
    filters.until_ms = Some(selection.window.end.timestamp_millis());
    let window = WindowJson {
        since: filters.since_ms.map(time::format_ms),
        until: filters.until_ms.map(time::format_ms),
    };
    let (reports, extra) = selection.compute_with(
        &selection::engine_options(),
        recommend::learn_views(&filters, &selection.shown_filters),
    )?;
    selection::report_skips(&reports.current, args.strict)?;
    let learned = recommend::learn(
        context.config.as_ref(),
        &alerts,
        &selection,
        &reports,
        extra,
        &selection.filters.prompts,
        window,
    );
    let generated = crate::record::event::timestamp(chrono::Utc::now());
    let data = DashboardData::new(&selection, reports, &alerts, generated).with_learned(learned);
    Ok(crate::report::render::html::render_dashboard(&data))
}

/// Opens `path` with the desktop's opener; only warns when there is none.
fn open(path: &std::path::Path) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let status = Command::new(opener)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => warn(format!(
            "{opener} {} failed ({status}); open it yourself",
            path.display()
        )),
        Err(_) => warn(format!(
            "cannot run {opener} to open {}; open it yourself",
            path.display()
        )),
    }
}
