//! `promptrun dashboard`: write the HTML dashboard, and maybe open it.

use std::process::{Command, Stdio};

use crate::cli::{DashboardArgs, GlobalArgs, ReportArgs, ReportFormat, SortArg};
use crate::error::{Result, warn};

/// Writes the page to `-o` (default dashboard.html); `--open` never fails the command.
/// The page is `report --format html` with the same flags: one way to select runs.
pub fn run(global: &GlobalArgs, args: &DashboardArgs) -> Result<i32> {
    let report = ReportArgs {
        args: args.paths.clone(),
        report: None,
        filters: args.filters.clone(),
        group_by: Vec::new(),
        sort: SortArg::Runs,
        top: None,
        format: ReportFormat::Html,
        output: Some(args.output.clone()),
        comments: false,
        strict: args.strict,
        check: false,
        check_markdown: None,
        require_runs: false,
        bucket: Some(args.bucket),
    };
    let code = super::report::run(global, &report)?;
    if args.output.as_os_str() != "-" {
        eprintln!("promptrun: wrote {}", args.output.display());
        if args.open {
            open(&args.output);
        }
    }
    Ok(code)
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
