//! `promptrun dashboard`: write the HTML dashboard, and maybe open it.

use std::process::{Command, Stdio};

use super::windowed::{SelectionFlags, dashboard_html, selection, write_output};
use crate::cli::DashboardArgs;
use crate::context::Context;
use crate::error::{Result, exit, warn};

/// Writes the page to `-o` (default dashboard.html); `--open` never fails the command.
pub fn run(context: &Context, args: &DashboardArgs) -> Result<i32> {
    let flags = SelectionFlags {
        paths: &args.paths,
        since: args.since.as_deref(),
        until: args.until.as_deref(),
        prompts: &args.prompts,
        variants: &args.variants,
        tags: &args.tags,
        bucket: Some(args.bucket),
    };
    let html = dashboard_html(context, &selection(context, &flags)?)?;
    write_output(&args.output, &html)?;
    if args.output.as_os_str() != "-" {
        eprintln!("promptrun: wrote {}", args.output.display());
        if args.open {
            open(&args.output);
        }
    }
    Ok(exit::OK)
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
